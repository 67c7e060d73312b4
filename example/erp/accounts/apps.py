from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "erp.accounts"
