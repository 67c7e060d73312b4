from django.apps import AppConfig


class HRConfig(AppConfig):
    name = "erp.hr"
