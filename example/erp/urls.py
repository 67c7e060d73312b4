"""URLs: every page lives under a language prefix (`/en/...`, `/ar/...`)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("", include("erp.core.urls")),
    path("sales/", include("erp.sales.urls")),
    path("inventory/", include("erp.inventory.urls")),
    path("hr/", include("erp.hr.urls")),
    path("reports/", include("erp.reports.urls")),
    path("accounts/", include("erp.accounts.urls")),
)
