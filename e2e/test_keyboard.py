"""A keyboard-only journey: sign in and create an API token without touching the mouse.

Only page.keyboard is used after opening the login page (Tab, Shift+Tab, Enter, Escape and
typing): no clicks, no fill(), no focus() calls. Every element that receives focus from
the keyboard must show it (WCAG 2.4.7): a computed outline that is not "none", or a box
shadow. The one exception is <main>, which the skip link focuses as a landing point
(tabindex="-1"; it is not a control and is deliberately drawn without a ring).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from browsing import screenshot
from playwright.sync_api import Page

USERNAME = "sk.chef"
PASSWORD = "demo"
MAX_TABS = 40
ROLE_DIR = "keyboard"
TOKENS = "/konto/api-nycklar/"

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = !!s.boxShadow && s.boxShadow !== 'none';
  return {
    tag: e.tagName.toLowerCase(),
    id: e.id,
    cls: typeof e.className === 'string' ? e.className : '',
    text: (e.innerText || e.value || '').trim().slice(0, 60),
    href: e.getAttribute('href'),
    indicator: outline || shadow,
    style: `outline: ${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}; `
      + `box-shadow: ${s.boxShadow}`,
    width: r.width,
    height: r.height,
    onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
      && r.top < innerHeight && r.left < innerWidth,
  };
}"""


def path(page: Page) -> str:
    return urlsplit(page.url).path


class Keyboard:
    """Presses keys and keeps a trail of what got focus, checking each focus is visible."""

    def __init__(self, page: Page):
        self.page = page
        self.trail: list[str] = []
        self.invisible: list[str] = []

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)

    def press(self, key: str) -> dict | None:
        self.page.keyboard.press(key)
        return self.note(key)

    def note(self, key: str) -> dict | None:
        info = self.focused()
        label = "body" if info is None else self.describe(info)
        self.trail.append(f"{key:>9} -> {label}")
        if info is not None and info["tag"] != "main" and not self.visible(info):
            self.invisible.append(f"{self.page.url}: {label} [{info['style']}]")
        return info

    @staticmethod
    def visible(info: dict) -> bool:
        if not info["onScreen"]:
            return False
        if "ds-skip-link" in info["cls"]:
            # Designsystemet's skip link is clipped to 1x1 px until focused; appearing as a
            # full-width banner is its focus indicator (it has no ring by design).
            return info["width"] > 1 and info["height"] > 1
        return info["indicator"]

    @staticmethod
    def describe(info: dict) -> str:
        ident = f"#{info['id']}" if info["id"] else ""
        cls = "." + ".".join(info["cls"].split()) if info["cls"] else ""
        return f"<{info['tag']}{ident}{cls}> {info['text']!r}"

    def tab_until(self, wanted, key: str = "Tab") -> dict:
        """Press Tab (or Shift+Tab) until `wanted(info)` is true; fail after MAX_TABS.
        Nothing is pressed when the element already has focus (e.g. autofocus)."""
        info = self.note("(now)")
        if info is not None and wanted(info):
            return info
        for _ in range(MAX_TABS):
            info = self.press(key)
            if info is not None and wanted(info):
                return info
        raise AssertionError(f"{key} never reached the element; trail:\n" + self.history())

    def history(self) -> str:
        return "\n".join(self.trail[-MAX_TABS:])


def test_keyboard_only_sign_in_and_create_token(page: Page):
    keys = Keyboard(page)
    page.goto("/konto/logga-in/")

    # Sign in: Tab to the user name, type, Tab to the password, type, Enter.
    keys.tab_until(lambda f: f["id"] == "id_username")
    page.keyboard.type(USERNAME)
    assert keys.press("Tab")["id"] == "id_password", keys.history()
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path(page) == "/", f"sign-in by keyboard did not reach the start page: {page.url}"
    assert page.locator("h1").inner_text().startswith("Att göra")
    screenshot(page, ROLE_DIR, "1-start")

    # The first Tab lands on the skip link, which is visible; Enter moves focus into main.
    first = keys.press("Tab")
    assert first is not None and "ds-skip-link" in first["cls"], keys.history()
    assert first["onScreen"], "the skip link stays hidden when focused"
    screenshot(page, ROLE_DIR, "2-skip-link-focused")
    main = keys.press("Enter")
    assert main is not None and main["tag"] == "main" and main["id"] == "main", keys.history()

    # From the content, Shift+Tab back through the main menu to "API-nycklar" in the header.
    keys.tab_until(lambda f: f["text"] == "API-nycklar", key="Shift+Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path(page) == TOKENS, page.url

    # Skip link again, then the first control in main is the token name field.
    assert "ds-skip-link" in keys.press("Tab")["cls"], keys.history()
    keys.press("Enter")
    keys.tab_until(lambda f: f["id"] == "id_name")
    name = f"Tangentbordsnyckel {int(time.time())}"
    page.keyboard.type(name)
    screenshot(page, ROLE_DIR, "3-token-form")

    # Escape in the form changes nothing: focus and what was typed stay put.
    after_escape = keys.press("Escape")
    assert after_escape is not None and after_escape["id"] == "id_name", keys.history()
    assert page.evaluate("document.activeElement.value") == name
    assert path(page) == TOKENS, page.url

    # Enter submits the form: the new key is shown once and the token is listed.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    key_box = page.locator("main .ds-alert code.o-key")
    assert key_box.is_visible(), "the new token's key is not shown"
    assert len(key_box.inner_text().strip()) >= 20, key_box.inner_text()
    assert page.get_by_role("heading", name="Din nya API-nyckel").is_visible()
    row = page.locator(".o-table-scroll table tbody tr", has_text=name)
    assert row.count() == 1, f"token {name!r} is not listed"
    screenshot(page, ROLE_DIR, "4-token-created")

    # Escape on the result page is harmless too: no navigation, the page still works.
    keys.press("Escape")
    assert path(page) == TOKENS, page.url
    assert key_box.is_visible()

    assert not keys.invisible, (
        "Focus not visible on:\n  " + "\n  ".join(keys.invisible) + "\ntrail:\n" + keys.history()
    )
    print("Keyboard trail:\n" + "\n".join(keys.trail))
