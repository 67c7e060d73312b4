"""The screens the pages are measured at are defined once, in ``assetopt/screens.py``: what the CLI
says about them (``optimize --help``) is derived from ``screens.SCREENS``, and no other module of the
package repeats their widths or DPR."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from assetopt.cli import cli
from assetopt.screens import SCREENS

PACKAGE = Path(__file__).resolve().parent.parent / "assetopt"


def _words(text: str) -> str:
    return " ".join(text.split())  # click rewraps the help: a phrase may break across lines


def test_optimize_help_names_each_screen_of_screens_py() -> None:
    result = CliRunner().invoke(cli, ["optimize", "--help"])
    assert result.exit_code == 0, result.output
    text = _words(result.output)
    named = re.search(r"loaded in Chromium at Lighthouse's (.*?) screens;", text)
    assert named is not None, text
    assert re.findall(r"(\w+) \((\d+) px\)", named.group(1)) == [(s.name, str(s.width)) for s in SCREENS]


def test_optimize_help_follows_screens_py_when_the_screens_change() -> None:
    """The help is built at import time: a process whose screens.SCREENS differs names its widths."""
    code = (
        "import assetopt.screens as screens\n"
        "screens.SCREENS = (screens.Screen('phone', 390, 844, 3.0, True, ()), screens.Screen('wide', 1440, 900, 1.0, False, ()))\n"
        "from click.testing import CliRunner\n"
        "from assetopt.cli import cli\n"
        "print(CliRunner().invoke(cli, ['optimize', '--help']).output)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent).stdout
    text = _words(out)
    assert "at Lighthouse's phone (390 px) and wide (1440 px) screens" in text, text
    assert not re.search(r"\b(412|1350)\b", text), text


def test_no_module_but_screens_py_repeats_a_screen_width_or_dpr() -> None:
    values = {str(s.width) for s in SCREENS} | {str(s.dpr) for s in SCREENS if s.dpr != 1.0}
    pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(v) for v in sorted(values)) + r")(?!\d|\.\d)")
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{n}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "screens.py"
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, "derive these from screens.SCREENS (or, for a number that means something else, word it so):\n" + "\n".join(found)
