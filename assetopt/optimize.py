"""``assetopt optimize``: the whole job in one run, sources untouched.

audit the sources (the baseline) -> rewrite every template into ``<out>/templates`` -> build the
bundles and the static root into ``<out>/static`` -> audit the rewritten copy against that build ->
compare page by page (``verify.compare``). Nothing under the project's own template or static dirs is
written; everything lands in ``out``. ``browser_check`` is the browser half (``optimize --browser``):
snapshots rendered by Django (``snapshots.py``), measured in Chromium (``browser.py``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .build import BuildOptions, BuildResult, build
from .config import Config
from .fsutil import refuse_overlap
from .project import Project
from .report import to_json
from .rewrite import RewriteResult, mirror_root, plan_project, write_changes
from .scan import run_audit
from .template_rewriter import RewriteContext
from .thresholds import Condition
from .verify import Verdict, compare

__all__ = ["OptimizeResult", "optimize"]


@dataclass
class OptimizeResult:
    before: dict[str, Any]  # audit JSON of the sources
    after: dict[str, Any]  # audit JSON of the rewritten, built copy
    rewrite: RewriteResult
    build: BuildResult
    verdict: Verdict
    templates_out: tuple[Path, ...]
    static_out: Path


def _quiet(_message: str) -> None:
    return None


def optimize(
    config: Config,
    out: Path,
    base: RewriteContext,
    require: tuple[Condition, ...] = (),
    jobs: int | None = None,
    progress: Callable[[str], None] = _quiet,
) -> OptimizeResult:
    project = Project(config)
    refuse_overlap(out / "static", config.static, "static source dir", "pass an --out outside the static dirs, e.g. --out build")  # before any write
    progress("auditing the sources (the baseline)")
    # The sources as they are, even if an earlier build sits in config.out: its images are not the baseline.
    before = to_json(run_audit(project, as_built=False), str(config.project), config.static_url)
    progress("planning the template rewrites and compiling them with Django")
    rewritten = plan_project(project, base)
    write_changes(rewritten, project, out)  # refuses (nothing written) if a rewrite would break
    templates_out = tuple(out / mirror_root(project, root) for root in config.templates)
    static_out = out / "static"
    static_dirs = config.static
    if rewritten.generated:
        # The styles transform's stylesheet is a source of the build, not part of its output (the
        # build owns <out>/static/assetopt/): move it to a static dir of its own, searched first.
        generated = out / "generated-static"
        for logical in rewritten.generated:
            src, dest = static_out / logical, generated / logical
            dest.parent.mkdir(parents=True, exist_ok=True)
            src.replace(dest)
        static_dirs = (generated, *config.static)
    after_config = replace(config, templates=templates_out, static=static_dirs, out=static_out)
    progress(f"building bundles and the static root into {static_out}")
    built = build(Project(after_config), BuildOptions(out=static_out, jobs=jobs))
    progress("auditing the rewritten copy")
    after = to_json(run_audit(Project(after_config)), str(config.project), config.static_url)
    verdict = compare(before, after, require, baseline_path="(the sources)")
    return OptimizeResult(before, after, rewritten, built, verdict, templates_out, static_out)


# --- the browser half (optimize --browser) -----------------------------------------------------------

__all__ += ["BrowserCheck", "browser_check", "EXAMPLE_URLS"]

# What `optimize --browser` loads when run in this repository (the bundled example site) without --url.
EXAMPLE_URLS = ("/en/", "/en/sales/orders/new/")


@dataclass
class BrowserCheck:
    pages: dict[str, dict[str, Any]]  # page name -> the report's "browser" entry (htmlreport's shape)
    reasons: list[str]  # every page's browser reasons, in page order
    chromium: str  # the browser's version
    seconds: float  # render + serve + measure + diff, wall time


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
    origin, measure every page in a fresh Chromium context (cold cache) with a screenshot, the pages
    in ``throttled`` (default: the first URL) also on Fast 3G, diff the screenshots into
    ``<out>/shots/`` and collect ``verify.browser_reasons`` (the static verdict's saved requests are
    the claim the browser must see)."""
    import time

    from .browser import measure_to_dict, open_browser, serve
    from .images import screenshot_diff
    from .manifest import MANIFEST_NAME
    from .snapshots import render_django_pages, served_path, shot_stem, write_snapshots
    from .verify import browser_reasons

    t0 = time.monotonic()
    out = result.static_out.parent
    progress(f"rendering {len(urls)} page(s) before and after with Django" + (f" as {user}" if user else ""))
    before = render_django_pages(settings_module, pythonpath, urls, env, assetopt={"BUNDLES": False}, user=user)
    after = render_django_pages(
        settings_module,
        pythonpath,
        urls,
        env,
        templates_dirs=result.templates_out,
        assetopt={"BUNDLES": True, "STRICT": True, "MANIFEST": str(result.static_out / MANIFEST_NAME)},
        user=user,
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
    pages: dict[str, dict[str, Any]] = {}
    reasons: list[str] = []
    shots = out / "shots"
    with open_browser() as chromium, serve({"/": snap_before, static_prefix: list(config.static)}) as base_b, serve({"/": snap_after, static_prefix: result.static_out}) as base_a:
        version = chromium.version
        for url in urls:
            name = names[url]
            stem = shot_stem(url)
            path = served_path(url)
            progress(f"measuring {url} in Chromium" + (" (and on Fast 3G)" if url in throttled else ""))
            mb = chromium.measure(base_b + path, screenshot=shots / f"{stem}-before.png")
            ma = chromium.measure(base_a + path, screenshot=shots / f"{stem}-after.png")
            entry: dict[str, Any] = {"url": url, "before": measure_to_dict(mb), "after": measure_to_dict(ma)}
            if url in throttled:
                entry["before_throttled"] = measure_to_dict(chromium.measure(base_b + path, throttled=True))
                entry["after_throttled"] = measure_to_dict(chromium.measure(base_a + path, throttled=True))
            diff_image = shots / f"{stem}-diff.png"
            fraction = screenshot_diff(shots / f"{stem}-before.png", shots / f"{stem}-after.png", diff_image)
            entry["diff"] = {"fraction": fraction, "image": str(diff_image), "threshold": diff_threshold}
            entry["claimed_saved"] = claims.get(before[url].get("template") or "")
            entry["reasons"] = browser_reasons(
                name, entry["before"], entry["after"], diff=fraction, diff_threshold=diff_threshold, claimed_saved=entry["claimed_saved"]
            )
            reasons.extend(entry["reasons"])
            pages[name] = entry
    return BrowserCheck(pages, reasons, version, time.monotonic() - t0)
