"""`assetopt audit --browser` then `assetopt verify --browser` on a copy of the example (issue 5).

The module's fixture does what a user does: measure the sources in Chromium before the change
(`audit --browser --json before.json`, screenshots in before.screenshots/), make the change
(`optimize --out out`: rewritten templates in out/templates, the build in out/static), then each
test runs `verify --browser` against it, or against a deliberately broken copy of the build. Fast 3G
runs are skipped here (test_optimize_browser.py measures them before and after in one run).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from browser_support import DASHBOARD, copy_example, needs_browser
from click.testing import CliRunner
from PIL import Image

from assetopt.browser.chromium import open_browser, serve
from assetopt.build.manifest import MANIFEST_NAME
from assetopt.build.precompress import write_dropping_siblings
from assetopt.bundler import Source, join_css
from assetopt.cli import cli

ORDER_FORM = "sales/order_form.html"


def run(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """A copy of the example with before.json (+ before.screenshots/) measured on the sources, then
    optimized into out/ (sources untouched)."""
    root = copy_example(tmp_path_factory.mktemp("verify-browser"))
    audited = run("audit", "--project", root, "--browser", "--no-throttle", "--json", root / "before.json", "-q")
    assert audited.exit_code == 0, audited.output
    optimized = run("optimize", "--project", root, "--out", root / "out")
    assert optimized.exit_code == 0, optimized.output
    return root


def _verify(root: Path, *extra: str | Path):
    return run(
        "verify",
        "--project",
        root,
        "--templates",
        root / "out/templates",
        "--out",
        root / "out/static",
        "--baseline",
        root / "before.json",
        "--browser",
        *extra,
    )


@needs_browser
def test_audit_browser_stores_measurements_and_screenshots_beside_the_json(example: Path):
    doc = json.loads((example / "before.json").read_text())
    assert doc["schema"] == "assetopt.audit" and doc["version"] == 1  # additive: still version 1
    section = doc["browser"]
    assert (section["settings"], section["pythonpath"], section["user"]) == ("erp.settings", "example", None)
    assert [(p["spec"], p["template"]) for p in section["pages"]] == [("/en/", DASHBOARD), ("/en/sales/orders/new/", ORDER_FORM)]
    dash = section["pages"][0]["measure"]
    assert dash["screenshot"] == "before.screenshots/en.png"  # relative to the JSON
    with Image.open(example / dash["screenshot"]) as shot:
        assert shot.width == 1280 and shot.height > 2000  # full page, not the 720 px viewport
    assert section["pages"][0]["throttled"] is None  # --no-throttle
    # Before the change every <img> the dashboard renders is eager (the logo, the hero, two charts,
    # 18 products, 4 warehouses); the two CSS backgrounds are counted apart.
    by_type = Counter(r["type"] for r in dash["requests"])
    assert dash["by_type"] == dict(by_type) and dash["request_count"] == len(dash["requests"])
    images = Counter(r["via"] for r in dash["requests"] if r["type"] == "image")
    assert dash["images"] == {k: images.get(k, 0) for k in ("img-eager", "img-lazy", "css", "other")}
    assert dash["images"]["img-lazy"] == 0 and dash["images"]["img-eager"] == 26
    assert dash["images"]["css"] == 2  # bg-pattern.png and the navbar's search.svg
    assert dash["by_type"]["stylesheet"] == 24  # the 23 plus the print stylesheet


@needs_browser
def test_verify_browser_passes_on_the_optimized_build_and_its_report_renders(example: Path, tmp_path: Path):
    result = _verify(example, "--json", tmp_path / "v.json", "--report", tmp_path / "report.html")
    assert result.exit_code == 0, result.output
    assert "| dashboard/admin_dashboard.html (/en/) |" in result.output
    doc = json.loads((tmp_path / "v.json").read_text())
    assert doc["browser_reasons"] == []
    stored = {p["template"]: p["measure"] for p in json.loads((example / "before.json").read_text())["browser"]["pages"]}
    dash = doc["browser"][DASHBOARD]
    before, after = dash["before"], dash["after"]
    # The "before" is the stored measurement, not a new one; its screenshot is the stored file.
    assert before["screenshot"] == str((example / "before.screenshots/en.png").resolve())
    assert {k: v for k, v in before.items() if k != "screenshot"} == {k: v for k, v in stored[DASHBOARD].items() if k != "screenshot"}
    assert after["screenshot"] == str((example / "before.verify-shots/en-after.png").resolve())
    assert Path(dash["diff"]["image"]) == (example / "before.verify-shots/en-diff.png").resolve()
    assert Path(dash["diff"]["image"]).is_file()
    # The numbers for the example dashboard, in Chromium.
    assert after["eager_img"] <= 3 < before["eager_img"]
    assert after["by_type"]["stylesheet"] <= 2 < before["by_type"]["stylesheet"]
    assert after["blocking_by_type"].get("script", 0) <= 2
    assert dash["diff"]["fraction"] < dash["diff"]["threshold"] == 0.01
    assert after["console_errors"] == [] and after["failed"] == []
    assert before["request_count"] - after["request_count"] >= dash["claimed_saved"] > 0
    assert set(doc["browser"]) == {DASHBOARD, ORDER_FORM}

    report = tmp_path / "report.html"
    # before, after and diff of both pages, on the desktop and on the phone
    assert report.read_text().count("data:image/png;base64,") == 12
    assert report.read_text().count("<h3>On the phone (412x823)</h3>") == 2
    with serve({"/": tmp_path}) as base, open_browser() as chromium:
        shown = chromium.measure(f"{base}/report.html", screenshot=tmp_path / "report.png")
    assert (shown.status, shown.console_errors, shown.failed) == (200, (), ())
    assert shown.by_type == {"document": 1}  # self-contained
    with Image.open(tmp_path / "report.png") as shot:
        colours = Counter({rgb: n for n, rgb in shot.convert("RGB").getcolors(1 << 24)})
    assert colours[(0x2A, 0x7D, 0xE1)] > 200 and colours[(0x9A, 0xA3, 0xAD)] > 200  # after and before bars


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


@needs_browser
def test_verify_browser_catches_a_bundle_missing_one_stylesheet(example: Path, tmp_path: Path):
    static = tmp_path / "static"
    shutil.copytree(example / "out/static", static)
    manifest = json.loads((static / MANIFEST_NAME).read_text("utf-8"))
    src = example / "static_src"

    def read(logical: str) -> str | None:
        return (src / logical).read_text("utf-8-sig") if (src / logical).is_file() else None

    rebuilt = 0
    for bundle in manifest["bundles"].values():
        if bundle["kind"] == "css" and "css/layout.css" in bundle["sources"]:
            (entry,) = bundle["files"]
            (chunk,) = join_css([Source(p, read(p) or "") for p in entry["sources"] if p != "css/layout.css"], "assetopt/x.css", read=read).chunks
            data = chunk.text.encode("utf-8")
            write_dropping_siblings(static / entry["name"], data)  # same URL, no stale .br/.gz, integrity recomputed
            entry.update(integrity=_sri(data), size=len(data))
            rebuilt += 1
    assert rebuilt == 2  # LTR and RTL
    (static / MANIFEST_NAME).write_text(json.dumps(manifest), "utf-8")

    result = run(
        "verify",
        "--project",
        example,
        "--templates",
        example / "out/templates",
        "--out",
        static,
        "--baseline",
        example / "before.json",
        "--browser",
        "--url",
        "/en/",
        "--shots",
        tmp_path / "shots",
        "--json",
        tmp_path / "v.json",
    )

    assert result.exit_code == 1, result.output
    doc = json.loads((tmp_path / "v.json").read_text())
    assert set(doc["browser"]) == {DASHBOARD}  # --url /en/ only
    page = doc["browser"][DASHBOARD]
    fraction = page["diff"]["fraction"]
    assert fraction > 0.01
    pixels, elements, *phone = doc["browser_reasons"]
    assert pixels == f"{DASHBOARD}: the page looks different: {fraction:.2%} of pixels changed (threshold 1.00%)"
    # and element by element: the layout's rules are gone, so its boxes moved (the first five named)
    assert elements.startswith(f"{DASHBOARD}: the first screen (1280x720) shows ") and elements.count(": box ") >= 1
    # the phone's screen lost them too, and says which screen it is
    assert any(r.startswith(f"{DASHBOARD}: the first screen (412x823) shows ") for r in phone)
    assert all("(412x823)" in r for r in phone)
    assert f"fail: {DASHBOARD}: the page looks different" in result.output
    assert (tmp_path / "shots/en-diff.png").is_file() and (tmp_path / "shots/en-after.png").is_file()
    assert doc["failed"] is False  # the static half cannot see it: the browser did


@needs_browser
def test_verify_browser_refuses_a_url_the_baseline_did_not_measure(example: Path):
    result = _verify(example, "--url", "/en/", "--url", "/en/hr/")
    assert result.exit_code == 2
    assert "no browser measurements of --url /en/hr/ (it has /en/, /en/sales/orders/new/)" in result.output
    assert "re-run assetopt audit --browser with them" in result.output


@needs_browser
def test_verify_browser_needs_the_screenshots_beside_the_baseline(example: Path, tmp_path: Path):
    shutil.copy(example / "before.json", tmp_path / "moved.json")  # without moved.screenshots/
    result = run(
        "verify",
        "--project",
        example,
        "--templates",
        example / "out/templates",
        "--out",
        example / "out/static",
        "--baseline",
        tmp_path / "moved.json",
        "--browser",
    )
    assert result.exit_code == 2
    assert f"the baseline's screenshot of /en/ is missing: {tmp_path / 'before.screenshots/en.png'}" in result.output


def test_a_baseline_without_browser_data_is_a_clear_error(tmp_path: Path, write_tree, monkeypatch):
    write_tree(tmp_path, {"templates/home.html": "<!DOCTYPE html><html><head></head><body><p>hi</p></body></html>", "static/a.css": "a{}"})
    monkeypatch.chdir(tmp_path)
    assert run("audit", "--templates", "templates", "--static", "static", "--json", "before.json").exit_code == 0
    result = run("verify", "--templates", "templates", "--static", "static", "--baseline", "before.json", "--browser")
    assert result.exit_code == 2
    assert "before.json: the baseline has no browser measurements" in result.output
    assert "re-run the audit with --browser before the change: assetopt audit --browser --json before.json" in result.output
    assert "| page |" not in result.output  # refused before any work


@pytest.mark.parametrize(
    ("baseline", "words"),
    [
        ("[]", "the baseline is not an audit report (a JSON object)"),
        ('{"browser": {"pages": ["x"]}}', "the baseline's browser page 1 is not a measurement (url, measure): x"),
        ('{"browser": {"pages": [{"url": "/", "measure": null}]}}', "the baseline's browser page 1 is not a measurement"),
    ],
)
def test_a_malformed_browser_baseline_is_a_clear_error_not_a_crash(tmp_path: Path, write_tree, monkeypatch, baseline: str, words: str):
    write_tree(tmp_path, {"templates/home.html": "<!DOCTYPE html><html><head></head><body><p>hi</p></body></html>", "b.json": baseline})
    monkeypatch.chdir(tmp_path)
    result = run("verify", "--templates", "templates", "--baseline", "b.json", "--browser")
    assert result.exit_code == 2, result.output
    assert f"b.json: {words}" in result.output and "internal error" not in result.output


def test_audit_browser_needs_json(tmp_path: Path, write_tree, monkeypatch):
    write_tree(tmp_path, {"templates/home.html": "<!DOCTYPE html><html></html>"})
    monkeypatch.chdir(tmp_path)
    result = run("audit", "--templates", "templates", "--browser", "--settings", "x.settings", "--url", "/")
    assert result.exit_code == 2 and "--browser needs --json FILE" in result.output


def test_browser_options_of_verify_need_browser(tmp_path: Path, write_tree, monkeypatch):
    write_tree(tmp_path, {"templates/home.html": "<!DOCTYPE html><html></html>"})
    monkeypatch.chdir(tmp_path)
    assert run("audit", "--templates", "templates", "--json", "b.json").exit_code == 0
    result = run("verify", "--templates", "templates", "--baseline", "b.json", "--url", "/")
    assert result.exit_code == 2 and "go with --browser" in result.output


def _png(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30), (10, 200, 30)).save(path, "PNG")
    return path.read_bytes()


def _baseline_with_shot(tmp_path: Path, shot: str) -> None:
    page = {"spec": "/en/", "url": "/en/", "template": "home.html", "measure": {"screenshot": shot}}
    (tmp_path / "b" / "b.json").parent.mkdir(exist_ok=True)
    (tmp_path / "b" / "b.json").write_text(json.dumps({"browser": {"settings": "x.settings", "pages": [page]}}))


@pytest.mark.parametrize(
    "shot",
    [
        pytest.param("../secret.png", id="dot_dot"),
        pytest.param("{root}/secret.png", id="absolute"),
        pytest.param("b.screenshots/link.png", id="symlink_out"),
    ],
)
def test_a_baseline_screenshot_outside_the_baseline_folder_is_never_read(tmp_path: Path, write_tree, monkeypatch, shot: str):
    """A crafted baseline could otherwise embed any image this process can read into the report."""
    write_tree(tmp_path, {"templates/home.html": "<!DOCTYPE html><html><head></head><body><p>hi</p></body></html>"})
    _png(tmp_path / "secret.png")
    (tmp_path / "b" / "b.screenshots").mkdir(parents=True)
    (tmp_path / "b" / "b.screenshots" / "link.png").symlink_to(tmp_path / "secret.png")
    _baseline_with_shot(tmp_path, shot.format(root=tmp_path))
    monkeypatch.chdir(tmp_path)
    result = run("verify", "--templates", "templates", "--baseline", "b/b.json", "--browser", "--report", "r.html")
    assert result.exit_code == 2, result.output
    assert "the baseline's screenshot of /en/ is outside the baseline's folder" in result.output
    assert "internal error" not in result.output and not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"not an image at all", id="not_an_image"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_broken_baseline_screenshot_is_a_clear_error_before_any_measuring(tmp_path: Path, write_tree, monkeypatch, damage):
    write_tree(tmp_path, {"templates/home.html": "<!DOCTYPE html><html><head></head><body><p>hi</p></body></html>"})
    shot = tmp_path / "b" / "b.screenshots" / "en.png"
    shot.write_bytes(damage(_png(shot)))
    _baseline_with_shot(tmp_path, "b.screenshots/en.png")
    monkeypatch.chdir(tmp_path)
    result = run("verify", "--templates", "templates", "--baseline", "b/b.json", "--browser")
    assert result.exit_code == 2, result.output
    assert f"cannot read the screenshot {shot}" in result.output and "re-run assetopt audit --browser" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
