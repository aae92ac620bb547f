from django import forms
from django.utils.translation import gettext_lazy as _

from ordna.core.forms import DsFormMixin
from ordna.organisation.models import LegalPerson, Ownership, Unit


class LegalPersonForm(DsFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    class Meta:
        model = LegalPerson
        fields = ["name", "org_number", "kind", "valid_from", "valid_to"]
        widgets = {"valid_from": forms.DateInput, "valid_to": forms.DateInput}

    def _post_clean(self):
        # Validation is the service's job (organisation.services); skip the model's here
        # so the same rules, with the same messages, apply to the web, the API and the CLI.
        pass


class UnitForm(DsFormMixin, forms.ModelForm):
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

    def _post_clean(self):
        pass


class OwnershipForm(DsFormMixin, forms.ModelForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    class Meta:
        model = Ownership
        fields = ["owner", "share_percent", "valid_from", "valid_to"]
        widgets = {"valid_from": forms.DateInput, "valid_to": forms.DateInput}

    def _post_clean(self):
        pass


class UnitSearchForm(DsFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Unit.Kind.choices]
    )
    per = forms.DateField(label=_("As of date"), required=False, widget=forms.DateInput)
