from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "erp.inventory"
