"""The yearly agreement cycle in a real browser, as issue 4's "done when" describes it.

The provider's handler makes an offer; TF's purchaser representative sees it and
counter-proposes; the provider proposes again; the representative compares the rounds and
accepts, then signs (re-entering the password); the provider manager signs, and the
agreement is active. Then
the manager makes next year's price list by index, publishes it and rolls every signed
agreement over: next year's drafts carry the indexed prices. Each page on the way gets the
same structure and axe-core checks as the crawl, and the run fails with all findings.
"""

from __future__ import annotations

import re
from decimal import Decimal

from browsing import axe_findings, guarded_context, login, report, screenshot, structure_findings
from playwright.sync_api import Page

INDEX = Decimal("3.5")
# FORDON-LEASING in the demo: (9 600 000 + 700 000 + 5 300 000) / 2 760 vehicle-months is
# 5 652,17 in 2026; every cost raised by 3,5 % gives 16 146 000 / 2 760 = 5 850,00 in 2027.
PRICE_2027 = Decimal("5850.00")


class Journey:
    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.findings = []
        self.contexts = []

    def as_user(self, username: str) -> Page:
        context, _guard = guarded_context(self.browser, self.base_url)
        self.contexts.append((context, _guard))
        page = context.new_page()
        login(page, username)
        page.username = username
        return page

    def check(self, page: Page, name: str, status: int | None = 200) -> None:
        self.findings += structure_findings(page, page.username, status)
        self.findings += axe_findings(page, page.username)
        screenshot(page, "agreement-cycle", f"{page.username}-{name}")

    def goto(self, page: Page, path: str, name: str) -> None:
        response = page.goto(path, wait_until="load")
        self.check(page, name, response.status if response else None)

    def submit(self, page: Page, form_selector: str, name: str) -> None:
        """Submit a form that must succeed: no error summary on the page it leads to."""
        with page.expect_navigation(wait_until="load") as navigation:
            page.locator(f"{form_selector} button[type=submit]").first.click()
        self.check(page, name, navigation.value.status if navigation.value else None)
        errors = page.locator("#error-summary").all_inner_texts()
        assert not errors, f"{page.username} {name}: {errors}"

    def close(self) -> list[str]:
        problems = []
        for context, guard in self.contexts:
            context.close()
            problems += guard.problems()
        return problems


def choose(page: Page, select: str, text: str) -> None:
    """Pick the option of a <select> whose text contains `text`."""
    value = page.locator(f"{select} option", has_text=text).first.get_attribute("value")
    page.select_option(select, value=value)


def _agreement_path(page: Page) -> str:
    match = re.search(r"/avtal/(\d+)/", page.url)
    assert match, f"not on an agreement page: {page.url}"
    return f"/avtal/{match.group(1)}/"


def _price_list_path(page: Page) -> str:
    match = re.search(r"/uppdrag/prislistor/(\d+)/", page.url)
    assert match, f"not on a price list page: {page.url}"
    return f"/uppdrag/prislistor/{match.group(1)}/"


def _number_in(text: str) -> Decimal:
    """A Swedish-formatted amount ("1 234,56") as a Decimal."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    return Decimal(cleaned.replace(",", "."))


def test_purchaser_and_provider_follow_the_whole_cycle(browser, base_url):
    journey = Journey(browser, base_url)
    handler = journey.as_user("sk.handlaggare")
    representative = journey.as_user("tf.ombud")
    manager = journey.as_user("sk.chef")

    # The provider's handler makes an offer: a new 2026 agreement with TF, one service.
    journey.goto(handler, "/avtal/nytt/", "create")
    choose(handler, "#id_purchaser", "Tekniska förvaltningen")
    handler.fill("#id_year", "2026")
    handler.fill("#id_title", "Fordon till hemtjänstens nya område")
    journey.submit(handler, "main form", "created")
    agreement = _agreement_path(handler)
    journey.goto(handler, f"{agreement}rader/ny/", "line-add")
    choose(handler, "#id_service", "FORDON-LEASING")
    handler.fill("#id_volume", "24")
    journey.submit(handler, "main form", "line-added")
    journey.goto(handler, f"{agreement}forslag/", "propose")
    handler.fill("#id_comment", "Två bilar hela året enligt prislistan.")
    journey.submit(handler, "main form", "proposed")

    # TF's representative sees the offer and counter-proposes a smaller volume.
    journey.goto(representative, agreement, "offer")
    assert "Två bilar hela året" in representative.locator("main").inner_text()
    representative.locator(f"main table a[href^='{agreement}rader/']").first.click()
    representative.wait_for_load_state("load")
    journey.check(representative, "line-edit")
    representative.fill("#id_volume", "18")
    journey.submit(representative, "main form", "line-changed")
    journey.goto(representative, f"{agreement}forslag/", "counter-propose")
    representative.fill("#id_comment", "Vi behöver bilarna bara under nio månader.")
    journey.submit(representative, "main form", "counter-proposed")

    # The provider meets them halfway with a new proposal.
    journey.goto(handler, agreement, "counter-proposal-received")
    handler.locator(f"main table a[href^='{agreement}rader/']").first.click()
    handler.wait_for_load_state("load")
    handler.fill("#id_volume", "20")
    journey.submit(handler, "main form", "line-changed-again")
    journey.goto(handler, f"{agreement}forslag/", "propose-again")
    handler.fill("#id_comment", "Tio månader, så att bilarna finns på plats i december.")
    journey.submit(handler, "main form", "proposed-again")

    # The representative compares the latest two rounds line by line, then accepts.
    journey.goto(representative, agreement, "three-rounds")
    journey.submit(representative, "form[action$='/jamfor/']", "compare")
    compared = representative.locator("main").inner_text()
    assert "FORDON-LEASING" in compared and "18" in compared and "20" in compared
    journey.goto(representative, agreement, "before-accept")
    journey.submit(representative, "form[action$='/godkann/']", "accepted")

    # The representative signs (the password is asked again), then the manager.
    for page in (representative, manager):
        journey.goto(page, f"{agreement}signera/", "sign")
        page.fill("#id_password", "demo")
        journey.submit(page, "main form", "signed")
    journey.goto(manager, agreement, "active")
    facts = manager.locator("main dl").inner_text()
    assert "Aktiv" in facts, facts
    assert "Kjellberg" in manager.locator("main").inner_text()  # the manager's signature

    # Next year's price list by index, published, then the roll-over.
    journey.goto(manager, "/uppdrag/prislistor/", "price-lists")
    manager.get_by_role("link", name="Prislista 2026").first.click()
    manager.wait_for_load_state("load")
    list_2026 = _price_list_path(manager)
    journey.goto(manager, f"{list_2026}indexera/", "index")
    manager.fill("#id_year", "2027")
    manager.fill("#id_index_percent", str(INDEX).replace(".", ","))
    manager.fill("#id_index_name", "PKV")
    journey.submit(manager, "main form", "indexed")
    draft_2027 = _price_list_path(manager)
    assert draft_2027 != list_2026
    journey.goto(manager, f"{draft_2027}forhandsvisning/", "preview")
    journey.goto(manager, f"{draft_2027}publicera/", "publish")
    journey.submit(manager, "main form", "published")
    journey.goto(manager, "/avtal/rulla-over/", "rollover")
    manager.fill("#id_from_year", "2026")
    journey.submit(manager, "main form", "rolled-over")
    assert "2027-" in manager.locator("main").inner_text()

    # TF's rolled-over 2027 draft carries the indexed price.
    journey.goto(representative, "/avtal/?year=2027", "list-2027")
    representative.locator("main table a", has_text="2027-").first.wait_for()
    row = representative.locator("main table tr", has_text="Fordon till hemtjänstens")
    row.locator("a").first.click()
    representative.wait_for_load_state("load")
    journey.check(representative, "draft-2027")
    line = representative.locator("main table tr", has_text="FORDON-LEASING").first
    cells = line.locator("td").all_inner_texts()
    volume, price, list_price = (_number_in(cells[i]) for i in (1, 2, 3))
    assert volume == 20  # the agreed volume carries over
    assert price == list_price == PRICE_2027, cells

    problems = journey.close()
    assert not journey.findings and not problems, (
        report(journey.findings) + "\n" + "\n".join(problems)
    )
