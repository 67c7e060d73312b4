from django.urls import path

from erp.reports import views

app_name = "reports"

urlpatterns = [
    path("sales/", views.sales_report, name="sales_report"),
    path("inventory/", views.inventory_report, name="inventory_report"),
]
