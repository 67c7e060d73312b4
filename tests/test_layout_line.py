"""The layout pass's summary line names the screens it loaded each page at, as ``screens.py`` defines them."""

from __future__ import annotations

import re

from assetopt.cli.browser_args import layout_line
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.layout_facts import ImageLayout, Layout, PageLayout
from assetopt.screens import SCREENS, Screen

_CTX = RewriteContext(
    layout=Layout(
        (PageLayout("/en/", "dash.html", {("dash.html", 10): ImageLayout(((412, 300.0),)), ("dash.html", 90): ImageLayout(((412, 50.0),))}),),
        "156.0",
    )
)


def _at(line: str) -> str:
    match = re.search(r" at ([\d, and]+) px;", line)
    assert match is not None, line
    return match.group(1)


def test_layout_line_names_each_width_of_screens_py() -> None:
    line = layout_line(_CTX, [], str)
    assert line is not None and line.startswith("layout: 2 <img> tag(s) measured on 1 page(s) in Chromium 156.0 at ")
    assert re.findall(r"\d+", _at(line)) == [str(s.width) for s in SCREENS]


def test_layout_line_follows_other_screens() -> None:
    screens = (
        Screen("phone", 360, 640, 3.0, True, ()),
        Screen("tablet", 800, 1280, 2.0, True, ()),
        Screen("wide", 1920, 1080, 1.0, False, ()),
    )
    assert _at(layout_line(_CTX, [], str, screens) or "") == "360, 800 and 1920"
    assert _at(layout_line(_CTX, [], str, screens[1:2]) or "") == "800"


def test_no_layout_no_line() -> None:
    assert layout_line(RewriteContext(), [], str) is None
