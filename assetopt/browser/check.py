"""``optimize --browser``: render the pages before and after with Django, measure both in Chromium.

Snapshots are rendered by Django (``snapshots.py``), served from loopback (``server.py``) and measured
in a fresh Chromium context each (``chromium.py``); screenshots are diffed and the static verdict's
saved requests are the claim the browser must see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..verify.measures import BrowserEntry

if TYPE_CHECKING:
    from ..optimize import OptimizeResult
    from .critical import CriticalReport

__all__ = ["BrowserCheck", "browser_check"]


def _quiet(_message: str) -> None:
    pass


@dataclass(frozen=True)
class BrowserCheck:
    pages: dict[str, BrowserEntry]  # page name -> its before/after (the report's and the JSON's "browser" entry)
    reasons: list[str]  # every page's browser reasons, in page order
    chromium: str  # the browser's version
    seconds: float  # render + serve + measure + diff, wall time
    critical: CriticalReport | None = None  # critical CSS measured, inlined and proven (config critical_css)
    notes: tuple[str, ...] = ()  # what was not compared, and why (a baseline without first-screen elements)


def browser_check(
    config: Config,
    result: OptimizeResult,
    *,
    settings_module: str,
    pythonpath: Path,
    urls: list[str],
    throttled: tuple[str, ...] | None = None,
    env: dict[str, str] | None = None,
    diff_threshold: float = 0.01,
    progress: Callable[[str], None] = _quiet,
    user: str | None = None,
) -> BrowserCheck:
    """Render ``urls`` (URL paths or URL names, see ``snapshots``; as ``user`` if given) before (the sources) and after (``result``'s rewritten templates and build) to
    snapshots under ``<out>/snapshots/``, serve each side with its own static root from its own
    origin, measure every page in a fresh Chromium context (cold cache) with a screenshot, and
    again at the phone's screen (``measure.measure_phone``, screenshots in ``<out>/shots/phone/``), the pages
    in ``throttled`` (default: the first URL) also on Fast 3G, diff the screenshots into
    ``<out>/shots/`` and collect ``verify.browser_reasons`` (the static verdict's saved requests are
    the claim the browser must see)."""
    import time

    from ..build.manifest import MANIFEST_NAME
    from ..images import screenshot_diff
    from ..verify.compare import browser_entry
    from .chromium import open_browser, serve
    from .measure import measure_phone, phone_shot
    from .page_measure import summarize
    from .snapshots import render_django_pages, served_path, shot_stem, write_snapshots

    t0 = time.monotonic()
    out = result.static_out.parent
    progress(f"rendering {len(urls)} page(s) before and after with Django" + (f" as {user}" if user else ""))
    before = render_django_pages(settings_module, pythonpath, urls, env, assetopt={"BUNDLES": False}, user=user, served=config.static)
    critical = None
    if config.critical_css:
        from .critical import run_critical

        critical = run_critical(
            config,
            result.static_out,
            out,
            settings_module,
            pythonpath,
            list(config.critical_css_urls or urls),
            templates_dirs=result.templates_out,
            env=env,
            user=user,
            progress=progress,
        )
    after = render_django_pages(
        settings_module,
        pythonpath,
        urls,
        env,
        templates_dirs=result.templates_out,
        assetopt={"BUNDLES": True, "STRICT": True, "MANIFEST": str(result.static_out / MANIFEST_NAME)},
        user=user,
        served=(result.static_out,),
    )
    # From here on a page is its resolved path (what the snapshots are keyed by), names included.
    resolved = {page["spec"]: path for path, page in before.items()}
    urls = list(before)
    throttled = tuple(urls[:1]) if throttled is None else tuple(resolved.get(t, t) for t in throttled)
    snap_before, snap_after = out / "snapshots" / "before", out / "snapshots" / "after"
    write_snapshots(before, snap_before)
    write_snapshots(after, snap_after)
    claims = {d.name: int(d.before["requests"] - d.after["requests"]) for d in result.verdict.pages if d.before and d.after}
    names: dict[str, str] = {}
    for url in urls:
        template = before[url].get("template") or url
        names[url] = template if template not in names.values() else f"{template} ({url})"
    static_prefix = "/" + config.static_url.strip("/") + "/"
    pages: dict[str, BrowserEntry] = {}
    reasons: list[str] = []
    shots = out / "shots"
    with (
        open_browser() as chromium,
        serve({"/": snap_before, static_prefix: list(config.static)}) as base_b,
        serve({"/": snap_after, static_prefix: result.static_out}) as base_a,
    ):
        version = chromium.version
        for url in urls:
            name = names[url]
            stem = shot_stem(url)
            path = served_path(url)
            progress(f"measuring {url} in Chromium" + (" (and on Fast 3G)" if url in throttled else ""))
            mb = chromium.measure(base_b + path, screenshot=shots / f"{stem}-before.png")
            ma = chromium.measure(base_a + path, screenshot=shots / f"{stem}-after.png")
            slow = None
            if url in throttled:
                slow = (
                    summarize(chromium.measure(base_b + path, throttled=True)),
                    summarize(chromium.measure(base_a + path, throttled=True)),
                )
            diff_image = shots / f"{stem}-diff.png"
            fraction = screenshot_diff(
                shots / f"{stem}-before.png", shots / f"{stem}-after.png", diff_image, photos_a=mb.photo_boxes, photos_b=ma.photo_boxes
            )
            pb = measure_phone(chromium, base_b + path, phone_shot(shots, stem, "-before"))
            pa = measure_phone(chromium, base_a + path, phone_shot(shots, stem, "-after"))
            phone_diff = phone_shot(shots, stem, "-diff")
            assert pb.screenshot is not None and pa.screenshot is not None  # measured with one
            phone_fraction = screenshot_diff(
                Path(pb.screenshot), Path(pa.screenshot), phone_diff, photos_a=pb.photo_boxes or (), photos_b=pa.photo_boxes or ()
            )
            entry = browser_entry(
                name,
                url,
                summarize(mb),
                summarize(ma),
                diff_fraction=fraction,
                diff_image=str(diff_image),
                diff_threshold=diff_threshold,
                claimed_saved=claims.get(before[url].get("template") or ""),
                throttled=slow,
                phone=(pb, pa),
                phone_diff=(phone_fraction, str(phone_diff)),
            )
            reasons.extend(entry.reasons)
            pages[name] = entry
    return BrowserCheck(pages, reasons, version, time.monotonic() - t0, critical)
