from django import forms
from django.utils.translation import gettext_lazy as _

from ordna.catalogue.models import AllocationKey, MandateTask, Service, ServiceArea
from ordna.core.forms import DsFormMixin, ServiceModelForm
from ordna.organisation.models import Unit


def _committees():
    return Unit.objects.filter(kind__in=[Unit.Kind.COMMITTEE, Unit.Kind.COUNCIL]).order_by("code")


class ProposeForm(DsFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Task"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    proposed_by = forms.ModelChoiceField(
        label=_("Proposed by"), queryset=Unit.objects.none(), required=False
    )
    replaces = forms.ModelChoiceField(
        label=_("New wording of"),
        queryset=MandateTask.objects.none(),
        required=False,
        help_text=_("Leave empty for a new task."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposed_by"].queryset = _committees()
        self.fields["replaces"].queryset = MandateTask.objects.filter(
            committee=committee, status=MandateTask.Status.ADOPTED, valid_to__isnull=True
        ).select_related("committee")


class DecisionForm(DsFormMixin, forms.Form):
    deciding_body = forms.ModelChoiceField(label=_("Deciding body"), queryset=Unit.objects.none())
    case_number = forms.CharField(
        label=_("Case number"), max_length=40, help_text=_("For example KF 2026-00123.")
    )
    decided_on = forms.DateField(label=_("Decision date"), widget=forms.DateInput)
    day = forms.DateField(widget=forms.DateInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, day_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deciding_body"].queryset = _committees()
        self.fields["day"].label = day_label


# --- Service areas, services, price lists, allocation keys ----------------------------------
def _units(*kinds):
    return Unit.objects.filter(kind__in=kinds).order_by("code")


def _reason_field():
    return forms.CharField(label=_("Reason for the change"), required=False, max_length=500)


def _money_field(label, *, required=True):
    """A decimal in kronor; accepts a decimal comma (Swedish) or point."""
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class ServiceAreaForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = _reason_field()

    class Meta:
        model = ServiceArea
        fields = [
            "name",
            "description",
            "provider",
            "responsible_committee",
            "main_purchaser",
            "valid_from",
            "valid_to",
        ]
        widgets = {
            "valid_from": forms.DateInput,
            "valid_to": forms.DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        administrations = _units(Unit.Kind.ADMINISTRATION)
        self.fields["provider"].queryset = administrations
        self.fields["main_purchaser"].queryset = administrations
        self.fields["responsible_committee"].queryset = _units(Unit.Kind.COMMITTEE)


class ServiceForm(ServiceModelForm):
    """A service; the code is given once, when it is added (exports and agreements use it)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = _reason_field()

    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "description",
            "area",
            "unit_of_measure",
            "price_model",
            "obligation",
            "open_to_external",
            "external_decision",
            "vat_percent",
            "account",
            "default_key",
            "response_days_normal",
            "delivery_days_normal",
            "response_days_urgent",
            "delivery_days_urgent",
            "cpv_code",
            "valid_from",
            "valid_to",
        ]
        widgets = {
            "valid_from": forms.DateInput,
            "valid_to": forms.DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]
        else:
            del self.fields["version"]
        self.fields["area"].queryset = ServiceArea.objects.order_by("name")
        self.fields["default_key"].queryset = AllocationKey.objects.order_by("code")


class ServiceFilterForm(DsFormMixin, forms.Form):
    omrade = forms.ChoiceField(label=_("Service area"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["omrade"].choices = [("", _("All areas"))] + [(a.code, a.name) for a in areas]


class PriceListForm(DsFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        help_text=_("Leave empty for “Price list <year>”."),
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        required=False,
        widget=forms.DateInput,
        help_text=_("Leave empty for 1 January."),
    )
    reason = _reason_field()


class PriceForm(DsFormMixin, forms.Form):
    """A service's cost build-up in a draft list; the unit price follows from it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    direct_cost = _money_field(_("Direct cost (SEK)"))
    overhead_cost = _money_field(_("Overhead (SEK)"))
    capital_cost = _money_field(_("Capital cost (SEK)"))
    volume = _money_field(_("Volume"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    reason = _reason_field()

    def __init__(self, *args, service_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volume"].help_text = _(
            "What the total cost is divided by, in the service's unit of measure; 1 for a "
            "fixed fee."
        )
        if service_choices is not None:
            field = forms.ModelChoiceField(label=_("Service"), queryset=service_choices)
            field.widget.attrs["class"] = "ds-input"
            self.fields = {"service": field, **self.fields}


class ConfirmForm(DsFormMixin, forms.Form):
    """Confirm a change to a whole list (publish, remove a price), with its version."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = _reason_field()


class IndexForm(DsFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year of the new list"), min_value=2000, max_value=2100)
    index_percent = forms.DecimalField(
        label=_("Index (%)"),
        max_digits=6,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Every cost is changed by this percentage; volumes stay."),
    )
    index_name = forms.CharField(
        label=_("Index name"),
        required=False,
        max_length=100,
        help_text=_("For example PKV (price and cost index for municipalities)."),
    )
    reason = _reason_field()


class AllocationKeyForm(ServiceModelForm):
    reason = _reason_field()

    class Meta:
        model = AllocationKey
        fields = ["code", "name", "driver", "driver_label", "method", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AllocateForm(DsFormMixin, forms.Form):
    """Show how an amount is shared by the key's values of a year."""

    ar = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    belopp = forms.DecimalField(
        label=_("Amount to allocate (SEK)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class KeyImportForm(DsFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "An .xlsx or .csv file with two columns: the unit code (heading “enhet” or "
            "“unit”) and the value (heading “värde” or “value”). At most 2 MB and 5,000 rows."
        ),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    reason = _reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )


class KeyImportConfirmForm(forms.Form):
    """Step 2 of an import: the rows the preview showed, sent back to be saved."""

    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2000, max_value=2100)
    rows = forms.JSONField(widget=forms.HiddenInput)
    file_name = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    note = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)
    reason = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)

    def clean_rows(self):
        rows = self.cleaned_data["rows"]
        valid = isinstance(rows, list) and len(rows) <= 5000
        valid = valid and all(
            isinstance(row, list)
            and len(row) == 3
            and isinstance(row[0], int)
            and all(isinstance(part, str) and len(part) <= 100 for part in row[1:])
            for row in rows
        )
        if not valid:
            raise forms.ValidationError(_("The rows could not be read. Upload the file again."))
        return [tuple(row) for row in rows]
