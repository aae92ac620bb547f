from django import forms
from django.utils.translation import gettext_lazy as _

from ordna.core.forms import DsFormMixin, ServiceModelForm
from ordna.organisation.models import LegalPerson, Ownership, Unit


class LegalPersonForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    class Meta:
        model = LegalPerson
        fields = ["name", "org_number", "kind", "valid_from", "valid_to"]
        widgets = {"valid_from": forms.DateInput, "valid_to": forms.DateInput}


class UnitForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "kind",
            "legal_person",
            "parent",
            "registry_email",
            "cost_centre",
            "counterparty_code",
            "description",
            "valid_from",
            "valid_to",
        ]
        widgets = {
            "valid_from": forms.DateInput,
            "valid_to": forms.DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class OwnershipForm(ServiceModelForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    class Meta:
        model = Ownership
        fields = ["owner", "share_percent", "valid_from", "valid_to"]
        widgets = {"valid_from": forms.DateInput, "valid_to": forms.DateInput}


class UnitSearchForm(DsFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Unit.Kind.choices]
    )
    per = forms.DateField(label=_("As of date"), required=False, widget=forms.DateInput)
