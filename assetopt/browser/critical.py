"""Critical CSS measured in Chromium: what each page's first screen uses, and proof it paints the same.

``critical_pass`` is the browser half of critical CSS (``build/critical.py`` is the pure half):

1. render the pages with the full bundles (``CRITICAL_CSS`` off) and load each at Lighthouse's mobile
   and desktop viewports (``screens.SCREENS``, at DPR 1); in the page, ask which of the bundle's probe
   selectors match an element whose top is above the fold (an element without a box, ``display:none``,
   counts where its nearest ancestor with a box is: the rule hiding a closed menu is critical), or an
   element that keeps its intrinsic width unstyled (``img``, ``table``, ``pre``...) or holds one,
   anywhere on the page (a wide table below the fold, its ``overflow-x: auto`` wrapper unstyled,
   widens the page and shifts the first screen sideways on mobile and in RTL):
   penthouse's method, on the bundle's own text; a selector that matches nothing after load but an
   element of the page as sent (before its scripts ran: Alpine's ``[x-cloak]``) is critical too;
2. per bundle, the union over pages and viewports, size-capped, recorded in the manifest (every
   ``@media`` around a kept rule stays: ``build/critical.py`` says why);
3. render the pages again with the critical CSS inlined and prove the first paint: the first screen
   with the full bundle's request aborted (only the inlined CSS) against the fully loaded first screen,
   at both viewports, within the screenshot-diff threshold and with every element of the first screen
   in the same box with the same visible style (a lost border is far under the threshold). A page
   that fails takes the critical CSS of its bundles out of the manifest again, with the reason.

Never writes outside ``out`` (snapshots, screenshots) and the manifest; never prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..build import integrity
from ..build.critical import CRITICAL_MAX, CriticalResult, MeasuredFrom, Observation, Probes, probes_of, select_critical, write_critical
from ..build.manifest import Manifest, ManifestBundle
from ..screens import SCREENS
from ..verify.first_screen import changed_value
from .chromium import BrowserSession
from .page_js import FIRST_SCREEN_STYLES_JS, STILL_JS
from .server import serve
from .snapshots import served_path, shot_stem, write_snapshots

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["VIEWPORTS", "CriticalReport", "critical_pass", "observe", "first_paint_diff", "styled_differently"]

# name -> Playwright context options: Lighthouse's screens (``assetopt/screens.py``), at DPR 1 (the
# layout, hence what the first screen holds, does not depend on it; the screenshots are 3x smaller)
VIEWPORTS: dict[str, dict[str, Any]] = {
    s.name: {"viewport": {"width": s.width, "height": s.height}, **({"is_mobile": True, "has_touch": True} if s.mobile else {})} for s in SCREENS
}

_PROBE_JS = """
async (args) => {
  await document.fonts.ready;
  window.scrollTo({top: 0, left: 0, behavior: 'instant'});
  const h = window.innerHeight;
  // Elements that keep their intrinsic width when unstyled, and the containers that hold them: below
  // the fold too, their rules are critical, or a wide image or table further down (its scrolling
  // wrapper unstyled) widens the page and shifts the first screen sideways (in RTL, and on mobile).
  const WIDE = 'img, picture, video, iframe, canvas, svg, table, pre, embed, object, select, textarea';
  const cache = new Map();
  const above = (el) => {
    if (cache.has(el)) return cache.get(el);
    if (el.matches(WIDE) || el.querySelector(WIDE)) { cache.set(el, true); return true; }
    let e = el;
    while (e && e.getClientRects().length === 0) e = e.parentElement;
    const v = !e || e.getBoundingClientRect().top < h;
    cache.set(el, v);
    return v;
  };
  // The DOM as the HTML parser built it, before any script ran: what the first paint shows. A selector
  // that matches there but nowhere now (Alpine's [x-cloak], removed on init; html.no-js) is critical,
  // or what it hides flashes before the full stylesheet arrives (where it was cannot be measured).
  const parsed = args.html === null ? null : new DOMParser().parseFromString(args.html, 'text/html');
  const matched = [];
  for (const s of args.selectors) {
    let els;
    try { els = document.querySelectorAll(s); } catch (err) { continue; }
    if (els.length === 0) { if (parsed && parsed.querySelector(s)) matched.push(s); continue; }
    for (const el of els) { if (above(el)) { matched.push(s); break; } }
  }
  return matched;
}
"""
_SETTLE_JS = "async () => { await document.fonts.ready; await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); }"


@dataclass
class CriticalReport:
    """What ``critical_pass`` did: per bundle key its critical CSS bytes or the reason it has none, and
    per page and viewport the first-paint screenshot difference."""

    inlined: dict[str, int] = field(default_factory=dict)  # bundle key -> bytes inlined
    skipped: dict[str, str] = field(default_factory=dict)  # bundle key -> why not
    first_paint: dict[str, float] = field(default_factory=dict)  # "<url> <viewport>" -> diff fraction
    lines: list[str] = field(default_factory=list)  # for the terminal


def _open_page(session: BrowserSession, viewport: str, state: str = "") -> tuple[Any, Any]:
    """A fresh context and page at ``viewport``; ``state``, a script run before any of the page's (e.g.
    ``localStorage.setItem('theme', 'dark')``: a visitor's saved preference its own scripts read)."""
    ctx = session.new_context(**VIEWPORTS[viewport])
    if state:
        ctx.add_init_script(state)
    return ctx, ctx.new_page()


def observe(
    session: BrowserSession, url: str, viewport: str, probes: Mapping[str, Probes], state: str = ""
) -> tuple[dict[str, Observation], list[str]]:
    """Load ``url`` at ``viewport`` (the ``state`` script run first, ``_open_page``) and answer the
    probes of every stylesheet it links that is in ``probes`` (keyed by absolute URL): (stylesheet URL
    -> observation, the stylesheet URLs it links)."""
    ctx, page = _open_page(session, viewport, state)
    try:
        response = page.goto(url, wait_until="load", timeout=60_000)
        html = response.text() if response is not None and response.ok else None  # the page as sent, before scripts
        out: dict[str, Observation] = {}
        sheets: list[str] = page.evaluate("() => [...document.querySelectorAll('link[rel~=\"stylesheet\"][href]')].map(l => l.href)")
        for sheet in sheets:
            p = probes.get(sheet)
            if p is None:
                continue
            matched = page.evaluate(_PROBE_JS, {"selectors": list(p.selectors), "html": html})
            out[sheet] = Observation(urlsplit(url).path, viewport, frozenset(matched))
        return out, sheets
    finally:
        ctx.close()


def _first_screen(session: BrowserSession, url: str, viewport: str, shot: Path, block: tuple[str, ...] = (), state: str = "") -> dict[str, Any]:
    """Screenshot the first screen of ``url`` after load, with requests to ``block`` aborted and the
    ``state`` script run first (``_open_page``); returns the boxes and styles of the elements it shows
    (``page_js.FIRST_SCREEN_STYLES_JS``)."""
    ctx, page = _open_page(session, viewport, state)
    try:
        for target in block:
            page.route(target, lambda route: route.abort())
        page.goto(url, wait_until="load", timeout=60_000)
        page.wait_for_load_state("networkidle", timeout=30_000)
        page.evaluate(_SETTLE_JS)
        page.evaluate(STILL_JS)  # the styles read after the screenshot are those it shows
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=False, animations="disabled")  # as chromium.measure: the same moment each time
        return dict(page.evaluate(FIRST_SCREEN_STYLES_JS))
    finally:
        ctx.close()


def first_paint_diff(
    session: BrowserSession, url: str, viewport: str, bundle_urls: tuple[str, ...], shots: Path, state: str = "", name: str = ""
) -> tuple[float, Path, str]:
    """The fraction of the first screen that differs between the page with only its inlined critical
    CSS (``bundle_urls`` aborted: what paints before they arrive) and the page fully loaded, and the
    first-screen elements whose box or visible style differ ("" when none); both loads with the
    ``state`` script run first (a saved theme), ``name`` naming it in the screenshots' file names."""
    from ..images import screenshot_diff

    stem = f"{shot_stem(urlsplit(url).path)}-{viewport}" + (f"-{name}" if name else "")
    full, first, diff = shots / f"{stem}-loaded.png", shots / f"{stem}-first-paint.png", shots / f"{stem}-first-paint-diff.png"
    loaded = _first_screen(session, url, viewport, full, state=state)
    painted = _first_screen(session, url, viewport, first, bundle_urls, state)
    return screenshot_diff(full, first, diff), diff, styled_differently(loaded, painted)


def styled_differently(loaded: Mapping[str, Any], painted: Mapping[str, Any], limit: int = 3) -> str:
    """The elements of the loaded first screen (``FIRST_SCREEN_STYLES_JS`` answers) missing from it at
    first paint or shown there with another box or style, e.g. ``div.box: border-top-style none,
    loaded solid``; "" when none, or when the two documents differ (a script that adds content: the
    screenshots decide). An element on the first screen only at first paint (below-the-fold content
    its rules push down later, as penthouse's critical CSS has it too) is left to the screenshots."""
    if loaded.get("count") != painted.get("count"):
        return ""
    a, b = loaded.get("els", {}), painted.get("els", {})
    found: list[str] = []
    for index in sorted(a, key=int):
        if index not in b:
            found.append(f"{a[index]['name']}: not on the first screen at first paint, shown loaded")
        else:
            changed = changed_value(a[index]["v"], b[index]["v"])
            if changed:
                found.append(f"{a[index]['name']}: {changed.replace(', before ', ', loaded ')}")
    more = f" and {len(found) - limit} more" if len(found) > limit else ""
    return "; ".join(found[:limit]) + more


def critical_pass(
    session: BrowserSession,
    manifest: Manifest,
    manifest_path: Path,
    static_out: Path,
    static_url: str,
    urls: list[str],
    render: Callable[[bool], dict[str, dict[str, Any]]],
    work: Path,
    *,
    templates_digest: str,
    max_bytes: int = CRITICAL_MAX,
    threshold: float = 0.01,
    states: tuple[str, ...] = (),
    progress: Callable[[str], None] = lambda _m: None,
) -> CriticalReport:
    """Measure, record and prove the critical CSS of every one-file CSS bundle the pages ``urls`` link
    (see the module docstring). ``render(critical_on)`` renders ``urls`` (Django, the built manifest);
    snapshots and screenshots go under ``work``. Returns what it did; the manifest at ``manifest_path``
    holds the critical CSS that passed, each with what it was measured from: ``templates_digest``
    (``build.critical_carry.templates_digest`` of the templates ``render`` uses, taken before
    rendering) and the integrity of the bundle bytes measured, so a later build can carry it over.
    ``states`` (``critical_css_states``): scripts run before the page's own, each a state measured and
    proven besides the default one (``localStorage.setItem('theme', 'dark')``: a saved theme)."""
    from datetime import UTC, datetime

    measured_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = CriticalReport()
    prefix = "/" + static_url.strip("/") + "/"
    hashed = _hashed_names(static_out)
    # the file each one-file CSS bundle is served as: its name, or Django's hashed copy (collectstatic)
    by_file = {
        hashed.get(b.files[0].name, b.files[0].name): key
        for key, b in manifest.bundles.items()
        if b.kind == "css" and len(b.files) == 1 and b.semantics == "all"
    }
    for key, b in manifest.bundles.items():
        if b.kind == "css" and key not in by_file.values():
            report.skipped[key] = f"media {b.semantics!r}: not render-blocking" if b.semantics != "all" else f"split into {len(b.files)} files"
    progress(f"critical CSS: rendering {len(urls)} page(s) with the full bundles")
    full_dir = work / "snapshots" / "critical-full"
    pages = render(False)
    urls = list(pages)  # resolved paths (URL names reversed)
    write_snapshots(pages, full_dir)
    observations: dict[str, list[Observation]] = {}
    used: dict[str, set[str]] = {}  # bundle key -> pages
    page_keys: dict[str, set[str]] = {}
    with serve({"/": full_dir, prefix: static_out}) as base:
        measured = {name: (static_out / name).read_bytes() for name in by_file}
        probes = {f"{base}{prefix}{name}": probes_of(data.decode("utf-8")) for name, data in measured.items()}
        key_of = {f"{base}{prefix}{name}": key for name, key in by_file.items()}
        for url in urls:
            for viewport, (state, label) in product(VIEWPORTS, _states(states)):
                progress(f"critical CSS: measuring {url} ({viewport}{label})")
                seen, _sheets = observe(session, base + served_path(url), viewport, probes, state)
                for sheet, obs in seen.items():
                    observations.setdefault(key_of[sheet], []).append(obs)
                    used.setdefault(key_of[sheet], set()).add(url)
                    page_keys.setdefault(url, set()).add(key_of[sheet])
    results: dict[str, tuple[CriticalResult, tuple[str, ...], tuple[str, ...]]] = {}
    for sheet, key in key_of.items():
        if key not in observations:
            continue  # no measured page links it: left as it was (a plain <link>)
        result = select_critical(probes[sheet], observations[key], max_bytes)
        results[key] = (result, tuple(sorted(used[key])), tuple(VIEWPORTS))
        if result.reason:
            report.skipped[key] = result.reason
    for key in sorted(set(by_file.values()) - set(observations)):  # said: /en/ alone left the RTL variant blocking in silence
        report.skipped[key] = _not_measured(manifest.bundles[key], urls)
    inputs = MeasuredFrom(templates_digest, {key: integrity(measured[name]) for name, key in by_file.items()}, measured_at)
    manifest = write_critical(manifest, manifest_path, results, inputs)
    if not any(r.css for r, _, _ in results.values()):
        report.lines = _lines(report, manifest)
        return report
    progress("critical CSS: proving the first paint (bundles aborted vs loaded)")
    crit_dir = work / "snapshots" / "critical"
    write_snapshots(render(True), crit_dir)
    failed: dict[str, str] = {}
    with serve({"/": crit_dir, prefix: static_out}) as base:
        for url in urls:
            keys = [k for k in page_keys.get(url, ()) if manifest.bundles[k].critical is not None]
            if not keys:
                continue
            served_as = {k: name for name, k in by_file.items()}
            bundle_urls = tuple(f"{base}{prefix}{served_as[k]}" for k in keys)
            for viewport, (state, label) in product(VIEWPORTS, _states(states)):
                name = label.removeprefix(", ").replace(" ", "")
                fraction, diff, styled = first_paint_diff(session, base + served_path(url), viewport, bundle_urls, work / "shots", state, name)
                report.first_paint[f"{url} {viewport}{label}"] = fraction
                if fraction > threshold:
                    for k in keys:
                        failed.setdefault(
                            k, f"the first paint of {url} ({viewport}{label}) differs by {fraction:.2%} from the loaded page (see {diff})"
                        )
                elif styled:
                    for k in keys:
                        failed.setdefault(
                            k, f"the first paint of {url} ({viewport}{label}) shows elements otherwise than the loaded page: {styled} (see {diff})"
                        )
    if failed:
        manifest = write_critical(manifest, manifest_path, {k: (CriticalResult("", why), (), ()) for k, why in failed.items()})
        report.skipped.update(failed)
    for key, b in manifest.bundles.items():
        if b.critical is not None:
            report.inlined[key] = len(b.critical.css.encode("utf-8"))
    report.lines = _lines(report, manifest)
    return report


def _not_measured(bundle: ManifestBundle, urls: list[str], shown: int = 4) -> str:
    """Why a CSS bundle no measured page links keeps its plain ``<link>``: its files (an RTL one shows) and what to add."""
    files = ", ".join(bundle.sources[:shown]) + (f" and {len(bundle.sources) - shown} more" if len(bundle.sources) > shown else "")
    return (
        f"no measured page links it ({', '.join(urls) or 'no pages'}; its files: {files}):"
        " if a page renders it, add that page to critical_css_urls (CRITICAL_CSS_URLS), e.g. one per text direction: /en/ and /ar/"
    )


def _states(states: tuple[str, ...]) -> list[tuple[str, str]]:
    """(script, label) of the default state ("", "") and each of ``states`` (``", state 1"``...)."""
    return [("", ""), *((script, f", state {i}") for i, script in enumerate(states, 1))]


def _hashed_names(static_root: Path) -> dict[str, str]:
    """Django's ``staticfiles.json`` paths (name -> hashed name) in ``static_root``; {} without one."""
    import json

    try:
        data = json.loads((static_root / "staticfiles.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    paths = data.get("paths") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in paths.items()} if isinstance(paths, dict) else {}


def _lines(report: CriticalReport, manifest: Manifest) -> list[str]:
    out = []
    for key, size in sorted(report.inlined.items()):
        b = manifest.bundles[key]
        out.append(
            f"critical CSS: {b.files[0].name}: {size:,} bytes inlined of {b.files[0].size:,} (measured on {', '.join(b.critical.pages) if b.critical else ''})"
        )
    for key, why in sorted(report.skipped.items()):
        b = manifest.bundles[key]
        out.append(f"critical CSS: {b.files[0].name}: not inlined, {why}")
    for where, fraction in report.first_paint.items():
        out.append(f"critical CSS: first paint of {where}: {fraction:.2%} of the first screen differs from the loaded page")
    return out


def run_critical(
    config: Config,
    static_out: Path,
    work: Path,
    settings_module: str,
    pythonpath: Path,
    urls: list[str],
    *,
    templates_dirs: tuple[Path, ...] | None = None,
    env: dict[str, str] | None = None,
    user: str | None = None,
    manifest_path: Path | None = None,
    progress: Callable[[str], None] = lambda _m: None,
) -> CriticalReport:
    """``critical_pass`` for a built static root ``static_out`` (a collectstatic'd ``STATIC_ROOT`` with
    Django's hashed names too) and its manifest ``manifest_path`` (default: ``static_out``'s
    ``assetopt-manifest.json``; ``manage.py assetopt`` passes ``ASSETOPT["MANIFEST"]``, the file the tags
    read, via ``manifest_file``): the pages rendered with Django in
    a child process (the project's templates, or ``templates_dirs``), in a Chromium of its own;
    snapshots and screenshots under ``work``."""
    from dataclasses import replace

    from ..build.critical_carry import templates_digest
    from ..build.manifest import MANIFEST_NAME, load_manifest
    from ..io.project import Project
    from .chromium import open_browser
    from .snapshots import render_django_pages

    manifest_path = manifest_path if manifest_path is not None else static_out / MANIFEST_NAME
    # what the pages render from (templates_dirs replaces the project's DIRS, as render_django_pages does)
    rendered_from = config if templates_dirs is None else replace(config, templates=tuple(templates_dirs))
    digest = templates_digest(Project(rendered_from))

    def render(critical_on: bool) -> dict[str, dict[str, Any]]:
        return render_django_pages(
            settings_module,
            pythonpath,
            urls,
            env,
            templates_dirs=templates_dirs,
            assetopt={"BUNDLES": True, "STRICT": True, "MANIFEST": str(manifest_path), "CRITICAL_CSS": critical_on},
            user=user,
            served=(static_out,),
        )

    with open_browser() as session:
        return critical_pass(
            session,
            load_manifest(manifest_path),
            manifest_path,
            static_out,
            config.static_url,
            urls,
            render,
            work,
            templates_digest=digest,
            max_bytes=config.critical_css_max,
            states=config.critical_css_states,
            progress=progress,
        )
