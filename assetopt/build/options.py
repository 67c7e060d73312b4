"""What a build is asked to do (``BuildOptions``) and what it reports having done (``BuildResult``): values, no work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BundleWarning
from .images import ImageStats
from .manifest import MANIFEST_NAME, Manifest
from .precompress import PrecompressStats

__all__ = ["BuildOptions", "BuildResult"]


@dataclass(frozen=True)
class BuildOptions:
    out: Path
    hashed_names: bool = True  # False under Django's ManifestStaticFilesStorage, which hashes itself
    minify: bool = True
    copy_static: bool = True
    precompress: bool = True
    jobs: int | None = None
    write_manifest: bool = True  # False: the caller writes it (Django's storage, after its own hashing)
    manifest: Path | None = None  # where it is written (and earlier critical CSS read): None is out/assetopt-manifest.json
    images: bool = True  # with config ``images``: optimize images in ``out``, add variants and widths
    lock_timeout: float = 600.0  # seconds to wait for another build of the same ``out`` (or cache) to finish
    on_wait: Callable[[str], None] | None = None  # told once when this build has to wait for another

    @property
    def manifest_target(self) -> Path:
        """Where this build's manifest goes: ``manifest`` when given, else ``out``'s own."""
        return self.manifest if self.manifest is not None else self.out / MANIFEST_NAME


@dataclass
class BuildResult:
    manifest: Manifest
    warnings: list[BundleWarning] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # output files written or replaced (relative)
    copied: int = 0
    removed: list[str] = field(default_factory=list)
    precompress: PrecompressStats = field(default_factory=PrecompressStats)
    cache_hits: int = 0
    cache_misses: int = 0
    images: ImageStats = field(default_factory=ImageStats)
    scripts_minified: int = 0  # scripts minified (and damage-checked) in this run: cache misses
    templates_parsed: int = 0  # parsed to choose brotli quality (the rest were cached answers)
    stylesheets_expanded: list[str] = field(default_factory=list)  # bundled stylesheets re-expanded (cache misses), in order
    critical: list[str] = field(default_factory=list)  # critical CSS carried over from the manifest replaced, or dropped (why)
