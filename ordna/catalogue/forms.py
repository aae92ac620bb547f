from django import forms
from django.utils.translation import gettext_lazy as _

from ordna.catalogue.models import MandateTask
from ordna.core.forms import DsFormMixin
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
