from __future__ import annotations

from django.apps import AppConfig


class AssetoptConfig(AppConfig):
    name = "assetopt.contrib.django"
    label = "assetopt"
    verbose_name = "assetopt"

    def ready(self) -> None:
        from .checks import register_checks

        register_checks()  # system checks assetopt.E001..., tag "assetopt" (see checks.py)
