"""Issue 6's route journeys in a real browser, with the crawl's structure and axe-core
checks on every page on the way.

1. An orderer describes a need in the guided form, sees the guideline's route with its
   explanation and legal basis, saves the assessment and records a deviation with a
   justification; oversight sees the deviation flagged (start page and the list of
   deviations) and reviews it.
2. Oversight runs a what-if replay of a draft rule set in the worker and sees the changed
   case.
"""

from __future__ import annotations

import re

from browsing import report
from playwright.sync_api import Page
from test_agreement_cycle import Journey, choose


def _assessment_path(page: Page) -> str:
    match = re.search(r"/vagval/(\d+)/", page.url)
    assert match, f"not on an assessment page: {page.url}"
    return f"/vagval/{match.group(1)}/"


def test_orderer_gets_a_route_and_deviates_and_oversight_sees_it(browser, base_url):
    journey = Journey(browser, base_url)
    orderer = journey.as_user("tf.bestallare")
    oversight = journey.as_user("ks.uppsikt")

    journey.goto(orderer, "/vagval/ny/", "need-form")
    choose(orderer, "#id_purchaser", "Tekniska förvaltningen")
    orderer.fill("#id_description", "Konsultstöd för trafiksäkerhetsplan")
    orderer.check("input[name='category'][value='services']")
    orderer.check("input[name='value_kind'][value='annual']")
    orderer.fill("#id_annual_value_sek", "300000")
    orderer.fill("#id_contract_years", "2")
    orderer.fill("#id_extension_years", "1")
    # "Show the route" evaluates without saving: 900 000 kr with the extension counted.
    journey.submit(orderer, "main form", "route-shown")
    heading = orderer.locator("#receipt-heading").inner_text()
    assert "under tröskelvärdet" in heading.lower() or "below the threshold" in heading.lower()
    assert "19 kap." in orderer.locator(".o-reasons").inner_text()

    with orderer.expect_navigation(wait_until="load"):
        orderer.locator("main form button[value='save']").click()
    journey.check(orderer, "assessment-saved")
    assessment = _assessment_path(orderer)
    number = orderer.locator("h1").inner_text().split()[0]

    orderer.check("input[name='chosen_route'][value='direct_award']")
    orderer.fill(
        "#id_justification",
        "Behovet måste täckas före vintern och tidigare upphandling gav inga anbud.",
    )
    journey.submit(orderer, f"form[action$='{assessment}beslut/']", "deviation-recorded")
    assert orderer.locator(".ds-alert[data-color='danger']").count() == 1

    journey.goto(oversight, "/", "start-with-deviation")
    assert number in oversight.locator("main").inner_text()
    journey.goto(oversight, "/vagval/avvikelser/", "deviations")
    row = oversight.locator("tr", has_text=number)
    assert row.count() == 1
    assert "vintern" in row.inner_text()
    row.locator("a[href*='/granska/']").click()
    oversight.wait_for_load_state("load")
    journey.check(oversight, "review-form")
    oversight.fill("#id_note", "Motiveringen godtas; följ upp den annonserade upphandlingen.")
    journey.submit(oversight, "main form", "reviewed")
    journey.goto(oversight, assessment, "assessment-reviewed")
    assert "Motiveringen godtas" in oversight.locator("main").inner_text()

    problems = journey.close()
    assert not journey.findings and not problems, (
        report(journey.findings) + "\n" + "\n".join(problems)
    )


def test_what_if_replay_lists_the_changed_cases_of_a_draft(browser, base_url):
    """2. Oversight opens the demo's draft version 2 (works are always advertised from
    100 000 kr), runs a what-if replay over 2026 in the worker and sees the one demo case
    whose route would change: Lokalförsörjning's lighting for Boråshallen, a direct award
    under version 1, a procurement below the threshold under the draft."""
    journey = Journey(browser, base_url)
    oversight = journey.as_user("ks.uppsikt")

    journey.goto(oversight, "/vagval/regelverk/", "rule-sets")
    oversight.locator("a", has_text=re.compile(r"^(Version|version) 2$")).first.click()
    oversight.wait_for_load_state("load")
    journey.check(oversight, "draft-version")
    assert "bygg-annonseras" in oversight.locator("main").inner_text()
    oversight.locator("a[href$='/provkorning/']").click()
    oversight.wait_for_load_state("load")
    journey.check(oversight, "replay-form")
    oversight.fill("#id_period_from", "2026-01-01")
    oversight.fill("#id_period_to", "2026-12-31")
    journey.submit(oversight, "main form", "replay-started")
    assert "/provkorning/" in oversight.url
    # The worker runs the job; the page polls until the changed cases are listed.
    oversight.locator("table caption").first.wait_for(state="attached", timeout=60_000)
    journey.check(oversight, "replay-done")
    rows = oversight.locator("#replay-progress tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert re.search("direct award|direktupphandling", row, re.IGNORECASE), row
    rows.first.locator("a").click()
    oversight.wait_for_load_state("load")
    assert "Boråshallen" in oversight.locator("h1").inner_text()

    problems = journey.close()
    assert not journey.findings and not problems, (
        report(journey.findings) + "\n" + "\n".join(problems)
    )
