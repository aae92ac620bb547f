"""Forms of the route assessment pages: the guided need form, the purchaser's decision,
oversight's review, the koncernnytta comparison and the framework register."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from ordna.core.forms import DsFormMixin, ServiceModelForm
from ordna.procurement.models import FrameworkAgreement, Route

CATEGORY_CHOICES = [
    ("services", _("Services")),
    ("supplies", _("Supplies (goods)")),
    ("works", _("Works (construction)")),
    ("social_services", _("Social and other specific services")),
]
VALUE_KINDS = [("one_off", _("One-off purchase")), ("annual", _("Yearly, over several years"))]
OFFERS = [
    ("", _("Don't know / take it from the service")),
    ("yes", _("Yes, Servicekontoret offers it")),
    ("no", _("No")),
]


class NeedForm(DsFormMixin, forms.Form):
    """The need, step by step. The field names follow the keys of `ordna route evaluate`,
    so that a NeedError from the engine lands on the right field."""

    purchaser = forms.ChoiceField(label=_("Purchasing unit"))
    description = forms.CharField(
        label=_("What is needed"),
        max_length=300,
        help_text=_("A short description, e.g. 'Laptops for the field staff'."),
    )
    date = forms.DateField(
        label=_("Date"),
        initial=datetime.date.today,
        help_text=_("The thresholds and the guideline in force on this day apply."),
    )
    category = forms.ChoiceField(
        label=_("What kind of purchase"), choices=CATEGORY_CHOICES, widget=forms.RadioSelect
    )
    service_code = forms.ChoiceField(
        label=_("Service in Servicekontoret's catalogue"),
        required=False,
        help_text=_("Choose the service if the need is one the provider offers."),
    )
    provider_offers = forms.ChoiceField(
        label=_("Does Servicekontoret offer it?"),
        choices=OFFERS,
        required=False,
        help_text=_("Only used when no service is chosen above."),
    )
    value_kind = forms.ChoiceField(
        label=_("How is it paid"), choices=VALUE_KINDS, widget=forms.RadioSelect, initial="one_off"
    )
    one_off_value_sek = forms.DecimalField(
        label=_("Value, one-off (SEK excl. VAT)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    annual_value_sek = forms.DecimalField(
        label=_("Value per year (SEK excl. VAT)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    contract_years = forms.IntegerField(
        label=_("Contract years"), required=False, min_value=1, max_value=50
    )
    extension_years = forms.IntegerField(
        label=_("Possible extension years"),
        required=False,
        min_value=0,
        max_value=50,
        help_text=_("Extensions count as if they were used (LOU 5 kap. 3 §)."),
    )
    options_value_sek = forms.DecimalField(
        label=_("Options (SEK)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("The value of any options, e.g. extra quantities; counted as used."),
    )
    cpv_code = forms.CharField(
        label=_("CPV code"),
        required=False,
        max_length=10,
        help_text=_("Optional, e.g. 30213000. Finds a framework agreement that covers it."),
    )
    framework_agreement = forms.BooleanField(
        label=_("A framework agreement covers the need"), required=False
    )
    utility_activity = forms.BooleanField(
        label=_("For a utility activity (water, energy, transport, postal services)"),
        required=False,
    )
    extreme_urgency = forms.BooleanField(
        label=_("Extreme urgency that could not be foreseen"), required=False
    )

    def __init__(self, *args, units=(), services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purchaser"].choices = [(u.code, f"{u.code} {u.name}") for u in units]
        self.fields["service_code"].choices = [("", _("No service from the catalogue"))] + [
            (s.code, f"{s.code} {s.name}") for s in services
        ]

    def clean(self):
        data = super().clean()

        def missing(name):
            return data.get(name) in (None, "") and name not in self.errors

        if data.get("value_kind") == "annual":
            if missing("annual_value_sek"):
                self.add_error("annual_value_sek", _("Give the value per year."))
            if missing("contract_years"):
                self.add_error("contract_years", _("Give the number of contract years."))
        elif data.get("value_kind") == "one_off" and missing("one_off_value_sek"):
            self.add_error("one_off_value_sek", _("Give the value."))
        return data

    def need(self) -> dict:
        """The cleaned form as a need with the keys of `ordna route evaluate`."""
        d = self.cleaned_data
        need = {
            "date": d["date"].isoformat(),
            "purchaser": d["purchaser"],
            "description": d["description"],
            "category": d["category"],
        }
        if d["value_kind"] == "annual":
            need["annual_value_sek"] = str(d["annual_value_sek"])
            need["contract_years"] = d["contract_years"]
            need["extension_years"] = d.get("extension_years") or 0
        else:
            need["one_off_value_sek"] = str(d["one_off_value_sek"])
        if d.get("options_value_sek"):
            need["options_value_sek"] = str(d["options_value_sek"])
        if d.get("service_code"):
            need["service_code"] = d["service_code"]
        elif d.get("provider_offers"):
            need["provider_offers"] = d["provider_offers"] == "yes"
        if d.get("cpv_code"):
            need["cpv_code"] = d["cpv_code"]
        for key in ("framework_agreement", "utility_activity", "extreme_urgency"):
            need[key] = bool(d.get(key))
        return need


class DecisionForm(DsFormMixin, forms.Form):
    chosen_route = forms.ChoiceField(
        label=_("What the unit does"),
        choices=Route.choices,
        widget=forms.RadioSelect,
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Required when you do not follow the guideline's route: why, and what you will "
            "do instead. Deviations are shown to Kommunstyrelsen's oversight."
        ),
    )


class ReviewForm(DsFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Review note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What oversight found, e.g. 'Justification accepted' or an action."),
    )


class ComparisonForm(DsFormMixin, forms.Form):
    provider_quote = forms.DecimalField(
        label=_("Servicekontoret's quote (SEK)"), min_value=0, max_digits=14, decimal_places=2
    )
    fixed_cost_share = forms.DecimalField(
        label=_("Share of the quote that covers fixed costs (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=_(
            "Costs the group keeps paying whoever delivers: premises, systems, management, "
            "capital. Filled in from the price list when the need names a service."
        ),
    )
    fixed_cost_source = forms.CharField(label=_("Source of the share"), max_length=300)
    external_price = forms.DecimalField(
        label=_("External offer (SEK)"), min_value=0, max_digits=14, decimal_places=2
    )
    procurement_cost = forms.DecimalField(
        label=_("Cost of procuring (SEK)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("The work of procuring and following up the contract."),
    )
    supplier = forms.CharField(label=_("External supplier"), max_length=200, required=False)


class FrameworkForm(ServiceModelForm):
    class Meta:
        model = FrameworkAgreement
        fields = [
            "reference",
            "title",
            "supplier",
            "category",
            "cpv_code",
            "law",
            "valid_from",
            "valid_to",
            "note",
        ]
        widgets = {
            "valid_from": forms.DateInput,
            "valid_to": forms.DateInput,
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class AssessmentFilterForm(DsFormMixin, forms.Form):
    route = forms.ChoiceField(
        label=_("Route"), required=False, choices=[("", _("All routes")), *Route.choices]
    )
    deviation = forms.BooleanField(label=_("Only deviations"), required=False)
