import datetime

import factory

from ordna.accounts.models import Membership, Role, User
from ordna.organisation.models import LegalPerson, Unit


class LegalPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalPerson
        django_get_or_create = ("org_number",)

    name = "Borås kommun"
    org_number = "212000-1561"
    kind = LegalPerson.Kind.MUNICIPALITY
    valid_from = datetime.date(2020, 1, 1)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.Sequence(lambda n: f"Enhet {n}")
    kind = Unit.Kind.COMMITTEE
    legal_person = factory.SubFactory(LegalPersonFactory)
    valid_from = datetime.date(2020, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.django.Password("test-password-123")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.ORDERER
    valid_from = datetime.date(2020, 1, 1)
