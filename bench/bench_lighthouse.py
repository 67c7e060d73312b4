"""Lighthouse 12 (mobile) on the example's dashboard, assetopt vs whitenoise alone, median of 5.

Run: python bench/bench_lighthouse.py [--runs 5] [--sides whitenoise,assetopt,plain] [--npm-dir DIR] [--setup-only]

Sides, each collected into its own STATIC_ROOT in a temp dir and served the same way (the example's
Django project under ``manage.py runserver`` on 127.0.0.1 with whitenoise's middleware, DEBUG off,
``bench/lighthouse_settings.py``):
- whitenoise: the original example, whitenoise's CompressedManifestStaticFilesStorage (no rewrite),
- assetopt: ``assetopt rewrite --write --browser`` on a copy of the example (the layout pass renders
  the config's ``urls``, /en/ among them, in Chromium and writes each image's ``sizes`` and
  lazy/eager/fetchpriority into the templates, docs/images.md), then collectstatic with the
  example's assetopt storage (bundles, minification, .gz/.br), then ``manage.py assetopt critical``
  (critical CSS measured in Chromium on an English and an Arabic page, docs/critical-css.md), served
  by whitenoise: what a user ships with ``rewrite --write --browser`` and ``collectstatic``,
- plain: the original example, Django's ManifestStaticFilesStorage (no compression at all).
Lighthouse 12 from npm (installed once into --npm-dir, default ~/.cache/assetopt-bench/npm), run
against Debian's Chromium (CHROME_PATH=/usr/bin/chromium, headless, no sandbox), default mobile
preset with simulated throttling, offline. ``--setup-only`` prepares the sides (the copy, rewrite,
collectstatic, critical CSS) in a temp dir and stops: it checks the setup without Lighthouse. Runs are interleaved (side A, B, C, A, B, C...) so a busy
moment of a shared machine hits every side. Each figure is the median of the runs.
A benchmark, never a timed test. Prints a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NPM_DIR = Path.home() / ".cache" / "assetopt-bench" / "npm"
CHROMIUM = "/usr/bin/chromium"
PAGE = "/en/"
SIDES = ("whitenoise", "assetopt", "plain")


def lighthouse_bin(npm_dir: Path) -> Path:
    exe = npm_dir / "node_modules" / ".bin" / "lighthouse"
    if not exe.exists():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("npm is not installed: apt-get install npm")
        npm_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(npm_dir), "lighthouse@12"], check=True, timeout=900)
    return exe


def _run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    proc = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def prepare(side: str, tmp: Path) -> tuple[Path, dict[str, str]]:
    """The site's root (holding example/) and the environment to collect and serve it."""
    root = tmp / side
    if side == "assetopt":  # rewrite a copy, as a user would: the repository is never touched
        root.mkdir()
        for name in ("example", "static_src"):
            shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
        if (REPO / ".assetopt-cache").is_dir():  # content-addressed: only saves cold minify/compress
            shutil.copytree(REPO / ".assetopt-cache", root / ".assetopt-cache")
        said = _run([sys.executable, "-m", "assetopt.cli", "rewrite", "--write", "--browser", "--project", str(root)], dict(os.environ), root)
        print(next((line for line in said.splitlines() if line.startswith("layout: ")), "rewrite --browser: no layout line"), file=sys.stderr)
    else:
        root.mkdir()
    site = root if side == "assetopt" else REPO
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
    env.update(
        DJANGO_SETTINGS_MODULE="lighthouse_settings",
        PYTHONPATH=os.pathsep.join([str(site / "example"), str(REPO / "bench"), str(REPO)]),
        BENCH_STORAGE=side,
        DJANGO_DEBUG="0",
        ERP_STATIC_ROOT=str(root / "static_root"),
        ERP_TEMPLATES_DIR=str(site / "example" / "templates"),
    )
    _run([sys.executable, str(site / "example" / "manage.py"), "collectstatic", "--noinput", "-v", "0"], env, site)
    if side == "assetopt":
        critical = [sys.executable, str(site / "example" / "manage.py"), "assetopt", "critical"]
        _run([*critical, "--url", "/en/", "--url", "/en/sales/orders/new/", "--url", "/ar/"], env, site)
    return site, env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(site: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(site / "example" / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload", "--nostatic"],
        env=env,
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + PAGE, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit(f"the {env['BENCH_STORAGE']} side never answered on {base}{PAGE}")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def lighthouse(exe: Path, url: str, out: Path, attempts: int = 3) -> dict[str, float]:
    """One Lighthouse run; a run that fails (Chromium occasionally dies under load) is retried, up to
    ``attempts`` in all, and said on stderr, so one crash does not throw away the whole benchmark."""
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    args = [
        str(exe),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance",
        "--chrome-flags=--headless --no-sandbox --disable-gpu",
    ]
    for attempt in range(1, attempts + 1):
        proc = subprocess.run(args, env=env, timeout=600, capture_output=True, text=True)
        if proc.returncode == 0:
            break
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        print(f"lighthouse failed on {url} (attempt {attempt} of {attempts}, exit {proc.returncode}): {' | '.join(tail)}", file=sys.stderr)
        if attempt == attempts:
            raise SystemExit(f"lighthouse failed {attempts} times on {url}; see above")
    report = json.loads(out.read_text(encoding="utf-8"))
    audits = report["audits"]
    return {
        "score": report["categories"]["performance"]["score"] * 100,
        "LCP s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "TBT ms": audits["total-blocking-time"]["numericValue"],
        "FCP s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "CLS": audits["cumulative-layout-shift"]["numericValue"],
        "requests": len(audits["network-requests"]["details"]["items"]),
        "transfer KB": audits["total-byte-weight"]["numericValue"] / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sides", default=",".join(SIDES))
    parser.add_argument("--npm-dir", type=Path, default=NPM_DIR)
    parser.add_argument(
        "--gzip-html",
        action="store_true",
        help="serve the pages gzip-compressed on every side (Django's GZipMiddleware), as a web server or CDN would",
    )
    parser.add_argument("--reports", type=Path, default=None, help="keep each run's Lighthouse JSON report in this folder (SIDE-RUN.json)")
    parser.add_argument("--setup-only", action="store_true", help="prepare the sides (rewrite, collectstatic, critical CSS) and stop")
    args = parser.parse_args()
    sides = [s for s in args.sides.split(",") if s]
    unknown = set(sides) - set(SIDES)
    if unknown:
        sys.exit(f"unknown side(s) {sorted(unknown)}; choose from {', '.join(SIDES)}")
    if args.setup_only:
        with tempfile.TemporaryDirectory(prefix="assetopt-lighthouse-") as tmp:
            for side in sides:
                site, env = prepare(side, Path(tmp))
                print(f"{side}: prepared {site} (STATIC_ROOT {env['ERP_STATIC_ROOT']})")
        return
    exe = lighthouse_bin(args.npm_dir)
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    results: dict[str, list[dict[str, float]]] = {s: [] for s in sides}
    with tempfile.TemporaryDirectory(prefix="assetopt-lighthouse-") as tmp:
        prepared = {side: prepare(side, Path(tmp)) for side in sides}
        for _site, env in prepared.values():
            env["BENCH_GZIP_HTML"] = "1" if args.gzip_html else "0"
        for i in range(args.runs):
            for side in sides if i % 2 == 0 else reversed(sides):
                site, env = prepared[side]
                with served(site, env) as base:
                    results[side].append(lighthouse(exe, base + PAGE, Path(tmp) / f"{side}-{i}.json"))
                print(f"run {i + 1}/{args.runs} {side}: score {results[side][-1]['score']:.0f}", file=sys.stderr)
                if args.reports is not None:
                    args.reports.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(Path(tmp) / f"{side}-{i}.json", args.reports / f"{side}-{i}.json")
    keys = list(next(iter(results.values()))[0])
    lines = [
        f"`python bench/bench_lighthouse.py --runs {args.runs} --sides {','.join(sides)}{' --gzip-html' if args.gzip_html else ''}`, "
        f"{datetime.date.today().isoformat()}, "
        f"Lighthouse {version}, mobile preset, {CHROMIUM}, page {PAGE}; median of {args.runs} runs per figure.",
        "",
        "| side | " + " | ".join(keys) + " |",
        "|---|" + "---:|" * len(keys),
    ]
    for side, runs in results.items():
        cells = []
        for k in keys:
            m = statistics.median(r[k] for r in runs)
            cells.append(f"{m:.3f}" if k == "CLS" else f"{m:.0f}" if k in ("score", "TBT ms", "requests", "transfer KB") else f"{m:.1f}")
        lines.append(f"| {side} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Scores per run: " + "; ".join(f"{s} {[round(r['score']) for r in runs]}" for s, runs in results.items()))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
