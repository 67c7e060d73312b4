"""``settings.ASSETOPT``, read when used so ``override_settings`` works.

Keys (all optional):
- ``BUNDLES``: render ``{% bundle %}`` blocks as one built file (default: ``not DEBUG``). ``False`` renders
  the original tags: the rollback, no template edit needed.
- ``STRICT``: a bundle that was not built raises (default ``False``: original tags + one warning).
- ``MANIFEST``: path of ``assetopt-manifest.json`` (default: ``STATIC_ROOT/assetopt-manifest.json``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ...manifest import MANIFEST_NAME

KNOWN = {"BUNDLES", "STRICT", "MANIFEST"}


def options() -> dict[str, Any]:
    raw = getattr(settings, "ASSETOPT", {}) or {}
    unknown = set(raw) - KNOWN
    if unknown:
        raise ImproperlyConfigured(f"ASSETOPT has unknown key(s) {sorted(unknown)}; known: {sorted(KNOWN)}")
    return raw


def bundles_enabled() -> bool:
    value = options().get("BUNDLES")
    return (not settings.DEBUG) if value is None else bool(value)


def strict() -> bool:
    return bool(options().get("STRICT", False))


def manifest_path() -> Path | None:
    value = options().get("MANIFEST")
    if value:
        return Path(value)
    root = getattr(settings, "STATIC_ROOT", None)
    return Path(root) / MANIFEST_NAME if root else None
