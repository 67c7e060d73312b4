"""Builds that overlap or die: one build at a time per ``out`` (a lock, with a clear wait and error),
and a build killed mid-write never leaves a ``.gz``/``.br`` beside a file whose bytes changed.

Real ``assetopt build`` processes on a real project in a temp dir; the invariant is read off the
disk: every sibling that exists decompresses to the bytes of its file.
"""

from __future__ import annotations

import gzip
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import brotli
import pytest

from assetopt.build import BuildOptions, build
from assetopt.errors import AssetoptError
from assetopt.io.lock import exclusive, lock_path_for


def big_css(seed: int, size: int = 800_000) -> str:
    """Text brotli 11 takes seconds on: the window in which a second build or a kill lands."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(5000)]
    rules, total = [], 0
    while total < size:
        rules.append(f".{rng.choice(words)}-{rng.randint(0, 10**6)} {{ color: #{rng.randint(0, 0xFFFFFF):06x}; margin: {rng.randint(0, 99)}px }}\n")
        total += len(rules[-1])
    return "".join(rules)


@pytest.fixture
def site(tmp_path: Path, write_tree) -> Path:
    write_tree(tmp_path, {
        "pyproject.toml": '[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\nimages = false\n',
        "templates/page.html": "{% load static assetopt %}{% bundle \"css\" %}<link rel=\"stylesheet\" href=\"{% static 'css/a.css' %}\"><link rel=\"stylesheet\" href=\"{% static 'css/b.css' %}\">{% endbundle %}",
        "static/css/a.css": "a { color: red }\n" * 400,
        "static/css/b.css": "b { color: blue }\n" * 400,
        "static/css/big.css": big_css(1),
        "static/css/small.css": "p { color: green }\n" * 400,
    })  # fmt: skip
    return tmp_path


def start_build(site: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "assetopt.cli", "build", "--project", str(site), "--out", str(out), "-j", "1"],
        cwd=site, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def siblings_match(out: Path) -> list[str]:
    """Every .gz/.br under ``out`` whose content is not its file's current bytes."""
    stale = []
    for sib in sorted(p for p in out.rglob("*") if p.suffix in (".gz", ".br")):
        original = sib.with_suffix("")
        raw = sib.read_bytes()
        data = gzip.decompress(raw) if sib.suffix == ".gz" else brotli.decompress(raw)
        if not original.is_file() or original.read_bytes() != data:
            stale.append(sib.relative_to(out).as_posix())
    return stale


def lock_holder(out: Path) -> str:
    try:
        return lock_path_for(out).read_text().strip()
    except OSError:
        return ""


def test_two_concurrent_builds_into_one_out_wait_for_each_other_and_both_succeed(site: Path):
    out = site / "out"
    first = start_build(site, out)
    wait_for(lambda: lock_holder(out) == str(first.pid))  # the first holds the lock: the second must wait
    second = start_build(site, out)
    out1, err1 = first.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0), err1 + err2
    assert f"another build is running on {out.resolve()} (pid {first.pid}); waiting" in err2
    assert "Traceback" not in err1 + err2
    assert siblings_match(out) == []
    assert (out / "css/big.css.br").is_file()


def test_a_build_that_cannot_get_the_lock_in_time_names_the_pid_that_holds_it(site: Path, make_project):
    from assetopt.config import load_config
    from assetopt.io.project import Project

    out = site / "out"
    project = Project(load_config(site))
    with exclusive(lock_path_for(out), str(out), timeout=1):
        with pytest.raises(AssetoptError, match=rf"another build is still running on .*out \(pid {os.getpid()}\) after 0.3 s"):
            build(project, BuildOptions(out=out, lock_timeout=0.3))
        assert not out.exists() or not any(out.iterdir())  # nothing written while waiting
    build(project, BuildOptions(out=out, lock_timeout=0.3))  # the lock went with its holder


def test_a_build_killed_mid_write_leaves_no_sibling_of_old_bytes(site: Path):
    out = site / "out"
    done = start_build(site, out)
    done.communicate(timeout=300)
    assert done.returncode == 0
    assert (out / "css/small.css.gz").is_file() and (out / "css/small.css.br").is_file()
    # every text file changes; the kill lands after small.css has its new bytes, while brotli 11
    # works on the new big.css (precompressing comes after every write)
    for name, text in {"big.css": big_css(2), "small.css": "p { color: purple }\n" * 500, "a.css": "a { color: navy }\n" * 400}.items():
        (site / "static/css" / name).write_text(text)
    new_small = (site / "static/css/small.css").read_bytes()
    killed = start_build(site, out)
    wait_for(lambda: (out / "css/small.css").read_bytes() == new_small)
    time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL, "the build finished before the kill: make big.css bigger"
    assert siblings_match(out) == []
    healed = start_build(site, out)  # the next build puts back every sibling
    healed.communicate(timeout=300)
    assert healed.returncode == 0
    assert siblings_match(out) == [] and (out / "css/small.css.br").is_file()
