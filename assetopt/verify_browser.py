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

No printing, no exit codes; errors are ``AssetoptError`` naming the baseline and what to run.
"""
from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Config
from .errors import AssetoptError
from .manifest import MANIFEST_NAME
from .optimize import BrowserCheck
from .project import display_path
from .verify import Verdict, browser_reasons

__all__ = ["BROWSER_KEY", "Side", "side_of", "measure_baseline", "check_baseline", "verify_browser", "shots_dir_for", "baseline_table", "browser_table"]

BROWSER_KEY = "browser"


def _quiet(_message: str) -> None:
    return None


@dataclass(frozen=True)
class Side:
    """How one side is rendered (template dirs, ``ASSETOPT`` overrides) and what ``/static/`` serves."""

    templates: tuple[Path, ...]
    static: tuple[Path, ...]
    assetopt: Mapping[str, Any]
    describe: str  # for the JSON and the report: "build/ (bundled)" or "the static dirs"


def side_of(config: Config) -> Side:
    manifest = config.out / MANIFEST_NAME
    if manifest.is_file():
        return Side(config.templates, (config.out,), {"BUNDLES": True, "STRICT": True, "MANIFEST": str(manifest)}, f"{display_path(config.out, config.project)} (bundled, its manifest)")
    return Side(config.templates, config.static, {"BUNDLES": False}, "the static dirs (bundling off)")


def shots_dir_for(json_path: Path) -> Path:
    """``before.json`` -> ``before.screenshots`` beside it: where its screenshots are stored."""
    return json_path.with_name(json_path.stem + ".screenshots")


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
) -> tuple[list[dict[str, Any]], str]:
    """Render ``specs`` with Django, serve them, measure each in a fresh Chromium context with a
    screenshot ``shots/<stem><shot_suffix>.png`` (and on Fast 3G where ``throttled(spec, path)``)."""
    from .browser import measure_to_dict, open_browser, serve
    from .snapshots import render_django_pages, served_path, shot_stem, write_snapshots

    progress(f"rendering {len(specs)} page(s) with Django ({settings_module})" + (f" as {user}" if user else ""))
    rendered = render_django_pages(settings_module, pythonpath, specs, env, templates_dirs=side.templates, assetopt=dict(side.assetopt), user=user)
    static_prefix = "/" + config.static_url.strip("/") + "/"
    pages: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="assetopt-snapshots-") as tmp:
        write_snapshots(rendered, Path(tmp))
        with open_browser() as chromium, serve({"/": Path(tmp), static_prefix: list(side.static)}) as base:
            for path, page in rendered.items():
                slow = throttled(page["spec"], path)
                progress(f"measuring {path} in Chromium" + (" (and on Fast 3G)" if slow else ""))
                shot = shots / f"{shot_stem(path)}{shot_suffix}.png"
                entry: dict[str, Any] = {"spec": page["spec"], "url": path, "template": page.get("template")}
                entry["measure"] = measure_to_dict(chromium.measure(base + served_path(path), screenshot=shot))
                entry["throttled"] = measure_to_dict(chromium.measure(base + served_path(path), throttled=True)) if slow else None
                pages.append(entry)
            return pages, chromium.version


def measure_baseline(
    config: Config,
    json_path: Path,
    *,
    settings_module: str,
    pythonpath: Path,
    urls: list[str],
    throttle: bool = True,
    user: str | None = None,
    env: Mapping[str, str] | None = None,
    progress: Callable[[str], None] = _quiet,
) -> dict[str, Any]:
    """The audit JSON's ``"browser"`` section for ``urls`` as the project renders now; screenshots
    are written to ``shots_dir_for(json_path)`` and named relative to ``json_path``'s folder. The
    first page is also measured on Fast 3G unless ``throttle`` is false."""
    json_path = json_path.resolve()
    side = side_of(config)
    shots = shots_dir_for(json_path)
    first = urls[:1] if throttle else []
    pages, version = _render_and_measure(
        config, side, settings_module=settings_module, pythonpath=pythonpath, specs=list(urls),
        throttled=lambda spec, _path: spec in first, shots=shots, shot_suffix="", user=user, env=env, progress=progress,
    )
    for page in pages:
        shot = page["measure"].get("screenshot")
        if shot:
            page["measure"]["screenshot"] = Path(shot).relative_to(json_path.parent).as_posix()
    return {
        "settings": settings_module,
        "pythonpath": display_path(pythonpath, config.project),
        "user": user,
        "chromium": version,
        "served": side.describe,
        "pages": pages,
    }


def _baseline_section(baseline: Mapping[str, Any], baseline_path: Path) -> Mapping[str, Any]:
    section = baseline.get(BROWSER_KEY)
    if not isinstance(section, Mapping) or not isinstance(section.get("pages"), list) or not section["pages"]:
        raise AssetoptError(
            "the baseline has no browser measurements",
            path=str(baseline_path),
            hint=f"re-run the audit with --browser before the change: assetopt audit --browser --json {baseline_path}",
        )
    return section


def _select(section: Mapping[str, Any], urls: tuple[str, ...], baseline_path: Path) -> list[Mapping[str, Any]]:
    pages: list[Mapping[str, Any]] = section["pages"]
    if not urls:
        return pages
    by_key: dict[str, Mapping[str, Any]] = {}
    for page in pages:
        by_key.setdefault(str(page.get("spec")), page)
        by_key.setdefault(str(page.get("url")), page)
    missing = [u for u in urls if u not in by_key]
    if missing:
        have = ", ".join(str(p.get("spec")) for p in pages)
        raise AssetoptError(
            f"the baseline has no browser measurements of --url {', '.join(missing)} (it has {have})",
            path=str(baseline_path),
            hint="drop those --url, or re-run assetopt audit --browser with them before the change",
        )
    chosen: list[Mapping[str, Any]] = []
    for u in urls:
        if by_key[u] not in chosen:
            chosen.append(by_key[u])
    return chosen


def check_baseline(baseline: Mapping[str, Any], baseline_path: Path, urls: tuple[str, ...] = ()) -> list[Mapping[str, Any]]:
    """The baseline's stored pages to compare (all, or those ``urls`` name); an ``AssetoptError``
    saying what to re-run when it has no browser section or lacks one of ``urls``. Cheap: the CLI
    calls it before any audit or rendering."""
    return _select(_baseline_section(baseline, baseline_path), urls, baseline_path)


def _absolute(measure: Mapping[str, Any] | None, folder: Path) -> dict[str, Any] | None:
    if measure is None:
        return None
    out = dict(measure)
    if out.get("screenshot"):
        out["screenshot"] = str((folder / str(out["screenshot"])).resolve())
    return out


def verify_browser(
    config: Config,
    baseline: Mapping[str, Any],
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
    progress: Callable[[str], None] = _quiet,
) -> BrowserCheck:
    """Measure the baseline's pages (or ``urls`` among them) now and compare each with its stored
    measurement: ``BrowserCheck`` in ``optimize.browser_check``'s shape (the report and the table
    read both). Screenshots now and the diffs go to ``shots`` (``<stem>-after.png``, ``<stem>-diff.png``)."""
    from .images import screenshot_diff
    from .snapshots import shot_stem

    t0 = time.monotonic()
    section = _baseline_section(baseline, baseline_path)
    chosen = _select(section, urls, baseline_path)
    folder = baseline_path.resolve().parent
    for page in chosen:
        shot = (page.get("measure") or {}).get("screenshot")
        if not shot or not (folder / str(shot)).is_file():
            raise AssetoptError(
                f"the baseline's screenshot of {page.get('url')} is missing: {folder / str(shot or '?')}",
                path=str(baseline_path),
                hint=f"keep {shots_dir_for(baseline_path).name}/ beside the baseline, or re-run assetopt audit --browser",
            )
    settings_name = settings_module or str(section.get("settings") or "")
    if not settings_name:
        raise AssetoptError("the baseline does not name its Django settings", path=str(baseline_path), hint="pass --settings MODULE")
    pythonpath = (config.project / str(section.get("pythonpath") or ".")).resolve()
    stored_user = section.get("user")
    slow_specs = {str(p.get("spec")) for p in chosen if p.get("throttled")} if throttle else set()
    now, version = _render_and_measure(
        config, side_of(config), settings_module=settings_name, pythonpath=pythonpath, specs=[str(p.get("spec")) for p in chosen],
        throttled=lambda spec, _path: spec in slow_specs, shots=shots, shot_suffix="-after",
        user=user if user is not None else (str(stored_user) if stored_user else None), env=env, progress=progress,
    )
    claims = {d.name: int(d.before["requests"] - d.after["requests"]) for d in verdict.pages if d.before and d.after}
    pages: dict[str, dict[str, Any]] = {}
    reasons: list[str] = []
    for stored, current in zip(chosen, now, strict=True):
        if current["url"] != stored.get("url"):
            raise AssetoptError(
                f"{stored.get('spec')} resolves to {current['url']} now, {stored.get('url')} in the baseline",
                path=str(baseline_path),
                hint="compare the same pages: re-run assetopt audit --browser on the old version",
            )
        template = current.get("template") or stored.get("template") or current["url"]
        name = template if template not in pages else f"{template} ({current['url']})"
        before = _absolute(stored.get("measure"), folder) or {}
        after = current["measure"]
        diff_image = shots / f"{shot_stem(current['url'])}-diff.png"
        fraction = screenshot_diff(Path(before["screenshot"]), Path(after["screenshot"]), diff_image)
        entry: dict[str, Any] = {"url": current["url"], "before": before, "after": after}
        if current.get("throttled") and stored.get("throttled"):
            entry["before_throttled"] = dict(stored["throttled"])
            entry["after_throttled"] = current["throttled"]
        entry["diff"] = {"fraction": fraction, "image": str(diff_image), "threshold": diff_threshold}
        entry["claimed_saved"] = claims.get(template)
        entry["reasons"] = browser_reasons(
            name, before, after, diff=fraction, diff_threshold=diff_threshold, claimed_saved=entry["claimed_saved"]
        )
        reasons.extend(entry["reasons"])
        pages[name] = entry
    before_version = str(section.get("chromium") or "?")
    chromium = version if before_version == version else f"{version} (baseline measured with {before_version})"
    return BrowserCheck(pages, reasons, chromium, time.monotonic() - t0)


# --- the terminal faces (Markdown tables to paste into a pull request) ---------------------------------


def _ms(m: Any, key: str = "load_ms") -> str:
    return "-" if not m or m.get(key) is None else f"{m[key]:.0f}"


def _images(m: Any) -> str:
    """eager <img> / lazy <img> fetched anyway / CSS (and other) images at first load."""
    im = (m or {}).get("images") or {}
    return f"{im.get('img-eager', 0)}/{im.get('img-lazy', 0)}/{im.get('css', 0) + im.get('other', 0)}"


def baseline_table(section: Mapping[str, Any]) -> str:
    """What audit --browser measured, one row per page."""
    head = ["page", "requests", "css", "js", "images eager/lazy/css", "blocking", "loadEventEnd ms", "Fast 3G ms", "LCP ms", "CLS", "errors", "failed"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * 11) + "|"]
    for page in section["pages"]:
        m = page["measure"]
        by = m.get("by_type") or {}
        cells = [
            f"{page.get('template') or page['url']} ({page['url']})".replace("|", "\\|"),
            str(m["request_count"]), str(by.get("stylesheet", 0)), str(by.get("script", 0)), _images(m),
            str(sum((m.get("blocking_by_type") or {}).values())), _ms(m), _ms(page.get("throttled")), _ms(m, "lcp_ms"),
            f"{float(m.get('cls') or 0):.3f}", str(len(m.get("console_errors") or ())), str(len(m.get("failed") or ())),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def browser_table(pages: Mapping[str, Mapping[str, Any]]) -> str:
    """The before/after browser table of ``optimize --browser`` and ``verify --browser``, one row per page."""
    ms = _ms
    head = ["page", "requests", "images eager/lazy/css", "loadEventEnd ms", "Fast 3G load ms", "screenshot diff", "status"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * 5 + ["---"]) + "|"]
    for name, e in pages.items():
        b, a = e["before"], e["after"]
        tb, ta = e.get("before_throttled"), e.get("after_throttled")
        throttled = f"{ms(tb)} → {ms(ta)}" if tb or ta else "-"
        cells = [
            f"{name} ({e['url']})".replace("|", "\\|"),
            f"{b['request_count']} → {a['request_count']}",
            f"{_images(b)} → {_images(a)}",
            f"{ms(b)} → {ms(a)}",
            throttled,
            f"{e['diff']['fraction']:.2%}",
            "failed" if e["reasons"] else "ok",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
