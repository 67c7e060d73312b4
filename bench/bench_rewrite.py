"""How fast `assetopt rewrite` (diff mode) goes over all of the installed Django's own templates.

Run: python bench/bench_rewrite.py   (prints a table; paste it into bench/RESULTS.md)

Three timings, median of 5 runs each, on Django's admin + forms templates (plus their static files):
- plan: lex, scan, page roles, image sizes, every transform, apply the edits, unified diffs;
- plan + compile: the same plus compiling every changed template with Django (the --write gate);
- plan on the example ERP site.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import django

from assetopt.config import load_config
from assetopt.io.project import Project
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.edits import unified_diff
from assetopt.rewrite.project import plan_project

DJANGO = Path(django.__file__).parent
REPO = Path(__file__).resolve().parent.parent
RUNS = 5


def run(project: Project, compile_check: bool) -> int:
    ctx = RewriteContext(static_url="/static/", only=frozenset({"bundles", "images", "cache"}))
    result = plan_project(project, ctx, compile_check)  # the gate runs Django in a child process
    for c in result.changes:
        unified_diff(c.name, c.before, c.after)
    return len(result.changes)


def median_time(make, compile_check: bool) -> tuple[float, int, int]:
    times, changed = [], 0
    for _ in range(RUNS):
        project = make()
        t = time.perf_counter()
        changed = run(project, compile_check)
        times.append(time.perf_counter() - t)
    return statistics.median(times), len(make().template_names()), changed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        admin_dirs = {
            "templates": (str(DJANGO / "contrib/admin/templates"), str(DJANGO / "forms/templates")),
            "static": (str(DJANGO / "contrib/admin/static"),),
        }
        admin = lambda: Project(load_config(tmp, admin_dirs))  # noqa: E731
        example = lambda: Project(load_config(REPO, {"cache_dir": str(Path(tmp) / "c")}))  # noqa: E731
        print(f"Django {django.get_version()}, Python {sys.version.split()[0]}")
        print("| what | templates | changed | median s | templates/s |")
        print("|---|---:|---:|---:|---:|")
        for label, make, gate in (
            ("Django admin+forms, plan + diff", admin, False),
            ("Django admin+forms, plan + diff + Django compile gate", admin, True),
            ("example ERP site, plan + diff + compile gate", example, True),
        ):
            m, n, changed = median_time(make, gate)
            print(f"| {label} | {n} | {changed} | {m:.3f} | {n / m:.0f} |")


if __name__ == "__main__":
    main()
