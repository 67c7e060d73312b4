"""Atomic writes leave files readable the way a plain write would (nginx, a template loader running
as another user), and never leave a temp file behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from assetopt.io.fs import write_atomic, write_if_changed


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_mode_open_would_give(tmp_path: Path, umask_022: None) -> None:
    plain = tmp_path / "plain.css"
    plain.write_bytes(b"a{}")
    write_atomic(tmp_path / "sub" / "atomic.css", b"a{}")
    assert _mode(tmp_path / "sub" / "atomic.css") == _mode(plain) == 0o644


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "base.html"
    target.write_text("old")
    target.chmod(0o640)
    assert write_if_changed(target, b"new") is True
    assert target.read_bytes() == b"new"
    assert _mode(target) == 0o640


def test_unchanged_bytes_are_not_rewritten_and_no_temp_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "a.js"
    write_atomic(target, b"x")
    before = target.stat().st_mtime_ns
    assert write_if_changed(target, b"x") is False
    assert target.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.js"]
