from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "erp.sales"
