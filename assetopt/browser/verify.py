"""``verify --browser``: the baseline's pages measured again now, the same way (``measure.py``), and
each compared with its stored measurement and screenshot (``verify.browser_entry``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

from ..config import Config
from ..errors import AssetoptError
from ..verify.compare import Verdict, browser_entry
from ..verify.measures import BrowserBaseline, BrowserEntry, BrowserMeasure
from .baseline import absolute_measure, check_screenshots, select_pages
from .check import BrowserCheck
from .measure import measure_direct, phone_shot, render_and_measure, side_of

__all__ = ["verify_browser"]


def _quiet(_message: str) -> None:
    return None


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
    chosen = select_pages(baseline, urls, baseline_path)
    folder = baseline_path.resolve().parent
    check_screenshots(chosen, baseline_path)
    slow_specs = {p.spec for p in chosen if p.throttled} if throttle else set()
    # a baseline written before phones were measured has nothing to compare a phone load with
    phone_specs = {p.spec for p in chosen if p.phone is not None}
    site = base_url or baseline.base_url
    if site is not None:
        # The stored path, not the spec: a baseline rendered with Django may name its pages.
        now, version = measure_direct(
            site,
            [(p.spec, p.url) for p in chosen],
            throttled=lambda spec, _path: spec in slow_specs,
            shots=shots,
            shot_suffix="-after",
            progress=progress,
            phone=lambda spec, _path: spec in phone_specs,
        )
    else:
        settings_name = settings_module or baseline.settings or config.settings
        if not settings_name:
            raise AssetoptError("the baseline does not name its Django settings", path=str(baseline_path), hint="pass --settings MODULE")
        pythonpath = (config.project / (baseline.pythonpath or ".")).resolve()
        now, version = render_and_measure(
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
            phone=lambda spec, _path: spec in phone_specs,
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
        before = absolute_measure(stored.measure, folder)
        after = current.measure
        diff_image = shots / f"{shot_stem(current.url)}-diff.png"
        assert before.screenshot is not None and after.screenshot is not None  # check_screenshots; measured with one
        # A baseline stored before photo boxes were recorded has none: its photos are compared pixel by pixel.
        fraction = screenshot_diff(
            Path(before.screenshot),
            Path(after.screenshot),
            diff_image,
            photos_a=before.photo_boxes or (),
            photos_b=after.photo_boxes or (),
        )
        phone = phone_diff = None
        if stored.phone is not None and current.phone is not None:
            phone = (absolute_measure(stored.phone, folder), current.phone)
            phone_diff = _diff(phone, phone_shot(shots, shot_stem(current.url), "-diff"))
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
            phone=phone,
            phone_diff=phone_diff,
        )
        reasons.extend(entry.reasons)
        pages[name] = entry
    before_version = baseline.chromium
    chromium = version if before_version == version else f"{version} (baseline measured with {before_version})"
    old = [p.spec for p in chosen if p.measure.first_screen is None]
    notes: tuple[str, ...] = ()
    if old:
        notes += (
            f"the baseline has no first-screen elements of {', '.join(old)} (an older assetopt measured it): compared by pixels only, "
            "where a lost border or a restyled button is under the threshold; re-run assetopt audit --browser to compare them element by element",
        )
    desktop_only = [p.spec for p in chosen if p.phone is None]
    if desktop_only:
        notes += (
            f"the baseline has no phone measurements of {', '.join(desktop_only)} (an older assetopt measured it): compared at the desktop "
            "screen only, where a lost max-width rule or an image that is the LCP only on a phone does not show; "
            "re-run assetopt audit --browser to compare the phone's screen too",
        )
    return BrowserCheck(pages, reasons, chromium, time.monotonic() - t0, notes=notes)


def _diff(pair: tuple[BrowserMeasure, BrowserMeasure], image: Path) -> tuple[float, str]:
    """The two screenshots of ``pair`` diffed into ``image``: (fraction of pixels, the image's path)."""
    from ..images import screenshot_diff

    before, after = pair
    assert before.screenshot is not None and after.screenshot is not None  # check_screenshots; measured with one
    fraction = screenshot_diff(
        Path(before.screenshot), Path(after.screenshot), image, photos_a=before.photo_boxes or (), photos_b=after.photo_boxes or ()
    )
    return fraction, str(image)
