from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from erp.accounts.forms import DEFAULT_PREFERENCES, PreferencesForm


def profile(request: HttpRequest) -> HttpResponse:
    permissions = sorted(request.user.get_all_permissions())
    return render(request, "accounts/profile.html", {"permissions": permissions})


@require_http_methods(["GET", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    preferences = request.session.get("preferences", DEFAULT_PREFERENCES)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            request.session["preferences"] = form.cleaned_data
            messages.success(request, _("Your preferences were saved."))
            return redirect("accounts:settings")
    else:
        form = PreferencesForm(initial=preferences)
    users = get_user_model().objects.order_by("username") if request.user.has_perm("auth.view_user") else None
    return render(request, "accounts/settings.html", {"form": form, "users": users})
