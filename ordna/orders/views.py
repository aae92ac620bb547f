"""Order pages: thin views over orders.services and orders.selectors.

Reading is decided by access.orders_visible_to / access.access_order; what the user may
do by access.order_side (the side and roles they act with) and the workflow table.
Forbidden answers 404 like missing."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ordna.accounts import access
from ordna.catalogue.models import ServiceArea
from ordna.core.forms import add_service_errors
from ordna.orders import downloads, imports, selectors, services, stats, workflow
from ordna.orders.forms import (
    AssignForm,
    AttachmentForm,
    DeliveryReportForm,
    DeviationAnswerForm,
    DeviationFileForm,
    ExternalCapForm,
    MessageForm,
    MyOrdersFilterForm,
    OrderCreateForm,
    QueueFilterForm,
    QuoteAnswerForm,
    QuoteSendForm,
    RatingForm,
    TransitionForm,
    VersionedForm,
)
from ordna.orders.models import Deviation
from ordna.orders.workflow import PROVIDER, PURCHASER, State
from ordna.procurement import selectors as procurement_selectors

# Quote steps go through the quote forms (quote_send, quote_answer), never a plain button:
# they carry lines, prices and the quote's outcome.
QUOTE_STEPS = frozenset({"quote", "accept_quote", "renegotiate", "reject_quote"})
RATEABLE = (State.ACCEPTED, State.INVOICED, State.CLOSED)


def _next_url(request, cursor: str) -> str:
    if not cursor:
        return ""
    query = request.GET.copy() if request.GET else QueryDict(mutable=True)
    query["efter"] = cursor
    return f"?{query.urlencode()}"


def _edit(request, form, save, *, title, success, order=None, submit="", anchor="", to=""):
    """Show `form`; on a valid POST call `save(form)` (one service call); put the
    service's errors on the form, or confirm and go to `to` (default: the order's page,
    or the saved object's)."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
        except ValidationError as exc:  # StaleEdit too: nothing was saved
            add_service_errors(form, exc)
        else:
            messages.success(request, success(saved) if callable(success) else success)
            target = to or (order.get_absolute_url() if order else saved.get_absolute_url())
            return redirect(target + anchor)
    return render(
        request,
        "orders/form.html",
        {"form": form, "title": title, "order": order, "submit": submit or _("Save")},
    )


# --- Lists ---------------------------------------------------------------------------------------
@login_required
def order_list(request):
    """Mina beställningar: the orders of the user's ordering units, their own first."""
    user = request.user
    units = access.ordering_units(user)
    if not units:  # oversight, auditors and administrators read every order here
        access.require(access.reads_everything(user))
        units = None
    form = MyOrdersFilterForm(request.GET or None)
    form.is_valid()  # a bad field shows its error; the valid ones still filter
    data = getattr(form, "cleaned_data", {})
    page = selectors.my_orders(
        access.orders_visible_to(user),
        user,
        units,
        only_mine=bool(data.get("mine")),
        state=data.get("status", ""),
        after=request.GET.get("efter", ""),
        size=selectors.PAGE_SIZE,
    )
    day = selectors.today()
    return render(
        request,
        "orders/order_list.html",
        {
            "can_order": units is not None,
            "form": form,
            "rows": [{"order": o, "breached": selectors.breached(o, day)} for o in page.rows],
            "next_url": _next_url(request, page.next_cursor),
            "first_url": "?" + _without_cursor(request) if request.GET.get("efter") else "",
        },
    )


def _without_cursor(request) -> str:
    query = request.GET.copy()
    query.pop("efter", None)
    return query.urlencode()


@login_required
def order_queue(request):
    """The provider's work queue: open orders to the user's units, the most urgent first."""
    user = request.user
    units = access.handling_units(user)
    access.require(bool(units))
    form = QueueFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    day = selectors.today()
    page = selectors.queue(
        access.orders_visible_to(user),
        user,
        units,
        day=day,
        area=data.get("area"),
        state=data.get("status", ""),
        due_before=data.get("due_before"),
        breached_only=bool(data.get("breached")),
        mine=bool(data.get("mine")),
        after=request.GET.get("efter", ""),
        size=selectors.PAGE_SIZE,
    )
    return render(
        request,
        "orders/queue.html",
        {
            "form": form,
            "rows": [{"order": o, "breached": selectors.breached(o, day)} for o in page.rows],
            "next_url": _next_url(request, page.next_cursor),
            "first_url": "?" + _without_cursor(request) if request.GET.get("efter") else "",
        },
    )


# --- A new order ----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def order_create(request):
    units = access.ordering_units(request.user)
    access.require(bool(units))
    day = selectors.today()
    providers = selectors.providers(day)
    initial = {
        "purchaser": units[0].pk,
        "provider": providers[0].pk if len(providers) == 1 else None,
        "kind": "call_off",
        "cost_centre": units[0].cost_centre,
    }
    form = OrderCreateForm(
        request.POST or None,
        initial=initial,
        units=units,
        providers=providers,
        services=selectors.orderable_services(units, day),
        assessments=procurement_selectors.assessments_for_orders(units),
    )
    return _edit(
        request,
        form,
        lambda f: services.order_create(actor=request.user, **f.service_data()),
        title=_("New order"),
        success=lambda o: (
            _("Order %(number)s was saved as a draft. Submit it when it is complete.")
            % {"number": o.number}
        ),
        submit=_("Save as draft"),
    )


# --- One order ------------------------------------------------------------------------------------
def _party(request, pk, want: str | None = None):
    """The order, and the side and roles the user acts with; 404 for anyone who may not
    act on it (or not on the side `want`)."""
    order = access.access_order(request.user, pk)
    side, roles = access.order_side(request.user, order)
    access.require(side is not None and (want is None or side == want))
    return order, side, roles


def _actions(order, side, roles) -> dict:
    """What the user may do on the order now: their side, roles and its state permit it."""
    state = order.state
    steps = [t for t in workflow.available(state, side, roles) if t.name not in QUOTE_STEPS]
    return {
        "steps": [
            {
                "step": t,
                "form": TransitionForm(
                    prefix=t.name, needs_reason=t.needs_reason, initial={"version": order.version}
                ),
            }
            for t in steps
        ],
        "can_send_quote": workflow.allowed("quote", state, side, roles),
        "answer_form": (
            QuoteAnswerForm(prefix="answer", initial={"version": order.version})
            if workflow.allowed("accept_quote", state, side, roles)
            else None
        ),
        "can_assign": side == PROVIDER and state not in workflow.ENDED,
        "message_form": MessageForm(prefix="message") if side else None,
        "attachment_form": AttachmentForm(prefix="attachment") if side else None,
    }


@login_required
def order_detail(request, pk):
    """The order: facts, service levels, lines, quotes, attachments, what the user may
    do, and its timeline with the message thread. Deliveries, deviations and the rating are on the
    follow-up page (the query budget)."""
    order = selectors.order_page(access.orders_visible_to(request.user), pk)
    access.require(order is not None)
    side, roles = access.order_side(request.user, order)
    lines, total = selectors.line_rows(order)
    events = selectors.timeline(order)
    quotes = selectors.quotes_of(order)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "route_warning": selectors.needs_route_assessment(order, quotes),
            "side": side,
            "breached": selectors.breached(order, selectors.today()),
            "explain": selectors.due_explanations(order),
            "lines": lines,
            "total": total,
            "quotes": quotes,
            "attachments": selectors.attachment_rows(events),
            "timeline": [_entry(e) for e in events],
            **_actions(order, side, roles),
        },
    )


@login_required
def order_follow_up(request, pk):
    """Deliveries, deviations and the rating of an order."""
    order = selectors.order_page(access.orders_visible_to(request.user), pk, lines=False)
    access.require(order is not None)
    side, _roles = access.order_side(request.user, order)
    rating = selectors.rating_of(order)
    return render(
        request,
        "orders/follow_up.html",
        {
            "order": order,
            "deliveries": selectors.deliveries_of(order),
            "deviations": selectors.deviations_of(order),
            "rating": rating,
            "can_report": side == PROVIDER and order.state in (State.IN_PROGRESS, State.DELIVERED),
            "can_answer_deviations": side == PROVIDER,
            "deviation_form": (
                DeviationFileForm(prefix="deviation")
                if side == PURCHASER and order.state != State.DRAFT
                else None
            ),
            "rating_form": (
                RatingForm(prefix="rating")
                if side == PURCHASER and order.state in RATEABLE and rating is None
                else None
            ),
        },
    )


def _entry(event) -> dict:
    """A timeline row: the event, what it means, and the text it carries (a message, a
    deviation or its response, a delivery's note)."""
    after = event.after or {}
    text = {
        "orders.message.post": after.get("text", ""),
        "orders.deviation.file": after.get("description", ""),
        "orders.deviation.answer": after.get("response", ""),
        "orders.delivery.report": after.get("note", ""),
        "orders.order.rate": after.get("comment", ""),
        "orders.order.attach": (after.get("attachment") or {}).get("original_name", ""),
    }.get(event.action, "")
    return {"event": event, "what": describe(event), "text": text}


def describe(event) -> str:
    """What an audit event on an order means, for the order's timeline."""
    action, after = event.action, event.after or {}
    verb = action.rsplit(".", 1)[-1]
    if action == "orders.order.create":
        return _("Created the order as a draft")
    if action == "orders.order.quote":
        return _("Sent quote version %(n)s, total %(total)s SEK") % {
            "n": after.get("quote", "?"),
            "total": after.get("total", "?"),
        }
    if action == "orders.order.assign":
        return _("Changed who handles the order")
    if action == "orders.order.rate":
        return _("Rated the delivery %(score)s of 5") % {"score": after.get("score", "?")}
    if action == "orders.order.attach":
        return _("Attached a file")
    if action.startswith("orders.order.") and verb in workflow.TRANSITIONS:
        step = workflow.TRANSITIONS[verb]
        return _("%(step)s (now: %(state)s)") % {
            "step": step.label,
            "state": State(step.target).label,
        }
    return {
        "orders.message.post": _("Wrote a message"),
        "orders.delivery.report": _("Reported a delivery"),
        "orders.deviation.file": _("Filed a deviation"),
        "orders.deviation.answer": _("Answered a deviation"),
    }.get(action, action)


# --- Steps and forms on an order ------------------------------------------------------------------
def _title(text, order) -> str:
    return _("%(what)s – order %(number)s") % {"what": text, "number": order.number}


@login_required
@require_http_methods(["GET", "POST"])
def order_step(request, pk, name):
    """One workflow step (submit, confirm, start, cancel, …) with a reason when needed."""
    order, side, roles = _party(request, pk)
    step = workflow.TRANSITIONS.get(name)
    access.require(
        step is not None
        and name not in QUOTE_STEPS
        and step.side == side
        and bool(step.roles & set(roles))
    )
    form = TransitionForm(
        request.POST or None,
        prefix=name,
        needs_reason=step.needs_reason,
        initial={"version": order.version},
    )
    return _edit(
        request,
        form,
        lambda f: services.transition(
            actor=request.user,
            order=order,
            name=name,
            side=side,
            roles=roles,
            version=f.cleaned_data["version"],
            reason=f.cleaned_data.get("reason", ""),
        ),
        title=_title(step.label, order),
        success=lambda o: (
            _("Done: %(step)s. The order is now %(state)s.")
            % {"step": step.label, "state": str(State(o.state).label).lower()}
        ),
        order=order,
        submit=step.label,
    )


@login_required
@require_http_methods(["GET", "POST"])
def quote_send(request, pk):
    order, _side, roles = _party(request, pk, PROVIDER)
    initial = {
        "version": order.version,
        "valid_until": selectors.today() + datetime.timedelta(days=30),
        "delivery_days": order.delivery_days,
    }
    for n, line in enumerate(order.lines.all()[:5], 1):
        initial[f"line_{n}_description"] = line.description
        initial[f"line_{n}_quantity"] = line.quantity
        initial[f"line_{n}_unit_of_measure"] = line.unit_of_measure
    return _edit(
        request,
        QuoteSendForm(request.POST or None, prefix="quote", initial=initial),
        lambda f: services.quote_send(
            actor=request.user, order=order, roles=roles, **f.service_data()
        ),
        title=_title(_("Send a quote"), order),
        success=lambda q: _("Quote version %(n)s was sent.") % {"n": q.number},
        order=order,
        submit=_("Send the quote"),
        anchor="#quotes",
    )


@login_required
@require_http_methods(["GET", "POST"])
def quote_answer(request, pk):
    order, _side, roles = _party(request, pk, PURCHASER)
    return _edit(
        request,
        QuoteAnswerForm(request.POST or None, prefix="answer", initial={"version": order.version}),
        lambda f: services.quote_answer(
            actor=request.user, order=order, roles=roles, **f.cleaned_data
        ),
        title=_title(_("Answer the quote"), order),
        success=lambda o: (
            _("Your answer was recorded. The order is now %(state)s.")
            % {"state": str(State(o.state).label).lower()}
        ),
        order=order,
        submit=_("Send the answer"),
        anchor="#quotes",
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_assign(request, pk):
    order, _side, _roles = _party(request, pk, PROVIDER)
    form = AssignForm(
        request.POST or None,
        prefix="assign",
        handlers=selectors.handlers_of(order),
        initial={"version": order.version, "handler": order.assigned_to_id},
    )
    return _edit(
        request,
        form,
        lambda f: services.assign(actor=request.user, order=order, **f.service_data()),
        title=_title(_("Choose who handles the order"), order),
        success=_("The handler was saved."),
        order=order,
    )


@login_required
@require_http_methods(["GET", "POST"])
def message_post(request, pk):
    order, _side, _roles = _party(request, pk)
    return _edit(
        request,
        MessageForm(request.POST or None, prefix="message"),
        lambda f: services.message_post(actor=request.user, order=order, **f.cleaned_data),
        title=_title(_("Write a message"), order),
        success=_("The message was sent."),
        order=order,
        submit=_("Send"),
        anchor="#thread",
    )


@login_required
@require_http_methods(["GET", "POST"])
def attachment_add(request, pk):
    """Attach a file (either party). The order's page has the form; this page shows it
    again with what was wrong."""
    order, _side, _roles = _party(request, pk)
    form = AttachmentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        prefix="attachment",
    )
    return _edit(
        request,
        form,
        lambda f: services.attachment_add(
            actor=request.user, order=order, uploaded_file=f.cleaned_data["file"]
        ),
        title=_title(_("Attach a file"), order),
        success=lambda a: _("%(name)s was attached.") % {"name": a.original_name},
        order=order,
        submit=_("Attach"),
        anchor="#attachments",
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def attachment_download(request, pk, attachment_pk):
    """An attachment's file, to whoever may see the order, always as a download and as
    the type it was checked to be."""
    order = access.access_order(request.user, pk)
    attachment = selectors.attachment_of(order, attachment_pk)
    access.require(attachment is not None)
    return downloads.attachment_response(attachment)


@login_required
@require_http_methods(["GET", "POST"])
def delivery_report(request, pk):
    order, _side, _roles = _party(request, pk, PROVIDER)
    form = DeliveryReportForm(
        request.POST or None,
        prefix="delivery",
        lines=list(order.lines.all()),
        initial={"performed_on": selectors.today()},
    )
    return _edit(
        request,
        form,
        lambda f: services.delivery_report(actor=request.user, order=order, **f.service_data()),
        title=_title(_("Report a delivery"), order),
        success=_("The delivery was reported."),
        order=order,
        anchor="#deliveries",
        to=reverse("orders:follow_up", args=[order.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def deviation_file(request, pk):
    order, _side, _roles = _party(request, pk, PURCHASER)
    return _edit(
        request,
        DeviationFileForm(request.POST or None, prefix="deviation"),
        lambda f: services.deviation_file(actor=request.user, order=order, **f.cleaned_data),
        title=_title(_("Report a deviation"), order),
        success=_("The deviation was reported to the provider."),
        order=order,
        submit=_("Report the deviation"),
        anchor="#deviations",
        to=reverse("orders:follow_up", args=[order.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def deviation_answer(request, pk, deviation_pk):
    order, _side, _roles = _party(request, pk, PROVIDER)
    deviation = selectors.deviation_of(order, deviation_pk)
    access.require(deviation is not None and deviation.status != Deviation.Status.CLOSED)
    return _edit(
        request,
        DeviationAnswerForm(
            request.POST or None, prefix="reply", initial={"response": deviation.response}
        ),
        lambda f: services.deviation_answer(
            actor=request.user, deviation=deviation, **f.cleaned_data
        ),
        title=_title(
            _("Answer the deviation “%(kind)s”") % {"kind": deviation.get_kind_display()}, order
        ),
        success=_("Your response was saved."),
        order=order,
        submit=_("Send the response"),
        anchor="#deviations",
        to=reverse("orders:follow_up", args=[order.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_rate(request, pk):
    order, _side, _roles = _party(request, pk, PURCHASER)
    return _edit(
        request,
        RatingForm(request.POST or None, prefix="rating"),
        lambda f: services.rate(actor=request.user, order=order, **f.cleaned_data),
        title=_title(_("Rate the delivery"), order),
        success=_("Thank you: your rating was saved."),
        order=order,
        submit=_("Save the rating"),
        anchor="#rating",
        to=reverse("orders:follow_up", args=[order.pk]),
    )


# --- Delivery import and satisfaction ---------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def delivery_import(request):
    """Delivery lines from the provider's time system: upload, preview, confirm."""
    from ordna.orders.forms import DeliveryImportConfirmForm, DeliveryImportForm

    units = access.handling_units(request.user)
    access.require(bool(units) and access.can_write(request.user))
    provider_ids = {u.pk for u in units}
    form, checked, confirm, problem = DeliveryImportForm(), None, None, ""
    if request.method == "POST" and "key" in request.POST:
        step2 = DeliveryImportConfirmForm(request.POST)
        if step2.is_valid():
            try:
                result = imports.import_deliveries(
                    actor=request.user,
                    rows=step2.cleaned_data["rows"],
                    provider_ids=provider_ids,
                    key=step2.cleaned_data["key"],
                )
            except ValidationError as exc:
                problem = exc.messages[0]
            else:
                messages.success(
                    request,
                    _("%(created)s delivery lines imported; %(skipped)s were already there.")
                    % result,
                )
                return redirect("orders:queue")
        else:
            problem = _("Upload the file again.")
    elif request.method == "POST":
        form = DeliveryImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = imports.read(upload)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                checked = imports.check(rows, provider_ids)
                if not any(r["errors"] for r in checked):
                    confirm = DeliveryImportConfirmForm(
                        initial={
                            "rows": [[line, cells] for line, cells in rows],
                            "key": imports.file_key(upload),
                            "file_name": upload.name[:200],
                        }
                    )
    return render(
        request,
        "orders/delivery_import.html",
        {
            "form": form,
            "checked": checked,
            "bad": sum(1 for r in checked or [] if r["errors"]),
            "confirm": confirm,
            "problem": problem,
        },
    )


@login_required
def satisfaction(request):
    """Satisfaction per service area and service, and deviations per service and unit."""
    access.require(access.is_signed_in(request.user))
    by_area = stats.satisfaction_by_area()
    areas = [(a, by_area.get(a.pk)) for a in ServiceArea.objects.order_by("name")]
    return render(
        request,
        "orders/satisfaction.html",
        {
            "areas": areas,
            "services": stats.satisfaction_by_service(),
            "deviations": stats.deviations_by_service_and_unit(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_volume(request, pk):
    """A call-off against its agreement's volume; the purchaser representative approves a
    draft above it (needed when the agreement stops call-offs above the volume)."""
    order = access.access_order(request.user, pk)
    may_approve = access.can_approve_over_volume(request.user, order)
    status = services.volume_status(order)
    form = VersionedForm(request.POST or None, initial={"version": order.version})
    if request.method == "POST":
        access.require(may_approve)
        if form.is_valid():
            try:
                services.approve_over_volume(
                    actor=request.user, order=order, version=form.cleaned_data["version"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The order may now pass the agreed volume."))
                return redirect(order.get_absolute_url())
    return render(
        request,
        "orders/volume.html",
        {
            "order": order,
            "status": status,
            "form": form,
            "can_approve": may_approve
            and order.state == State.DRAFT
            and bool(status and status["over"])
            and not order.volume_approved_by_id,
        },
    )


# --- The council's cap on external sales ---------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def external_cap(request):
    """The council's cap on the provider's external sales: the cap in force, the history of
    decisions, each provider's external share this year; registrars record a new cap."""
    user = request.user
    access.require(access.can_read_external_cap(user))
    may_set = access.can_set_external_cap(user)
    form = ExternalCapForm(request.POST or None) if may_set else None
    if request.method == "POST":
        access.require(may_set)
        if form.is_valid():
            try:
                cap = services.external_cap_set(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The cap of %(percent)s %% from %(day)s was recorded.")
                    % {"percent": cap.percent, "day": cap.valid_from.isoformat()},
                )
                return redirect("orders:external_cap")
    day = selectors.today()
    caps = stats.external_caps(day)
    return render(
        request,
        "orders/external_cap.html",
        {
            "day": day,
            "caps": caps,
            "shares": stats.external_sales_by_provider(day.year, day, caps.current),
            "form": form,
        },
    )
