"""Every demo role walks every page its navigation offers, with accessibility checks.

Per role: sign in through the form, collect the links of the main menu (`nav.o-nav`) and
the header tools, visit each (and the links of a section's sub-navigation, `nav.o-subnav`);
on list pages also the first link in each table. The
system administrator also opens every kind of create/edit form linked from those pages
and submits each create form empty, to check the error state, and starts the audit-chain
verification to see a background-job page polled by HTMX to the end. On every page: status
< 400, `<html lang="sv">`, exactly one `<h1>`, `<main id="main">`, no console errors
(CSP violations land there), axe-core with the WCAG 2.0/2.1 A and AA rules, and for the
administrator no sideways scrolling at 320 px (WCAG 1.4.10). Findings are collected and
reported together at the end. Screenshots go to e2e/out/<username>/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import pytest
from browsing import (
    Finding,
    Guard,
    axe_findings,
    console_findings,
    demo_users,
    login,
    reflow_finding,
    report,
    screenshot,
    slug_for,
    structure_findings,
)
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

USERS = demo_users()
ADMIN = "admin"
# Roles whose pages are also checked at 320 px; 320 px screenshots are saved for them too.
REFLOW_ROLES = {ADMIN, "anonymous"}
# Roles that open the create/edit forms and submit the create forms empty.
FORM_ROLES = {ADMIN}
FORM_LINK = re.compile(r"/(ny|andra|avsluta|import|indexera)/$")
JOB_SECONDS = 60
NOT_PAGES = re.compile(r"^/(healthz|api/|i18n/|konto/logga-ut/|static/)")


@dataclass(frozen=True)
class KnownIssue:
    """A finding that is a known, reported bug: excluded from the journey's verdict and
    asserted absent by its own strict xfail test, which starts failing (XPASS) once the
    bug is fixed, so the entry is removed rather than forgotten."""

    name: str
    check: str  # axe rule id or one of ours (status, one-h1, reflow-320, ...)
    path: str  # regular expression on the page path
    reason: str
    roles: tuple[str, ...] = ()  # empty: any role

    def matches(self, finding: Finding) -> bool:
        return (
            finding.check == self.check
            and re.search(self.path, urlsplit(finding.url).path) is not None
            and (not self.roles or finding.role in self.roles)
        )


KNOWN_ISSUES: list[KnownIssue] = []


@dataclass
class Crawl:
    username: str
    visited: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


_CRAWLS: dict[str, Crawl] = {}


def page_url(href: str, origin: str) -> str | None:
    """The URL to visit for a link, without fragment; None for other sites and non-pages."""
    parts = urlsplit(href)
    if parts.scheme not in {"http", "https"} or f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    if NOT_PAGES.match(parts.path):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def shape(url: str) -> str:
    """The route a URL belongs to: ids replaced, so one form of each kind is enough."""
    return re.sub(r"/\d+/", "/<pk>/", urlsplit(url).path)


def links(page: Page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.href)")


def first_table_links(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        ".o-table-scroll table",
        "tables => tables.map(t => t.querySelector('a[href]')).filter(Boolean).map(a => a.href)",
    )


class Walker:
    """Visits pages as one signed-in user and checks each one."""

    def __init__(self, page: Page, guard: Guard, username: str):
        self.page, self.guard, self.username = page, guard, username
        self.crawl = Crawl(username)
        self.origin = None

    def check_here(self, status: int | None, name: str, ok_status: bool = True) -> None:
        page, role = self.page, self.username
        self.crawl.visited.append(page.url)
        screenshot(page, role, name)
        found = structure_findings(page, role, status, ok_status=ok_status)
        expected = None if ok_status else status
        found += console_findings(self.guard, role, page.url, expected_status=expected)
        found += axe_findings(page, role)
        shot = f"e2e/out/{role}/{name}.png"
        if role in REFLOW_ROLES:
            for finding in reflow_finding(page, role, f"{name}@320"):
                finding.screenshot = f"e2e/out/{role}/{name}@320.png"
                found.append(finding)
        for finding in found:
            finding.screenshot = finding.screenshot or shot
        self.crawl.findings += found

    def visit(self, url: str) -> None:
        response = self.page.goto(url, wait_until="load")
        self.check_here(response.status if response else None, slug_for(self.page.url))

    def submit_empty(self, url: str) -> None:
        """Open a create form, submit it untouched, and check the error state."""
        page = self.page
        page.goto(url, wait_until="load")
        button = page.locator("main form.o-form button[type=submit]").first
        with page.expect_navigation(wait_until="load") as navigation:
            button.click()
        response = navigation.value
        self.check_here(response.status if response else None, slug_for(url, "-errors"))
        summary = page.locator("#error-summary")
        if summary.count() != 1:
            self.crawl.findings.append(
                Finding("error-state", self.username, page.url, "empty form: no #error-summary")
            )
        elif page.evaluate("document.activeElement && document.activeElement.id") != (
            "error-summary"
        ):
            self.crawl.findings.append(
                Finding("error-state", self.username, page.url, "error summary not focused")
            )

    def keep(self, hrefs: list[str], seen: set[str]) -> list[str]:
        kept = []
        for href in hrefs:
            url = page_url(href, self.origin)
            if url and url not in seen:
                seen.add(url)
                kept.append(url)
        return kept

    def walk(self) -> Crawl:
        page = self.page
        login(page, self.username)
        parts = urlsplit(page.url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        seen: set[str] = set()
        menu = self.keep(
            [page.url, *links(page, "nav.o-nav a"), *links(page, ".o-header__tools a")], seen
        )
        assert len(menu) > 1, f"{self.username}: no navigation links on the start page"
        details, forms = [], []
        form_shapes: set[str] = set()

        def collect_forms() -> None:
            if self.username not in FORM_ROLES:
                return
            candidates = links(page, "main a[href]")
            for url in self.keep([h for h in candidates if FORM_LINK.search(h)], set()):
                if shape(url) not in form_shapes:
                    form_shapes.add(shape(url))
                    forms.append(url)

        for url in menu:  # grows while walking: a section's sub-navigation joins the menu
            self.visit(url)
            menu += self.keep(links(page, "nav.o-subnav a"), seen)
            details += self.keep(first_table_links(page), seen)
            collect_forms()
        for url in details:
            self.visit(url)
            collect_forms()
        for url in forms:
            if url not in seen:
                seen.add(url)
                self.visit(url)
        for url in forms:
            if url.endswith("/ny/"):
                self.submit_empty(url)
        if self.username in FORM_ROLES:
            self.run_a_job()
        return self.crawl

    def run_a_job(self) -> None:
        """Start the audit-chain verification (it only reads) and follow the job page
        while HTMX polls it to the end: the one way to see a job page with the demo."""
        page = self.page
        page.goto("/granskning/", wait_until="load")
        button = page.locator("main .o-titlebar form button[type=submit]")
        if button.count() != 1:
            return
        with page.expect_navigation(wait_until="load") as navigation:
            button.click()
        self.check_here(navigation.value.status, "job-started")
        try:
            page.locator("#job-progress:not([hx-get])").wait_for(timeout=JOB_SECONDS * 1000)
        except PlaywrightTimeout:
            self.crawl.findings.append(
                Finding("job", self.username, page.url, f"job not finished in {JOB_SECONDS}s")
            )
            return
        self.check_here(None, "job-finished", ok_status=False)
        if page.locator("#job-progress .ds-alert[data-color=danger]").count():
            text = page.locator("#job-progress").inner_text()
            self.crawl.findings.append(Finding("job", self.username, page.url, text))


def crawl(page: Page, guard: Guard, username: str) -> Crawl:
    """The crawl of one role, done once per test process and shared by the tests here."""
    if username not in _CRAWLS:
        _CRAWLS[username] = Walker(page, guard, username).walk()
    return _CRAWLS[username]


@pytest.mark.parametrize(("username", "role"), USERS, ids=[u for u, _ in USERS])
def test_role_journey(page, guard, username, role):
    result = crawl(page, guard, username)
    print(f"{username} ({role}) visited {len(result.visited)} pages:")
    print("\n".join(f"  {url}" for url in result.visited))
    known = [f for f in result.findings if any(i.matches(f) for i in KNOWN_ISSUES)]
    if known:
        print(f"{len(known)} known issue(s) left to their xfail tests")
    new = [f for f in result.findings if f not in known]
    assert not new, report(new)


def test_anonymous_pages(page, guard):
    """What a visitor sees before signing in: the login page, its error state, a 404."""
    walker = Walker(page, guard, "anonymous")
    walker.visit("/konto/logga-in/")
    walker.submit_empty("/konto/logga-in/")
    response = page.goto("/finns-inte/", wait_until="load")
    assert response.status == 404
    walker.check_here(response.status, "404", ok_status=False)
    assert not walker.crawl.findings, report(walker.crawl.findings)


def _known_issue_params():
    return [
        pytest.param(
            issue, id=issue.name, marks=pytest.mark.xfail(strict=True, reason=issue.reason)
        )
        for issue in KNOWN_ISSUES
    ]


if KNOWN_ISSUES:

    @pytest.mark.parametrize("issue", _known_issue_params())
    def test_known_issue_is_fixed(page, guard, issue):
        usernames = issue.roles or tuple(u for u, _ in USERS)
        found = [
            f
            for username in usernames
            for f in crawl(page, guard, username).findings
            if issue.matches(f)
        ]
        assert not found, report(found)
