"""Every route × every demo role (and anonymous), checked against a declared expectation.

A new URL pattern or API route without a line in MATRIX makes `test_every_route_is_declared`
fail, so nobody has to remember to add it. Forbidden must answer exactly like missing: 404.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ordna.demo.boras import USERS

ALL = frozenset(u[0] for u in USERS)
ADMIN = frozenset({"admin"})
AUDIT_READERS = frozenset({"revisor", "ks.uppsikt", "admin"})
DECIDERS = frozenset({"registrator", "admin"})
CATALOGUE_EDITORS = frozenset({"sk.handlaggare", "sk.chef", "admin"})
PRICE_PUBLISHERS = frozenset({"sk.chef", "admin"})
KEY_EDITORS = frozenset({"sk.handlaggare", "sk.chef", "slk.huvudbestallare", "admin"})
ANON = "anonymous"
# Agreements: 2026-002 is TF's (signed); SK provides; slk.huvudbestallare sees only
# common agreements and SLK's own.
SK = frozenset({"sk.handlaggare", "sk.chef"})
SK_MANAGER = frozenset({"sk.chef"})
CYCLE_SETTERS = frozenset({"sk.chef", "slk.huvudbestallare", "admin"})
TF_AGREEMENT_READERS = SK | AUDIT_READERS | {"tf.bestallare", "tf.ombud"}
TF_NEGOTIATORS = SK | {"tf.ombud"}
TF_SIGNERS = frozenset({"sk.chef", "tf.ombud"})
# Orders: the sample is TF's submitted call-off to SK (see _order_samples).
ORDERERS = frozenset({"tf.bestallare", "tf.ombud", "lf.bestallare", "slk.huvudbestallare"})
TF_ORDERING = frozenset({"tf.bestallare", "tf.ombud"})
TF_ORDER_READERS = SK | AUDIT_READERS | TF_ORDERING
# The council's cap on external sales: read-all roles, the provider, registrars; recorded
# by registrars and administrators (DECIDERS).
CAP_READERS = AUDIT_READERS | SK | {"registrator"}
# Rule sets (route guidelines): drafted and published by oversight and administrators.
RULE_MANAGERS = frozenset({"ks.uppsikt", "admin"})
# Route guidelines: oversight reviews deviations; the framework register is kept by
# oversight, the main purchaser and administrators.
ROUTE_REVIEWERS = frozenset({"ks.uppsikt"})
FRAMEWORK_EDITORS = frozenset({"ks.uppsikt", "slk.huvudbestallare", "admin"})


@dataclass(frozen=True)
class Rule:
    allowed: frozenset  # usernames that get the ok status
    method: str = "get"
    ok: tuple = (200,)
    public: bool = False  # anonymous gets the ok status too
    data: dict | None = None
    args: str = ""  # name of the sample object (see _samples)


def _api(allowed, method="get", ok=(200,), args="", data=None):
    return Rule(frozenset(allowed), method, ok, args=args, data=data)


# Route name → list of rules. POST rules send data that is valid for access but
# invalid as content where possible, so that nothing is created (ok = 400).
MATRIX: dict[str, list[Rule]] = {
    "healthz": [Rule(ALL, public=True)],
    "set_language": [Rule(ALL, "post", (302,), public=True, data={"language": "en"})],
    "core:home": [Rule(ALL)],
    "core:job_list": [Rule(ALL)],
    "core:job_detail": [Rule(ADMIN, args="job")],
    "accounts:login": [Rule(frozenset(), public=True, ok=(200,))],
    "accounts:logout": [Rule(ALL, "post", (302,))],
    "accounts:person_list": [Rule(ALL)],
    "accounts:person_create": [Rule(ADMIN), Rule(ADMIN, "post", (200,), data={})],
    "accounts:person_detail": [Rule(ALL, args="user")],
    "accounts:person_edit": [
        Rule(ADMIN, args="user"),
        Rule(ADMIN, "post", (200,), data={"email": "not-an-address"}, args="user"),
    ],
    "accounts:password_change": [Rule(ALL), Rule(ALL, "post", (200,), data={})],
    "accounts:membership_grant": [
        Rule(ADMIN, args="user"),
        Rule(ADMIN, "post", (200,), data={}, args="user"),
    ],
    "accounts:membership_end": [Rule(ADMIN, args="membership")],
    "accounts:token_list": [Rule(ALL), Rule(ALL, "post", (200,), data={"name": ""})],
    "accounts:token_revoke": [Rule(ADMIN, "post", (302,), args="token")],
    "organisation:unit_list": [Rule(ALL)],
    "organisation:unit_create": [Rule(ADMIN), Rule(ADMIN, "post", (200,), data={})],
    "organisation:unit_detail": [Rule(ALL, args="unit")],
    "organisation:unit_edit": [
        Rule(ADMIN, args="unit"),
        Rule(ADMIN, "post", (200,), data={}, args="unit"),
    ],
    "organisation:legal_person_list": [Rule(ALL)],
    "organisation:legal_person_create": [Rule(ADMIN), Rule(ADMIN, "post", (200,), data={})],
    "organisation:legal_person_detail": [Rule(ALL, args="legal_person")],
    "organisation:legal_person_edit": [Rule(ADMIN, args="legal_person")],
    "organisation:ownership_create": [Rule(ADMIN, args="legal_person")],
    "organisation:ownership_end": [Rule(ADMIN, args="ownership")],
    "catalogue:mandate": [Rule(ALL)],
    "catalogue:roles": [Rule(ALL)],
    "catalogue:mandate_propose": [Rule(DECIDERS), Rule(DECIDERS, "post", (200,), data={})],
    "catalogue:mandate_adopt": [
        Rule(DECIDERS, args="proposed_task"),
        Rule(DECIDERS, "post", (200,), data={}, args="proposed_task"),
    ],
    "catalogue:mandate_repeal": [Rule(DECIDERS, args="adopted_task")],
    # --- Catalogue: services, prices, keys ---
    "catalogue:service_area_list": [Rule(ALL)],
    "catalogue:service_area_edit": [
        Rule(CATALOGUE_EDITORS, args="service_area"),
        Rule(CATALOGUE_EDITORS, "post", (200,), data={}, args="service_area"),
    ],
    "catalogue:service_list": [Rule(ALL)],
    "catalogue:service_create": [
        Rule(CATALOGUE_EDITORS),
        Rule(CATALOGUE_EDITORS, "post", (200,), data={}),
    ],
    "catalogue:service_detail": [Rule(ALL, args="service")],
    "catalogue:service_edit": [
        Rule(CATALOGUE_EDITORS, args="service"),
        Rule(CATALOGUE_EDITORS, "post", (200,), data={}, args="service"),
    ],
    "catalogue:price_list_list": [Rule(ALL)],
    "catalogue:price_list_create": [
        Rule(CATALOGUE_EDITORS),
        Rule(CATALOGUE_EDITORS, "post", (200,), data={}),
    ],
    "catalogue:price_list_detail": [
        Rule(ALL, args="price_list"),
        Rule(ALL, args="draft_price_list"),
    ],
    "catalogue:price_add": [
        Rule(CATALOGUE_EDITORS, args="draft_price_list"),
        Rule(CATALOGUE_EDITORS, "post", (200,), data={}, args="draft_price_list"),
    ],
    "catalogue:price_edit": [
        Rule(CATALOGUE_EDITORS, args="draft_price"),
        Rule(CATALOGUE_EDITORS, "post", (200,), data={}, args="draft_price"),
    ],
    "catalogue:price_remove": [
        Rule(CATALOGUE_EDITORS, args="draft_price"),
        Rule(CATALOGUE_EDITORS, "post", (200,), data={"version": "x"}, args="draft_price"),
    ],
    "catalogue:price_list_publish": [
        Rule(PRICE_PUBLISHERS, args="draft_price_list"),
        Rule(PRICE_PUBLISHERS, "post", (200,), data={"version": "x"}, args="draft_price_list"),
    ],
    "catalogue:price_list_index": [
        Rule(CATALOGUE_EDITORS, args="price_list"),
        Rule(CATALOGUE_EDITORS, "post", (200,), data={}, args="price_list"),
    ],
    "catalogue:price_list_preview": [Rule(ALL, args="draft_price_list")],
    "catalogue:key_list": [Rule(ALL)],
    "catalogue:key_create": [Rule(KEY_EDITORS), Rule(KEY_EDITORS, "post", (200,), data={})],
    "catalogue:key_detail": [Rule(ALL, args="allocation_key")],
    "catalogue:key_import": [
        Rule(KEY_EDITORS, args="allocation_key"),
        Rule(KEY_EDITORS, "post", (200,), data={}, args="allocation_key"),
    ],
    # --- Agreements ---
    "agreements:list": [Rule(ALL)],
    "agreements:create": [Rule(SK), Rule(SK, "post", (200,), data={})],
    "agreements:rollover": [Rule(SK_MANAGER), Rule(SK_MANAGER, "post", (200,), data={})],
    "agreements:cycle": [
        Rule(CYCLE_SETTERS, args="agreement_year"),
        Rule(CYCLE_SETTERS, "post", (200,), data={}, args="agreement_year"),
    ],
    "agreements:detail": [Rule(TF_AGREEMENT_READERS, args="agreement")],
    "agreements:compare": [Rule(TF_AGREEMENT_READERS, args="agreement")],
    "agreements:pdf": [Rule(TF_AGREEMENT_READERS, args="agreement")],
    "agreements:xlsx": [Rule(TF_AGREEMENT_READERS, args="agreement")],
    # 2026-003 (LF) is still negotiated: only the provider side of the matrix users.
    "agreements:line_add": [
        Rule(SK, args="open_agreement"),
        Rule(SK, "post", (200,), data={}, args="open_agreement"),
    ],
    "agreements:line_edit": [
        Rule(SK, args="agreement_line"),
        Rule(SK, "post", (200,), data={}, args="agreement_line"),
    ],
    "agreements:propose": [
        Rule(SK, args="open_agreement"),
        Rule(SK, "post", (200,), data={}, args="open_agreement"),
    ],
    # Buttons without a form: no version sent (and 2026-002 is signed), so refused.
    "agreements:line_remove": [Rule(TF_NEGOTIATORS, "post", (302,), data={}, args="signed_line")],
    "agreements:agree": [Rule(TF_NEGOTIATORS, "post", (302,), data={}, args="agreement")],
    "agreements:sign": [
        Rule(TF_SIGNERS, args="agreement"),
        Rule(TF_SIGNERS, "post", (200,), data={}, args="agreement"),
    ],
    "agreements:amend": [
        Rule(TF_NEGOTIATORS, args="agreement"),
        Rule(TF_NEGOTIATORS, "post", (200,), data={}, args="agreement"),
    ],
    "agreements:terminate": [
        Rule(TF_SIGNERS, args="agreement"),
        Rule(TF_SIGNERS, "post", (200,), data={}, args="agreement"),
    ],
    # The volume rule: the signers once agreed (2026-002), the negotiators while open.
    "agreements:volume_policy": [
        Rule(TF_SIGNERS, args="agreement"),
        Rule(TF_SIGNERS, "post", (200,), data={}, args="agreement"),
        Rule(SK, args="open_agreement"),
        Rule(SK, "post", (200,), data={}, args="open_agreement"),
    ],
    # --- Orders: pages ---
    "orders:list": [Rule(ORDERERS | AUDIT_READERS)],
    "orders:queue": [Rule(SK)],
    "orders:delivery_import": [Rule(SK), Rule(SK, "post", (200,), data={})],
    "orders:satisfaction": [Rule(ALL)],
    "orders:external_cap": [
        Rule(CAP_READERS),
        Rule(DECIDERS, "post", (200,), data={}),  # nothing filled in: the form's errors
    ],
    "orders:create": [Rule(ORDERERS), Rule(ORDERERS, "post", (200,), data={})],
    "orders:detail": [Rule(TF_ORDER_READERS, args="order")],
    "orders:follow_up": [Rule(TF_ORDER_READERS, args="order")],
    # Approving above the volume: TF's representative (the sample is submitted: refused).
    "orders:volume": [
        Rule(TF_ORDER_READERS, args="order"),
        Rule(frozenset({"tf.ombud"}), "post", (200,), data={}, args="order"),
    ],
    # A step of the other side is 404; without the version the form is refused (200).
    "orders:step": [
        Rule(SK, args="order_confirm"),
        Rule(SK, "post", (200,), data={}, args="order_confirm"),
        Rule(TF_ORDERING, args="order_cancel"),
        Rule(TF_ORDERING, "post", (200,), data={}, args="order_cancel"),
    ],
    "orders:quote_send": [
        Rule(SK, args="order"),
        Rule(SK, "post", (200,), data={}, args="order"),
    ],
    "orders:quote_answer": [
        Rule(TF_ORDERING, args="order"),
        Rule(TF_ORDERING, "post", (200,), data={}, args="order"),
    ],
    "orders:assign": [Rule(SK, args="order"), Rule(SK, "post", (200,), data={}, args="order")],
    "orders:message": [
        Rule(SK | TF_ORDERING, args="order"),
        Rule(SK | TF_ORDERING, "post", (200,), data={}, args="order"),
    ],
    # Attaching: either party, as for the thread (a POST without a file is refused: 200).
    "orders:attach": [
        Rule(SK | TF_ORDERING, args="order"),
        Rule(SK | TF_ORDERING, "post", (200,), data={}, args="order"),
    ],
    # Downloading: whoever may see the order.
    "orders:attachment": [Rule(TF_ORDER_READERS, args="order_attachment")],
    "orders:delivery": [
        Rule(SK, args="order"),
        Rule(SK, "post", (200,), data={}, args="order"),
    ],
    "orders:deviation": [
        Rule(TF_ORDERING, args="order"),
        Rule(TF_ORDERING, "post", (200,), data={}, args="order"),
    ],
    "orders:deviation_answer": [
        Rule(SK, args="order_deviation"),
        Rule(SK, "post", (200,), data={}, args="order_deviation"),
    ],
    "orders:rate": [
        Rule(TF_ORDERING, args="order"),
        Rule(TF_ORDERING, "post", (200,), data={}, args="order"),
    ],
    "api:mandate-task-list": [_api(ALL)],
    "api:mandate-task-detail": [_api(ALL, args="adopted_task")],
    # --- API: catalogue and agreements ---
    "api:service-area-list": [_api(ALL)],
    "api:service-area-detail": [
        _api(ALL, args="api_service_area"),
        _api(
            {"sk.handlaggare", "sk.chef", "admin"},
            "patch",
            (400,),
            args="api_service_area",
            data={"version": 1, "name": ""},
        ),
    ],
    "api:service-list": [
        _api(ALL),
        _api({"sk.handlaggare", "sk.chef", "admin"}, "post", (400,), data={}),
    ],
    "api:service-detail": [
        _api(ALL, args="api_service"),
        _api(
            {"sk.handlaggare", "sk.chef", "admin"},
            "patch",
            (400,),
            args="api_service",
            data={"version": 1, "name": ""},
        ),
    ],
    "api:price-list-list": [
        _api(ALL),
        _api({"sk.handlaggare", "sk.chef", "admin"}, "post", (400,), data={}),
    ],
    "api:price-list-detail": [_api(ALL, args="api_price_list")],
    "api:price-list-publish": [
        _api({"sk.chef", "admin"}, "post", (400,), args="api_price_list", data={}),
    ],
    "api:price-list-prices": [
        _api(
            {"sk.handlaggare", "sk.chef", "admin"}, "post", (400,), args="api_price_list", data={}
        ),
    ],
    "api:allocation-key-list": [_api(ALL)],
    "api:allocation-key-detail": [_api(ALL, args="api_key")],
    "api:allocation-key-values": [
        _api(ALL, args="api_key"),
        _api(
            {"sk.handlaggare", "sk.chef", "slk.huvudbestallare", "admin"},
            "post",
            (400,),
            args="api_key",
            data={},
        ),
    ],
    "api:allocation-key-allocate": [_api(ALL, ok=(400,), args="api_key")],  # no ?amount=
    "api:agreement-list": [_api(ALL)],
    # The common agreement: everyone reads it; SK and the main purchaser negotiate it.
    "api:agreement-detail": [_api(ALL, args="api_agreement")],
    "api:agreement-lines": [
        _api(
            {"sk.handlaggare", "sk.chef", "slk.huvudbestallare"},
            "post",
            (400,),
            args="api_agreement",
            data={},
        ),
    ],
    # The common agreement is signed: those who sign it (SK's manager, the main purchaser).
    "api:agreement-volume-policy": [
        _api({"sk.chef", "slk.huvudbestallare"}, "post", (400,), args="api_agreement", data={}),
    ],
    # --- API: orders ---
    # api_order is TF's submitted ad hoc need to SK (_api_order_samples); the POSTs send
    # nothing, so each is refused as content (400) by those who may act, 404 for the rest.
    "api:order-list": [_api(ALL), _api(ORDERERS, "post", (400,), data={})],
    "api:order-detail": [_api(TF_ORDER_READERS, args="api_order")],
    "api:order-transition": [_api(SK | TF_ORDERING, "post", (400,), args="api_order", data={})],
    "api:order-quote": [_api(SK, "post", (400,), args="api_order", data={})],
    "api:order-quote-answer": [_api(TF_ORDERING, "post", (400,), args="api_order", data={})],
    "api:order-messages": [_api(SK | TF_ORDERING, "post", (400,), args="api_order", data={})],
    "api:order-deliveries": [_api(SK, "post", (400,), args="api_order", data={})],
    "api:order-deviations": [_api(TF_ORDERING, "post", (400,), args="api_order", data={})],
    "api:order-rating": [_api(TF_ORDERING, "post", (400,), args="api_order", data={})],
    # Attachments are uploaded as multipart/form-data: the matrix's JSON body is a 415.
    "api:order-attachments": [
        _api(TF_ORDER_READERS, args="api_order"),
        _api(SK | TF_ORDERING, "post", (415,), args="api_order", data={}),
    ],
    "api:order-attachment": [_api(TF_ORDER_READERS, args="api_order_attachment")],
    "api:order-deviation-answer": [
        _api(SK, "post", (400,), args="api_order_deviation", data={}),
    ],
    "api:order-assign": [_api(SK, "post", (400,), args="api_order", data={})],
    "api:external-sales-cap-list": [_api(CAP_READERS), _api(DECIDERS, "post", (400,), data={})],
    # --- Route assessment (issue 6) ---
    # route_assessment is TF's demo assessment; undecided_assessment a new one of TF's.
    "procurement:assessment_list": [Rule(ORDERERS | AUDIT_READERS)],
    "procurement:assessment_create": [
        Rule(ORDERERS),
        Rule(ORDERERS, "post", (200,), data={}),
    ],
    "procurement:assessment_detail": [Rule(TF_ORDERING | AUDIT_READERS, args="route_assessment")],
    "procurement:decision_record": [
        Rule(TF_ORDERING, args="undecided_assessment"),
        Rule(TF_ORDERING, "post", (200,), data={}, args="undecided_assessment"),
    ],
    "procurement:comparison_create": [
        Rule(TF_ORDERING, args="route_assessment"),
        Rule(TF_ORDERING, "post", (200,), data={}, args="route_assessment"),
    ],
    "procurement:deviation_list": [Rule(AUDIT_READERS)],
    "procurement:deviation_review": [
        Rule(ROUTE_REVIEWERS, args="route_deviation"),
        Rule(ROUTE_REVIEWERS, "post", (200,), data={}, args="route_deviation"),
    ],
    "procurement:framework_list": [Rule(ALL)],
    "procurement:framework_create": [
        Rule(FRAMEWORK_EDITORS),
        Rule(FRAMEWORK_EDITORS, "post", (200,), data={}),
    ],
    "procurement:framework_edit": [
        Rule(FRAMEWORK_EDITORS, args="framework"),
        Rule(FRAMEWORK_EDITORS, "post", (200,), data={}, args="framework"),
    ],
    # route guidelines: rule sets
    # Everyone reads them; oversight and administrators change drafts and publish; a
    # published version (rule_version) is never changed, so its edit pages are 404 for all.
    # A replay lists assessments of every unit: managers and the read-all roles.
    "procurement:rule_set_list": [Rule(ALL)],
    "procurement:rule_set_detail": [Rule(ALL, args="rule_set")],
    "procurement:version_detail": [
        Rule(ALL, args="rule_version"),
        Rule(ALL, args="draft_version"),
    ],
    "procurement:example_results": [Rule(ALL, args="draft_version")],
    "procurement:guideline": [Rule(ALL, args="rule_version"), Rule(ALL, args="draft_version")],
    "procurement:guideline_pdf": [Rule(ALL, args="rule_version")],
    "procurement:rule_add": [
        Rule(RULE_MANAGERS, args="draft_version"),
        Rule(RULE_MANAGERS, "post", (200,), data={}, args="draft_version"),
        Rule(frozenset(), args="rule_version"),
    ],
    "procurement:rule_edit": [
        Rule(RULE_MANAGERS, args="draft_rule"),
        Rule(RULE_MANAGERS, "post", (200,), data={}, args="draft_rule"),
        Rule(frozenset(), args="published_rule"),
    ],
    "procurement:rule_delete": [
        Rule(RULE_MANAGERS, args="draft_rule"),
        Rule(RULE_MANAGERS, "post", (302,), data={}, args="draft_rule"),
    ],
    "procurement:example_add": [
        Rule(RULE_MANAGERS, args="draft_version"),
        Rule(RULE_MANAGERS, "post", (200,), data={}, args="draft_version"),
    ],
    "procurement:example_edit": [
        Rule(RULE_MANAGERS, args="draft_example"),
        Rule(RULE_MANAGERS, "post", (200,), data={}, args="draft_example"),
    ],
    "procurement:example_delete": [
        Rule(RULE_MANAGERS, args="draft_example"),
        Rule(RULE_MANAGERS, "post", (302,), data={}, args="draft_example"),
    ],
    "procurement:version_publish": [
        Rule(RULE_MANAGERS, args="draft_version"),
        Rule(RULE_MANAGERS, "post", (200,), data={}, args="draft_version"),
        Rule(frozenset(), args="rule_version"),
    ],
    # The rule set already has a draft (version 2): confirming is refused on the form.
    "procurement:draft_create": [
        Rule(RULE_MANAGERS, args="rule_version"),
        Rule(RULE_MANAGERS, "post", (200,), data={}, args="rule_version"),
        Rule(frozenset(), args="draft_version"),
    ],
    "procurement:replay_start": [
        Rule(RULE_MANAGERS, args="draft_version"),
        Rule(RULE_MANAGERS, "post", (200,), data={}, args="draft_version"),
    ],
    "procurement:replay_detail": [Rule(AUDIT_READERS, args="rule_replay")],
    "audit:event_list": [Rule(AUDIT_READERS)],
    "audit:object_events": [Rule(AUDIT_READERS, args="audit_object")],
    "audit:user_events": [Rule(AUDIT_READERS, args="user")],
    "audit:verify_start": [Rule(AUDIT_READERS, "post", (302,))],
    # route guidelines API
    # api_assessment is TF's first demo assessment (decided), api_undecided_assessment a new
    # one of TF's. Evaluating saves nothing: those who order and the read-all roles may;
    # saving and deciding only those who order (for TF: its orderer and representative). A
    # decision is recorded once, so on a decided assessment the endpoint is 404 for all.
    # The POSTs send nothing: refused as content (400) for those who may, 404 for the rest.
    "api:route-assessment-evaluate": [_api(ORDERERS | AUDIT_READERS, "post", (400,), data={})],
    "api:route-assessment-list": [_api(ALL), _api(ORDERERS, "post", (400,), data={})],
    "api:route-assessment-detail": [_api(TF_ORDERING | AUDIT_READERS, args="api_assessment")],
    "api:route-assessment-decision": [
        _api(TF_ORDERING, "post", (400,), args="api_undecided_assessment", data={}),
        _api(frozenset(), "post", (400,), args="api_assessment", data={}),
    ],
    "api:rule-set-list": [_api(ALL)],
    "api:rule-set-version-detail": [
        _api(ALL, args="api_rule_version"),
        _api(ALL, args="api_draft_version"),
    ],
    "api:framework-agreement-list": [_api(ALL)],
    "api:me": [_api(ALL)],
    "api:schema": [Rule(ALL, public=True)],  # the API description is public
    "api:unit-list": [_api(ALL), _api(ADMIN, "post", (400,), data={})],
    "api:unit-detail": [
        _api(ALL, args="unit"),
        _api(ADMIN, "patch", (200,), args="unit", data={"reason": "matrix", "version": 1}),
    ],
    "api:legal-person-list": [_api(ALL), _api(ADMIN, "post", (400,), data={})],
    "api:legal-person-detail": [
        _api(ALL, args="legal_person"),
        _api(ADMIN, "patch", (200,), args="legal_person", data={"reason": "matrix", "version": 1}),
    ],
    "api:ownership-list": [_api(ALL), _api(ADMIN, "post", (400,), data={})],
    "api:ownership-detail": [_api(ALL, args="ownership")],
    "api:token-list": [_api(ALL), _api(ALL, "post", (400,), data={})],
    "api:token-revoke": [_api(ADMIN, "post", (200,), args="token")],
    "api:audit-event-list": [_api(AUDIT_READERS)],
    "api:audit-event-detail": [_api(AUDIT_READERS, args="audit_event")],
    "api:job-list": [_api(ALL)],
    "api:job-detail": [_api(ADMIN, args="job")],
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from _walk(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def route_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns))


def test_every_route_is_declared():
    missing = sorted(route_names() - set(MATRIX))
    assert not missing, f"Routes without an access expectation in MATRIX: {missing}"
    stale = sorted(set(MATRIX) - route_names())
    assert not stale, f"MATRIX names routes that no longer exist: {stale}"


def _samples():
    from ordna.accounts.models import Membership, User
    from ordna.accounts.services import api_token_create
    from ordna.audit.models import AuditEvent
    from ordna.core.models import Job
    from ordna.organisation.models import LegalPerson, Ownership, Unit

    admin = User.objects.get(username="admin")
    token, _key = api_token_create(actor=admin, name="matrix")
    job = Job.objects.create(kind="test", title="matrix", requested_by=admin)
    unit = Unit.objects.get(code="TF")
    event = AuditEvent.objects.filter(object_type="organisation.unit").first()
    from ordna.catalogue.models import MandateTask

    tasks = MandateTask.objects.filter(committee__code="SN")
    return {
        "proposed_task": {"pk": tasks.filter(status="proposed").first().pk},
        "adopted_task": {"pk": tasks.filter(status="adopted").first().pk},
        "job": {"pk": job.pk},
        "user": {"pk": User.objects.get(username="tf.bestallare").pk},
        "membership": {"pk": Membership.objects.filter(user__username="tf.bestallare").first().pk},
        "token": {"pk": token.pk},
        "unit": {"pk": unit.pk},
        "legal_person": {"pk": LegalPerson.objects.get(org_number="556527-5996").pk},
        "ownership": {"pk": Ownership.objects.first().pk},
        "audit_object": {"object_type": "organisation.unit", "object_id": str(unit.pk)},
        "audit_event": {"pk": event.pk},
        **_catalogue_samples(),
        **_agreement_samples(),
        **_order_samples(),
        **_api_catalogue_samples(),
        **_api_order_samples(),
        **_api_route_samples(),
        **_rule_set_samples(),
        **_route_samples(),
    }


def _route_samples():
    """TF's first demo assessment, a new undecided one, the demo's deviation and a
    framework agreement."""
    from ordna.accounts.models import User
    from ordna.procurement import services as procurement
    from ordna.procurement.models import FrameworkAgreement, RouteAssessment, RouteDecision

    orderer = User.objects.get(username="tf.bestallare")
    undecided = procurement.assessment_create(
        actor=orderer,
        data={
            "date": "2026-05-04",
            "purchaser": "TF",
            "description": "Matrisens behov",
            "category": "services",
            "one_off_value_sek": 50000,
        },
    )
    return {
        "route_assessment": {
            "pk": RouteAssessment.objects.filter(purchaser__code="TF").order_by("id").first().pk
        },
        "undecided_assessment": {"pk": undecided.pk},
        "route_deviation": {"pk": RouteDecision.objects.filter(deviation=True).first().pk},
        "framework": {"pk": FrameworkAgreement.objects.first().pk},
    }


def _rule_set_samples():
    """The default rule set: published version 1 and the demo's draft version 2 (its
    rule "bygg-annonseras" and first example case), and a finished what-if replay of
    the draft over 2026, run through the service and the worker's task."""
    import datetime

    from ordna.accounts.models import User
    from ordna.procurement import defaults, tasks
    from ordna.procurement import services as procurement
    from ordna.procurement.models import RuleSetVersion

    versions = RuleSetVersion.objects.filter(rule_set__name=defaults.NAME)
    published = versions.get(number=1)
    draft = versions.get(status=RuleSetVersion.Status.DRAFT)
    replay = procurement.replay_start(
        actor=User.objects.get(username="admin"),
        version=draft,
        period_from=datetime.date(2026, 1, 1),
        period_to=datetime.date(2026, 12, 31),
    )
    tasks.replay_run.call(job_id=str(replay.job_id), replay_id=replay.pk)
    return {
        "rule_set": {"pk": published.rule_set_id},
        "rule_version": {"pk": published.pk},
        "draft_version": {"pk": draft.pk},
        "published_rule": {"pk": published.pk, "rule_pk": published.rules.first().pk},
        "draft_rule": {"pk": draft.pk, "rule_pk": draft.rules.get(key="bygg-annonseras").pk},
        "draft_example": {"pk": draft.pk, "example_pk": draft.examples.first().pk},
        "rule_replay": {"pk": replay.pk},
    }


def _order_samples():
    """A call-off from TF to SK, submitted, with a deviation: made through the services."""
    from ordna.accounts.models import User
    from ordna.catalogue.models import Service
    from ordna.orders import services as orders
    from ordna.organisation.models import Unit

    orderer = User.objects.get(username="tf.bestallare")
    order = orders.order_create(
        actor=orderer,
        purchaser=Unit.objects.get(code="TF"),
        provider=Unit.objects.get(code="SK"),
        title="Matrisens beställning",
        kind="call_off",
        service=Service.objects.get(code="DRIFT-GATA"),
        lines=[{"description": "Trottoar", "quantity": "3"}],
    )
    order = orders.transition(
        actor=orderer,
        order=order,
        name="submit",
        side="purchaser",
        roles={"orderer"},
        version=order.version,
    )
    deviation = orders.deviation_file(
        actor=orderer, order=order, kind="complaint", description="Matrisens avvikelse"
    )
    attachment = _attachment(orderer, order)
    return {
        "order": {"pk": order.pk},
        "order_attachment": {"pk": order.pk, "attachment_pk": attachment.pk},
        "order_confirm": {"pk": order.pk, "name": "confirm"},
        "order_cancel": {"pk": order.pk, "name": "cancel"},
        "order_deviation": {"pk": order.pk, "deviation_pk": deviation.pk},
        "api_order_deviation": {"pk": order.pk, "deviation_id": deviation.pk},
    }


def _agreement_samples():
    from ordna.agreements.models import Agreement, AgreementLine

    signed = Agreement.objects.get(number="2026-002")
    negotiated = Agreement.objects.get(number="2026-003")
    signed_line = AgreementLine.objects.filter(version__agreement=signed).first()
    open_line = AgreementLine.objects.filter(version__agreement=negotiated).first()
    return {
        "agreement": {"pk": signed.pk},
        "open_agreement": {"pk": negotiated.pk},
        "agreement_line": {"pk": negotiated.pk, "line_pk": open_line.pk},
        "signed_line": {"pk": signed.pk, "line_pk": signed_line.pk},
        "agreement_year": {"year": 2027},
    }


def _catalogue_samples():
    from ordna.catalogue import services as catalogue
    from ordna.catalogue.models import AllocationKey, PriceList, Service, ServiceArea

    published = PriceList.objects.get(name="Prislista 2026")
    draft = catalogue.price_list_index(
        actor=None, source_list=published, year=2027, index_percent="3", index_name="PKV"
    )
    service = Service.objects.get(code="IT-ARBETSPLATS")
    return {
        "service_area": {"pk": ServiceArea.objects.get(code="IT").pk},
        "service": {"pk": service.pk},
        "price_list": {"pk": published.pk},
        "draft_price_list": {"pk": draft.pk},
        "draft_price": {"pk": draft.pk, "service_pk": service.pk},
        "allocation_key": {"pk": AllocationKey.objects.get(code="ANSTALLDA").pk},
    }


def _api_catalogue_samples():
    from ordna.agreements.models import Agreement
    from ordna.catalogue.models import AllocationKey, PriceList, Service, ServiceArea

    return {
        "api_service_area": {"pk": ServiceArea.objects.get(code="IT").pk},
        "api_service": {"pk": Service.objects.get(code="IT-ARBETSPLATS").pk},
        "api_price_list": {
            "pk": PriceList.objects.get(year=2026, status=PriceList.Status.PUBLISHED).pk
        },
        "api_key": {"pk": AllocationKey.objects.get(code="ANSTALLDA").pk},
        "api_agreement": {"pk": Agreement.objects.get(year=2026, kind="common").pk},
    }


def _api_order_samples():
    """TF's ad hoc need to SK, submitted: made through the order services."""
    from ordna.accounts.models import User
    from ordna.orders import services as orders
    from ordna.organisation.models import Unit

    orderer = User.objects.get(username="tf.bestallare")
    order = orders.order_create(
        actor=orderer,
        purchaser=Unit.objects.get(code="TF"),
        provider=Unit.objects.get(code="SK"),
        title="Matrisens behov i API:t",
        kind="ad_hoc",
        description="Ett behov att offerera",
        lines=[{"description": "Arbete", "quantity": "1"}],
    )
    orders.transition(
        actor=orderer,
        order=order,
        name="submit",
        side="purchaser",
        roles={"orderer"},
        version=order.version,
    )
    attachment = _attachment(orderer, order)
    return {
        "api_order": {"pk": order.pk},
        "api_order_attachment": {"pk": order.pk, "attachment_id": attachment.pk},
    }


def _api_route_samples():
    """TF's first demo assessment (decided), a new undecided one of TF's (made through the
    service), and the default rule set's published and draft versions."""
    from ordna.accounts.models import User
    from ordna.procurement import defaults
    from ordna.procurement import services as procurement
    from ordna.procurement.models import RouteAssessment, RuleSetVersion

    undecided = procurement.assessment_create(
        actor=User.objects.get(username="tf.bestallare"),
        data={
            "date": "2026-06-15",
            "purchaser": "TF",
            "description": "Matrisens behov i API:t",
            "category": "services",
            "one_off_value_sek": 60000,
        },
    )
    decided = RouteAssessment.objects.filter(purchaser__code="TF", decision__isnull=False)
    versions = RuleSetVersion.objects.filter(rule_set__name=defaults.NAME)
    return {
        "api_assessment": {"pk": decided.order_by("id").first().pk},
        "api_undecided_assessment": {"pk": undecided.pk},
        "api_rule_version": {"pk": versions.get(status=RuleSetVersion.Status.PUBLISHED).pk},
        "api_draft_version": {"pk": versions.get(status=RuleSetVersion.Status.DRAFT).pk},
    }


def _attachment(actor, order):
    """A small text file attached to `order` through the service."""
    from django.core.files.base import ContentFile

    from ordna.orders import services as orders

    return orders.attachment_add(
        actor=actor,
        order=order,
        uploaded_file=ContentFile(b"Matrisens bilaga\n", name="bilaga.txt"),
    )


CASES = [
    (name, index, who)
    for name, rules in sorted(MATRIX.items())
    for index in range(len(rules))
    for who in [ANON, *sorted(ALL)]
]


@pytest.mark.parametrize(("name", "index", "who"), CASES)
def test_access(client, demo, login_as, name, index, who):
    rule = MATRIX[name][index]
    kwargs = _samples()[rule.args] if rule.args else {}
    url = reverse(name, kwargs=kwargs)
    if who != ANON:
        login_as(who)
    is_api = name.startswith("api:")
    send = getattr(client, rule.method)
    if is_api and rule.method != "get":
        response = send(url, data=rule.data or {}, content_type="application/json")
    elif rule.method == "get":
        response = send(url)
    else:
        response = send(url, data=rule.data or {})
    status = response.status_code
    if who == ANON and not rule.public:
        if is_api:
            assert status == 401, f"{name} anonymous: {status}"
            assert response["Content-Type"].startswith("application/problem+json")
        else:
            assert status == 302 and "/konto/logga-in/" in response["Location"], (
                f"{name} anonymous: {status}"
            )
    elif who in rule.allowed or (who == ANON and rule.public):
        assert status in rule.ok, f"{name} {rule.method} as {who}: {status}, want {rule.ok}"
    elif name == "accounts:login" and who != ANON:
        assert status == 302  # signed-in users are sent on to the start page
    else:
        assert status == 404, f"{name} {rule.method} as {who}: {status}, want 404"
