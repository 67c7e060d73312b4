"""The one error tree of assetopt: every error names the file, the line, the problem and the fix.

The core raises these; only the ``cli`` package (and the Django edge) turn them into exit codes or messages.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AssetoptError",
    "ConfigError",
    "TemplateError",
    "TemplateNotFound",
    "InheritanceCycle",
    "BundleWarning",
    "BundleError",
    "EditConflict",
    "BundleSpecError",
    "BuildError",
    "RewriteRefused",
    "FactsUnavailable",
    "ManifestError",
    "StaticReferenceError",
    "CompressError",
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


@dataclass(frozen=True, slots=True)
class BundleWarning:
    path: str  # the source file concerned
    lineno: int | None
    message: str  # what happened and what was done


class BundleError(AssetoptError):
    """A bundle that cannot be built as asked: a missing or cyclic local ``@import``."""


class EditConflict(AssetoptError):
    """Two edits touch the same text: a bug in a transform, never resolved by guessing."""


class BundleSpecError(AssetoptError):
    """A ``{% bundle %}`` block that cannot be built as written."""


class BuildError(AssetoptError):
    """One or more bundles cannot be built; ``errors`` lists each with its file and line."""

    def __init__(self, errors: list[AssetoptError]) -> None:
        # one line per problem: a block's RTL and LTR variants missing the same file is one problem
        errors = list({str(e): e for e in errors}.values())
        lines = "\n".join(f"  {e}" for e in errors)
        super().__init__(f"{len(errors)} bundle problem(s), nothing written:\n{lines}")
        self.errors = errors


class RewriteRefused(AssetoptError):
    """``--write`` refused: a rewritten template would not compile. Nothing was written."""


class FactsUnavailable(AssetoptError):
    """The Django settings import, but what they say about the templates (context processors, tag
    libraries) could not be gathered: an app's ``ready()`` or a processor's import failed."""


class ManifestError(AssetoptError):
    pass


class StaticReferenceError(AssetoptError):
    """A CSS/JS file of the collected static files refers to something Django cannot hash."""


class CompressError(AssetoptError):
    """django-compressor's offline compression failed, or left a ``{% compress %}`` block out of its manifest."""
