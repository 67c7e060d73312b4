"""Template context every page's navbar and sidebar need."""

from __future__ import annotations

from django.http import HttpRequest

from erp.core.sample_data import notifications_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """`active`: the section the sidebar highlights; `notifications`: the signed-in user's bell."""
    match = request.resolver_match
    return {
        "active": match.app_name if match else "",
        "notifications": notifications_for(request.user),
    }
