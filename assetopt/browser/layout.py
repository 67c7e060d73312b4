"""The layout pass of ``optimize --browser``: where each ``<img>`` of the templates lands on the page.

Before the rewrite, the pages are rendered by Django from a *probe copy* of the project's template
dirs in which every ``<img>`` carries ``data-assetopt-img="<template>:<offset>"`` (``probe_source``;
the offset is the tag's in the real template), so every rendered element maps back to the exact tag,
inside loops and includes too. Each page is loaded in Chromium once per ``SCREENS`` entry (Lighthouse's
mobile and desktop devices) from the sources (bundling off, the static dirs served), and at that load
the pass records which tag Chromium reports as the LCP element and which tags are displayed and in
the first screen. Then every image is made to load (so an unsized one has its real width) and the
viewport is resized to the screen's other widths (``Screen.also``; layout only, no reload) to read
each tag's rendered CSS width at every ``VIEWPORTS`` width. What the rewrite makes of it is
``rewrite/layout_facts.py``.

The result is cached by content (``.assetopt-cache/layout/``): the rendered probe pages, the bytes of
every file of the static dirs, the screens and ``LAYOUT_VERSION``. An unchanged project renders its
pages with Django again (cheap) but loads nothing in Chromium.

Nothing is written outside a temporary directory and the cache. Never prints.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import TemplateError
from ..io.cache import ContentCache, sha256
from ..io.project import Project, walk_files
from ..rewrite.edits import Edit, apply_edits
from ..rewrite.layout_facts import LAYOUT_VERSION, ImageLayout, Layout, PageLayout, layout_from_json, layout_to_json
from ..screens import SCREENS, Screen
from ..templates.model import Template, block_spans
from ..templates.tags import OpaqueTag, StartTag

__all__ = ["PROBE_ATTR", "probe_source", "write_probe", "measure_layout"]

PROBE_ATTR = "data-assetopt-img"
_STEP = "layout"

# Installed before any page script: the element of the last LCP candidate (what Chromium reports).
_LCP_JS = """
(() => {
  window.__assetoptLcp = null;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__assetoptLcp = e.element || null;
    }).observe({type: 'largest-contentful-paint', buffered: true});
  } catch (err) {}
})();
"""
# At the load: per marked element [key, displayed, box intersects the viewport, is the LCP element].
_AT_LOAD_JS = """
(attr) => {
  const lcp = window.__assetoptLcp, h = window.innerHeight, w = window.innerWidth;
  return [...document.querySelectorAll('img[' + attr + ']')].map(i => {
    const r = i.getBoundingClientRect();
    const shown = r.width > 0 && r.height > 0 && getComputedStyle(i).visibility !== 'hidden';
    return [i.getAttribute(attr), shown, shown && r.bottom > 0 && r.top < h && r.right > 0 && r.left < w, i === lcp];
  });
}
"""
# Every image loaded (a lazy one below the fold and without a size has no width until it is), so the
# widths read next are the final layout's.
_LOAD_ALL_JS = """
async () => {
  for (const i of document.images) if (i.loading === 'lazy') i.loading = 'eager';
  await Promise.all([...document.images].map(i => i.complete ? null :
    new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); setTimeout(r, 5000); })));
}
"""
_WIDTHS_JS = """
async (attr) => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return [...document.querySelectorAll('img[' + attr + ']')].map(i => {
    const r = i.getBoundingClientRect();
    return [i.getAttribute(attr), getComputedStyle(i).visibility !== 'hidden' && r.height > 0 ? r.width : 0];
  });
}
"""


def _quiet(_message: str) -> None:
    return None


def probe_source(template: Template) -> str | None:
    """``template``'s source with ``data-assetopt-img="<name>:<offset>"`` right after ``<img`` of
    each image tag (readable or opaque); None when it has none. Tags inside ``{% blocktrans %}`` are
    left alone (the rewrite never edits them, and a changed message id would lose its translation)."""
    translated = block_spans(template, ("blocktrans", "blocktranslate"))
    edits = []
    for item in template.items:
        if not isinstance(item, (StartTag, OpaqueTag)) or item.name != "img" or any(a < item.start < b for a, b in translated):
            continue
        at = item.start + len("<img")
        if template.source[at : at + 1] not in (" ", "\t", "\n", "\r", "\f", "/", ">", "{"):
            continue
        value = f"{template.name}:{item.start}".replace("&", "&amp;").replace('"', "&quot;")
        edits.append(Edit(at, at, f' {PROBE_ATTR}="{value}"', "images", item.lineno, "layout probe"))
    return apply_edits(template.source, edits, template.path) if edits else None


def write_probe(project: Project, dest: Path) -> tuple[Path, ...]:
    """A copy of every template dir of the project under ``dest`` (``probe-1``, ``probe-2`` ... in the
    configured order) with its templates marked by ``probe_source``; the copied dirs."""
    roots = []
    for n, root in enumerate(project.config.templates, 1):
        target_root = dest / f"probe-{n}"
        for name, src in walk_files(root):  # symlinked dirs followed, as Django (and the audit) follow them
            if not src.is_file():
                continue
            target = target_root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            marked = None
            found = project.find_template(name)
            if found is not None and found.resolve() == src.resolve():
                try:
                    marked = probe_source(project.load(name))
                except TemplateError:
                    marked = None  # reported where it is audited and rewritten; rendered as it is
            if marked is None:
                shutil.copyfile(src, target)
            else:
                target.write_text(marked, "utf-8")
        roots.append(target_root)
    return tuple(roots)


def _static_digest(config: Config) -> str:
    """One hash of every file of the static dirs (name and bytes): CSS, fonts and images decide the layout."""
    parts = []
    for n, root in enumerate(config.static):
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = Path(folder) / name
                parts.append(f"{n}:{path.relative_to(root).as_posix()}:{sha256(path.read_bytes())}")
    return sha256("\n".join(parts).encode("utf-8"))


def _cache_key(rendered: Mapping[str, Mapping[str, Any]], static_digest: str) -> str:
    what = {
        "version": LAYOUT_VERSION,
        "screens": [[s.name, s.width, s.height, s.dpr, s.mobile, list(s.also)] for s in SCREENS],
        "pages": [[url, page.get("template"), page["html"]] for url, page in rendered.items()],
        "static": static_digest,
    }
    return sha256(json.dumps(what, sort_keys=True).encode("utf-8"))


def _key_of(value: str) -> tuple[str, int] | None:
    name, sep, offset = value.rpartition(":")
    return (name, int(offset)) if sep and offset.isdigit() else None


def _measure_screen(
    session: Any, address: str, screen: Screen
) -> tuple[dict[tuple[str, int], dict[str, Any]], dict[tuple[str, int], dict[int, float]]]:
    """(key -> at-load facts, key -> viewport -> widest copy) of one page at one screen."""
    ctx = session.new_context(
        viewport={"width": screen.width, "height": screen.height},
        device_scale_factor=screen.dpr,
        is_mobile=screen.mobile,
        has_touch=screen.mobile,
    )
    try:
        page = ctx.new_page()
        page.add_init_script(_LCP_JS)
        page.goto(address, wait_until="load", timeout=60_000)
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            page.wait_for_load_state("networkidle", timeout=10_000)
        except PlaywrightTimeout:
            pass  # a page that polls never goes idle: what loaded by then is its first screen
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
        facts: dict[tuple[str, int], dict[str, Any]] = {}
        for value, shown, in_view, is_lcp in page.evaluate(_AT_LOAD_JS, PROBE_ATTR):
            key = _key_of(str(value))
            if key is None:
                continue
            f = facts.setdefault(key, {"copies": 0, "shown": False, "every_in_view": True, "lcp": False})
            f["copies"] += 1
            f["shown"] = f["shown"] or bool(shown)
            if shown and not in_view:
                f["every_in_view"] = False
            f["lcp"] = f["lcp"] or bool(is_lcp)
        page.evaluate(_LOAD_ALL_JS)
        widths: dict[tuple[str, int], dict[int, float]] = {}
        for viewport in (screen.width, *screen.also):
            page.set_viewport_size({"width": viewport, "height": screen.height})
            for value, width in page.evaluate(_WIDTHS_JS, PROBE_ATTR):
                key = _key_of(str(value))
                if key is not None:
                    slot = widths.setdefault(key, {})
                    slot[viewport] = max(slot.get(viewport, 0.0), float(width))
        return facts, widths
    finally:
        ctx.close()


def _page_layout(
    url: str,
    template: str | None,
    screens: list[tuple[Screen, tuple[dict[tuple[str, int], dict[str, Any]], dict[tuple[str, int], dict[int, float]]]]],
) -> PageLayout:
    keys = sorted({k for _, (facts, _) in screens for k in facts})
    images = {}
    for key in keys:
        widths: dict[int, float] = {}
        shown, first, lcp = set(), set(), set()
        copies = 1
        for screen, (facts, measured) in screens:
            f = facts.get(key)
            if f is None:
                continue
            copies = max(copies, int(f["copies"]))
            if f["shown"]:
                shown.add(screen.name)
                if f["every_in_view"]:
                    first.add(screen.name)
            if f["lcp"]:
                lcp.add(screen.name)
            widths.update(measured.get(key, {}))
        images[key] = ImageLayout(tuple(sorted(widths.items())), frozenset(shown), frozenset(first), frozenset(lcp), copies)
    return PageLayout(url, template, images)


def measure_layout(
    config: Config,
    *,
    settings_module: str,
    pythonpath: Path,
    urls: list[str],
    user: str | None = None,
    env: Mapping[str, str] | None = None,
    progress: Callable[[str], None] = _quiet,
) -> Layout:
    """The layout of ``urls`` (paths or URL names; as ``user`` if given) as the project's sources
    render them, from the cache when nothing it depends on changed."""
    from .chromium import open_browser, serve
    from .snapshots import render_django_pages, served_path, write_snapshots

    project = Project(config)
    cache = ContentCache(config.cache_dir)
    with tempfile.TemporaryDirectory(prefix="assetopt-layout-") as tmp:
        probe_dirs = write_probe(project, Path(tmp) / "templates")
        progress(f"rendering {len(urls)} page(s) from a probe copy of the templates (the layout pass)")
        rendered = render_django_pages(
            settings_module, pythonpath, urls, env, templates_dirs=probe_dirs, assetopt={"BUNDLES": False}, user=user, served=config.static
        )
        key = _cache_key(rendered, _static_digest(config))
        cached = cache.get(_STEP, key)
        if cached is not None:
            try:
                found = layout_from_json(json.loads(cached))
            except ValueError:
                found = None
            if found is not None:
                progress("layout pass: unchanged pages and static files, measured layout reused from the cache")
                return found
        snapshots = Path(tmp) / "pages"
        write_snapshots(rendered, snapshots)
        static_prefix = "/" + config.static_url.strip("/") + "/"
        pages = []
        with open_browser() as chromium, serve({"/": snapshots, static_prefix: list(config.static)}) as base:
            for url, page in rendered.items():
                progress(f"layout pass: measuring {url} in Chromium at {' and '.join(f'{s.width} px' for s in SCREENS)}")
                measured = [(screen, _measure_screen(chromium, base + served_path(url), screen)) for screen in SCREENS]
                pages.append(_page_layout(url, page.get("template"), measured))
            layout = Layout(tuple(pages), chromium.version)
    cache.put(_STEP, key, json.dumps(layout_to_json(layout), sort_keys=True).encode("utf-8"))
    return layout
