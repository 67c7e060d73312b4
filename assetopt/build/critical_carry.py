"""Critical CSS across builds: a build (``assetopt build``, collectstatic with the assetopt storage)
carries a bundle's critical CSS over from the manifest it replaces when, and only when, everything it
was measured from is byte-identical; otherwise it drops it, as a build always did, and says so.

What a measurement records (``ManifestCritical``) and what must still hold:

- ``algorithm``: ``CRITICAL_ALGORITHM`` of this assetopt (how CSS is probed and selected);
- ``integrity``: the SRI value of the bundle file measured equals the new build's file for the same
  bundle key (names are not compared: Django's hashed name, and ``assetopt build``'s, change with the
  content; the key is the bundle's asset list);
- ``templates_digest``: ``templates_digest`` of the project now equals the one at measurement time
  (every template name the project and its libraries provide, and its bytes);
- the bundle is still one file with ``media`` all (what ``critical`` measures at all).

A manifest of an older assetopt, without these fields, never carries over. Anything that is not a
template or the bundle (views, data, scripts, settings) is not seen: ``docs/critical-css.md``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..errors import ManifestError
from ..io.project import Project
from .critical import CRITICAL_ALGORITHM
from .manifest import Manifest, ManifestBundle, load_manifest

__all__ = ["templates_digest", "previous_manifest", "carry_critical", "MEASURE_AGAIN"]

MEASURE_AGAIN = "run `assetopt critical` (or manage.py assetopt critical) to measure it again"


def templates_digest(project: Project) -> str:
    """A digest over every template name ``project`` resolves (its own dirs and its libraries') and
    that file's bytes: any template added, removed, renamed or edited changes it."""
    digest = hashlib.sha256()
    for name in project.all_template_names():
        path = project.find_template(name)
        if path is None:
            continue
        try:
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            content = f"unreadable: {exc.strerror or exc}"  # never equal to a readable file's digest
        digest.update(f"{len(name)}:{name}\0{content}\n".encode())
    return "sha256-" + base64.b64encode(digest.digest()).decode("ascii")


def previous_manifest(path: Path) -> tuple[Manifest | None, list[str]]:
    """The manifest a build is about to replace (None when there is none), and a line when it cannot
    be read (its critical CSS, if it had any, is then not carried over)."""
    try:
        return load_manifest(path), []
    except FileNotFoundError:
        return None, []
    except ManifestError as exc:
        return None, [f"critical CSS: none carried over, the previous manifest is unreadable ({exc})"]


def _why_not(key: str, old: ManifestBundle, new: ManifestBundle | None, templates: Callable[[], str]) -> str:
    """Why ``old``'s critical CSS does not hold for ``new``, or "" when it does."""
    c = old.critical
    assert c is not None
    if new is None:
        return "no template uses the bundle any more"
    if c.algorithm is None or c.integrity is None or c.templates_digest is None:
        return "it was measured by an older assetopt, which did not record what it was measured from"
    if c.algorithm != CRITICAL_ALGORITHM:
        return f"it was measured by critical CSS algorithm {c.algorithm}, this assetopt has {CRITICAL_ALGORITHM}"
    if new.kind != "css" or len(new.files) != 1 or new.semantics != "all" or new.files[0].integrity != c.integrity:
        return "the bundle changed since it was measured"
    if templates() != c.templates_digest:
        return "templates changed since it was measured"
    return ""


def carry_critical(previous: Manifest | None, built: Manifest, templates: Callable[[], str]) -> tuple[Manifest, list[str], list[str]]:
    """``built`` with the critical CSS of ``previous`` carried over where it still holds (the entry as
    it was, byte for byte), and one line per bundle that had critical CSS: those dropped (why, and
    what to run), then those kept (measured when, on which pages). ``templates`` gives the project's
    ``templates_digest`` now (called at most once, and only when a bundle is otherwise unchanged)."""
    if previous is None:
        return built, [], []
    digest: list[str] = []

    def current() -> str:
        if not digest:
            digest.append(templates())
        return digest[0]

    bundles = dict(built.bundles)
    dropped: list[str] = []
    kept: list[str] = []
    for key, old in sorted(previous.bundles.items()):
        if old.critical is None:
            continue
        new = bundles.get(key)
        name = (new or old).files[0].name
        why = _why_not(key, old, new, current)
        if why:
            dropped.append(f"critical CSS of {name} dropped: {why}; {MEASURE_AGAIN}")
            continue
        assert new is not None
        bundles[key] = replace(new, critical=old.critical)
        pages = ", ".join(old.critical.pages)
        kept.append(f"critical CSS of {name} kept: measured {old.critical.measured_at} on {pages}; the bundle and the templates are unchanged")
    return replace(built, bundles=bundles), dropped, kept
