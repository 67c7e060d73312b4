"""The browser half of ``audit --browser`` and ``verify --browser``: a stored "before", a measured "now".

``verify`` runs after the change, when the old templates are gone, so its browser "before" cannot be
rendered again: ``audit --browser --json before.json`` measures the pages while they are still the
old ones and stores the measurements in the audit JSON (key ``"browser"``, see docs/audit-json.md)
and the screenshots beside it (``before.screenshots/<page>.png``, paths relative to the JSON, so the
pair can be moved or kept as a CI artifact). ``verify --baseline before.json --browser`` renders the
same pages now, measures them the same way, diffs the screenshots against the stored ones and
applies ``verify.browser_reasons``, the rules ``optimize --browser`` uses.

How a side is rendered and served (``side_of``), the same for both commands so the two measurements
differ only by the change: Django renders with the configured template dirs; when the build's
manifest (``<out>/assetopt-manifest.json``) exists, bundling is on (strict) and ``/static/`` serves
``<out>``, what production serves; otherwise bundling is off and ``/static/`` serves the static dirs.

With a base URL (``--base-url``) nothing is rendered or served here: each page is measured where a
running site serves it (base URL + path), by the same loop (``_measure_pages``); the baseline stores
the base URL, and verify measures there again unless given another (staging before, staging after).

No printing, no exit codes; errors are ``AssetoptError`` naming the baseline and what to run.
The values are ``verify.measures``' (``BrowserBaseline``, ``BaselinePage``, ``BrowserMeasure``); dicts only
at the JSON edge. The Markdown tables live in ``verify/tables.py`` (re-exported here).
"""

from __future__ import annotations

import socket
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..build.manifest import MANIFEST_NAME
from ..config import Config
from ..errors import AssetoptError
from ..io.project import display_path
from ..verify.compare import Verdict, browser_entry
from ..verify.measures import BaselinePage, BrowserBaseline, BrowserEntry, BrowserMeasure
from ..verify.tables import baseline_table, browser_table
from .check import BrowserCheck

if TYPE_CHECKING:
    from .chromium import BrowserSession

__all__ = [
    "BROWSER_KEY",
    "Side",
    "baseline_table",
    "browser_table",
    "check_baseline",
    "measure_baseline",
    "read_baseline",
    "served_by",
    "shots_dir_for",
    "side_of",
    "verify_browser",
]

BROWSER_KEY = "browser"


def _quiet(_message: str) -> None:
    return None


@dataclass(frozen=True)
class Side:
    """How one side is rendered (template dirs, ``ASSETOPT`` overrides) and what ``/static/`` serves."""

    templates: tuple[Path, ...]
    static: tuple[Path, ...]
    assetopt: Mapping[str, bool | str]  # the ASSETOPT settings it renders with
    describe: str  # for the JSON and the report: "build/ (bundled)" or "the static dirs"


def side_of(config: Config) -> Side:
    manifest = config.out / MANIFEST_NAME
    if manifest.is_file():
        return Side(
            config.templates,
            (config.out,),
            {"BUNDLES": True, "STRICT": True, "MANIFEST": str(manifest)},
            f"{display_path(config.out, config.project)} (bundled, its manifest)",
        )
    return Side(config.templates, config.static, {"BUNDLES": False}, "the static dirs (bundling off)")


def shots_dir_for(json_path: Path) -> Path:
    """``before.json`` -> ``before.screenshots`` beside it: where its screenshots are stored."""
    return json_path.with_name(json_path.stem + ".screenshots")


def _measure_pages(
    chromium: BrowserSession,
    targets: list[tuple[str, str, str | None, str]],
    *,
    throttled: Callable[[str, str], bool],
    shots: Path,
    shot_suffix: str,
    progress: Callable[[str], None],
) -> list[BaselinePage]:
    """Measure each ``(spec, path, template, address)`` in a fresh context with a screenshot
    ``shots/<stem><shot_suffix>.png`` (and on Fast 3G where ``throttled(spec, path)``): the one loop
    both ways of getting a page (rendered snapshots, a running site) share, so they measure alike."""
    from .chromium import summarize
    from .snapshots import shot_stem

    pages: list[BaselinePage] = []
    for spec, path, template, address in targets:
        slow = throttled(spec, path)
        progress(f"measuring {path} in Chromium" + (" (and on Fast 3G)" if slow else ""))
        shot = shots / f"{shot_stem(path)}{shot_suffix}.png"
        measure = summarize(chromium.measure(address, screenshot=shot))
        on_3g = summarize(chromium.measure(address, throttled=True)) if slow else None
        pages.append(BaselinePage(spec, path, template, measure, on_3g))
    return pages


def _render_and_measure(
    config: Config,
    side: Side,
    *,
    settings_module: str,
    pythonpath: Path,
    specs: list[str],
    throttled: Callable[[str, str], bool],
    shots: Path,
    shot_suffix: str,
    user: str | None,
    env: Mapping[str, str] | None,
    progress: Callable[[str], None],
) -> tuple[list[BaselinePage], str]:
    """Render ``specs`` with Django, serve the snapshots with ``side``'s static files and measure them."""
    from .chromium import open_browser, serve
    from .snapshots import render_django_pages, served_path, write_snapshots

    progress(f"rendering {len(specs)} page(s) with Django ({settings_module})" + (f" as {user}" if user else ""))
    rendered = render_django_pages(
        settings_module, pythonpath, specs, env, templates_dirs=side.templates, assetopt=dict(side.assetopt), user=user, served=side.static
    )
    static_prefix = "/" + config.static_url.strip("/") + "/"
    with tempfile.TemporaryDirectory(prefix="assetopt-snapshots-") as tmp:
        write_snapshots(rendered, Path(tmp))
        with open_browser() as chromium, serve({"/": Path(tmp), static_prefix: list(side.static)}) as base:
            targets = [(page["spec"], path, page.get("template"), base + served_path(path)) for path, page in rendered.items()]
            pages = _measure_pages(chromium, targets, throttled=throttled, shots=shots, shot_suffix=shot_suffix, progress=progress)
            return pages, chromium.version


def served_by(base_url: str) -> str:
    """The ``"served"`` text of a --base-url measurement."""
    return f"the running site at {base_url}"


def _measure_direct(
    base_url: str,
    specs: list[tuple[str, str]],
    *,
    throttled: Callable[[str, str], bool],
    shots: Path,
    shot_suffix: str,
    progress: Callable[[str], None],
) -> tuple[list[BaselinePage], str]:
    """Measure each ``(spec, path)`` at ``base_url + path`` on a running site: nothing rendered or
    served here. The site is checked first (a refused connection is a clear error, not a browser
    trace) and every page must answer below 400, or the "before" would be an error page."""
    from .chromium import open_browser

    parts = urllib.parse.urlsplit(base_url)
    try:
        socket.create_connection((parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)), timeout=10).close()
    except OSError as exc:
        raise AssetoptError(
            f"cannot connect to {base_url}: {exc.strerror or exc}",
            hint="start the site (e.g. python manage.py runserver) or pass the --base-url it listens on",
        ) from None
    progress(f"measuring {len(specs)} page(s) on {base_url}")
    with open_browser() as chromium:
        targets: list[tuple[str, str, str | None, str]] = [(spec, path, None, base_url + path) for spec, path in specs]
        pages = _measure_pages(chromium, targets, throttled=throttled, shots=shots, shot_suffix=shot_suffix, progress=progress)
        version = chromium.version
    for page in pages:
        status = page.measure.status
        if not isinstance(status, int) or status >= 400:
            raise AssetoptError(
                f"{base_url}{page.url} answered {status}",
                hint="check --url and --base-url: each page must load on the running site",
            )
    return pages, version


def measure_baseline(
    config: Config,
    json_path: Path,
    *,
    settings_module: str | None = None,
    pythonpath: Path | None = None,
    urls: list[str],
    throttle: bool = True,
    user: str | None = None,
    env: Mapping[str, str] | None = None,
    base_url: str | None = None,
    progress: Callable[[str], None] = _quiet,
) -> BrowserBaseline:
    """The audit JSON's ``"browser"`` section for ``urls`` as the project renders now (Django with
    ``settings_module``), or as the running site at ``base_url`` serves them (``urls`` are paths);
    screenshots are written to ``shots_dir_for(json_path)`` and named relative to ``json_path``'s
    folder. The first page is also measured on Fast 3G unless ``throttle`` is false."""
    json_path = json_path.resolve()
    shots = shots_dir_for(json_path)
    first = urls[:1] if throttle else []
    if base_url is not None:
        pages, version = _measure_direct(
            base_url,
            [(u, u) for u in urls],
            throttled=lambda spec, _path: spec in first,
            shots=shots,
            shot_suffix="",
            progress=progress,
        )
        served = served_by(base_url)
    else:
        if settings_module is None or pythonpath is None:
            raise TypeError("measure_baseline needs settings_module and pythonpath, or base_url")
        side = side_of(config)
        pages, version = _render_and_measure(
            config,
            side,
            settings_module=settings_module,
            pythonpath=pythonpath,
            specs=list(urls),
            throttled=lambda spec, _path: spec in first,
            shots=shots,
            shot_suffix="",
            user=user,
            env=env,
            progress=progress,
        )
        served = side.describe

    def relative(m: BrowserMeasure) -> BrowserMeasure:
        return replace(m, screenshot=Path(m.screenshot).relative_to(json_path.parent).as_posix()) if m.screenshot else m

    return BrowserBaseline(
        settings=settings_module if base_url is None else None,
        pythonpath=display_path(pythonpath, config.project) if base_url is None and pythonpath is not None else None,
        user=user if base_url is None else None,
        base_url=base_url,
        chromium=version,
        served=served,
        pages=tuple(replace(page, measure=relative(page.measure)) for page in pages),
    )


def read_baseline(baseline: Mapping[str, Any], baseline_path: Path) -> BrowserBaseline:
    """The browser section of a baseline audit JSON (``baseline``, as parsed from ``baseline_path``),
    or an ``AssetoptError`` saying what to re-run when it has none or a page is not a measurement."""
    redo = f"re-run the audit with --browser before the change: assetopt audit --browser --json {baseline_path}"
    if not isinstance(baseline, Mapping):
        raise AssetoptError("the baseline is not an audit report (a JSON object)", path=str(baseline_path), hint=redo)
    section = baseline.get(BROWSER_KEY)
    if not isinstance(section, Mapping) or not isinstance(section.get("pages"), list) or not section["pages"]:
        raise AssetoptError("the baseline has no browser measurements", path=str(baseline_path), hint=redo)
    for i, page in enumerate(section["pages"]):
        if not isinstance(page, Mapping) or not isinstance(page.get("url"), str) or not isinstance(page.get("measure"), Mapping):
            raise AssetoptError(
                f"the baseline's browser page {i + 1} is not a measurement (url, measure): {str(page)[:80]}", path=str(baseline_path), hint=redo
            )
    return BrowserBaseline.from_dict(section)


def _select(section: BrowserBaseline, urls: tuple[str, ...], baseline_path: Path) -> list[BaselinePage]:
    pages = list(section.pages)
    if not urls:
        return pages
    by_key: dict[str, BaselinePage] = {}
    for page in pages:
        by_key.setdefault(page.spec, page)
        by_key.setdefault(page.url, page)
    missing = [u for u in urls if u not in by_key]
    if missing:
        have = ", ".join(p.spec for p in pages)
        raise AssetoptError(
            f"the baseline has no browser measurements of --url {', '.join(missing)} (it has {have})",
            path=str(baseline_path),
            hint="drop those --url, or re-run assetopt audit --browser with them before the change",
        )
    chosen: list[BaselinePage] = []
    for u in urls:
        if by_key[u] not in chosen:
            chosen.append(by_key[u])
    return chosen


def _check_screenshots(chosen: list[BaselinePage], baseline_path: Path) -> None:
    """Each stored screenshot is inside the baseline's folder, present and a whole image."""
    from ..images import check_screenshot

    folder = baseline_path.resolve().parent
    for page in chosen:
        shot = page.measure.screenshot
        if shot and not _inside(folder, folder / str(shot)):
            # a crafted baseline must not get another file of this machine embedded into the report
            raise AssetoptError(
                f"the baseline's screenshot of {page.url} is outside the baseline's folder: {shot}",
                path=str(baseline_path),
                hint=f"screenshots are read only from {folder}: re-run assetopt audit --browser",
            )
        if not shot or not (folder / str(shot)).is_file():
            raise AssetoptError(
                f"the baseline's screenshot of {page.url} is missing: {folder / str(shot or '?')}",
                path=str(baseline_path),
                hint=f"keep {shots_dir_for(baseline_path).name}/ beside the baseline, or re-run assetopt audit --browser",
            )
        check_screenshot(folder / str(shot))  # truncated or not an image: say so before measuring


def check_baseline(baseline: Mapping[str, Any], baseline_path: Path, urls: tuple[str, ...] = ()) -> BrowserBaseline:
    """The baseline's browser section (``read_baseline``), once its stored pages to compare (all, or
    those ``urls`` name) are known to be there with their screenshots; an ``AssetoptError`` saying
    what to re-run when it has no browser section or lacks one of ``urls``. Cheap: the CLI calls it
    before any audit or rendering."""
    section = read_baseline(baseline, baseline_path)
    _check_screenshots(_select(section, urls, baseline_path), baseline_path)
    return section


def _inside(folder: Path, path: Path) -> bool:
    """``path`` (links resolved) is ``folder`` or below it."""
    target = path.resolve()
    return target == folder or folder in target.parents


def _absolute(measure: BrowserMeasure, folder: Path) -> BrowserMeasure:
    if not measure.screenshot:
        return measure
    target = (folder / measure.screenshot).resolve()
    return replace(measure, screenshot=str(target) if _inside(folder, target) else None)  # never a file outside the baseline's folder


def verify_browser(
    config: Config,
    baseline: BrowserBaseline,
    baseline_path: Path,
    verdict: Verdict,
    *,
    shots: Path,
    urls: tuple[str, ...] = (),
    settings_module: str | None = None,
    user: str | None = None,
    throttle: bool = True,
    env: Mapping[str, str] | None = None,
    diff_threshold: float = 0.01,
    base_url: str | None = None,
    progress: Callable[[str], None] = _quiet,
) -> BrowserCheck:
    """Measure the baseline's pages (or ``urls`` among them) now and compare each with its stored
    measurement: ``BrowserCheck`` in ``optimize.browser_check``'s shape (the report and the table
    read both). Screenshots now and the diffs go to ``shots`` (``<stem>-after.png``, ``<stem>-diff.png``).
    With ``base_url``, or when the baseline was measured on a running site (its ``base_url``), the
    pages are measured there at the paths the baseline stored, not rendered. ``baseline`` is the
    baseline's browser section (``read_baseline`` or ``check_baseline``)."""
    from ..images import screenshot_diff
    from .snapshots import shot_stem

    t0 = time.monotonic()
    chosen = _select(baseline, urls, baseline_path)
    folder = baseline_path.resolve().parent
    _check_screenshots(chosen, baseline_path)
    slow_specs = {p.spec for p in chosen if p.throttled} if throttle else set()
    site = base_url or baseline.base_url
    if site is not None:
        # The stored path, not the spec: a baseline rendered with Django may name its pages.
        now, version = _measure_direct(
            site,
            [(p.spec, p.url) for p in chosen],
            throttled=lambda spec, _path: spec in slow_specs,
            shots=shots,
            shot_suffix="-after",
            progress=progress,
        )
    else:
        settings_name = settings_module or baseline.settings or config.settings
        if not settings_name:
            raise AssetoptError("the baseline does not name its Django settings", path=str(baseline_path), hint="pass --settings MODULE")
        pythonpath = (config.project / (baseline.pythonpath or ".")).resolve()
        now, version = _render_and_measure(
            config,
            side_of(config),
            settings_module=settings_name,
            pythonpath=pythonpath,
            specs=[p.spec for p in chosen],
            throttled=lambda spec, _path: spec in slow_specs,
            shots=shots,
            shot_suffix="-after",
            user=user if user is not None else baseline.user,
            env=env,
            progress=progress,
        )
    claims = {d.name: int(d.before["requests"] - d.after["requests"]) for d in verdict.pages if d.before and d.after}
    pages: dict[str, BrowserEntry] = {}
    reasons: list[str] = []
    for stored, current in zip(chosen, now, strict=True):
        if current.url != stored.url:
            raise AssetoptError(
                f"{stored.spec} resolves to {current.url} now, {stored.url} in the baseline",
                path=str(baseline_path),
                hint="compare the same pages: re-run assetopt audit --browser on the old version",
            )
        template = current.template or stored.template or current.url
        name = template if template not in pages else f"{template} ({current.url})"
        before = _absolute(stored.measure, folder)
        after = current.measure
        diff_image = shots / f"{shot_stem(current.url)}-diff.png"
        assert before.screenshot is not None and after.screenshot is not None  # _check_screenshots; measured with one
        # A baseline stored before photo boxes were recorded has none: its photos are compared pixel by pixel.
        fraction = screenshot_diff(
            Path(before.screenshot),
            Path(after.screenshot),
            diff_image,
            photos_a=before.photo_boxes or (),
            photos_b=after.photo_boxes or (),
        )
        entry = browser_entry(
            name,
            current.url,
            before,
            after,
            diff_fraction=fraction,
            diff_image=str(diff_image),
            diff_threshold=diff_threshold,
            claimed_saved=claims.get(template),
            throttled=(stored.throttled, current.throttled) if current.throttled and stored.throttled else None,
        )
        reasons.extend(entry.reasons)
        pages[name] = entry
    before_version = baseline.chromium
    chromium = version if before_version == version else f"{version} (baseline measured with {before_version})"
    return BrowserCheck(pages, reasons, chromium, time.monotonic() - t0)
