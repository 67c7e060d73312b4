"""A deliberately broken "after" is caught by the browser half of `optimize` (issue 5).

On a copy of the example: `optimize` (audit, rewrite, build) runs once, then each test breaks its own
copy of the built static root before `browser_check` renders and measures the dashboard (unthrottled
only, one URL: each check takes ~10 s):

- a CSS bundle rebuilt without css/layout.css (integrity recomputed, so the browser applies it): the
  screenshot diff fails, and nothing else does;
- a JS bundle that throws at its end (integrity recomputed): a new console error; with the stale
  integrity Chromium blocks the script instead, which is a console error too (not a failed request);
- and the opposite: the same 404 on both sides (each side is served from its own origin) is not new.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from browser_support import DASHBOARD, copy_example, needs_browser

from assetopt.browser.check import browser_check
from assetopt.build.manifest import MANIFEST_NAME
from assetopt.build.precompress import write_dropping_siblings
from assetopt.bundler import Source, join_css
from assetopt.config import load_config
from assetopt.optimize import optimize
from assetopt.rewrite.context import context_from_config
from assetopt.verify.compare import browser_reasons
from assetopt.verify.measures import BrowserMeasure

DROPPED = "css/layout.css"


@pytest.fixture(scope="module")
def optimized(tmp_path_factory):
    """(config, OptimizeResult) of `optimize` on a copy of the example, built into <copy>/out."""
    root = copy_example(tmp_path_factory.mktemp("broken"))
    config = load_config(root, cwd=root)
    base = context_from_config(config)
    result = optimize(config, root / "out", base)
    assert not result.verdict.failed, result.verdict.reasons
    return config, result


def _broken_copy(optimized, tmp_path: Path):
    """A copy of the built static root in tmp_path (snapshots and shots land there too), its result."""
    _config, result = optimized
    static = tmp_path / "static"
    shutil.copytree(result.static_out, static)
    return static, dataclasses.replace(result, static_out=static)


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def _check(config, result):
    """browser_check on the dashboard only, unthrottled; its page entry and the check."""
    checked = browser_check(config, result, settings_module="erp.settings", pythonpath=config.project / "example", urls=["/en/"], throttled=())
    return checked.pages[DASHBOARD].to_dict(), checked


@needs_browser
def test_a_bundle_without_one_stylesheet_fails_the_screenshot_diff(optimized, tmp_path: Path):
    config, _result = optimized
    static, broken = _broken_copy(optimized, tmp_path)
    manifest_path = static / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text("utf-8"))
    src = config.static[0]

    def read(logical: str) -> str | None:
        path = src / logical
        return path.read_text("utf-8-sig") if path.is_file() else None

    rebuilt = 0
    for bundle in manifest["bundles"].values():  # the LTR and the RTL bundle both hold it
        if bundle["kind"] != "css" or DROPPED not in bundle["sources"]:
            continue
        (entry,) = bundle["files"]
        joined = join_css([Source(p, read(p) or "") for p in entry["sources"] if p != DROPPED], "assetopt/x.css", read=read)
        (chunk,) = joined.chunks
        data = chunk.text.encode("utf-8")
        old = (static / entry["name"]).read_bytes()
        assert len(data) < len(old)  # really rebuilt without it
        write_dropping_siblings(static / entry["name"], data)  # same URL (stale .br/.gz gone, as a build does); the integrity follows
        entry.update(integrity=_sri(data), size=len(data))
        rebuilt += 1
    assert rebuilt == 2
    manifest_path.write_text(json.dumps(manifest), "utf-8")

    page, checked = _check(config, broken)

    fraction = page["diff"]["fraction"]
    assert fraction > page["diff"]["threshold"] == 0.01
    pixels, elements, *phone = checked.reasons
    assert pixels == f"{DASHBOARD}: the page looks different: {fraction:.2%} of pixels changed (threshold 1.00%)"
    # element by element too: without the layout's rules the first screen's boxes moved
    assert elements.startswith(f"{DASHBOARD}: the first screen (1280x720) shows ") and ": box " in elements
    # and on the phone's screen, which each of its reasons names
    assert any(r.startswith(f"{DASHBOARD}: the first screen (412x823) shows ") for r in phone)
    assert all("(412x823)" in r for r in phone)
    # The stylesheet really loaded (not an SRI block, not a 404): the page comparison alone caught it.
    assert page["after"]["console_errors"] == [] and page["after"]["failed"] == []
    assert page["after"]["by_type"]["stylesheet"] <= 2
    assert Path(page["diff"]["image"]).is_file()


@needs_browser
@pytest.mark.parametrize("fix_integrity", [True, False], ids=["integrity-recomputed", "integrity-stale"])
def test_a_bundle_whose_js_throws_is_a_new_console_error(optimized, tmp_path: Path, fix_integrity: bool):
    config, _result = optimized
    static, broken = _broken_copy(optimized, tmp_path)
    manifest_path = static / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text("utf-8"))
    # The app's own scripts at the end of <body> (js/core/*.js): nothing after them renders anything.
    (bundle,) = [b for b in manifest["bundles"].values() if b["kind"] == "js" and "js/core/forms.js" in b["sources"]]
    (entry,) = bundle["files"]
    path = static / entry["name"]
    data = path.read_bytes() + b';throw new Error("assetopt-test");\n'
    write_dropping_siblings(path, data)  # as a build does: no stale .br/.gz beside it
    if fix_integrity:
        entry.update(integrity=_sri(data), size=len(data))
    manifest_path.write_text(json.dumps(manifest), "utf-8")

    page, checked = _check(config, broken)

    before, after = page["before"], page["after"]
    assert before["console_errors"] == []
    (error,) = after["console_errors"]
    if fix_integrity:
        assert error == "uncaught Error: assetopt-test"
    else:
        # What Chromium really does with a stale integrity: blocks the script, logs it, and the
        # request itself succeeded (200), so it is not a failed request.
        assert error.startswith("Failed to find a valid digest in the 'integrity' attribute for resource ")
        assert entry["name"] in error and "The resource has been blocked." in error
    assert after["failed"] == []
    assert checked.reasons == [f"{DASHBOARD}: new console error(s) after the change: {error}"]
    assert page["diff"]["fraction"] <= page["diff"]["threshold"]  # it throws at the end: the page looks the same


@needs_browser
def test_the_same_404_on_both_sides_is_not_a_new_failed_request(optimized, tmp_path: Path):
    """Before and after are served from two origins (two ports): a 404 both have is not new."""
    config, _result = optimized
    static, broken = _broken_copy(optimized, tmp_path)
    (static / "css" / "print.css").unlink()  # the print stylesheet stays a plain <link> after the rewrite
    sources = tmp_path / "static_src"
    shutil.copytree(config.static[0], sources, ignore=shutil.ignore_patterns("print.css"))

    page, checked = _check(dataclasses.replace(config, static=(sources,)), broken)

    before, after = page["before"], page["after"]
    assert [f.rsplit("/static/", 1)[1] for f in before["failed"]] == ["css/print.css"]
    assert [f.rsplit("/static/", 1)[1] for f in after["failed"]] == ["css/print.css"]
    assert before["failed"] != after["failed"]  # the same file at another origin
    assert checked.reasons == []


def test_browser_reasons_ignore_each_sides_own_origin():
    """The unit half of the test above: lines are compared without their side's scheme://host:port."""
    before = {
        "url": "http://127.0.0.1:4001/en/",
        "request_count": 5,
        "console_errors": ["blocked http://127.0.0.1:4001/static/a.js"],
        "failed": ["404 http://127.0.0.1:4001/static/css/print.css"],
    }
    same = {
        "url": "http://127.0.0.1:4002/en/",
        "request_count": 5,
        "console_errors": ["blocked http://127.0.0.1:4002/static/a.js"],
        "failed": ["404 http://127.0.0.1:4002/static/css/print.css"],
    }
    assert browser_reasons("p", BrowserMeasure.from_dict(before), BrowserMeasure.from_dict(same)) == []
    other = {**same, "failed": ["404 http://127.0.0.1:4002/static/css/other.css", "404 http://cdn.example/static/css/print.css"]}
    assert browser_reasons("p", BrowserMeasure.from_dict(before), BrowserMeasure.from_dict(other)) == [
        "p: new failed request(s) after the change: 404 http://127.0.0.1:4002/static/css/other.css; 404 http://cdn.example/static/css/print.css"
    ]
