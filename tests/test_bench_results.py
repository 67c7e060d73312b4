"""bench/RESULTS*.md: every figure says which command produced it and when (a check of the
document, never of the timings). A benchmark whose command and date are not beside it cannot be
re-run or judged stale, which is how "assetopt cold = 0.48x the peers" outlived the code it measured."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
COMMAND_RE = re.compile(r"python bench/[\w-]+\.py")
DATE_RE = re.compile(r"\b20\d\d-[01]\d-[0-3]\d\b")


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) of each ``## `` section; the whole file when it has none."""
    parts = re.split(r"^(## .*)$", text, flags=re.MULTILINE)
    if len(parts) == 1:
        return [("(the whole file)", text)]
    return [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts), 2)]


@pytest.mark.parametrize("name", ["RESULTS.md", "RESULTS-corpora.md"])
def test_every_results_section_names_its_command_and_date(name: str):
    text = (BENCH / name).read_text("utf-8")
    undated = [head for head, body in sections(text) if not COMMAND_RE.search(body + head) or not DATE_RE.search(body + head)]
    assert undated == [], f"{name}: sections without a `python bench/...` command and a YYYY-MM-DD date: {undated}"


@pytest.mark.parametrize(
    "text, undated",
    [
        pytest.param("# T\n## a (`python bench/x.py`)\n2026-01-02: 1 s\n", [], id="command_in_heading_date_in_body"),
        pytest.param("# T\n## a\n`python bench/x.py`: 1 s\n", ["## a"], id="no_date"),
        pytest.param("# T\n## a\n2026-01-02: 1 s\n", ["## a"], id="no_command"),
        pytest.param("# T\n`python bench/x.py` 2026-01-02\n## b\n", ["## b"], id="a_later_section_does_not_borrow_the_first"),
    ],
)
def test_the_check_finds_sections_without_command_or_date(text: str, undated: list[str]):
    found = [h for h, b in sections(text) if not COMMAND_RE.search(b + h) or not DATE_RE.search(b + h)]
    assert found == undated
