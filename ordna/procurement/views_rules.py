"""Pages of the rule sets: the versions, the decision table with its checks and example
cases, editing a draft (rules and examples), publishing, a new draft from a published
version, what-if replays, and the readable guideline as HTML and PDF.

Thin: access decides (reading: `can_read_guidelines`; writing: `can_manage_rule_sets`),
the services write, `guideline` reads and words the rules."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ordna.accounts import access
from ordna.core.forms import add_service_errors, form_page
from ordna.procurement import guideline, selectors, services
from ordna.procurement.forms_rules import (
    ConfirmForm,
    ExampleForm,
    PublishForm,
    ReplayForm,
    RuleForm,
    need_as_text,
)

CHANGES_PER_PAGE = 50


def _posted(request):
    """The form data of a POST (even an empty one), None for a GET."""
    return request.POST if request.method == "POST" else None


def _readable_version(request, pk):
    access.require(access.can_read_guidelines(request.user))
    return selectors.version(pk)


def _draft(request, pk):
    """A draft the user may change (a published version is 404 here, like a missing one)."""
    access.require(access.can_manage_rule_sets(request.user))
    version = selectors.version(pk)
    access.require(version.is_draft)
    return version


def _edit(
    request,
    form,
    save,
    *,
    title,
    success,
    version,
    text="",
    submit="",
    to=None,
):
    """Show `form`; on a valid POST call `save(form)` (one service call); put the
    service's errors on the form, or confirm (`success`: a text, or a function of the
    saved object) and go to `to(saved)`, by default the version's page."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success(saved) if callable(success) else success)
            return redirect(to(saved) if to else version.get_absolute_url())
    return render(
        request,
        "procurement/rules/form.html",
        {
            "form": form,
            "title": title,
            "version": version,
            "text": text,
            "submit": submit or _("Save"),
        },
    )


# --- Reading -----------------------------------------------------------------------------------
@login_required
def rule_set_list(request):
    access.require(access.can_read_guidelines(request.user))
    return render(
        request,
        "procurement/rules/rule_set_list.html",
        {"rule_sets": selectors.rule_sets(), "in_force": settings.ROUTE_RULE_SET},
    )


@login_required
def rule_set_detail(request, pk):
    access.require(access.can_read_guidelines(request.user))
    rule_set = selectors.rule_set(pk)
    return render(
        request,
        "procurement/rules/rule_set_detail.html",
        {
            "rule_set": rule_set,
            "versions": selectors.versions_of(rule_set),
            "in_force": settings.ROUTE_RULE_SET,
        },
    )


@login_required
def version_detail(request, pk):
    version = _readable_version(request, pk)
    user = request.user
    rules = selectors.rules_of(version)
    can_manage = access.can_manage_rule_sets(user)
    return render(
        request,
        "procurement/rules/version_detail.html",
        {
            "version": version,
            "rules": rules,
            "problems": selectors.problems_of(rules) if version.is_draft else [],
            "examples": selectors.examples_with_results(version, run=False),
            "replays": selectors.replays_of(version) if access.can_read_replays(user) else [],
            "can_edit": version.is_draft and can_manage,
            "can_draft": not version.is_draft and can_manage,
            "can_replay": can_manage,
        },
    )


@login_required
def example_results(request, pk):
    """The example cases run under the version: on the version page (loaded after it,
    it reads the whole registry) or on their own."""
    version = _readable_version(request, pk)
    template = "procurement/rules/example_results.html"
    if request.htmx:
        template += "#examples"
    examples = selectors.examples_with_results(version, run=True)
    return render(
        request,
        template,
        {
            "version": version,
            "examples": examples,
            "failed": sum(1 for e in examples if not e["result"].passed),
            "ran": True,
            "can_edit": version.is_draft and access.can_manage_rule_sets(request.user),
        },
    )


@login_required
def guideline_page(request, pk):
    access.require(access.can_read_guidelines(request.user))
    version, rules = selectors.version_and_rules(pk)
    return render(
        request,
        "procurement/rules/guideline.html",
        guideline.guideline_context(version, rules=rules),
    )


@login_required
def guideline_pdf(request, pk):
    """The same guideline as a PDF, always in the municipality's language."""
    access.require(access.can_read_guidelines(request.user))
    version, rules = selectors.version_and_rules(pk)
    with translation.override(settings.LANGUAGE_CODE):
        content = guideline.render_pdf(guideline.guideline_context(version, rules=rules))
        name = slugify(f"{version.rule_set.name} version {version.number}") or "riktlinje"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@login_required
def replay_detail(request, pk):
    """A what-if replay: the job's progress while it runs, then every changed case."""
    access.require(access.can_read_replays(request.user))
    replay = selectors.replay(pk)
    template = "procurement/rules/replay_detail.html"
    if request.htmx:
        template += "#progress"
    page = Paginator(selectors.replay_changes(replay), CHANGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        template,
        {"replay": replay, "version": replay.rule_set_version, "job": replay.job, "page": page},
    )


# --- Changing a draft ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def rule_add(request, pk):
    version = _draft(request, pk)
    form = RuleForm(_posted(request), initial={"priority": selectors.next_priority(version)})
    return _rule_page(request, version, form, None, _("Add a rule to %(v)s") % {"v": version})


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk, rule_pk):
    version = _draft(request, pk)
    rule = selectors.rule_of(version, rule_pk)
    form = RuleForm(
        _posted(request),
        conditions=rule.conditions,
        initial={
            "priority": rule.priority,
            "key": rule.key,
            "route": rule.route,
            "explanation": rule.explanation,
            "legal_basis": rule.legal_basis,
            "clause": rule.clause,
        },
    )
    title = _("Change rule %(key)s of %(v)s") % {"key": rule.key, "v": version}
    return _rule_page(request, version, form, rule.pk, title)


def _rule_page(request, version, form, rule_id, title):
    def save(form):
        return services.draft_rule_save(
            actor=request.user, version=version, data=form.rule_data(), rule_id=rule_id
        )

    if request.method == "POST" and form.is_valid():
        try:
            rule = save(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The rule %(key)s was saved.") % {"key": rule.key})
            return redirect(version.get_absolute_url() + "#regler")
    return render(
        request,
        "procurement/rules/rule_form.html",
        {
            "form": form,
            "title": title,
            "version": version,
            "facts": guideline.fact_reference(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_delete(request, pk, rule_pk):
    version = _draft(request, pk)
    rule = selectors.rule_of(version, rule_pk)
    return _edit(
        request,
        ConfirmForm(_posted(request)),
        lambda _form: services.draft_rule_delete(
            actor=request.user, version=version, rule_id=rule.pk
        ),
        title=_("Remove rule %(key)s from %(v)s") % {"key": rule.key, "v": version},
        success=_("The rule %(key)s was removed.") % {"key": rule.key},
        version=version,
        text=_("The rule is removed from the draft only; published versions keep theirs."),
        submit=_("Remove"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def example_add(request, pk):
    version = _draft(request, pk)
    form = ExampleForm(_posted(request))
    return _example_page(request, version, form, None, _("Add an example case to %(v)s"))


@login_required
@require_http_methods(["GET", "POST"])
def example_edit(request, pk, example_pk):
    version = _draft(request, pk)
    example = selectors.example_of(version, example_pk)
    form = ExampleForm(
        _posted(request),
        initial={
            "name": example.name,
            "need": need_as_text(example.need),
            "expected_route": example.expected_route,
            "expected_law": example.expected_law,
        },
    )
    return _example_page(request, version, form, example.pk, _("Change an example case of %(v)s"))


def _example_page(request, version, form, example_id, title):
    def save(form):
        data = form.cleaned_data
        services.draft_example_save(
            actor=request.user,
            version=version,
            name=data["name"].strip(),
            need=data["need"],
            expected_route=data["expected_route"],
            expected_law=data.get("expected_law") or "",
            example_id=example_id,
        )

    return _edit(
        request,
        form,
        save,
        title=title % {"v": version},
        success=_("The example case was saved."),
        version=version,
    )


@login_required
@require_http_methods(["GET", "POST"])
def example_delete(request, pk, example_pk):
    version = _draft(request, pk)
    example = selectors.example_of(version, example_pk)
    return _edit(
        request,
        ConfirmForm(_posted(request)),
        lambda _form: services.draft_example_delete(
            actor=request.user, version=version, example_id=example.pk
        ),
        title=_("Remove the example case %(name)s from %(v)s")
        % {"name": example.name, "v": version},
        success=_("The example case was removed."),
        version=version,
        text=_("The example case is removed from the draft only."),
        submit=_("Remove"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_publish(request, pk):
    version = _draft(request, pk)
    form = PublishForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            published = services.publish(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(n)s was published, valid from %(day)s.")
                % {"n": published.number, "day": published.valid_from.isoformat()},
            )
            return redirect(published)
    rules = selectors.rules_of(version)
    return render(
        request,
        "procurement/rules/publish.html",
        {
            "version": version,
            "form": form,
            "rules": rules,
            "problems": selectors.problems_of(rules),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_create(request, pk):
    access.require(access.can_manage_rule_sets(request.user))
    version = selectors.version(pk)
    access.require(not version.is_draft)
    return _edit(
        request,
        ConfirmForm(_posted(request)),
        lambda _form: services.draft_new(actor=request.user, based_on=version),
        title=_("New draft from %(v)s") % {"v": version},
        success=lambda draft: _("Version %(n)s was created as a draft.") % {"n": draft.number},
        version=version,
        text=_(
            "The draft starts as a copy of this version's rules and example cases. Change "
            "it, run a what-if replay against it, and publish it from a date when it is "
            "ready; this version stays as it is."
        ),
        submit=_("Create the draft"),
        to=lambda draft: draft.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def replay_start(request, pk):
    access.require(access.can_manage_rule_sets(request.user))
    version = selectors.version(pk)
    return form_page(
        request,
        ReplayForm(_posted(request), initial=ReplayForm.default_initial()),
        lambda data: services.replay_start(actor=request.user, version=version, **data),
        title=_("What-if replay against %(v)s") % {"v": version},
        success_message=_("The replay was started; this page shows how far it has come."),
        obj=version,
    )
