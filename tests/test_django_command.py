"""``manage.py assetopt ...``: the command line configured from Django settings, same flags and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not (REPO / "static_src" / "vendor").is_dir(), reason="run `python example/prepare.py` first")


def manage(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "manage.py", "assetopt", *args], cwd=REPO / "example", env=env, capture_output=True, text=True, check=False
    )


def test_audit_reads_the_project_from_settings(tmp_path: Path):
    result = manage("audit", "-q", "--json", str(tmp_path / "a.json"))
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "a.json").read_text())
    dashboard = next(p for p in data["pages"] if p["name"] == "dashboard/admin_dashboard.html")
    assert dashboard["counts"]["css"] == 23  # the same page the command line sees through [tool.assetopt]
    assert any(d.endswith("static_src") for d in data["static_dirs"])


def test_exit_codes_are_the_command_lines():
    assert manage("rewrite", "--check", "--only", "bundles").returncode == 1  # work pending
    bad = manage("audit", "--bogus")  # (build into this STATIC_ROOT is refused before its options are read: test_django_third_party.py)
    assert bad.returncode == 2 and "No such option" in bad.stderr
    missing = manage()
    assert missing.returncode != 0 and "name a command" in missing.stderr


@pytest.mark.parametrize(
    ("setting", "words", "code"),
    [
        # the system check, first (Django's own exit code)
        ('ASSETOPT = {**ASSETOPT, "IMAGE_QUALITY": "high"}', "(assetopt.E004) ASSETOPT['IMAGE_QUALITY']", 1),
        # fine for Django's checks, not for us: a usage error, exit 2 as on the command line (1 means findings)
        ("STATIC_ROOT = None", "CommandError: assetopt builds into STATIC_ROOT", 2),
    ],
)
def test_bad_settings_are_named_not_a_traceback(tmp_path: Path, setting: str, words: str, code: int):
    (tmp_path / "bad_settings.py").write_text(f"from erp.settings import *  # noqa: F401,F403\n{setting}\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bad_settings", "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO / "example"), str(REPO)])}
    result = subprocess.run(
        [sys.executable, "manage.py", "assetopt", "audit", "-q"], cwd=REPO / "example", env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == code, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr
