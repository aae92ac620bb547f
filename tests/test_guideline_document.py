"""The readable guideline generated from a rule set version (HTML and PDF from one
context, so the document and the engine cannot drift apart) and the words for the
engine's facts that the pages and the rule form share."""

from __future__ import annotations

import datetime
import re
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override

from ordna.accounts.models import User
from ordna.procurement import defaults, engine, guideline, services
from ordna.procurement.models import RuleSetVersion


def version(number: int) -> RuleSetVersion:
    return RuleSetVersion.objects.get(rule_set__name=defaults.NAME, number=number)


def pdf_text(content: bytes) -> str:
    """The text a PDF of fpdf2 shows (its compressed content streams, Windows-1252)."""
    shown = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            stream = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        shown.extend(re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream))
    text = b"\n".join(shown)
    text = re.sub(rb"\\([()\\])", rb"\1", text)
    return text.decode("cp1252")


# --- words for the facts ---------------------------------------------------------------------


def test_every_fact_and_value_has_a_label():
    for field, domain in engine.FACTS.items():
        assert str(guideline.FACT_LABELS[field])
        for value in domain:
            assert str(guideline.VALUE_LABELS[field][value])


def test_conditions_read_as_words():
    with override("en"):
        assert (
            guideline.condition_text(
                {"field": "relation", "op": "eq", "value": "same_legal_person"}
            )
            == "Relation: same legal person"
        )
        assert (
            guideline.condition_text({"field": "provider_offers", "op": "ne", "value": True})
            == "The provider offers the service: not yes"
        )
        assert (
            guideline.condition_text(
                {"field": "category", "op": "in", "value": ["supplies", "services", "works"]}
            )
            == "Category: supplies, services or works"
        )
        assert (
            guideline.condition_text({"field": "law", "op": "not_in", "value": ["LUF"]})
            == "Law: none of LUF"
        )
        assert guideline.conditions_text([]) == "Every need (no conditions)"
        assert guideline.conditions_text(
            [
                {"field": "category", "op": "eq", "value": "works"},
                {"field": "value_band", "op": "eq", "value": "below_threshold"},
            ]
        ) == ("Category: works and Estimated value: below the threshold")


@pytest.mark.parametrize("field", list(engine.FACTS))
def test_every_value_parses_back_from_its_code_and_its_label(field):
    domain = engine.FACTS[field]
    for value in domain:
        code = guideline.value_as_text(field, "eq", value)
        assert guideline.parse_value(field, "eq", code) == value
        assert guideline.parse_value(field, "ne", guideline.value_label(field, value)) == value
    text = guideline.value_as_text(field, "in", list(domain))
    assert guideline.parse_value(field, "in", text) == list(domain)
    # What the form parses, the engine accepts.
    engine.compile_rule(
        {
            "key": "x",
            "route": "direct_award",
            "conditions": [{"field": field, "op": "not_in", "value": [domain[0]]}],
        }
    )


@pytest.mark.parametrize(
    ("field", "op", "text"),
    [
        ("category", "eq", "food"),
        ("category", "eq", "works, supplies"),  # several values need "is one of"
        ("extreme_urgency", "eq", "kanske"),
        ("law", "in", ""),
    ],
)
def test_bad_values_are_refused_with_a_message(field, op, text):
    with pytest.raises(ValidationError) as caught:
        guideline.parse_value(field, op, text)
    assert caught.value.messages[0]


def test_legal_basis_names_both_laws_for_the_placeholder():
    assert (
        guideline.legal_basis_text("{law} 19 a kap. 1 §") == "LOU 19 a kap. 1 § / LUF 19 a kap. 1 §"
    )
    assert guideline.legal_basis_text("LOU 3 kap. 14 §") == "LOU 3 kap. 14 §"


# --- the shared context ----------------------------------------------------------------------


def test_the_context_has_one_clause_per_rule_in_priority_order(demo):
    published = version(1)
    context = guideline.guideline_context(published)
    rules = list(published.rules.order_by("priority"))
    assert [c.key for c in context["clauses"]] == [r.key for r in rules]
    assert [c.number for c in context["clauses"]] == [r.clause for r in rules]
    assert [c.explanation for c in context["clauses"]] == [r.explanation for r in rules]
    assert context["sha256"] == published.sha256
    assert context["valid_from"] == published.valid_from
    assert context["intro"] == defaults.DESCRIPTION
    assert len(context["examples"]) == published.examples.count()
    text = guideline.document_text(context)
    for rule in rules:
        assert rule.explanation in text
        assert guideline.conditions_text(rule.conditions) in text
    assert "2022" in context["splitting_note"]


def test_the_limits_are_those_in_force_on_the_valid_from_date(demo):
    with override("en"):
        limits = guideline.limits_in_force(datetime.date(2024, 1, 1))
    by_key = {(r.law, r.category): r for r in limits["rows"]}
    lou = by_key[("LOU", "Supplies and services")]
    assert lou.threshold_sek.replace("\xa0", " ").replace(",", " ") in ("2 389 585",)
    assert lou.direct_award_sek.replace("\xa0", " ").replace(",", " ") == "700 000"
    assert not lou.provisional
    social = by_key[("LOU", "Social and other specific services")]
    assert social.direct_award_sek == social.threshold_sek  # equal to the threshold
    luf = by_key[("LUF", "Supplies and services")]
    assert luf.direct_award_sek.replace("\xa0", " ").replace(",", " ") == "1 200 000"
    assert [law for law, _sek in limits["documentation"]] == ["LOU", "LUF"]
    # From 2026 the SEK values are not yet published: converted, so provisional.
    later = guideline.limits_in_force(datetime.date(2026, 6, 1))
    assert later["provisional"] and all(r.provisional for r in later["rows"])


def test_a_draft_uses_todays_limits_and_says_it_is_a_draft(demo):
    draft = version(2)
    context = guideline.guideline_context(draft)
    assert context["is_draft"]
    assert context["limits"]["day"] == timezone.localdate()
    assert "bygg-annonseras" in [c.key for c in context["clauses"]]


# --- the HTML page -----------------------------------------------------------------------


def test_the_page_shows_the_whole_guideline(client, demo, login_as):
    login_as("tf.bestallare")
    published = version(1)
    response = client.get(reverse("procurement:guideline", args=[published.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(defaults.NAME) in page
    assert published.sha256 in page
    assert escape(published.decision) in page
    with override("sv"):
        context = guideline.guideline_context(published)
    for clause in context["clauses"]:
        assert escape(clause.explanation) in page
        assert escape(clause.conditions) in page
        assert escape(clause.legal_basis) in page
    for row in context["limits"]["rows"]:
        assert escape(row.category) in page
    for example in context["examples"]:
        assert escape(example["name"]) in page
    assert escape(context["splitting_note"]) in page
    assert reverse("procurement:guideline_pdf", args=[published.pk]) in page


# --- the PDF ------------------------------------------------------------------------------


@pytest.mark.parametrize("number", [1, 2])
def test_the_pdf_prints_the_same_guideline(client, demo, login_as, number):
    login_as("sk.handlaggare")
    chosen = version(number)
    response = client.get(reverse("procurement:guideline_pdf", args=[chosen.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="boras-stad-kommunovergripande-riktlinjer-version-{number}.pdf"'
    )
    content = response.content
    assert content.startswith(b"%PDF-")
    pages = int(re.search(rb"/Count (\d+)", content).group(1))
    assert 2 <= pages <= 10
    printed = pdf_text(content)
    # Swedish letters, the em dash of the name, § and the en dash print as themselves.
    assert defaults.NAME in printed
    assert "§" in printed and "–" in printed
    for rule in chosen.rules.all():
        # The start of each explanation is on one line of the PDF.
        assert rule.explanation[:40] in printed, rule.key
    with override("sv"):
        text = guideline.document_text(guideline.guideline_context(chosen))
    for rule in chosen.rules.all():
        assert rule.explanation in text


def test_the_pdf_is_in_swedish_whatever_the_interface_language(client, demo, login_as):
    login_as("admin")
    client.post(reverse("set_language"), {"language": "en"})
    content = client.get(reverse("procurement:guideline_pdf", args=[version(1).pk])).content
    with override("sv"):
        blocks = guideline.document_blocks(guideline.guideline_context(version(1)))
    facts = next(content for kind, content in blocks if kind == "facts")
    valid_from = str(facts[0][0])
    with override("en"):
        assert valid_from != gettext("Valid from")  # the test means something
    assert valid_from in pdf_text(content)


def test_a_new_rule_appears_in_the_document(demo):
    draft = version(2)
    services.draft_rule_save(
        actor=User.objects.get(username="admin"),
        version=draft,
        data={
            "priority": 57,
            "key": "tolk",
            "conditions": [{"field": "category", "op": "eq", "value": "social_services"}],
            "route": "national_procedure",
            "explanation": "Tolktjänster annonseras — alltid, enligt § 7 – så är det.",
            "clause": "3.6 c",
        },
    )
    context = guideline.guideline_context(draft)
    assert "3.6 c" in [c.number for c in context["clauses"]]
    printed = pdf_text(guideline.render_pdf(context))
    assert "Tolktjänster annonseras — alltid, enligt § 7 – så är det." in printed
