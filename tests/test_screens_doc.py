"""docs/*.md and README.md: every screen figure they quote (Lighthouse's mobile and desktop sizes, the
phone's DPR, the widths the layout pass reads, the ``sizes`` bands those widths cut) is what
``assetopt/screens.py`` says (a check of the documents, like ``test_bench_results.py``). The prose
repeats ``SCREENS`` in several places; a change there that the docs did not follow would have them
describe measurements the code no longer makes.

Each kind of quote is a pattern with a check against ``SCREENS``; a line that names a screen word and
holds one of ``SCREENS``'s figures but matches no pattern is reported too, so a new way of quoting
them must be taught here rather than slip by unchecked."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from assetopt.browser.chromium import VIEWPORT as MEASURE_VIEWPORT
from assetopt.screens import SCREENS, VIEWPORTS

REPO = Path(__file__).resolve().parent.parent
DOCUMENTS = [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md"]
BY_NAME = {s.name: s for s in SCREENS}
_N = r"(\d{3,4})"  # a width or height in CSS px
_DPR = r"(\d+(?:\.\d+)?)"
_X = r"\s?[x×]\s?"


def _screen_sizes() -> str:
    return ", ".join(f"{s.name} {s.width}x{s.height} at DPR {s.dpr:g}" for s in SCREENS)


def _size(m: re.Match[str]) -> str | None:
    size = (int(m[1]), int(m[2]))
    known = {(s.width, s.height) for s in SCREENS} | {(MEASURE_VIEWPORT["width"], MEASURE_VIEWPORT["height"])}
    if size in known:
        return None
    return f"{m[1]}x{m[2]} is no screen of assetopt/screens.py ({_screen_sizes()}) nor the measuring viewport of browser/chromium.py"


def _size_dpr(m: re.Match[str]) -> str | None:
    if any((s.width, s.height, s.dpr) == (int(m[1]), int(m[2]), float(m[3])) for s in SCREENS):
        return None
    return f"{m[0]!r}: screens.py has {_screen_sizes()}"


def _named(m: re.Match[str]) -> str | None:
    screen = BY_NAME[m[1].lower()]
    if int(m[2]) == screen.width and (m[3] is None or int(m[3]) == screen.height):
        return None
    return f"{m[0]!r}: the {screen.name} screen is {screen.width}x{screen.height} in screens.py"


def _phone(m: re.Match[str]) -> str | None:
    mobile = BY_NAME["mobile"]
    return None if int(m[1]) == mobile.width else f"{m[0]!r}: the mobile screen is {mobile.width} px wide in screens.py"


def _phone_dpr(m: re.Match[str]) -> str | None:
    mobile = BY_NAME["mobile"]
    return None if float(m[1]) == mobile.dpr else f"{m[0]!r}: the mobile screen's DPR is {mobile.dpr:g} in screens.py"


def _times(m: re.Match[str]) -> str | None:
    if any((s.width, s.dpr) == (int(m[1]), float(m[2])) for s in SCREENS):
        return None
    return f"{m[0]!r}: screens.py has {_screen_sizes()}"


def _widths(m: re.Match[str]) -> str | None:
    quoted = tuple(int(n) for n in re.findall(r"\d+", m[1]))
    return None if quoted == VIEWPORTS else f"{m[0]!r}: the layout pass reads {', '.join(map(str, VIEWPORTS))} (screens.VIEWPORTS)"


def _at_screens(m: re.Match[str]) -> str | None:
    widths = tuple(s.width for s in SCREENS)
    return None if (int(m[1]), int(m[2])) == widths else f"{m[0]!r}: the layout pass prints the screens' widths, {widths}"


def _bands() -> set[tuple[int, float]]:
    """The ``sizes`` bands consecutive measured viewports cut: ``(0, v2]``, ``(v2, v3]`` ... ``(v[n-1], ∞)``."""
    edges = [0, *VIEWPORTS[1:-1], math.inf]
    return set(zip(edges, edges[1:], strict=False))


def _band(m: re.Match[str]) -> str | None:
    band = (int(m[1]), math.inf if m[2] == "∞" else int(m[2]))
    return None if band in _bands() else f"{m[0]!r} is no band of the viewports {VIEWPORTS} (screens.VIEWPORTS)"


def _avatar(m: re.Match[str]) -> str | None:
    # picture_widths: the slot at each screen times its DPR, rounded up to 16 px
    need = sorted({16 * math.ceil(int(m[1]) * s.dpr / 16) for s in SCREENS})
    return None if sorted((int(m[2]), int(m[3]))) == need else f"{m[0]!r}: at the screens' DPRs it gets {need}"


# (name, pattern, check): whitespace in a pattern also matches a line break (Markdown wraps prose)
RULES: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str | None]]] = [
    ("size and DPR", re.compile(rf"\b{_N}{_X}{_N},\s+DPR\s+{_DPR}"), _size_dpr),
    ("size", re.compile(rf"\b{_N}{_X}{_N}\b"), _size),
    ("named screen", re.compile(rf"\b(mobile|desktop)\**(?:\s+(?:viewport|one|screen|device))?\s+\({_N}(?:\s?px\b|{_X}{_N}\b)", re.I), _named),
    ("phone width", re.compile(rf"\b{_N}\s?px\s+phone\b"), _phone),
    ("phone DPR", re.compile(rf"\b{_DPR}\s+\(the\s+phone's\s+DPR\)"), _phone_dpr),
    ("width times DPR", re.compile(rf"\b{_N}\s?px\s+times\s+{_DPR}"), _times),
    ("viewport widths", re.compile(r"\b(\d{3,4}(?:,\s+\d{3,4}){2,},?\s+and\s+\d{3,4})\s?px"), _widths),
    ("layout pass widths", re.compile(rf"\bin\s+Chromium\s+[\d.]+\s+at\s+{_N}\s+and\s+{_N}\s?px"), _at_screens),  # its progress line
    ("sizes band", re.compile(r"\((\d+),\s*(\d+(?=\])|∞(?=\)))"), _band),
    ("avatar copies", re.compile(r"\bA\s+(\d+)\s?px\s+avatar\s+gets\s+(\d+)\s+and\s+(\d+)\s?px\s+copies"), _avatar),
]
_SCREEN_WORD = re.compile(r"\b(mobile|desktop|phone|Lighthouse|DPR|viewports?)\b", re.I)


def _figure_re() -> re.Pattern[str]:
    numbers = {str(n) for s in SCREENS for n in (s.width, s.height, *s.also)} | {f"{s.dpr:g}" for s in SCREENS if s.dpr != 1}
    alternatives = "|".join(re.escape(n) for n in sorted(numbers, key=len, reverse=True))
    return re.compile(rf"(?<![\d.])({alternatives})(?![\d.]*\d)(?=\s?(?:px|[x×,)]|\s+and\b|\s+\(|\s+times\b))")


def check_text(text: str) -> tuple[list[tuple[int, str, str | None]], list[int]]:
    """``([(line, rule, problem or None)], [lines quoting a screen figure no rule reads])``."""
    found: list[tuple[int, str, str | None]] = []
    covered: set[int] = set()
    for name, pattern, check in RULES:  # a figure two rules read is checked by both ("size and DPR", "size")
        for m in pattern.finditer(text):
            first, last = text.count("\n", 0, m.start()) + 1, text.count("\n", 0, m.end()) + 1
            covered.update(range(first, last + 1))
            found.append((first, name, check(m)))
    figure = _figure_re()
    unread = [i for i, line in enumerate(text.splitlines(), 1) if i not in covered and _SCREEN_WORD.search(line) and figure.search(line)]
    return sorted(found, key=lambda f: f[:2]), unread


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.relative_to(REPO).as_posix() for p in DOCUMENTS])
def test_every_screen_figure_in_the_docs_is_what_screens_py_says(path: Path) -> None:
    found, unread = check_text(path.read_text("utf-8"))
    wrong = [f"{path.name}:{line}: {problem}" for line, _rule, problem in found if problem]
    assert wrong == [], "the docs must say what assetopt/screens.py says: fix these quotes (or screens.py)"
    assert unread == [], f"{path.name}: lines quoting a screen figure that no rule of this test reads (teach it the phrase): {unread}"


def test_the_docs_quote_the_screens_where_we_know_they_do() -> None:
    """The rules must find what is there: the pages that describe the screens are read, by rule."""
    read = {(p.name, rule) for p in DOCUMENTS for _line, rule, _problem in check_text(p.read_text("utf-8"))[0]}
    expected = {
        ("images.md", "size and DPR"),
        ("images.md", "named screen"),
        ("images.md", "viewport widths"),
        ("images.md", "width times DPR"),
        ("images.md", "phone DPR"),
        ("images.md", "sizes band"),
        ("images.md", "avatar copies"),
        ("critical-css.md", "size"),
        ("critical-css.md", "phone width"),
        ("browser.md", "named screen"),
        ("browser.md", "layout pass widths"),
        ("rewrite.md", "layout pass widths"),
    }
    assert expected <= read, sorted(expected - read)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        pytest.param("mobile (412x823, DPR 2.625) and desktop", "size and DPR", id="dpr"),
        pytest.param("at a viewport (390x844, Lighthouse's mobile device)", "size", id="size"),
        pytest.param("Lighthouse's mobile (390 px) and", "named screen", id="named_width"),
        pytest.param("and a **desktop** one\n   (1440x900).", "named screen", id="named_size_wrapped"),
        pytest.param("to 443 px on a 390 px phone", "phone width", id="phone"),
        pytest.param("at 412 px times 3 (the phone's DPR)", "phone DPR", id="phone_dpr"),
        pytest.param("at 412 px times 3 and", "width times DPR", id="times"),
        pytest.param("width at 360, 412, 600, 768, 1024 and 1920 px", "viewport widths", id="list_missing_one"),
        pytest.param("width at 360, 412,\n   600, 768, 1024, 1280 and 1920 px", "viewport widths", id="list_wrapped"),
        pytest.param("in Chromium 156 at 390 and 1350 px; sizes", "layout pass widths", id="at_screens"),
        pytest.param("bands (`(0, 360]`, ...", "sizes band", id="band"),
        pytest.param("... `(1920, ∞)`).", "sizes band", id="last_band"),
        pytest.param("A 96 px avatar gets 96 and 192 px copies", "avatar copies", id="avatar"),
    ],
)
def test_the_check_finds_a_figure_that_drifted(text: str, rule: str) -> None:
    found, _unread = check_text(text)
    assert [(name, bool(problem)) for _line, name, problem in found if name == rule] == [(rule, True)], found


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Lighthouse's mobile device loads it at 412 px wide", id="unread_width"),
        pytest.param("the phone (DPR 1.75) and", id="unread_dpr"),
    ],
)
def test_a_screen_figure_in_a_phrase_no_rule_reads_is_reported(text: str) -> None:
    assert check_text(text) == ([], [1])


def test_the_current_figures_pass() -> None:
    """The same phrases with screens.py's own figures are read and agree (the rules are not just strict)."""
    mobile, desktop = BY_NAME["mobile"], BY_NAME["desktop"]
    text = (
        f"mobile ({mobile.width}x{mobile.height}, DPR {mobile.dpr:g}) and desktop\n  ({desktop.width}x{desktop.height}) "
        f"at {', '.join(map(str, VIEWPORTS[:-1]))} and {VIEWPORTS[-1]} px; at {mobile.width} px times {mobile.dpr:g} (the phone's DPR), "
        f"on a {mobile.width} px phone, in Chromium 156.0 at {mobile.width} and {desktop.width} px, `(0, {VIEWPORTS[1]}]` ... `({VIEWPORTS[-2]}, ∞)`"
    )
    found, unread = check_text(text)
    assert [problem for _line, _name, problem in found] == [None] * len(found) and len(found) >= 9 and unread == [], found
