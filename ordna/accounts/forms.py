from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ordna.accounts.models import Membership, User
from ordna.core.forms import DsFormMixin, ServiceModelForm


class LoginForm(DsFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Note that both are case-sensitive."),
        "inactive": _("This account is inactive."),
    }


class ApiTokenForm(DsFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use the token, e.g. “Reporting script”."),
    )


class PersonForm(ServiceModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("Leave empty for accounts that will only sign in through single sign-on."),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "title", "phone"]


class PersonEditForm(ServiceModelForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "title", "phone", "is_active"]
        help_texts = {
            "is_active": _(
                "An inactive person cannot sign in or use API tokens. "
                "People are never deleted, so their history stays."
            ),
        }


class PasswordChangeForm(DsFormMixin, auth_forms.PasswordChangeForm):
    pass


class MembershipForm(ServiceModelForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    class Meta:
        model = Membership
        fields = ["role", "unit", "valid_from", "valid_to"]
        widgets = {"valid_from": forms.DateInput, "valid_to": forms.DateInput}


class PersonSearchForm(DsFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
