"""Page budgets: every page in at most 10 queries whatever the data volume, and under
200 KB transferred (HTML plus the CSS and JS it links, gzip-compressed, each asset once).

The pages are the GET routes of the access matrix (`tests/test_access_matrix.py`), so a
new page is measured as soon as it is declared there. Each page is measured on the demo
data, then again after `ordna generate` has added more, with sample objects that carry
more rows (a person with two roles, the municipality with all its units): the query
count must stay within the budget and must not grow.

A page over the query budget is not fixed here: it is listed in OVER_BUDGET with what
it costs, which marks it as an expected failure (strict, so fixing it is noticed).
"""

from __future__ import annotations

import gzip
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Count
from django.urls import reverse

from ordna.demo import generate, generate_orders
from tests.test_access_matrix import MATRIX, _samples

MAX_QUERIES = 10
MAX_BYTES = 200 * 1024
GENERATE_SCALE = 0.2
# Orders per generated year here: 1 000 orders at GENERATE_SCALE, plenty to show a page
# whose queries grow with the rows (the full 100 000 a year would cost seconds per test).
ORDERS_PER_YEAR = 5_000


@pytest.fixture(autouse=True)
def _fewer_orders(monkeypatch):
    monkeypatch.setattr(generate_orders, "ORDERS_PER_YEAR", ORDERS_PER_YEAR)


NOT_PAGES = {  # no HTML page behind them
    "healthz",
    "set_language",
    "accounts:logout",
    "agreements:pdf",
    "agreements:xlsx",
    "orders:attachment",
    "procurement:guideline_pdf",
}

# Route name → what it costs, for pages over the query budget (measured, not fixed here).
# Every signed-in page pays before the view runs: the session, the user, the user's
# memberships (menu and access); at most once a minute the session write as well (an
# UPDATE inside SAVEPOINT/RELEASE under the test's transaction).
OVER_BUDGET: dict[str, str] = {
    # Runs every example case of a version as an assessment: the registry snapshot the
    # engine needs (Registry.load: 9 queries, whatever the volume) plus the version, its
    # rules and its cases. The version page loads it after itself, on its own request.
    "procurement:example_results": "19 queries, constant in the data volume",
}


def _get_rule(name):
    return next((rule for rule in MATRIX[name] if rule.method == "get"), None)


PAGES = sorted(
    name
    for name in MATRIX
    if not name.startswith("api:") and name not in NOT_PAGES and _get_rule(name)
)


def _param(name):
    if name in OVER_BUDGET:
        reason = f"BUDGET: {OVER_BUDGET[name]}"
        return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=reason))
    return name


def _heavier_samples(samples):
    """After generating: objects with more rows behind them than the demo's samples."""
    from ordna.accounts.models import Membership, User
    from ordna.agreements.models import Agreement
    from ordna.organisation.models import LegalPerson

    person = (
        User.objects.filter(username__startswith="gen.")
        .annotate(roles=Count("memberships"))
        .order_by("-roles", "username")
        .first()
    )
    municipality = LegalPerson.objects.get(org_number="212000-1561")
    # The same shape as the demo's sample (an agreement with one purchaser), more lines.
    # (The common agreement's keyed lines are measured in tests/test_agreement_pages.py.)
    busiest = (
        Agreement.objects.filter(kind=Agreement.Kind.UNIT)
        .annotate(lines=Count("versions__lines"))
        .order_by("-lines", "number")
        .first()
    )
    return {
        **samples,
        "agreement": {"pk": busiest.pk},
        "user": {"pk": person.pk},
        "membership": {"pk": Membership.objects.filter(user=person).first().pk},
        "legal_person": {"pk": municipality.pk},
    }


def _open(client, login_as, name, samples):
    """GET the page as a system administrator (the login page anonymously); a page the
    administrator may not open (a provider's or a signer's) as the first user allowed."""
    rule = _get_rule(name)
    url = reverse(name, kwargs=samples[rule.args] if rule.args else {})
    client.logout()
    if "admin" in rule.allowed:
        login_as("admin")
    elif rule.allowed:
        login_as(sorted(rule.allowed)[0])
    else:
        assert rule.public, f"{name}: neither the administrator's nor public"
    return url


def _count_queries(client, url, assert_max_queries):
    with assert_max_queries(MAX_QUERIES) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(captured.captured_queries), response


@pytest.mark.parametrize("name", [_param(name) for name in PAGES])
def test_page_query_budget(client, demo, login_as, django_assert_max_num_queries, name):
    samples = _samples()
    url = _open(client, login_as, name, samples)
    on_demo, _response = _count_queries(client, url, django_assert_max_num_queries)

    generate.generate(scale=GENERATE_SCALE)
    url = _open(client, login_as, name, _heavier_samples(samples))
    with_more, _response = _count_queries(client, url, django_assert_max_num_queries)
    assert with_more <= on_demo, (
        f"{name}: {on_demo} queries on the demo data, {with_more} with more data ({url})"
    )


class _Assets(HTMLParser):
    """The stylesheets and scripts a page links to."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split():
            self.urls.append(attrs.get("href") or "")
        elif tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def _gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def transfer(html: bytes) -> tuple[int, dict[str, int]]:
    """Gzipped size of the page and of each static asset it links (each counted once)."""
    parser = _Assets()
    parser.feed(html.decode("utf-8"))
    assets = {}
    for url in dict.fromkeys(parser.urls):
        assert url.startswith(settings.STATIC_URL), f"not one of our static files: {url}"
        path = finders.find(url.removeprefix(settings.STATIC_URL).split("?")[0])
        assert path, f"static file not found: {url}"
        with open(path, "rb") as handle:
            assets[url] = _gzipped(handle.read())
    return _gzipped(html), assets


def _describe(name, html_bytes, assets):
    total = html_bytes + sum(assets.values())
    parts = ", ".join(f"{url.rsplit('/', 1)[-1]} {size / 1024:.1f}" for url, size in assets.items())
    return (
        f"{name}: {total / 1024:.1f} KB gzipped (HTML {html_bytes / 1024:.1f}; {parts}); "
        f"budget {MAX_BYTES / 1024:.0f} KB"
    )


@pytest.mark.parametrize("name", PAGES)
def test_page_transfer_budget(client, demo, login_as, name):
    samples = _samples()
    for phase in ("demo", "generated"):
        if phase == "generated":
            generate.generate(scale=GENERATE_SCALE)
            samples = _heavier_samples(samples)
        response = client.get(_open(client, login_as, name, samples))
        assert response.status_code == 200
        html_bytes, assets = transfer(response.content)
        figure = _describe(f"{name} ({phase})", html_bytes, assets)
        assert html_bytes + sum(assets.values()) < MAX_BYTES, figure
