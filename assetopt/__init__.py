"""assetopt: audit, bundle, rewrite and verify the frontend of server-rendered Django sites."""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import AssetoptError, ConfigError, InheritanceCycle, TemplateError, TemplateNotFound

__all__ = ["__version__", "AssetoptError", "ConfigError", "TemplateError", "TemplateNotFound", "InheritanceCycle"]
