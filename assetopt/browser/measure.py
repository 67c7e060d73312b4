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

This module measures (``measure_baseline``, and the loops ``verify_browser`` shares); reading and
checking a stored baseline is ``baseline.py``'s, comparing now with it ``verify.py``'s.
No printing, no exit codes; errors are ``AssetoptError`` naming the baseline and what to run.
The values are ``verify.measures``' (``BrowserBaseline``, ``BaselinePage``, ``BrowserMeasure``); dicts only
at the JSON edge. The Markdown tables live in ``verify/tables.py``.
"""

from __future__ import annotations

import socket
import tempfile
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..build.manifest import manifest_file
from ..config import Config
from ..errors import AssetoptError
from ..io.project import display_path
from ..verify.measures import BaselinePage, BrowserBaseline, BrowserMeasure
from .baseline import shots_dir_for

if TYPE_CHECKING:
    from .chromium import BrowserSession

__all__ = [
    "Side",
    "measure_baseline",
    "measure_phone",
    "phone_shot",
    "measure_direct",
    "render_and_measure",
    "served_by",
    "side_of",
]


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
    manifest = manifest_file(config)
    if manifest.is_file():
        return Side(
            config.templates,
            (config.out,),
            {"BUNDLES": True, "STRICT": True, "MANIFEST": str(manifest)},
            f"{display_path(config.out, config.project)} (bundled, its manifest)",
        )
    return Side(config.templates, config.static, {"BUNDLES": False}, "the static dirs (bundling off)")


def phone_shot(shots: Path, stem: str, suffix: str) -> Path:
    """Where a page's phone screenshot goes: ``shots/phone/<stem><suffix>.png`` (a folder of its own,
    so no page's stem can name another page's phone screenshot)."""
    return shots / "phone" / f"{stem}{suffix}.png"


def measure_phone(chromium: BrowserSession, address: str, screenshot: Path) -> BrowserMeasure:
    """``address`` loaded once at the phone's screen (``critical.VIEWPORTS["mobile"]``, Lighthouse's
    mobile screen of ``screens.SCREENS``, the one definition the critical CSS proof and the layout pass use): its screenshot, first
    screen and LCP. Unthrottled and without its request log (the desktop load holds the requests;
    this one is for what only a phone shows: a ``max-width`` rule, another LCP, a shorter first screen)."""
    from .critical import VIEWPORTS
    from .page_measure import summarize

    return replace(summarize(chromium.measure(address, screenshot=screenshot, screen=VIEWPORTS["mobile"])), requests=())


def _measure_pages(
    chromium: BrowserSession,
    targets: list[tuple[str, str, str | None, str]],
    *,
    throttled: Callable[[str, str], bool],
    shots: Path,
    shot_suffix: str,
    progress: Callable[[str], None],
    phone: Callable[[str, str], bool] = lambda _spec, _path: True,
) -> list[BaselinePage]:
    """Measure each ``(spec, path, template, address)`` in a fresh context with a screenshot
    ``shots/<stem><shot_suffix>.png`` (and on Fast 3G where ``throttled(spec, path)``, and at the
    phone's screen where ``phone(spec, path)``, ``phone_shot``): the one loop both ways of getting a
    page (rendered snapshots, a running site) share, so they measure alike."""
    from .page_measure import summarize
    from .snapshots import shot_stem

    pages: list[BaselinePage] = []
    for spec, path, template, address in targets:
        slow = throttled(spec, path)
        small = phone(spec, path)
        progress(f"measuring {path} in Chromium" + (" (and on a phone)" if small else "") + (" (and on Fast 3G)" if slow else ""))
        stem = shot_stem(path)
        measure = summarize(chromium.measure(address, screenshot=shots / f"{stem}{shot_suffix}.png"))
        on_phone = measure_phone(chromium, address, phone_shot(shots, stem, shot_suffix)) if small else None
        on_3g = summarize(chromium.measure(address, throttled=True)) if slow else None
        pages.append(BaselinePage(spec, path, template, measure, on_3g, on_phone))
    return pages


def render_and_measure(
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
    phone: Callable[[str, str], bool] = lambda _spec, _path: True,
) -> tuple[list[BaselinePage], str]:
    """Render ``specs`` with Django, serve the snapshots with ``side``'s static files and measure them
    (at the phone's screen too where ``phone(spec, path)``)."""
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
            pages = _measure_pages(chromium, targets, throttled=throttled, shots=shots, shot_suffix=shot_suffix, progress=progress, phone=phone)
            return pages, chromium.version


def served_by(base_url: str) -> str:
    """The ``"served"`` text of a --base-url measurement."""
    return f"the running site at {base_url}"


def measure_direct(
    base_url: str,
    specs: list[tuple[str, str]],
    *,
    throttled: Callable[[str, str], bool],
    shots: Path,
    shot_suffix: str,
    progress: Callable[[str], None],
    phone: Callable[[str, str], bool] = lambda _spec, _path: True,
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
        pages = _measure_pages(chromium, targets, throttled=throttled, shots=shots, shot_suffix=shot_suffix, progress=progress, phone=phone)
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
    folder. Every page is also measured at the phone's screen (``measure_phone``, screenshots in
    ``phone/``); the first page on Fast 3G unless ``throttle`` is false."""
    json_path = json_path.resolve()
    shots = shots_dir_for(json_path)
    first = urls[:1] if throttle else []
    if base_url is not None:
        pages, version = measure_direct(
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
        pages, version = render_and_measure(
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
        pages=tuple(replace(page, measure=relative(page.measure), phone=page.phone and relative(page.phone)) for page in pages),
    )
