"""Issue 5's two order journeys in a real browser, with the crawl's structure and axe-core
checks on every page on the way.

1. An orderer orders an ad hoc need; the provider asks for a quote and sends one; the
   orderer renegotiates once and accepts the second version; the provider starts the
   work, reports a delivery and reports it delivered; the orderer accepts and rates it.
2. An order past its delivery date shows the breach in the provider's work queue and on
   the order; the orderer files a deviation "missed service level"; the provider answers.
"""

from __future__ import annotations

import datetime
import re

from browsing import report
from playwright.sync_api import Page
from test_agreement_cycle import Journey, choose

IN_A_MONTH = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
TODAY = datetime.date.today().isoformat()


def _order_path(page: Page) -> str:
    match = re.search(r"/bestallningar/(\d+)/", page.url)
    assert match, f"not on an order page: {page.url}"
    return f"/bestallningar/{match.group(1)}/"


def step(journey: Journey, page: Page, order: str, name: str, reason: str = "") -> None:
    journey.goto(page, order, f"before-{name}")
    form = f"form[action$='/steg/{name}/']"
    if reason:
        page.fill(f"#id_{name}-reason", reason)
    journey.submit(page, form, name)


def send_quote(journey: Journey, page: Page, order: str, price: str, name: str) -> None:
    journey.goto(page, f"{order}offert/", f"{name}-form")
    page.fill("#id_quote-line_1_description", "Gång- och cykelväg, asfalt")
    page.fill("#id_quote-line_1_quantity", "200")
    page.fill("#id_quote-line_1_unit_price", price)
    page.fill("#id_quote-valid_until", IN_A_MONTH)
    page.fill("#id_quote-delivery_days", "20")
    journey.submit(page, "main form", name)


def answer_quote(journey: Journey, page: Page, order: str, answer: str, reason: str = "") -> None:
    journey.goto(page, order, f"quote-{answer}")
    page.check(f"input[name='answer-answer'][value='{answer}']")
    if reason:
        page.fill("#id_answer-reason", reason)
    journey.submit(page, "form[action$='/offert/svar/']", f"answered-{answer}")


def test_ad_hoc_order_quoted_renegotiated_delivered_and_rated(browser, base_url):
    journey = Journey(browser, base_url)
    orderer = journey.as_user("tf.bestallare")
    handler = journey.as_user("sk.handlaggare")

    journey.goto(orderer, "/bestallningar/ny/", "new-order")
    choose(orderer, "#id_purchaser", "Tekniska förvaltningen")
    choose(orderer, "#id_provider", "Servicekontoret")
    orderer.check("input[name='kind'][value='ad_hoc']")
    orderer.fill("#id_title", "Gång- och cykelväg längs Viskan")
    orderer.fill("#id_description", "200 meter asfalterad gång- och cykelväg, 3 meter bred.")
    orderer.fill("#id_line_1_description", "Gång- och cykelväg")
    orderer.fill("#id_line_1_quantity", "200")
    orderer.fill("#id_line_1_unit_of_measure", "m")
    journey.submit(orderer, "main form", "created")
    order = _order_path(orderer)
    step(journey, orderer, order, "submit")

    step(journey, handler, order, "request_quote")
    send_quote(journey, handler, order, "1450", "quote-1")
    answer_quote(journey, orderer, order, "renegotiate", "Kan ni återanvända massorna på plats?")
    send_quote(journey, handler, order, "1290", "quote-2")

    # The orderer sees both versions side by side, then accepts the second.
    journey.goto(orderer, order, "two-versions")
    text = orderer.locator("main").inner_text().replace("\u00a0", " ")
    assert "1 450,00" in text and "1 290,00" in text, text
    answer_quote(journey, orderer, order, "accept")

    step(journey, handler, order, "start")
    journey.goto(handler, f"{order}leverans/", "delivery-form")
    handler.fill("#id_delivery-performed_on", TODAY)
    handler.fill("#id_delivery-quantity", "200")
    handler.fill("#id_delivery-hours", "96")
    journey.submit(handler, "main form", "delivery-reported")
    step(journey, handler, order, "deliver")

    step(journey, orderer, order, "accept")
    journey.goto(orderer, f"{order}uppfoljning/", "follow-up")
    orderer.check("input[name='rating-score'][value='5']")
    orderer.fill("#id_rating-comment", "Fint arbete och bra kontakt hela vägen.")
    journey.submit(orderer, "form[action$='/betyg/']", "rated")
    journey.goto(orderer, order, "accepted")
    assert "Godkänd" in orderer.locator("main dl").first.inner_text()

    problems = journey.close()
    assert not journey.findings and not problems, (
        report(journey.findings) + "\n" + "\n".join(problems)
    )


def test_a_breached_order_gets_a_deviation_and_an_answer(browser, base_url):
    journey = Journey(browser, base_url)
    orderer = journey.as_user("tf.bestallare")
    handler = journey.as_user("sk.handlaggare")

    # The demo's order "Kantstenar vid Sandwalls plats" is past its delivery date.
    journey.goto(handler, "/bestallningar/ko/?breached=on", "queue-breached")
    row = handler.locator("main table tr", has_text="Kantstenar vid Sandwalls plats")
    assert row.count() == 1, handler.locator("main").inner_text()
    row.locator("a").first.click()
    handler.wait_for_load_state("load")
    journey.check(handler, "breached-order")
    order = _order_path(handler)

    journey.goto(orderer, f"{order}uppfoljning/", "follow-up")
    orderer.check("input[name='deviation-kind'][value='missed_sla']")
    orderer.fill("#id_deviation-description", "Kantstenarna skulle ha varit klara förra veckan.")
    journey.submit(orderer, "form[action$='/avvikelse/']", "deviation-filed")

    journey.goto(handler, f"{order}uppfoljning/", "deviations")
    handler.locator("main a[href*='/avvikelse/']").last.click()
    handler.wait_for_load_state("load")
    journey.check(handler, "deviation-answer")
    handler.fill("#id_reply-response", "Leveransen av sten blev försenad; klart på fredag.")
    journey.submit(handler, "main form", "deviation-answered")

    problems = journey.close()
    assert not journey.findings and not problems, (
        report(journey.findings) + "\n" + "\n".join(problems)
    )
