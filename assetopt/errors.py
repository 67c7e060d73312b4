"""The one error tree of assetopt: every error names the file, the line, the problem and the fix.

The core raises these; only the ``cli`` package (and the Django edge) turn them into exit codes or messages.
"""
from __future__ import annotations

__all__ = [
    "AssetoptError",
    "ConfigError",
    "TemplateError",
    "TemplateNotFound",
    "InheritanceCycle",
]


class AssetoptError(Exception):
    """Base class. ``path`` and ``lineno`` locate the problem; ``hint`` says what to do."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        lineno: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.lineno = lineno
        self.hint = hint

    @property
    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.lineno}" if self.lineno else self.path

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.path else self.message
        return f"{text} ({self.hint})" if self.hint else text


class ConfigError(AssetoptError):
    """Bad configuration: an unknown key, a missing directory, a wrong type."""


class TemplateError(AssetoptError):
    """A template that cannot be read or understood."""


class TemplateNotFound(TemplateError):
    """An ``{% extends %}`` or ``{% include %}`` names a template that no template dir has."""


class InheritanceCycle(TemplateError):
    """``{% extends %}`` chains that loop back on themselves."""
