"""Input parsing for the agreement pages. The services validate the content; these forms
only check types. Every write form carries the agreement's `version` (optimistic lock)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ordna.agreements.models import Agreement, Side
from ordna.core.forms import DsFormMixin
from ordna.organisation.models import Unit


class VersionedForm(DsFormMixin, forms.Form):
    """A form about an agreement as the user saw it: `version` is the agreement's."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class AgreementFilterForm(DsFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(y, y) for y in years]
        self.fields["status"].choices = [("", _("All statuses")), *Agreement.Status.choices]


class AgreementCreateForm(DsFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    purchaser = forms.ModelChoiceField(label=_("Purchaser"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Agreement.Kind.choices)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("Leave empty for “Services from …” with the provider's name."),
    )
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Unit.objects.none())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        valid = Unit.objects.valid_on(today).order_by("code")
        self.fields["purchaser"].queryset = valid.filter(
            kind__in=["administration", "company", "external_customer"]
        )
        # Only the provider units the user works for: nobody makes offers for others.
        self.fields["provider"].queryset = valid.filter(
            kind="administration", pk__in=[u.pk for u in providers]
        )


class LineForm(VersionedForm):
    """A line's content. `service` only when adding; `allocation_key` only in common
    agreements. An empty price means the list price."""

    service = forms.ModelChoiceField(label=_("Service"), queryset=None)
    volume = forms.DecimalField(label=_("Volume"), max_digits=14, decimal_places=2)
    unit_price = forms.DecimalField(
        label=_("Negotiated price"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("Leave empty to use the price list's price."),
    )
    allocation_key = forms.ModelChoiceField(
        label=_("Allocation key"),
        queryset=None,
        required=False,
        help_text=_("Leave empty for the service's default key."),
    )
    response_days = forms.IntegerField(
        label=_("Response (working days)"),
        required=False,
        min_value=0,
        help_text=_("Leave empty for the service's standard level."),
    )
    delivery_days = forms.IntegerField(
        label=_("Delivery (working days)"),
        required=False,
        min_value=0,
        help_text=_("Leave empty for the service's standard level."),
    )
    indicators = forms.CharField(
        label=_("Follow-up indicators"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, services=None, keys=None, **kwargs):
        super().__init__(*args, **kwargs)
        if services is None:
            del self.fields["service"]
            if keys is not None:
                self.fields["allocation_key"].help_text = ""  # editing: empty means no key
        else:
            self.fields["service"].queryset = services
        if keys is None:
            del self.fields["allocation_key"]
        else:
            self.fields["allocation_key"].queryset = keys
        # The field order puts the service first, the version (hidden) anywhere.
        self.order_fields(["service", "volume", "unit_price", "allocation_key"])


class RoundForm(VersionedForm):
    comment = forms.CharField(
        label=_("Comment to the other side"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CompareForm(DsFormMixin, forms.Form):
    a = forms.TypedChoiceField(label=_("Compare round"), coerce=int)
    b = forms.TypedChoiceField(label=_("with round"), coerce=int)

    def __init__(self, *args, rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(r.pk, round_label(r)) for r in rounds]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices


def round_label(proposal) -> str:
    return _("Version %(version)s, round %(round)s (%(side)s)") % {
        "version": proposal.version.number,
        "round": proposal.number,
        "side": proposal.get_side_display(),
    }


class SignForm(VersionedForm):
    side = forms.ChoiceField(label=_("Sign for"), choices=Side.choices)
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Signing is a personal act: confirm it with your password."),
    )

    def __init__(self, *args, sides=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["side"].choices = [(s, label) for s, label in Side.choices if s in sides]
        if len(sides) == 1:
            self.fields["side"].widget = forms.HiddenInput()
            self.fields["side"].initial = next(iter(sides))


class AmendForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    valid_from = forms.DateField(
        label=_("Applies from"),
        required=False,
        widget=forms.DateInput,
        help_text=_("Leave empty for today."),
    )


class TerminateForm(VersionedForm):
    terminated_on = forms.DateField(label=_("Last day of the agreement"), widget=forms.DateInput)
    reason = forms.CharField(
        label=_("Reason for termination"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VolumePolicyForm(VersionedForm):
    volume_policy = forms.ChoiceField(
        label=_("Call-offs above the agreed volume"),
        choices=Agreement.VolumePolicy.choices,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if reason_required:  # the service asks for it when the rule changes
            self.fields["reason"].help_text = _(
                "Required: the agreement is already agreed, and the other side sees why "
                "the rule changed."
            )


class RolloverForm(DsFormMixin, forms.Form):
    from_year = forms.IntegerField(
        label=_("Roll over the agreements of year"), min_value=2000, max_value=2100
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class CycleForm(DsFormMixin, forms.Form):
    negotiation_deadline = forms.DateField(
        label=_("Negotiation deadline"),
        widget=forms.DateInput,
        help_text=_("The day by which the year's agreements are to be signed."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
