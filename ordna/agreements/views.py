"""Agreement pages: thin views over agreements.services and agreements.selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ordna.accounts import access
from ordna.agreements import selectors


@login_required
def agreement_list(request):
    rows = list(selectors.agreements(access.agreements_visible_to(request.user)))
    return render(
        request,
        "agreements/agreement_list.html",
        {"agreements": rows, "overdue": selectors.overdue_ids(rows)},
    )
