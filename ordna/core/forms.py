"""Form helpers: design-system widgets, accessible errors, and service errors on fields."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DsFormMixin:
    """Give widgets the design system's classes and HTML date inputs.

    Errors and help texts are tied to their inputs by Django itself at render time
    (aria-invalid, aria-describedby="id_<field>_helptext id_<field>_error"), so errors a
    service adds after validation are wired the same way; core/partials/field.html
    renders the texts under exactly those ids.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            widget.attrs.setdefault("class", "ds-input")
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"


class ServiceModelForm(DsFormMixin, forms.ModelForm):
    """A model form that checks only field types. The model's own validation is the
    service's job, so the same rules, with the same messages, apply to pages, the API and
    the command line (see core.forms.form_page)."""

    def _post_clean(self):
        pass


class EndForm(DsFormMixin, forms.Form):
    """End something that has a validity period (a holding, a role) on a given day."""

    valid_to = forms.DateField(label=_("Last valid day"), widget=forms.DateInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form as a whole)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def as_of(request) -> tuple[AsOfForm, datetime.date]:
    """The "as of" form from the query string, and the day it names (today by default)."""
    form = AsOfForm(request.GET or None)
    day = form.day() if request.GET.get("per") else None
    return form, day or timezone.localdate()


class AsOfForm(DsFormMixin, forms.Form):
    """The "as of date" selector used on registry pages."""

    per = forms.DateField(label=_("As of date"), required=False, widget=forms.DateInput)

    def day(self) -> datetime.date | None:
        if self.is_valid():
            return self.cleaned_data.get("per")
        return None


def form_page(
    request, form, save, *, title, success_message, redirect_to=None, obj=None, cancel=None
):
    """The edit-page pattern in one place: show `form`; on a valid POST call
    `save(cleaned_data)` (a service); put the service's field errors back on the form, or
    confirm and redirect to `redirect_to(saved)` (default: the saved object's page).

    `success_message` is a text, or a function of the saved object giving one.
    """
    from django.contrib import messages
    from django.shortcuts import redirect, render

    if request.method == "POST" and form.is_valid():
        try:
            saved = save(dict(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = success_message(saved) if callable(success_message) else success_message
            messages.success(request, text)
            target = redirect_to(saved) if redirect_to else saved.get_absolute_url()
            return redirect(target)
    return render(
        request, "core/form.html", {"form": form, "title": title, "object": obj, "cancel": cancel}
    )
