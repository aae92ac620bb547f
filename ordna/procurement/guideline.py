"""The readable guideline, generated from a rule set version, and the words for its rules.

`guideline_context` is the one place the guideline's content is put together: the HTML
page renders it with a template and `render_pdf` prints the same context, so the
document and the engine that decides by the same rules cannot drift apart.

The labels of the engine's facts and values (`engine.FACTS`) live here, so that a rule's
conditions read as Swedish ("Relation: samma juridiska person") on the pages, in the
document, and in the rule form, which parses what a person writes back into the
engine's values (`parse_value`).

The reads of the rule-set pages are in `selectors.py`; they use the words defined here.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordna.procurement import engine
from ordna.procurement.models import (
    Category,
    Law,
    Route,
    RuleSetVersion,
)

# --- words for the engine's facts -------------------------------------------------------

FACT_LABELS = {
    "relation": gettext_lazy("Relation"),
    "provider_offers": gettext_lazy("The provider offers the service"),
    "framework_agreement": gettext_lazy("A framework agreement covers the need"),
    "extreme_urgency": gettext_lazy("Extreme urgency"),
    "utility_activity": gettext_lazy("For a utility activity"),
    "utility_entity": gettext_lazy("The buyer is a utility entity"),
    "law": gettext_lazy("Law"),
    "category": gettext_lazy("Category"),
    "value_band": gettext_lazy("Estimated value"),
}

_YES_NO = {True: gettext_lazy("yes"), False: gettext_lazy("no")}

VALUE_LABELS: dict[str, dict] = {
    "relation": {
        "same_legal_person": gettext_lazy("same legal person"),
        "controlled_company": gettext_lazy("company controlled by the municipality"),
        "external": gettext_lazy("external party"),
    },
    "provider_offers": _YES_NO,
    "framework_agreement": _YES_NO,
    "extreme_urgency": _YES_NO,
    "utility_activity": _YES_NO,
    "utility_entity": _YES_NO,
    "law": {"LOU": "LOU", "LUF": "LUF"},
    "category": {
        "supplies": gettext_lazy("supplies"),
        "services": gettext_lazy("services"),
        "works": gettext_lazy("works"),
        "social_services": gettext_lazy("social and other specific services"),
    },
    "value_band": {
        "below_documentation_limit": gettext_lazy("below the documentation limit"),
        "below_direct_award_limit": gettext_lazy("below the direct award limit"),
        "below_threshold": gettext_lazy("below the threshold"),
        "threshold_or_above": gettext_lazy("at or above the threshold"),
    },
}

OPERATOR_LABELS = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
}

assert set(FACT_LABELS) == set(engine.FACTS) == set(VALUE_LABELS)
assert all(set(VALUE_LABELS[f]) == set(engine.FACTS[f]) for f in engine.FACTS)
assert set(OPERATOR_LABELS) == set(engine.OPERATORS)


def value_label(field: str, value) -> str:
    labels = VALUE_LABELS.get(field, {})
    try:
        return str(labels[value]) if value in labels else str(value)
    except TypeError:  # an unhashable value in a broken condition
        return str(value)


def condition_text(condition: dict) -> str:
    """One condition in words: "Relation: samma juridiska person"."""
    field, op = condition.get("field"), condition.get("op", "eq")
    value = condition.get("value")
    name = str(FACT_LABELS.get(field, field))
    if op in ("in", "not_in") and isinstance(value, list):
        words = [value_label(field, v) for v in value]
        if op == "in":
            return _("%(field)s: %(values)s") % {
                "field": name,
                "values": _join(words, _("%(list)s or %(last)s")),
            }
        return _("%(field)s: none of %(values)s") % {"field": name, "values": ", ".join(words)}
    if op == "ne":
        return _("%(field)s: not %(value)s") % {"field": name, "value": value_label(field, value)}
    return _("%(field)s: %(value)s") % {"field": name, "value": value_label(field, value)}


def conditions_text(conditions: list) -> str:
    """All of a rule's conditions in words, or that it catches every need."""
    if not conditions:
        return _("Every need (no conditions)")
    return _join([condition_text(c) for c in conditions], _("%(list)s and %(last)s"))


def _join(words: list[str], pattern: str) -> str:
    """["a", "b", "c"] as "a, b or c" (`pattern` puts the last word)."""
    if len(words) == 1:
        return words[0]
    return pattern % {"list": ", ".join(words[:-1]), "last": words[-1]}


def value_as_text(field: str, op: str, value) -> str:
    """A stored condition value as the rule form shows it (the engine's codes)."""

    def one(v):
        return ("true" if v else "false") if isinstance(v, bool) else str(v)

    if isinstance(value, list):
        return ", ".join(one(v) for v in value)
    return one(value)


def parse_value(field: str, op: str, text: str):
    """What a person wrote as a condition's value, in the field's domain: `true`/`false`
    (or yes/no in words), a name (the code or its label), or a comma-separated list for
    "is one of" / "is none of". Raises ValidationError naming the value at fault."""
    domain = engine.FACTS[field]
    words = [w.strip() for w in (text or "").split(",")]
    words = [w for w in words if w]
    if not words:
        raise ValidationError(_("Write the value the condition tests."))
    if op in ("eq", "ne") and len(words) > 1:
        raise ValidationError(
            _("Only one value goes with “%(op)s”; choose “is one of” for several.")
            % {"op": OPERATOR_LABELS[op]}
        )
    known = {}
    if domain == (True, False):
        known.update({"yes": True, "ja": True, "no": False, "nej": False})
    for v in domain:
        known[value_as_text(field, "eq", v).lower()] = v
        known[value_label(field, v).lower()] = v
    values = []
    for word in words:
        if word.lower() not in known:
            raise ValidationError(
                _("“%(value)s” is not a value of %(field)s; use one of: %(choices)s.")
                % {
                    "value": word,
                    "field": FACT_LABELS[field],
                    "choices": allowed_values_text(field),
                }
            )
        if known[word.lower()] not in values:
            values.append(known[word.lower()])
    return values if op in ("in", "not_in") else values[0]


def allowed_values_text(field: str) -> str:
    return ", ".join(
        f"{value_as_text(field, 'eq', v)} ({value_label(field, v)})" for v in engine.FACTS[field]
    )


def fact_reference() -> list[dict]:
    """Every fact a rule may test with its values, for the rule form's help."""
    return [
        {
            "field": field,
            "label": FACT_LABELS[field],
            "values": [(value_as_text(field, "eq", v), value_label(field, v)) for v in domain],
        }
        for field, domain in engine.FACTS.items()
    ]


def route_label(route: str) -> str:
    if not route:
        return _("no rule matches")
    return str(dict(Route.choices).get(route, route))


def legal_basis_text(text: str) -> str:
    """A rule's legal basis for a reader: `{law}` names both laws."""
    if "{law}" not in text:
        return text
    return f"{text.replace('{law}', 'LOU')} / {text.replace('{law}', 'LUF')}"


def money_text(amount) -> str:
    if amount is None:
        return "–"
    return formats.number_format(Decimal(amount), 0, use_l10n=True, force_grouping=True)


def need_summary(need: dict) -> str:
    """An example case's need in a line: purchaser, category, value and what is set."""
    if not isinstance(need, dict):
        return str(need)
    parts = []
    if need.get("purchaser"):
        parts.append(str(need["purchaser"]))
    if need.get("category"):
        parts.append(value_label("category", need["category"]))
    if need.get("one_off_value_sek") is not None:
        parts.append(_("%(sek)s kr") % {"sek": _money_or_raw(need["one_off_value_sek"])})
    elif need.get("annual_value_sek") is not None:
        parts.append(
            _("%(sek)s kr a year for %(years)s + %(ext)s years")
            % {
                "sek": _money_or_raw(need["annual_value_sek"]),
                "years": need.get("contract_years", 0),
                "ext": need.get("extension_years", 0),
            }
        )
    if need.get("options_value_sek"):
        parts.append(_("options %(sek)s kr") % {"sek": _money_or_raw(need["options_value_sek"])})
    if need.get("service_code"):
        parts.append(_("service %(code)s") % {"code": need["service_code"]})
    if need.get("cpv_code"):
        parts.append(_("CPV %(code)s") % {"code": need["cpv_code"]})
    flags = {
        "utility_activity": _("utility activity"),
        "extreme_urgency": _("extreme urgency"),
        "framework_agreement": _("framework agreement"),
    }
    parts.extend(str(label) for key, label in flags.items() if need.get(key) is True)
    if need.get("provider_offers") is not None:
        parts.append(
            _("the provider offers it")
            if need["provider_offers"]
            else _("the provider does not offer it")
        )
    if need.get("date"):
        parts.append(str(need["date"]))
    return " · ".join(parts)


def _money_or_raw(value) -> str:
    try:
        return money_text(Decimal(str(value)))
    except ArithmeticError:
        return str(value)


# --- the guideline document ---------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    number: str
    key: str
    priority: int
    conditions: str
    route: str
    route_code: str
    explanation: str
    legal_basis: str


@dataclass(frozen=True)
class LimitRow:
    law: str
    category: str
    threshold_sek: str
    threshold_eur: str
    direct_award_sek: str
    provisional: bool
    source: str


LIMIT_CATEGORIES = (Category.SUPPLIES_SERVICES, Category.WORKS, Category.SOCIAL_SERVICES)


def splitting_note() -> str:
    return _(
        "When a need is routed to a direct award, Ordna adds up the similar direct awards "
        "of the same contracting authority (the same category, and the same service when "
        "the need names one) in the 12 months up to the need's date. When the sum reaches "
        "the direct award limit, the assessment carries a warning and the purchaser must "
        "check that the purchase is not split to avoid the rules. This is an internal "
        "control of the guideline: the statutory rule of adding up direct awards of the "
        "same kind was abolished on 1 February 2022. Splitting a purchase to avoid the "
        "rules is still forbidden (LOU and LUF 5 kap. 6–7 §§)."
    )


def limits_in_force(day: datetime.date, registry=None) -> dict:
    """The thresholds and limits in force on `day` (dated rows, through the registry)."""
    from ordna.procurement.assess import NoReferenceData, Registry

    registry = registry or Registry.load(organisation=False)
    rows, documentation, provisional = [], [], False
    for law in Law.values:
        for category in LIMIT_CATEGORIES:
            try:
                threshold = registry.threshold(law, category, day)
            except NoReferenceData:
                continue
            try:
                direct = money_text(registry.direct_award_limit(law, category, day).sek)
            except NoReferenceData:
                direct = "–"
            provisional = provisional or threshold.provisional
            rows.append(
                LimitRow(
                    law=law,
                    category=str(Category(category).label),
                    threshold_sek=money_text(threshold.sek),
                    threshold_eur=money_text(threshold.eur),
                    direct_award_sek=direct,
                    provisional=threshold.provisional,
                    source=threshold.source,
                )
            )
        with contextlib.suppress(NoReferenceData):
            documentation.append((law, money_text(registry.documentation_limit(law, day).sek)))
    return {
        "day": day,
        "rows": rows,
        "documentation": documentation,
        "provisional": provisional,
        "rate": str(registry.rate),
    }


def guideline_context(
    version: RuleSetVersion, *, rules: list | None = None, day: datetime.date | None = None
) -> dict:
    """Everything the readable guideline says, for the HTML page and the PDF alike.

    `rules` are the version's rules in priority order, when already read
    (`version_and_rules`). The thresholds and limits are those in force on the
    version's valid-from date (today for a draft), unless `day` is given."""
    rule_set = version.rule_set
    day = day or version.valid_from or timezone.localdate()
    if rules is None:
        rules = list(version.rules.order_by("priority"))
    clauses = []
    for index, rule in enumerate(rules, start=1):
        clauses.append(
            Clause(
                number=rule.clause or str(index),
                key=rule.key,
                priority=rule.priority,
                conditions=conditions_text(rule.conditions),
                route=route_label(rule.route),
                route_code=rule.route,
                explanation=rule.explanation,
                legal_basis=legal_basis_text(rule.legal_basis),
            )
        )
    examples = [
        {
            "name": e.name,
            "need": need_summary(e.need),
            "route": route_label(e.expected_route),
            "law": e.expected_law or "–",
        }
        for e in version.examples.order_by("id")
    ]
    return {
        "title": rule_set.name,
        "version": version,
        "number": version.number,
        "is_draft": version.is_draft,
        "status": version.get_status_display(),
        "valid_from": version.valid_from,
        "decision": version.decision,
        "sha256": version.sha256,
        "intro": rule_set.description,
        "clauses": clauses,
        "limits": limits_in_force(day),
        "splitting_note": splitting_note(),
        "examples": examples,
    }


def document_blocks(context: dict) -> list[tuple[str, object]]:
    """The guideline as a sequence of blocks (heading, paragraph, facts, table), in
    the order the HTML page shows them: what the PDF prints."""
    blocks: list[tuple[str, object]] = [("title", context["title"])]
    version = _("Version %(n)s") % {"n": context["number"]}
    if context["is_draft"]:
        version += " — " + _("draft, not in force")
    blocks.append(("subtitle", version))
    blocks.append(
        (
            "facts",
            [
                (_("Valid from"), _date(context["valid_from"]) or _("not published")),
                (_("Decision"), context["decision"] or "–"),
                (_("Content hash (SHA-256)"), context["sha256"] or "–"),
            ],
        )
    )
    if context["intro"]:
        blocks.append(("paragraph", context["intro"]))
    blocks.append(("heading", _("The rules, in the order they are tried")))
    blocks.append(
        (
            "paragraph",
            _(
                "Each need is tried against the clauses below in order; the first clause "
                "whose conditions all hold decides the route."
            ),
        )
    )
    for clause in context["clauses"]:
        blocks.append(("clause", f"{clause.number}  {clause.route}"))
        blocks.append(("label", _("When: %(text)s") % {"text": clause.conditions}))
        blocks.append(("paragraph", clause.explanation))
        if clause.legal_basis:
            blocks.append(("label", _("Legal basis: %(text)s") % {"text": clause.legal_basis}))
    limits = context["limits"]
    blocks.append(("heading", _("Thresholds and limits")))
    blocks.append(
        (
            "paragraph",
            _("In force on %(day)s (SEK, excluding VAT).") % {"day": _date(limits["day"])},
        )
    )
    blocks.append(
        (
            "table",
            {
                "head": [
                    _("Law"),
                    _("Category"),
                    _("Threshold"),
                    _("Threshold (EUR)"),
                    _("Direct award limit"),
                ],
                "rows": [
                    [
                        r.law,
                        r.category,
                        r.threshold_sek + (" *" if r.provisional else ""),
                        r.threshold_eur,
                        r.direct_award_sek,
                    ]
                    for r in limits["rows"]
                ],
                "widths": [12, 58, 38, 38, 34],
            },
        )
    )
    if limits["provisional"]:
        blocks.append(
            (
                "small",
                _(
                    "* Converted from EUR at %(rate)s SEK/EUR: the official SEK value is not "
                    "yet known, so results that use it are provisional."
                )
                % {"rate": limits["rate"]},
            )
        )
    for law, sek in limits["documentation"]:
        blocks.append(
            (
                "paragraph",
                _("%(law)s: a direct award of %(sek)s kr or more must be documented.")
                % {"law": law, "sek": sek},
            )
        )
    blocks.append(("heading", _("Splitting guard")))
    blocks.append(("paragraph", context["splitting_note"]))
    blocks.append(("heading", _("Example cases")))
    blocks.append(
        (
            "paragraph",
            _("The rule set must give these outcomes before it can be published."),
        )
    )
    blocks.append(
        (
            "table",
            {
                "head": [_("Case"), _("Need"), _("Route"), _("Law")],
                "rows": [[e["name"], e["need"], e["route"], e["law"]] for e in context["examples"]],
                "widths": [50, 70, 45, 15],
            },
        )
    )
    return blocks


def _date(day) -> str:
    return day.isoformat() if day else ""


def document_text(context: dict) -> str:
    """The guideline's words as plain text (what the PDF prints, for checking it)."""
    lines = []
    for kind, content in document_blocks(context):
        if kind == "facts":
            lines.extend(f"{k}: {v}" for k, v in content)
        elif kind == "table":
            lines.append(" | ".join(str(h) for h in content["head"]))
            lines.extend(" | ".join(str(c) for c in row) for row in content["rows"])
        else:
            lines.append(str(content))
    return "\n".join(lines)


def render_pdf(context: dict) -> bytes:
    """The guideline as a PDF (fpdf2, Helvetica in the Windows-1252 encoding: it has
    å, ä, ö, é, §, – and —; any other character prints as '?')."""
    from fpdf import FPDF

    title = str(context["title"])
    footer = _("%(title)s, version %(n)s") % {"title": title, "n": context["number"]}

    class Document(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 6, _safe(f"{footer} — {self.page_no()}/{{nb}}"), align="C")

    pdf = Document(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_title(_safe(title))
    pdf.set_creator("Ordna")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def write(text, size=10, style="", height=5, space=2):
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(width, height, _safe(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(space)

    for kind, content in document_blocks(context):
        if kind == "title":
            write(content, 18, "B", 8, 1)
        elif kind == "subtitle":
            write(content, 12, "", 6, 3)
        elif kind == "heading":
            pdf.ln(2)
            write(content, 13, "B", 7, 2)
        elif kind == "clause":
            write(content, 11, "B", 6, 1)
        elif kind == "label":
            write(content, 10, "I", 5, 1)
        elif kind == "small":
            write(content, 8, "", 4, 2)
        elif kind == "facts":
            for name, value in content:
                pdf.set_font("Helvetica", "B", 9)
                pdf.cell(45, 5, _safe(name))
                pdf.set_font("Helvetica", "", 9)
                pdf.multi_cell(width - 45, 5, _safe(value), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif kind == "table":
            _table(pdf, content, width)
        else:
            write(content)
    return bytes(pdf.output())


def _table(pdf, table: dict, width: float) -> None:
    scale = width / sum(table["widths"])
    widths = tuple(w * scale for w in table["widths"])
    pdf.set_font("Helvetica", "", 8)
    with pdf.table(
        col_widths=widths,
        width=width,
        text_align="LEFT",
        line_height=4.5,
        first_row_as_headings=True,
    ) as grid:
        for row in [table["head"], *table["rows"]]:
            cells = grid.row()
            for value in row:
                cells.cell(_safe(value))
    pdf.ln(3)


def _safe(text) -> str:
    """`text` as Helvetica (Windows-1252) can print it."""
    text = "" if text is None else str(text)
    for char, replacement in {"\u202f": " ", "\u2009": " ", "\u00a0": " ", "→": "->"}.items():
        text = text.replace(char, replacement)
    return text.encode("cp1252", "replace").decode("cp1252")
