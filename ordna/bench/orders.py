"""The order pages at scale: "Mina beställningar" and the provider's work queue, as the
server answers them (URL resolution, middleware, access, selectors, template), measured
in-process with Django's test client so that the time is the server's alone.

Issue 5 sets the target: with 1 000 000 orders (`--scale 10`), ≤ 150 ms p95 and at most
10 queries per page on SQLite and PostgreSQL. Each variant is requested `REPEAT` times
after a warm-up; the report gives p50, p95 and the most queries one request made.
"""

from __future__ import annotations

import statistics
import time
import urllib.parse

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ordna.bench.registry import Report, percentile, scenario

REPEAT = 40
WARM_UP = 3


def _measure(client: Client, url: str) -> tuple[list[float], int]:
    for _ in range(WARM_UP):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    times, most = [], 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - start)
        most = max(most, len(queries))
    return sorted(times), most


def _report(name: str, url: str, client: Client, rows: int) -> Report:
    times, most = _measure(client, url)
    report = Report(name)
    report.add("p50", statistics.median(times) * 1000, "ms")
    report.add("p95", percentile(times, 0.95) * 1000, "ms")
    report.add("queries", most, "per request")
    report.notes = f"{url} ({rows} rows on the page)"
    return report


def _client(username: str) -> Client | None:
    from ordna.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return client


def _url(path: str, **query) -> str:
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return path + ("?" + urllib.parse.urlencode(query) if query else "")


@scenario(
    "order_pages",
    "Mina beställningar and the work queue at scale: p50/p95 server time, queries per page",
)
def order_pages(options: dict) -> list[Report]:
    from django.conf import settings
    from django.test import override_settings

    # Static URLs without the collected manifest (the server's `collectstatic` step).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        return _order_pages()


def _order_pages() -> list[Report]:
    from django.db.models import Count

    from ordna.accounts import access
    from ordna.accounts.models import User
    from ordna.orders import selectors
    from ordna.orders.models import Order

    total = Order.objects.count()
    reports: list[Report] = []
    day = selectors.today()

    # The orderers: the demo's, and the generated orderer with the most orders.
    busiest = Order.objects.values("orderer").annotate(n=Count("id")).order_by("-n")[:50]
    orderers = ["tf.bestallare"]
    for row in busiest:  # the busiest other who may still order (the list is theirs)
        candidate = User.objects.get(pk=row["orderer"])
        if (
            candidate.username not in orderers
            and candidate.is_active
            and access.ordering_units(candidate)
        ):
            orderers.append(candidate.username)
            break
    for username in orderers:
        client = _client(username)
        if client is None:
            continue
        user = User.objects.get(username=username)
        units = access.ordering_units(user)
        visible = access.orders_visible_to(user)
        first = selectors.my_orders(visible, user, units)
        mine = Order.objects.filter(orderer=user).count()
        label = f"my_orders {username} ({mine} own, {total} in all)"
        reports.append(_report(f"{label}: first page", "/bestallningar/", client, len(first.rows)))
        if first.next_cursor:
            second = selectors.my_orders(visible, user, units, after=first.next_cursor)
            url = _url("/bestallningar/", efter=first.next_cursor)
            reports.append(_report(f"{label}: next page", url, client, len(second.rows)))
        for state in ("in_progress", "closed"):
            page = selectors.my_orders(visible, user, units, state=state)
            url = _url("/bestallningar/", status=state)
            reports.append(_report(f"{label}: status {state}", url, client, len(page.rows)))
        page = selectors.my_orders(visible, user, units, only_mine=True)
        url = _url("/bestallningar/", mine="on")
        reports.append(_report(f"{label}: only mine", url, client, len(page.rows)))

    # Read-all (the auditor): every order, newest first.
    client = _client("revisor")
    if client is not None:
        user = User.objects.get(username="revisor")
        page = selectors.my_orders(access.orders_visible_to(user), user, None)
        reports.append(
            _report("my_orders revisor (every order)", "/bestallningar/", client, len(page.rows))
        )

    # The provider's work queue.
    client = _client("sk.handlaggare")
    if client is not None:
        from ordna.catalogue.models import ServiceArea

        user = User.objects.get(username="sk.handlaggare")
        units = access.handling_units(user)
        visible = access.orders_visible_to(user)
        area = (
            Order.objects.filter(provider__in=[u.pk for u in units], service__isnull=False)
            .values("service__area")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("service__area", flat=True)
            .first()
        )
        area_obj = ServiceArea.objects.filter(pk=area).first()
        soon = day.isoformat()
        variants = [
            ("first page", {}, {}),
            ("area", {"area": area}, {"area": area_obj}),
            ("status in_progress", {"status": "in_progress"}, {"state": "in_progress"}),
            ("due before today", {"due_before": soon}, {"due_before": day}),
            ("breached only", {"breached": "on"}, {"breached_only": True}),
            ("assigned to me", {"mine": "on"}, {"mine": True}),
        ]
        for name, query, kwargs in variants:
            page = selectors.queue(visible, user, units, day=day, **kwargs)
            url = _url("/bestallningar/ko/", **query)
            reports.append(_report(f"queue sk.handlaggare: {name}", url, client, len(page.rows)))
            if name == "first page" and page.next_cursor:
                second = selectors.queue(visible, user, units, day=day, after=page.next_cursor)
                url = _url("/bestallningar/ko/", efter=page.next_cursor)
                reports.append(
                    _report("queue sk.handlaggare: next page", url, client, len(second.rows))
                )
    return reports
