"""Record what assetopt prints and writes on the example and the corpora, to compare two versions.

    python bench/differential.py OUT_DIR [CORPORA_DIR]      # then: diff -r BEFORE_DIR AFTER_DIR

For the example (this repository's [tool.assetopt]) and for each corpus fetched by
``../shared/corpora/fetch.sh`` (default ``~/.cache/assetopt-corpora``) it stores the ``audit --json``
report, the ``rewrite --diff`` output, and a listing of every file ``build`` wrote with its sha256
(corpora: ``--no-images``, which keeps a run under a few minutes). Each run starts from an empty cache
so nothing is reused from an earlier version. A refactoring that moves code must leave OUT_DIR
byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
ASSETOPT = [sys.executable, "-m", "assetopt.cli"]


def corpus_flags(root: Path) -> list[str]:
    out = subprocess.run([sys.executable, str(HERE.parent / "shared/corpora/dirs.py"), str(root)], capture_output=True, text=True, check=True)
    return out.stdout.split()


def tree_listing(root: Path) -> str:
    lines = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(root).as_posix()}")
    return "\n".join(lines) + "\n"


def run(name: str, flags: list[str], project: Path, out: Path, build_flags: list[str]) -> None:
    dest = out / name
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.rmtree(project / ".assetopt-cache", ignore_errors=True)
        audit = subprocess.run(
            [*ASSETOPT, "audit", "--project", str(project), *flags, "--json", str(dest / "audit.json")], capture_output=True, text=True
        )
        (dest / "audit.exit").write_text(f"{audit.returncode}\n{audit.stdout}")
        rewrite = subprocess.run([*ASSETOPT, "rewrite", "--project", str(project), *flags, "--diff"], capture_output=True, text=True)
        (dest / "rewrite.diff").write_text(f"{rewrite.returncode}\n{rewrite.stdout}")
        build = subprocess.run(
            [*ASSETOPT, "build", "--project", str(project), *flags, "--out", str(Path(tmp) / "out"), *build_flags], capture_output=True, text=True
        )
        listing = tree_listing(Path(tmp) / "out") if (Path(tmp) / "out").is_dir() else ""
        (dest / "build.txt").write_text(f"{build.returncode}\n{listing}")
    for file in dest.iterdir():  # temp and output paths differ from run to run; nothing else may
        file.write_text(file.read_text().replace(str(project), "<project>").replace(str(out), "<out>"))
    print(f"{name}: audit {audit.returncode}, rewrite {rewrite.returncode}, build {build.returncode}", flush=True)


def main() -> None:
    out = Path(sys.argv[1]).resolve()
    corpora = Path(sys.argv[2] if len(sys.argv) > 2 else Path.home() / ".cache/assetopt-corpora")
    run("example", [], HERE, out, [])
    with tempfile.TemporaryDirectory() as empty:
        for root in sorted(p for p in corpora.iterdir() if (p / ".fetched").is_file()):
            run(root.name, corpus_flags(root), Path(empty), out, ["--no-images"])
    print(json.dumps({"out": str(out)}))


if __name__ == "__main__":
    main()
