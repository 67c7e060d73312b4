from django.urls import path

from erp.sales import views

app_name = "sales"

urlpatterns = [
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/quote/", views.order_quote, name="order_quote"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/invoice/", views.invoice, name="invoice"),
    path("customers/", views.customers, name="customers"),
]
