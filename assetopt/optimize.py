"""``assetopt optimize``: the whole job in one run, sources untouched.

audit the sources (the baseline) -> rewrite every template into ``<out>/templates`` -> build the
bundles and the static root into ``<out>/static`` -> audit the rewritten copy against that build ->
compare page by page (``verify.compare``). Nothing under the project's own template or static dirs is
written; everything lands in ``out``. ``browser_check`` is the browser half (``optimize --browser``):
snapshots rendered by Django (``browser/snapshots.py``), measured in Chromium (``browser/chromium.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .audit.report import to_json
from .audit.run import run_audit
from .audit.thresholds import Condition
from .build import BuildOptions, BuildResult, build
from .config import Config
from .io.fs import refuse_output_dir
from .io.project import Project
from .rewrite.context import RewriteContext
from .rewrite.project import RewriteResult, mirror_root, plan_project, write_changes
from .verify.cache_leaks import CacheCheck
from .verify.compare import Verdict, compare

__all__ = ["CacheCheckArgs", "OptimizeResult", "optimize"]


@dataclass(frozen=True)
class CacheCheckArgs:
    """How ``optimize`` renders the cache leak check: the project's settings and who to render as."""

    settings_module: str
    pythonpath: Path
    users: tuple[str, ...]
    urls: tuple[str, ...] = ()


@dataclass
class OptimizeResult:
    before: dict[str, Any]  # audit JSON of the sources
    after: dict[str, Any]  # audit JSON of the rewritten, built copy
    rewrite: RewriteResult
    build: BuildResult
    verdict: Verdict
    templates_out: tuple[Path, ...]
    static_out: Path
    cache: CacheCheck | None = None  # the leak check by rendering, when the Django settings are known
    cache_left_out: tuple[str, ...] = ()  # rules the check did not pass: not inserted
    copies_written: int = 0  # template copies written or replaced in this run (0: the copy was already up to date)


def _quiet(_message: str) -> None:
    return None


def optimize(
    config: Config,
    out: Path,
    base: RewriteContext,
    require: tuple[Condition, ...] = (),
    jobs: int | None = None,
    progress: Callable[[str], None] = _quiet,
    cache_check: CacheCheckArgs | None = None,
) -> OptimizeResult:
    """``cache_check``: prove the cache rules by rendering first (``verify.cache_check``); only the
    rules it passed are inserted, the others are left out and reported (the rest still applies)."""
    project = Project(config)
    refuse_output_dir(out, config, "pass an --out outside the project's template and static dirs, e.g. --out build")  # before any write
    progress("auditing the sources (the baseline)")
    # The sources as they are, even if an earlier build sits in config.out: its images are not the baseline.
    before = to_json(run_audit(project, as_built=False), str(config.project), config.static_url)
    checked: CacheCheck | None = None
    left_out: tuple[str, ...] = ()
    if cache_check is not None and base.cache_rules and "cache" in base.only:
        from .verify.cache_check import check_cache

        progress(f"proving the cache fragments by rendering as {', '.join(cache_check.users) or 'nobody'} and anonymous")
        checked, _ = check_cache(config, cache_check.settings_module, cache_check.pythonpath, cache_check.users, cache_check.urls, base)
        left_out = tuple(r.name for r in base.cache_rules if r.name not in checked.passed)
        base = replace(base, cache_rules=tuple(r for r in base.cache_rules if r.name in checked.passed))
    progress("planning the template rewrites and compiling them with Django")
    rewritten = plan_project(project, base)
    copies_written = len(write_changes(rewritten, project, out))  # refuses (nothing written) if a rewrite would break
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
    after_config = replace(config, templates=templates_out, static=static_dirs, out=static_out, manifest=None)  # its own root, its own manifest
    progress(f"building bundles and the static root into {static_out}")
    built = build(Project(after_config), BuildOptions(out=static_out, jobs=jobs))
    progress("auditing the rewritten copy")
    after = to_json(run_audit(Project(after_config)), str(config.project), config.static_url)
    verdict = compare(before, after, require, baseline_path="(the sources)")
    return OptimizeResult(before, after, rewritten, built, verdict, templates_out, static_out, checked, left_out, copies_written)
