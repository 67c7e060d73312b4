"""The bundles a build makes: every ``{% bundle %}`` block of the project's templates (found by scanning,
never by rendering) and every bundle declared in ``[tool.assetopt.bundles.NAME]``."""

from __future__ import annotations

import posixpath
import re

from ..config import DeclaredBundle
from ..errors import AssetoptError, BundleSpecError, TemplateError
from ..io.project import Project
from ..templates.bundle_blocks import BundleBlock, BundleVariant, bundle_blocks, bundle_key

__all__ = ["declared_block", "find_bundle_blocks"]

_BUNDLE_RE = re.compile(rb"\{%-?\s*bundle\b")


def find_bundle_blocks(project: Project) -> tuple[list[BundleBlock], list[AssetoptError]]:
    """Every bundle block, and the errors of the templates that hold a ``{% bundle %}`` tag (or might:
    one that cannot be read). Only those files are parsed: the others cannot matter to the build,
    which keeps this cheap enough for Django's system checks, which run it on every command."""
    blocks: list[BundleBlock] = []
    errors: list[AssetoptError] = []
    for name in project.all_template_names():
        path = project.find_template(name)
        if path is None:
            continue
        try:
            raw = path.read_bytes()
        except OSError as exc:
            errors.append(
                TemplateError(f"cannot read: {exc.strerror or exc}", path=project.display(path), hint="fix its permissions, or add it to exclude")
            )
            continue
        if _BUNDLE_RE.search(raw) is None:
            continue
        try:
            blocks.extend(bundle_blocks(project.load(name), project.config.static_url))
        except (TemplateError, BundleSpecError) as exc:
            errors.append(exc)
    return blocks, errors


def declared_block(d: DeclaredBundle, source: str) -> BundleBlock:
    """A bundle from ``[tool.assetopt.bundles.NAME]``, keyed exactly like a block listing the same files."""
    paths = tuple(posixpath.normpath(f) for f in d.files)
    variant = BundleVariant(d.kind, paths, d.semantics, bundle_key(d.kind, paths, d.semantics))
    return BundleBlock(template=f"{source} [bundles.{d.name}]", name=d.name, lineno=0, kind=d.kind, variants=(variant,))
