"""The role-aware navigation and the start page ("Att göra").

Apps add their entries and start-page panels from their AppConfig.ready(); each entry
asks an accounts.access predicate whether the user may see it, so the navigation can
never offer a page the user would get a 404 from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    visible: Callable[[object], bool]
    order: int = 100
    also: tuple[str, ...] = ()  # URL names of other sections this item is current for


@dataclass
class Panel:
    """A box on the start page: a title, a template and its context."""

    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


_ITEMS: list[NavItem] = []
_PANELS: list[Callable] = []


def register_nav(item: NavItem) -> None:
    """Add a menu entry once. One page may have two entries under different labels for
    different users ("My orders", "Orders"); their predicates must not both hold."""
    if all((e.url_name, e.label) != (item.url_name, item.label) for e in _ITEMS):
        _ITEMS.append(item)


def register_panel(builder: Callable) -> None:
    """`builder(request) -> Panel | None`; None means nothing to show for this user."""
    if builder not in _PANELS:
        _PANELS.append(builder)


def nav_for(request) -> list[dict]:
    """The user's menu; the current item is the one whose address is the longest match."""
    user = request.user
    items, prefixes = [], []
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if not item.visible(user):
            continue
        entry = {"url": reverse(item.url_name), "label": item.label, "current": False}
        items.append(entry)
        prefixes += [(entry["url"], entry), *((reverse(name), entry) for name in item.also)]
    matches = [
        (prefix, entry)
        for prefix, entry in prefixes
        if request.path == prefix or (prefix != "/" and request.path.startswith(prefix))
    ]
    if matches:
        max(matches, key=lambda match: len(match[0]))[1]["current"] = True
    return items


def panels_for(request) -> list[Panel]:
    panels = [panel for builder in _PANELS if (panel := builder(request)) is not None]
    return sorted(panels, key=lambda p: p.order)
