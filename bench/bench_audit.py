"""How long `assetopt audit` takes on all of Django's own admin templates and static files.

Run: python bench/bench_audit.py  (prints a table; paste it into bench/RESULTS.md)

Measures, in one process, the median of several runs:
- cold: sizes cache empty (brotli 11 + gzip 9 of every referenced file),
- warm: sizes cache filled (what a developer sees on the second run),
- reading only: lexing, scanning and resolving every template, no static files.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import django

from assetopt.audit.run import find_pages, run_audit
from assetopt.config import load_config
from assetopt.io.project import Project

ADMIN = Path(django.__file__).parent / "contrib" / "admin"
RUNS = 5


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    overrides = {"templates": (str(ADMIN / "templates"),), "static": (str(ADMIN / "static"),)}
    cold, warm, reading = [], [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            cfg = load_config(tmp, overrides)
            cold.append(timed(lambda cfg=cfg: run_audit(Project(cfg))))
            warm.append(timed(lambda cfg=cfg: run_audit(Project(cfg))))
            reading.append(timed(lambda cfg=cfg: find_pages(Project(cfg))))
    project = Project(load_config(tempfile.gettempdir(), overrides))
    n_templates = len(project.template_names())
    result = run_audit(project)
    print(f"Django {django.get_version()}, Python {sys.version.split()[0]}: {n_templates} admin templates, {len(result.pages)} pages")
    print("| what | median s | templates/s |")
    print("|---|---:|---:|")
    for name, xs in (("audit, cold sizes cache", cold), ("audit, warm sizes cache", warm), ("read+resolve templates only", reading)):
        m = statistics.median(xs)
        print(f"| {name} | {m:.3f} | {n_templates / m:.0f} |")


if __name__ == "__main__":
    main()
