from __future__ import annotations

from django.apps import AppConfig


class AssetoptConfig(AppConfig):
    name = "assetopt.contrib.django"
    label = "assetopt"
    verbose_name = "assetopt"
