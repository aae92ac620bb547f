"""Sign-in and sign-out, the staff directory, roles, and personal API tokens."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ordna.accounts import access, selectors, services
from ordna.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    MembershipForm,
    PasswordChangeForm,
    PersonEditForm,
    PersonForm,
    PersonSearchForm,
)
from ordna.accounts.middleware import SESSION_KEY
from ordna.core.forms import EndForm, add_service_errors, form_page


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[SESSION_KEY] = time.time()
        services.record_sign_in(user=form.get_user())
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.GET.get("expired") == "1"
        return context


@require_POST
def logout_view(request):
    user = request.user
    if user.is_authenticated:
        services.record_sign_out(user=user)
    return auth_views.LogoutView.as_view()(request)


@login_required
def person_list(request):
    form = PersonSearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    people = selectors.user_list(search=q, include_inactive=access.can_manage_people(request.user))
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/person_list.html",
        {
            "form": form,
            "page": page,
            "can_edit": access.can_manage_people(request.user),
        },
    )


@login_required
def person_detail(request, pk):
    person = access.access_person(request.user, pk)
    memberships = selectors.membership_history(person)
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "memberships": memberships,
            "can_edit": access.can_manage_people(request.user),
            "can_audit": access.can_read_audit_trail(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    access.require(access.can_manage_people(request.user))
    return form_page(
        request,
        PersonForm(request.POST or None),
        lambda data: services.user_create(actor=request.user, **data),
        title=_("Add a person"),
        cancel="accounts:person_list",
        success_message=lambda person: _("%(name)s was added.") % {"name": person},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = access.access_person_any(request.user, pk)
    return form_page(
        request,
        PersonEditForm(request.POST or None, instance=person),
        lambda data: services.user_update(actor=request.user, user=person, **data),
        title=_("Change %(name)s") % {"name": person},
        success_message=_("The changes were saved."),
        obj=person,
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/form.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        user = services.password_change(
            user=self.request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password was changed."))
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Change your password")
        context["cancel"] = "core:home"
        return context


@login_required
@require_http_methods(["GET", "POST"])
def membership_grant(request, pk):
    person = access.access_person_any(request.user, pk)
    return form_page(
        request,
        MembershipForm(request.POST or None),
        lambda data: services.membership_grant(actor=request.user, user=person, **data),
        title=_("Give %(name)s a role") % {"name": person},
        success_message=_("The role was granted."),
        redirect_to=lambda saved: person.get_absolute_url(),
        obj=person,
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request, pk):
    membership = access.access_membership(request.user, pk)
    return form_page(
        request,
        EndForm(request.POST or None),
        lambda data: services.membership_end(actor=request.user, membership=membership, **data),
        title=_("End the role %(role)s") % {"role": membership},
        success_message=_("The role was ended."),
        redirect_to=lambda saved: saved.user.get_absolute_url(),
        obj=membership.user,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    access.require(access.can_use_api_tokens(request.user))
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                actor=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/token_list.html",
        {
            "form": form,
            "tokens": selectors.tokens_of(request.user),
            "new_key": new_key,
        },
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = access.access_api_token(request.user, pk)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return redirect("accounts:token_list")
