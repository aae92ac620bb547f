"""Issue 6's route assessment pages over HTTP: the guided form (preview saves nothing,
save stores the receipt), bad input named by field, the decision (follow or deviate with
a justification), oversight's list of deviations and its review, the koncernnytta
comparison, the framework register, and the order that cannot be submitted without an
assessment. Writes go through the pages; the ORM only reads."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from ordna.audit.models import AuditEvent
from ordna.organisation.models import Unit
from ordna.procurement.models import (
    DeviationReview,
    FrameworkAgreement,
    GroupBenefitComparison,
    RouteAssessment,
    RouteDecision,
)

pytestmark = pytest.mark.django_db

NEED = {
    "purchaser": "TF",
    "description": "Konsultstöd för trafiksäkerhetsplan",
    "date": "2026-03-02",
    "category": "services",
    "value_kind": "annual",
    "annual_value_sek": "300000",
    "contract_years": "2",
    "extension_years": "1",
}


def _create(client, **changes):
    return client.post(reverse("procurement:assessment_create"), {**NEED, **changes})


def test_preview_shows_the_route_and_saves_nothing(
    demo, client, login_as, django_assert_max_num_queries
):
    login_as("tf.bestallare")
    before = (RouteAssessment.objects.count(), AuditEvent.objects.count())
    with django_assert_max_num_queries(25):
        response = _create(client, action="preview")
    assert response.status_code == 200
    receipt = response.context["receipt"]
    assert receipt["route"] == "national_procedure"
    assert receipt["estimated_value_sek"] == 900000  # the extension year counted
    assert receipt["reasons"][0]["legal_basis"] == "LOU 19 kap."
    assert (RouteAssessment.objects.count(), AuditEvent.objects.count()) == before


def test_save_stores_the_receipt_and_leads_to_the_decision(demo, client, login_as):
    login_as("tf.bestallare")
    response = _create(client, action="save")
    assessment = RouteAssessment.objects.latest("id")
    assert response.status_code == 302
    assert response.url == assessment.get_absolute_url()
    assert assessment.receipt["route"] == assessment.route == "national_procedure"
    assert assessment.contracting_authority.code == "TN"  # the committee TF serves
    page = client.get(assessment.get_absolute_url())
    assert page.status_code == 200
    assert page.context["can_decide"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"annual_value_sek": "-1"}, "annual_value_sek"),
        ({"annual_value_sek": ""}, "annual_value_sek"),
        ({"contract_years": ""}, "contract_years"),
        ({"category": "food"}, "category"),
        ({"purchaser": "LF"}, "purchaser"),  # not one of tf.bestallare's units
        ({"date": "2026-13-01"}, "date"),
        ({"cpv_code": "abc"}, "cpv_code"),
        ({"date": "2019-06-01"}, None),  # no threshold row covers 2019
    ],
)
def test_bad_input_is_named_and_nothing_is_saved(demo, client, login_as, changes, field):
    login_as("tf.bestallare")
    count = RouteAssessment.objects.count()
    response = _create(client, action="save", **changes)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    if field:
        assert field in form.errors, form.errors
    else:
        assert form.non_field_errors()
    assert RouteAssessment.objects.count() == count


def test_a_deviation_needs_a_justification_and_is_flagged_for_oversight(demo, client, login_as):
    login_as("tf.bestallare")
    _create(client, action="save")
    assessment = RouteAssessment.objects.latest("id")
    url = reverse("procurement:decision_record", args=[assessment.pk])
    refused = client.post(url, {"chosen_route": "direct_award", "justification": "För dyrt."})
    assert "justification" in refused.context["form"].errors
    assert not RouteDecision.objects.filter(assessment=assessment).exists()
    text = "Behovet måste täckas före vintern; en annonserad upphandling startar i januari."
    client.post(url, {"chosen_route": "direct_award", "justification": text})
    decision = RouteDecision.objects.get(assessment=assessment)
    assert decision.deviation and decision.justification == text
    # Recorded once: the form is gone for everybody.
    assert client.get(url).status_code == 404

    login_as("ks.uppsikt")
    oversight = client
    listing = oversight.get(reverse("procurement:deviation_list"))
    assert decision in listing.context["rows"]
    assert assessment.number in oversight.get("/").content.decode()
    review = reverse("procurement:deviation_review", args=[decision.pk])
    assert "note" in oversight.post(review, {"note": ""}).context["form"].errors
    oversight.post(review, {"note": "Motiveringen godtas."})
    assert DeviationReview.objects.filter(decision=decision).count() == 1
    assert decision not in oversight.get(reverse("procurement:deviation_list")).context["rows"]


def test_following_the_route_is_not_a_deviation(demo, client, login_as):
    login_as("tf.bestallare")
    _create(client, action="save")
    assessment = RouteAssessment.objects.latest("id")
    url = reverse("procurement:decision_record", args=[assessment.pk])
    client.post(url, {"chosen_route": "national_procedure", "justification": ""})
    assert not RouteDecision.objects.get(assessment=assessment).deviation


def test_koncernnytta_preview_and_save(demo, client, login_as):
    login_as("tf.bestallare")
    assessment = RouteAssessment.objects.filter(purchaser__code="TF").first()
    url = reverse("procurement:comparison_create", args=[assessment.pk])
    data = {
        "provider_quote": "400000",
        "fixed_cost_share": "25",
        "fixed_cost_source": "Kalkyl",
        "external_price": "340000",
        "procurement_cost": "40000",
        "supplier": "Exempel AB",
    }
    figures = client.post(url, {**data, "action": "preview"}).context["figures"]
    # The unit pays 400 000 against 380 000; the group 300 000 against 380 000.
    assert figures.purchaser_effect == -20000
    assert figures.group_effect == 80000
    count = GroupBenefitComparison.objects.count()
    client.post(url, {**data, "action": "save"})
    assert GroupBenefitComparison.objects.count() == count + 1
    bad = client.post(url, {**data, "fixed_cost_share": "120", "action": "save"})
    assert "fixed_cost_share" in bad.context["form"].errors


def test_framework_register(demo, client, login_as):
    login_as("slk.huvudbestallare")
    url = reverse("procurement:framework_create")
    data = {
        "reference": "RA-2026-X",
        "title": "Skrivare",
        "supplier": "Exempel AB",
        "category": "supplies",
        "cpv_code": "30232100-5",
        "law": "LOU",
        "valid_from": "2026-01-01",
        "valid_to": "2025-12-31",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert not FrameworkAgreement.objects.filter(reference="RA-2026-X").exists()
    client.post(url, {**data, "valid_to": "2027-12-31"})
    assert FrameworkAgreement.objects.filter(reference="RA-2026-X").exists()


@pytest.mark.parametrize(
    "name, args",
    [
        ("procurement:assessment_list", []),
        ("procurement:assessment_create", []),
        ("procurement:framework_list", []),
    ],
)
def test_query_budgets(demo, client, login_as, django_assert_max_num_queries, name, args):
    login_as("tf.bestallare")
    with django_assert_max_num_queries(10):
        assert client.get(reverse(name, args=args)).status_code == 200


def test_detail_and_deviation_pages_stay_within_budget(
    demo, client, login_as, django_assert_max_num_queries
):
    assessment = RouteAssessment.objects.filter(decision__deviation=True).first()
    login_as("ks.uppsikt")
    for url in (
        assessment.get_absolute_url(),
        reverse("procurement:deviation_list"),
        reverse("procurement:assessment_list"),
    ):
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


@override_settings(ROUTE_ASSESSMENT_REQUIRED_FROM_SEK=100000)
def test_an_ad_hoc_order_above_the_limit_needs_an_assessment(demo, client, login_as):
    from ordna.accounts.models import User
    from ordna.orders import services as orders

    orderer = User.objects.get(username="tf.bestallare")
    tf, sk = Unit.objects.get(code="TF"), Unit.objects.get(code="SK")

    def draft(**extra):
        return orders.order_create(
            actor=orderer,
            purchaser=tf,
            provider=sk,
            title="Mätuppdrag",
            kind="ad_hoc",
            description="Trafikmätning",
            lines=[{"description": "Mätning", "quantity": "1"}],
            **extra,
        )

    def submit(order):
        return orders.transition(
            actor=orderer, order=order, name="submit", side="purchaser", roles={"orderer"}
        )

    order = draft(estimated_value=250000)
    with pytest.raises(Exception) as refused:
        submit(order)
    assert "route_assessment" in refused.value.message_dict
    assessment = RouteAssessment.objects.filter(purchaser=tf, route="internal_order").first()
    assert submit(draft(estimated_value=250000, route_assessment=assessment)).state == "submitted"
    assert submit(draft(estimated_value=90000)).state == "submitted"
    lf_assessment = RouteAssessment.objects.exclude(purchaser=tf).first()
    with pytest.raises(Exception) as wrong_unit:
        draft(estimated_value=250000, route_assessment=lf_assessment)
    assert "route_assessment" in wrong_unit.value.message_dict
