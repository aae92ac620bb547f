"""Input parsing for the order pages. The services validate the content; these forms only
check types. Forms about an existing order carry its `version` (optimistic lock)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ordna.catalogue.models import ServiceArea
from ordna.core.forms import DsFormMixin
from ordna.orders import filetypes
from ordna.orders.models import Deviation, Order, Priority
from ordna.orders.selectors import OPEN_FOR_PROVIDER
from ordna.orders.workflow import State

ORDER_LINE_ROWS = 5
QUOTE_LINE_ROWS = 5


class VersionedForm(DsFormMixin, forms.Form):
    """A form about an order as the user saw it: `version` is the order's."""

    version = forms.IntegerField(widget=forms.HiddenInput)


# --- Filters ------------------------------------------------------------------------------------
class MyOrdersFilterForm(DsFormMixin, forms.Form):
    mine = forms.BooleanField(label=_("Only orders I placed"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *State.choices]


class QueueFilterForm(DsFormMixin, forms.Form):
    area = forms.ModelChoiceField(
        label=_("Service area"),
        queryset=ServiceArea.objects.order_by("code"),
        required=False,
        empty_label=_("All service areas"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    due_before = forms.DateField(
        label=_("Delivery due before"), required=False, widget=forms.DateInput
    )
    breached = forms.BooleanField(label=_("Only breached service levels"), required=False)
    mine = forms.BooleanField(label=_("Only orders assigned to me"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(State.choices)
        self.fields["status"].choices = [("", _("All open statuses"))] + [
            (s.value, labels[s.value]) for s in OPEN_FOR_PROVIDER
        ]


# --- Lines ----------------------------------------------------------------------------------------
class LineRowsMixin:
    """`rows` numbered line rows of the fields in LINE_FIELDS; empty rows are ignored."""

    LINE_FIELDS: tuple = ()  # (name, column heading, field factory taking the row number)

    def add_line_rows(self, rows: int) -> None:
        for n in range(1, rows + 1):
            for name, _heading, make in self.LINE_FIELDS:
                self.fields[f"line_{n}_{name}"] = make(n)
        self.line_count = rows

    def line_rows(self) -> list[list]:
        """The bound fields, row by row (for the template's table)."""
        return [
            [self[f"line_{n}_{name}"] for name, _heading, _make in self.LINE_FIELDS]
            for n in range(1, self.line_count + 1)
        ]

    def line_headings(self) -> list:
        return [heading for _name, heading, _make in self.LINE_FIELDS]

    def other_fields(self) -> list:
        return [f for f in self if not f.name.startswith("line_")]

    def lines(self, data: dict) -> list[dict]:
        """The filled rows as dicts (a row counts as filled when any field has a value)."""
        result = []
        for n in range(1, self.line_count + 1):
            row = {name: data.pop(f"line_{n}_{name}", None) for name, *_rest in self.LINE_FIELDS}
            if any(value not in (None, "") for value in row.values()):
                result.append({k: ("" if v is None else v) for k, v in row.items()})
        return result


def _description(n):
    return forms.CharField(
        label=_("Line %(n)s: description") % {"n": n}, required=False, max_length=300
    )


def _quantity(n):
    return forms.DecimalField(
        label=_("Line %(n)s: quantity") % {"n": n},
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=0,
    )


def _unit_of_measure(n):
    return forms.CharField(
        label=_("Line %(n)s: unit of measure") % {"n": n}, required=False, max_length=60
    )


def _price(n):
    return forms.DecimalField(
        label=_("Line %(n)s: price (SEK)") % {"n": n},
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
    )


# --- New order ------------------------------------------------------------------------------------
class OrderCreateForm(LineRowsMixin, DsFormMixin, forms.Form):
    LINE_FIELDS = (
        ("description", _("Description"), _description),
        ("quantity", _("Quantity"), _quantity),
        ("unit_of_measure", _("Unit of measure"), _unit_of_measure),
    )

    purchaser = forms.TypedChoiceField(label=_("Ordering unit"), coerce=int)
    provider = forms.TypedChoiceField(label=_("Provider"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=Order.Kind.choices, widget=forms.RadioSelect)
    service = forms.TypedChoiceField(
        label=_("Service"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "A call-off names a service of your unit's agreement. For an ad hoc need the "
            "service is optional."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What is needed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for an ad hoc need, so that it can be quoted."),
    )
    estimated_value = forms.DecimalField(
        label=_("Estimated value (SEK)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_(
            "For an ad hoc need: the expected cost over the whole term. From the city's "
            "limit up, the need must have a route assessment before it is submitted."
        ),
    )
    route_assessment = forms.TypedChoiceField(
        label=_("Route assessment"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The assessment that sends this need to the provider."),
    )
    wanted_on = forms.DateField(label=_("Wanted by"), required=False, widget=forms.DateInput)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    cost_centre = forms.CharField(
        label=_("Cost centre"),
        required=False,
        max_length=20,
        help_text=_("Leave empty for the ordering unit's cost centre."),
    )

    def __init__(self, *args, units=(), providers=(), services=(), assessments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assessments = {a.pk: a for a in assessments}
        self.fields["route_assessment"].choices = [("", _("None"))] + [
            (a.pk, f"{a.number} {a.description} ({a.get_route_display()})") for a in assessments
        ]
        self.units = {u.pk: u for u in units}
        self.providers = {u.pk: u for u in providers}
        self.services = {s.pk: s for s, _covered in services}
        self.fields["purchaser"].choices = [(u.pk, f"{u.code} {u.name}") for u in units]
        self.fields["provider"].choices = [(u.pk, f"{u.code} {u.name}") for u in providers]
        covered = [(s.pk, str(s)) for s, is_covered in services if is_covered]
        others = [(s.pk, str(s)) for s, is_covered in services if not is_covered]
        self.fields["service"].choices = [
            ("", _("No service (ad hoc need)")),
            (_("Covered by your agreement"), covered),
            (_("Other services (ad hoc need only)"), others),
        ]
        self.add_line_rows(ORDER_LINE_ROWS)

    def service_data(self) -> dict:
        """The cleaned data as order_create's arguments (objects, lines as dicts)."""
        data = dict(self.cleaned_data)
        lines = self.lines(data)
        data["purchaser"] = self.units[data["purchaser"]]
        data["provider"] = self.providers[data["provider"]]
        data["service"] = self.services.get(data["service"])
        data["route_assessment"] = self.assessments.get(data.get("route_assessment"))
        data["lines"] = lines
        return data


# --- Steps on an order ----------------------------------------------------------------------------
class TransitionForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, needs_reason=False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_reason:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]


class QuoteSendForm(LineRowsMixin, VersionedForm):
    LINE_FIELDS = (
        ("description", _("Description"), _description),
        ("quantity", _("Quantity"), _quantity),
        ("unit_of_measure", _("Unit of measure"), _unit_of_measure),
        ("unit_price", _("Price (SEK)"), _price),
    )

    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput)
    delivery_days = forms.IntegerField(
        label=_("Delivery time (working days)"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Counted from the day the quote is accepted."),
    )
    assumptions = forms.CharField(
        label=_("Assumptions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_line_rows(QUOTE_LINE_ROWS)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["lines"] = self.lines(data)
        return data


class QuoteAnswerForm(VersionedForm):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        widget=forms.RadioSelect,
        choices=[
            ("accept", _("Accept the quote")),
            ("renegotiate", _("Ask for a new quote")),
            ("reject", _("Reject the quote")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you ask for a new quote or reject it."),
    )


class AssignForm(VersionedForm):
    handler = forms.TypedChoiceField(
        label=_("Handled by"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.handlers = {u.pk: u for u in handlers}
        self.fields["handler"].choices = [("", _("Nobody"))] + [
            (u.pk, u.get_full_name() or u.username) for u in handlers
        ]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["handler"] = self.handlers.get(data["handler"])
        return data


class MessageForm(DsFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(DsFormMixin, forms.Form):
    """A file to attach; the service checks its size and type (orders.filetypes)."""

    file = forms.FileField(label=_("File"), allow_empty_file=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, PNG, JPEG, Excel (xlsx), Word (docx), OpenDocument (odt, ods), CSV or "
            "text, at most %(max)s MB. An attachment cannot be removed: both parties see it."
        ) % {"max": filetypes.megabytes(settings.ORDER_ATTACHMENT_MAX_BYTES)}
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in filetypes.TYPES)


class DeliveryReportForm(DsFormMixin, forms.Form):
    line = forms.TypedChoiceField(
        label=_("Order line"), coerce=int, required=False, empty_value=None
    )
    performed_on = forms.DateField(label=_("Date"), widget=forms.DateInput)
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    hours = forms.DecimalField(
        label=_("Hours"), required=False, max_digits=8, decimal_places=2, min_value=0
    )
    material_amount = forms.DecimalField(
        label=_("Material (SEK)"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.order_lines = {line.pk: line for line in lines}
        self.fields["line"].choices = [("", _("The order as a whole"))] + [
            (line.pk, f"{line.position}. {line.description}") for line in lines
        ]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["line"] = self.order_lines.get(data["line"])
        for field in ("quantity", "hours", "material_amount"):
            data[field] = data[field] or 0
        return data


class DeviationFileForm(DsFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of deviation"), choices=Deviation.Kind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class DeviationAnswerForm(DsFormMixin, forms.Form):
    response = forms.CharField(label=_("Response"), widget=forms.Textarea(attrs={"rows": 3}))
    close = forms.BooleanField(label=_("Close the deviation"), required=False)


class RatingForm(DsFormMixin, forms.Form):
    score = forms.TypedChoiceField(
        label=_("Score (1 = poor, 5 = excellent)"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeliveryImportForm(DsFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File from the time system"),
        help_text=_(
            "An .xlsx or .csv file with the columns “beställning”, “rad”, “datum” and any "
            "of “antal”, “timmar”, “material”, “anteckning”. At most 2 MB."
        ),
    )


class DeliveryImportConfirmForm(forms.Form):
    """Step 2: the rows the preview showed, sent back; the service checks them again."""

    rows = forms.JSONField(widget=forms.HiddenInput)
    key = forms.CharField(widget=forms.HiddenInput, max_length=40)
    file_name = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def clean_rows(self):
        rows = self.cleaned_data["rows"]
        valid = isinstance(rows, list) and len(rows) <= 5000
        valid = valid and all(
            isinstance(r, list)
            and len(r) == 2
            and isinstance(r[0], int)
            and isinstance(r[1], dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in r[1].items())
            for r in rows
        )
        if not valid:
            raise forms.ValidationError(_("Upload the file again."))
        return [(line, cells) for line, cells in rows]


# --- The council's cap on external sales ----------------------------------------------------
class ExternalCapForm(DsFormMixin, forms.Form):
    """A new cap (a council decision). The service checks the range, the decimals, the day
    and the case number, so pages, the API and the command line give the same messages."""

    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=forms.DateInput,
        help_text=_("A day after the latest cap's. Earlier caps are kept as history."),
        error_messages={"required": _("Give the day the new cap applies from.")},
    )
    percent = forms.DecimalField(
        label=_("Cap (percent of the year's turnover)"),
        help_text=_("From 0 to 100, at most two decimals, e.g. 5 or 7.5."),
        localize=True,  # a decimal comma (Swedish) or point
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": _(
                "Give the cap as a percentage from 0 to 100 with at most two decimals, "
                "e.g. 5 or 7.5."
            )
        },
    )
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        help_text=_("The council's decision, for example KF 2026-00123."),
        error_messages={
            "required": _("Give the case number of the council's decision, e.g. KF 2026-00123.")
        },
    )
    reason = forms.CharField(label=_("Note"), required=False, max_length=500)
