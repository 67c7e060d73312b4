"""Which minifier takes over where rjsmin would damage a script: bytes after brotli, speed, correctness.

Run: python bench/bench_js.py [--no-corpora] [--npm-dir DIR]

Sides, on the example's scripts (static_src/**/*.js) and the real corpora (~/.cache/assetopt-corpora/*,
every *.js that is not *.min.js):
- rjsmin (what ships by default; "damaged" counts the files its damage check refuses),
- minify-go (``assetopt.text.js_parsed.minify_parsed``, with its own checks),
- esbuild-py (the PyPI binding of esbuild's transform API: it cannot be asked to minify),
- the reference from npm: esbuild --minify and terser -c -m (installed into --npm-dir, default
  ~/.cache/assetopt-bench/npm; skipped with a note when npm is unreachable). terser runs on the example
  only (it takes seconds per large file).
Correctness: every minify-go output is given to ``node --check`` when node exists.
Speed is wall time in this process for the Python sides; the npm sides include node's start-up.
Prints Markdown tables for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import brotli

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assetopt.bundler import minify_js  # noqa: E402
from assetopt.text import js_parsed  # noqa: E402

CORPORA = Path.home() / ".cache" / "assetopt-corpora"
NPM_DIR = Path.home() / ".cache" / "assetopt-bench" / "npm"


def br(data: str) -> int:
    return len(brotli.compress(data.encode("utf-8"), quality=11))


def scripts(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.js") if ".min." not in p.name and p.is_file())


def npm_tools(npm_dir: Path) -> dict[str, Path]:
    """terser and esbuild from npm, installed once into ``npm_dir``; {} when npm cannot get them."""
    bins = {name: npm_dir / "node_modules" / ".bin" / name for name in ("terser", "esbuild")}
    if all(b.exists() for b in bins.values()):
        return bins
    npm = shutil.which("npm")
    if npm is None:
        return {}
    npm_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(npm_dir), "terser", "esbuild"], capture_output=True, timeout=600
    )
    return bins if done.returncode == 0 and all(b.exists() for b in bins.values()) else {}


def run_tool(argv: list[str], text: str) -> str | None:
    done = subprocess.run(argv, input=text.encode("utf-8"), capture_output=True, timeout=300)
    return done.stdout.decode("utf-8") if done.returncode == 0 else None


def node_parses(text: str, tmp: Path) -> bool:
    node = shutil.which("node")
    if node is None:
        return True
    (tmp / "check.js").write_text(text, encoding="utf-8")
    return subprocess.run([node, "--check", str(tmp / "check.js")], capture_output=True, timeout=60).returncode == 0


def measure(files: list[Path], sides: dict[str, Callable[[str], str | None]], tmp: Path, check_node: set[str]) -> dict[str, dict[str, float]]:
    """Per side: raw and brotli bytes (a file a side fails on counts its source), seconds, failures."""
    totals = {name: {"raw": 0.0, "br": 0.0, "s": 0.0, "failed": 0.0, "node_failed": 0.0} for name in ["source", *sides]}
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        totals["source"]["raw"] += len(text.encode("utf-8"))
        totals["source"]["br"] += br(text)
        for name, fn in sides.items():
            start = time.perf_counter()
            out = fn(text)
            totals[name]["s"] += time.perf_counter() - start
            if out is None:
                totals[name]["failed"] += 1
                out = text
            elif name in check_node and not node_parses(out, tmp):
                totals[name]["node_failed"] += 1
                print(f"  node --check fails on {name}'s output of {path}", file=sys.stderr)
            totals[name]["raw"] += len(out.encode("utf-8"))
            totals[name]["br"] += br(out)
    return totals


def python_sides() -> dict[str, Callable[[str], str | None]]:
    def rjsmin_only(text: str) -> str | None:
        out, warning = minify_js(text, "", "rjsmin")
        return None if warning is not None else out

    def auto(text: str) -> str:
        return minify_js(text, "", "auto")[0]

    def minify_go(text: str) -> str | None:
        try:
            return js_parsed.minify_parsed(text)
        except js_parsed.ParsedRefusal:
            return None

    sides: dict[str, Callable[[str], str | None]] = {"rjsmin (damaged: unminified)": rjsmin_only}
    if js_parsed.available():
        sides["minify-go"] = minify_go
        sides["auto (rjsmin, minify-go where damaged)"] = auto
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # it imports distutils
            import esbuild_py
    except ImportError:
        pass
    else:
        sides["esbuild-py (transform only)"] = lambda text: esbuild_py.transform(text) or None
    return sides


def table(title: str, totals: dict[str, dict[str, float]], n: int) -> str:
    ref = totals["source"]["br"]
    rows = [
        f"### {title} ({n} files)",
        "",
        "| side | raw KB | brotli KB | brotli vs source | seconds | refused | node --check fails |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, t in totals.items():
        rows.append(
            f"| {name} | {t['raw'] / 1000:.1f} | {t['br'] / 1000:.1f} | {t['br'] / ref:.1%} | {t['s']:.2f} | {int(t['failed'])} | {int(t['node_failed'])} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-corpora", action="store_true")
    parser.add_argument("--npm-dir", type=Path, default=NPM_DIR)
    args = parser.parse_args()
    tools = npm_tools(args.npm_dir)
    notes = [] if tools else ["npm reference skipped: npm or the registry was unreachable"]
    py = python_sides()
    esbuild: dict[str, Callable[[str], str | None]] = {}
    terser: dict[str, Callable[[str], str | None]] = {}
    if tools:
        esbuild = {"npm esbuild --minify": lambda t: run_tool([str(tools["esbuild"]), "--minify", "--loader=js", "--log-level=error"], t)}
        terser = {"npm terser -c -m": lambda t: run_tool([str(tools["terser"]), "-c", "-m", "--comments", "/^!/"], t)}
    out = [f"`python bench/bench_js.py{' --no-corpora' if args.no_corpora else ''}`, {datetime.date.today().isoformat()}"]
    with tempfile.TemporaryDirectory() as tmp:
        order_form = [REPO / "static_src/js/sales/order_form.js"]
        out.append(table("the example's order form", measure(order_form, {**py, **esbuild, **terser}, Path(tmp), {"minify-go"}), 1))
        example = scripts(REPO / "static_src")
        out.append(
            table(
                "the example's scripts (vendor libraries included)",
                measure(example, {**py, **esbuild, **terser}, Path(tmp), {"minify-go"}),
                len(example),
            )
        )
        if not args.no_corpora and CORPORA.is_dir():
            corpus = [p for d in sorted(CORPORA.iterdir()) if d.is_dir() for p in scripts(d)]
            out.append(
                table(
                    "the real corpora (terser left out: too slow per file)", measure(corpus, {**py, **esbuild}, Path(tmp), {"minify-go"}), len(corpus)
                )
            )
    print("\n\n".join(out + notes))


if __name__ == "__main__":
    main()
