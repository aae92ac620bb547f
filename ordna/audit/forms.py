from django import forms
from django.utils.translation import gettext_lazy as _

from ordna.core.forms import DsFormMixin


class EventFilterForm(DsFormMixin, forms.Form):
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data
