"""Helpers shared by the browser journeys: the guarded browser context, sign-in,
screenshots and the per-page checks (structure, axe-core, reflow, console).

Kept out of conftest.py so the test modules can import them by name.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
VIEWPORT = {"width": 1280, "height": 900}
REFLOW_WIDTH = 320
PASSWORD = "demo"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": AXE_TAGS},
    "resultTypes": ["violations"],
}
_AXE = Axe()
RESOURCE_MARK = "<- from"


def demo_users() -> list[tuple[str, str]]:
    """(username, role) of every demo user, read from ordna/demo/boras.py without Django.

    Parsing rather than importing keeps this process free of Django settings: the server
    under test may run on another database (E2E_BASE_URL).
    """
    tree = ast.parse((ROOT / "ordna" / "demo" / "boras.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "USERS" for t in node.targets
        ):
            users = []
            for row in node.value.elts:
                username = ast.literal_eval(row.elts[0])
                role = row.elts[4].attr if isinstance(row.elts[4], ast.Attribute) else "?"
                users.append((username, role))
            return users
    raise LookupError("USERS not found in ordna/demo/boras.py")


# --- The guarded browser context ----------------------------------------------------------
@dataclass
class Guard:
    """What a browser context saw that it must not: outside requests and console errors."""

    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def take_console_errors(self) -> list[str]:
        taken = list(self.console_errors)
        self.console_errors.clear()
        return taken

    def problems(self) -> list[str]:
        found = []
        if self.blocked:
            found.append(
                "Requests to hosts other than 127.0.0.1/localhost (blocked):\n  "
                + "\n  ".join(sorted(set(self.blocked)))
            )
        if self.console_errors:
            found.append("Console errors:\n  " + "\n  ".join(self.console_errors))
        return found


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "javascript", ""}:
        return True
    return parts.hostname in LOCAL_HOSTS


def guarded_context(browser: Browser, base_url: str) -> tuple[BrowserContext, Guard]:
    """A fresh context (own cookies) that aborts and records every non-local request."""
    guard = Guard()
    context = browser.new_context(
        base_url=base_url, viewport=VIEWPORT, locale="sv-SE", timezone_id="Europe/Stockholm"
    )
    context.set_default_timeout(15_000)

    def route(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            guard.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def on_request(request):
        # Belt and braces: whatever the router does not see (e.g. a WebSocket) still counts.
        if not is_local(request.url):
            guard.blocked.append(request.url)

    def on_console(message):
        if message.type == "error":
            where = message.page.url if message.page else "?"
            source = (message.location or {}).get("url") or where
            also = "" if source == where else f" {RESOURCE_MARK} {source}"
            guard.console_errors.append(f"{where}: {message.text}{also}")

    def on_page(page: Page):
        page.on("pageerror", lambda error: guard.console_errors.append(f"{page.url}: {error}"))

    context.route("**/*", route)
    context.on("request", on_request)
    context.on("console", on_console)
    context.on("page", on_page)
    return context, guard


# --- Sign-in and screenshots --------------------------------------------------------------
def login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form, as a person would (no shortcuts)."""
    page.goto("/konto/logga-in/")
    form = page.locator("form.o-form")
    form.locator("#id_username").fill(username)
    form.locator("#id_password").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if "/konto/logga-in/" in page.url:
        errors = page.locator("#error-summary").all_inner_texts()
        raise AssertionError(f"Sign-in as {username} failed: {errors}")


def slug_for(url: str, suffix: str = "") -> str:
    """A file name for a page from its path and query: /organisation/enheter/3/ -> ..."""
    parts = urlsplit(url)
    text = parts.path.strip("/") or "start"
    if parts.query:
        text += "-" + parts.query
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")
    return f"{text}{suffix}"


def screenshot(page: Page, role: str, name: str) -> Path:
    """Save a full-page screenshot to e2e/out/<role>/<name>.png for a person to look at."""
    folder = OUT / role
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- Per-page checks ----------------------------------------------------------------------
@dataclass
class Finding:
    """One thing wrong on one page. `check` is an axe rule id or one of ours."""

    check: str
    role: str
    url: str
    summary: str
    details: list[str] = field(default_factory=list)
    impact: str = ""
    help_url: str = ""
    screenshot: str = ""


def structure_findings(page: Page, role: str, status: int | None, ok_status=True):
    """The page-level promises of base.html: status, language, one h1, a main landmark."""
    url = page.url
    found = []
    if ok_status and (status is None or status >= 400):
        found.append(Finding("status", role, url, f"HTTP status {status} (expected < 400)"))
    lang = page.locator("html").get_attribute("lang")
    if lang != "sv":
        found.append(Finding("html-lang", role, url, f'<html lang="{lang}"> (expected "sv")'))
    h1s = page.locator("h1").all_inner_texts()
    if len(h1s) != 1:
        found.append(Finding("one-h1", role, url, f"{len(h1s)} <h1> elements: {h1s}"))
    if page.locator("main#main").count() != 1:
        found.append(Finding("main-landmark", role, url, "no single <main id='main'>"))
    return found


def axe_findings(page: Page, role: str) -> list[Finding]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) and turn each violation into a Finding."""
    response = _AXE.run(page, options=AXE_OPTIONS).response
    found = []
    for violation in response["violations"]:
        details = []
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node.get("target", []))
            html = re.sub(r"\s+", " ", node.get("html", ""))[:300]
            message = node.get("failureSummary", "").replace("\n", " ")
            details.append(f"target: {target}\n      html: {html}\n      why: {message}")
        found.append(
            Finding(
                violation["id"],
                role,
                page.url,
                violation["help"],
                details,
                impact=violation.get("impact") or "",
                help_url=violation.get("helpUrl", ""),
            )
        )
    return found


def reflow_finding(page: Page, role: str, shot_name: str | None = None) -> list[Finding]:
    """WCAG 1.4.10: at 320 CSS px wide the page must not scroll sideways."""
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 800})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        culprits = []
        if width > REFLOW_WIDTH:
            culprits = page.evaluate(
                """(limit) => Array.from(document.querySelectorAll('body *'))
                    .filter(e => e.getBoundingClientRect().right > limit + 1)
                    .filter(e => !e.closest('.o-table-scroll') || e.matches('.o-table-scroll'))
                    .slice(0, 8)
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                         + (e.className && typeof e.className === 'string'
                            ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
                         + ' right=' + Math.round(e.getBoundingClientRect().right))""",
                REFLOW_WIDTH,
            )
        if shot_name:
            screenshot(page, role, shot_name)
    finally:
        page.set_viewport_size(VIEWPORT)
    if width <= REFLOW_WIDTH:
        return []
    return [
        Finding(
            "reflow-320",
            role,
            page.url,
            f"scrollWidth {width} > {REFLOW_WIDTH} (page scrolls sideways)",
            culprits,
        )
    ]


def console_findings(
    guard: Guard, role: str, url: str, expected_status: int | None = None
) -> list[Finding]:
    """Console errors since the last call. A page deliberately answered with an error
    status (a 404 page) logs that status for the document itself: that one is expected."""
    errors = guard.take_console_errors()
    if expected_status is not None:
        own = f"{url}: Failed to load resource: the server responded with a status of "
        own += str(expected_status)
        errors = [e for e in errors if not (e.startswith(own) and RESOURCE_MARK not in e)]
    if not errors:
        return []
    return [Finding("console-error", role, url, f"{len(errors)} console error(s)", errors)]


def report(findings: list[Finding]) -> str:
    """A readable failure message: grouped by check, then page."""
    lines = [f"{len(findings)} finding(s):"]
    for f in sorted(findings, key=lambda f: (f.check, f.role, f.url)):
        impact = f" ({f.impact})" if f.impact else ""
        lines.append(f"\n[{f.role}] {f.check}{impact}: {f.summary}")
        lines.append(f"  page: {f.url}")
        if f.help_url:
            lines.append(f"  help: {f.help_url}")
        if f.screenshot:
            lines.append(f"  screenshot: {f.screenshot}")
        lines.extend(f"  - {detail}" for detail in f.details)
    return "\n".join(lines)
