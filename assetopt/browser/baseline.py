"""A stored browser baseline: the ``"browser"`` section of an audit JSON (``audit --browser --json``)
and the screenshots beside it (``shots_dir_for``). ``read_baseline`` and ``check_baseline`` say what
to re-run when it lacks something; a stored screenshot is read only from inside the baseline's folder.
No printing, no exit codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import AssetoptError
from ..verify.measures import BaselinePage, BrowserBaseline, BrowserMeasure

__all__ = ["BROWSER_KEY", "absolute_measure", "check_baseline", "check_screenshots", "read_baseline", "select_pages", "shots_dir_for"]

BROWSER_KEY = "browser"


def shots_dir_for(json_path: Path) -> Path:
    """``before.json`` -> ``before.screenshots`` beside it: where its screenshots are stored."""
    return json_path.with_name(json_path.stem + ".screenshots")


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


def select_pages(section: BrowserBaseline, urls: tuple[str, ...], baseline_path: Path) -> list[BaselinePage]:
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


def check_screenshots(chosen: list[BaselinePage], baseline_path: Path) -> None:
    """Each stored screenshot (the desktop's, the phone's) is inside the baseline's folder, present and a whole image."""
    from ..images import check_screenshot

    folder = baseline_path.resolve().parent
    for page, measure in ((p, m) for p in chosen for m in (p.measure, p.phone) if m is not None):
        shot = measure.screenshot
        what = "screenshot" if measure is page.measure else "phone screenshot"
        if shot and not _inside(folder, folder / str(shot)):
            # a crafted baseline must not get another file of this machine embedded into the report
            raise AssetoptError(
                f"the baseline's {what} of {page.url} is outside the baseline's folder: {shot}",
                path=str(baseline_path),
                hint=f"screenshots are read only from {folder}: re-run assetopt audit --browser",
            )
        if not shot or not (folder / str(shot)).is_file():
            raise AssetoptError(
                f"the baseline's {what} of {page.url} is missing: {folder / str(shot or '?')}",
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
    check_screenshots(select_pages(section, urls, baseline_path), baseline_path)
    return section


def _inside(folder: Path, path: Path) -> bool:
    """``path`` (links resolved) is ``folder`` or below it."""
    target = path.resolve()
    return target == folder or folder in target.parents


def absolute_measure(measure: BrowserMeasure, folder: Path) -> BrowserMeasure:
    if not measure.screenshot:
        return measure
    target = (folder / measure.screenshot).resolve()
    return replace(measure, screenshot=str(target) if _inside(folder, target) else None)  # never a file outside the baseline's folder
