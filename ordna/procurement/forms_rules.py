"""Input parsing for the rule-set pages. The services check the content (the engine's
checks, duplicate ids and priorities, the need's keys); these forms check types and turn
what a person writes into the engine's values, naming the field at fault."""

from __future__ import annotations

import datetime
import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ordna.core.forms import DsFormMixin
from ordna.procurement import engine, guideline
from ordna.procurement.models import Law, Route

CONDITION_ROWS = 4  # empty condition rows under the rule's own


class ConfirmForm(DsFormMixin, forms.Form):
    """A button that needs no input (remove, new draft)."""


class RuleForm(DsFormMixin, forms.Form):
    """A rule of a draft, its conditions as numbered rows of field, operator and value;
    empty rows are ignored."""

    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=1,
        max_value=100000,
        help_text=_("The rules are tried from the lowest number up; the first that matches wins."),
    )
    key = forms.CharField(
        label=_("Rule id"),
        max_length=40,
        help_text=_(
            "Short and stable, e.g. direktupphandling: lower-case letters, digits, - and _."
        ),
    )
    route = forms.ChoiceField(label=_("Route"))
    explanation = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the purchaser reads: why the need goes this way, in plain words."),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=200,
        required=False,
        help_text=_(
            "E.g. LOU 3 kap. 14 §. Write {law} where LOU or LUF goes, whichever applies "
            "to the need: {law} 19 a kap. 1 §."
        ),
    )
    clause = forms.CharField(
        label=_("Guideline clause"),
        max_length=40,
        required=False,
        help_text=_("The clause of the written guideline the rule implements, e.g. 3.6."),
    )

    def __init__(self, *args, conditions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = [("", _("Choose a route")), *Route.choices]
        self.condition_count = len(conditions) + CONDITION_ROWS
        fields = [("", "–"), *((f, label) for f, label in guideline.FACT_LABELS.items())]
        operators = list(guideline.OPERATOR_LABELS.items())
        for n in range(1, self.condition_count + 1):
            self.fields[f"cond_{n}_field"] = forms.ChoiceField(
                label=_("Condition %(n)s: field") % {"n": n}, choices=fields, required=False
            )
            self.fields[f"cond_{n}_op"] = forms.ChoiceField(
                label=_("Condition %(n)s: operator") % {"n": n},
                choices=operators,
                required=False,
            )
            self.fields[f"cond_{n}_value"] = forms.CharField(
                label=_("Condition %(n)s: value") % {"n": n}, required=False, max_length=300
            )
        for n, condition in enumerate(conditions, start=1):
            field, op = condition.get("field", ""), condition.get("op", "eq")
            self.initial.setdefault(f"cond_{n}_field", field)
            self.initial.setdefault(f"cond_{n}_op", op)
            self.initial.setdefault(
                f"cond_{n}_value", guideline.value_as_text(field, op, condition.get("value"))
            )

    def rule_fields(self) -> list:
        return [f for f in self if not f.name.startswith("cond_")]

    def condition_rows(self) -> list[list]:
        return [
            [self[f"cond_{n}_{part}"] for part in ("field", "op", "value")]
            for n in range(1, self.condition_count + 1)
        ]

    def condition_headings(self) -> list:
        return [_("Field"), _("Operator"), _("Value")]

    def clean(self):
        data = super().clean()
        conditions = []
        for n in range(1, self.condition_count + 1):
            field = data.get(f"cond_{n}_field") or ""
            op = data.get(f"cond_{n}_op") or "eq"
            value = (data.get(f"cond_{n}_value") or "").strip()
            if f"cond_{n}_field" in self.errors or f"cond_{n}_op" in self.errors:
                continue
            if not field:
                if value:
                    self.add_error(f"cond_{n}_field", _("Choose the field the condition tests."))
                continue
            if field not in engine.FACTS or op not in engine.OPERATORS:
                continue  # the choice fields have said so
            try:
                parsed = guideline.parse_value(field, op, value)
            except forms.ValidationError as exc:
                self.add_error(f"cond_{n}_value", exc)
                continue
            conditions.append({"field": field, "op": op, "value": parsed})
        data["conditions"] = conditions
        return data

    def rule_data(self) -> dict:
        """The cleaned data as `draft_rule_save` takes it."""
        data = self.cleaned_data
        return {
            "priority": data["priority"],
            "key": data["key"].strip(),
            "route": data["route"],
            "explanation": data["explanation"].strip(),
            "legal_basis": data.get("legal_basis", "").strip(),
            "clause": data.get("clause", "").strip(),
            "conditions": data["conditions"],
        }


class ExampleForm(DsFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    need = forms.CharField(
        label=_("Need (JSON)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            'The keys of "ordna route evaluate", e.g. {"date": "2026-03-01", '
            '"purchaser": "TF", "category": "services", "one_off_value_sek": 250000}.'
        ),
    )
    expected_route = forms.ChoiceField(label=_("Expected route"))
    expected_law = forms.ChoiceField(label=_("Expected law"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_route"].choices = [("", _("Choose a route")), *Route.choices]
        self.fields["expected_law"].choices = [("", _("None (no procurement law)")), *Law.choices]

    def clean_need(self):
        text = self.cleaned_data["need"]
        try:
            need = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Not valid JSON (line %(line)s, column %(column)s): %(message)s")
                % {"line": exc.lineno, "column": exc.colno, "message": exc.msg}
            ) from None
        if not isinstance(need, dict):
            raise forms.ValidationError(_('Write the need as a JSON object: {"key": value, ...}.'))
        return need


def need_as_text(need: dict) -> str:
    return json.dumps(need, ensure_ascii=False, indent=2)


class PublishForm(DsFormMixin, forms.Form):
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput)
    decision = forms.CharField(
        label=_("Decision"),
        max_length=200,
        help_text=_("The body, date and case number of the decision that adopted it."),
    )


class ReplayForm(DsFormMixin, forms.Form):
    period_from = forms.DateField(
        label=_("Assessments from"),
        widget=forms.DateInput,
        help_text=_("The need's date of the assessments to run again."),
    )
    period_to = forms.DateField(label=_("Assessments to"), widget=forms.DateInput)

    @staticmethod
    def default_initial() -> dict:
        today = timezone.localdate()
        return {"period_from": today - datetime.timedelta(days=365), "period_to": today}
