"""Start page, health check and background jobs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ordna.accounts import access
from ordna.core import selectors
from ordna.core.navigation import panels_for


@login_required
def home(request):
    return render(request, "core/home.html", {"panels": panels_for(request)})


@never_cache
@require_GET
def healthz(request):
    report = selectors.health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@login_required
def job_list(request):
    jobs = access.jobs_visible_to(request.user)
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {"page": page})


@login_required
def job_detail(request, pk):
    job = access.access_job(request.user, pk)
    template = "core/job_detail.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"job": job})
