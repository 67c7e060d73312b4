"""`audit --browser --base-url` then `verify --browser [--base-url]`: measuring a running site (issue 5).

The "running site" is a real HTTP server on 127.0.0.1 (``assetopt.localserver.serve``) started by
the test: a "before" folder whose page links three stylesheets, an "after" folder whose page links
one bundle with the same rules (the same look, fewer requests), and a broken "after" whose bundle
lost one stylesheet's rules (a visible change). Nothing is rendered with Django in these tests; the
static half of audit/verify reads a tiny template folder.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from base_url_support import audit_site, run, serve_sites, verify_site
from browser_support import needs_chromium
from PIL import Image

# Three stylesheets that each paint a large block, so losing any one changes many pixels.
CSS = {
    "a.css": "body{margin:0;background:#ffffff}\n.top{height:240px;background:#1f6feb}\n",
    "b.css": ".middle{height:240px;background:#2da44e}\n",
    "c.css": ".bottom{height:240px;background:#cf222e}\n",
}
BODY = '<div class="top"></div><div class="middle"></div><div class="bottom"></div>'


def _page(links: list[str]) -> str:
    tags = "".join(f'<link rel="stylesheet" href="/css/{name}">' for name in links)
    # data: favicon: Chromium's automatic /favicon.ico is not counted either way (shared/browser.md)
    return f'<!DOCTYPE html><html><head><link rel="icon" href="data:,">{tags}</head><body>{BODY}</body></html>'


def _site(root: Path, css: dict[str, str]) -> Path:
    (root / "css").mkdir(parents=True)
    for name, text in css.items():
        (root / "css" / name).write_text(text, "utf-8")
    (root / "index.html").write_text(_page(list(css)), "utf-8")
    return root


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Iterator[dict[str, str]]:
    """Three running sites (base URLs): before (3 stylesheets), after (1 bundle), broken (bundle without c.css)."""
    root = tmp_path_factory.mktemp("sites")
    folders = {
        "before": _site(root / "before", CSS),
        "after": _site(root / "after", {"bundle.css": "".join(CSS.values())}),
        "broken": _site(root / "broken", {"bundle.css": CSS["a.css"] + CSS["b.css"]}),
    }
    with serve_sites(folders) as urls:
        yield urls


@pytest.fixture()
def project(tmp_path: Path, write_tree, monkeypatch) -> Path:
    """The static audit's part: a one-page template folder (no assets, so no static findings)."""
    write_tree(tmp_path, {"templates/index.html": "<!DOCTYPE html><html><head></head><body><p>hi</p></body></html>"})
    monkeypatch.chdir(tmp_path)
    return tmp_path


@needs_chromium
def test_audit_measures_the_running_site_and_stores_its_base_url(sites, project: Path):
    result = audit_site(sites["before"] + "/")  # a trailing slash is the same root
    assert result.exit_code == 0, result.output
    section = json.loads((project / "before.json").read_text())["browser"]
    assert section["base_url"] == sites["before"]
    assert section["served"] == f"the running site at {sites['before']}"
    assert (section["settings"], section["pythonpath"], section["user"]) == (None, None, None)
    (page,) = section["pages"]
    assert (page["spec"], page["url"], page["template"]) == ("/index.html", "/index.html", None)
    m = page["measure"]
    assert m["status"] == 200 and m["failed"] == [] and m["console_errors"] == []
    assert m["by_type"] == {"document": 1, "stylesheet": 3}
    assert sorted(r["url"] for r in m["requests"]) == sorted([f"{sites['before']}/index.html"] + [f"{sites['before']}/css/{name}" for name in CSS])
    assert page["throttled"] is not None and page["throttled"]["request_count"] == 4  # the first page on Fast 3G
    assert m["screenshot"] == "before.screenshots/index.html.png"  # shot_stem of the path, as in Django mode
    with Image.open(project / m["screenshot"]) as shot:
        # the three blocks as styled: blue, green, red bands of 240 px
        rgb = shot.convert("RGB")
        assert [rgb.getpixel((640, y)) for y in (100, 360, 600)] == [(0x1F, 0x6F, 0xEB), (0x2D, 0xA4, 0x4E), (0xCF, 0x22, 0x2E)]
    assert f"served the running site at {sites['before']}" in result.output


@needs_chromium
def test_verify_on_another_base_url_passes_with_fewer_requests(sites, project: Path):
    assert audit_site(sites["before"], "--no-throttle").exit_code == 0
    result = verify_site(sites["after"])
    assert result.exit_code == 0, result.output
    doc = json.loads((project / "v.json").read_text())
    assert doc["browser_reasons"] == []
    (entry,) = doc["browser"].values()
    assert entry["url"] == "/index.html"
    assert (entry["before"]["request_count"], entry["after"]["request_count"]) == (4, 2)
    assert entry["after"]["by_type"] == {"document": 1, "stylesheet": 1}
    assert {r["url"] for r in entry["after"]["requests"]} == {f"{sites['after']}/index.html", f"{sites['after']}/css/bundle.css"}
    assert entry["diff"]["fraction"] == 0.0  # the same rules in one file: the same pixels
    assert "| /index.html (/index.html) | 4 → 2 |" in result.output


@needs_chromium
def test_verify_defaults_to_the_baselines_base_url(sites, project: Path):
    assert audit_site(sites["before"], "--no-throttle").exit_code == 0
    result = run("verify", "--templates", "templates", "--baseline", "before.json", "--browser", "--json", "v.json")
    assert result.exit_code == 0, result.output
    (entry,) = json.loads((project / "v.json").read_text())["browser"].values()
    assert entry["after"]["request_count"] == 4  # measured on the before site again, not rendered
    assert {r["url"] for r in entry["after"]["requests"]} == {f"{sites['before']}/index.html"} | {f"{sites['before']}/css/{n}" for n in CSS}


@needs_chromium
def test_verify_catches_a_bundle_missing_one_stylesheet_on_the_running_site(sites, project: Path):
    assert audit_site(sites["before"], "--no-throttle").exit_code == 0
    result = verify_site(sites["broken"])
    assert result.exit_code == 1, result.output
    doc = json.loads((project / "v.json").read_text())
    (name, entry) = next(iter(doc["browser"].items()))
    fraction = entry["diff"]["fraction"]
    # the red band (1280 x 240) is white now: a third of the 1280 x 720 screenshot
    assert fraction == pytest.approx(240 / 720, abs=0.01)
    phone = entry["phone_diff"]["fraction"]
    assert doc["browser_reasons"] == [
        f"{name}: the page looks different: {fraction:.2%} of pixels changed (threshold 1.00%)",
        # element by element too: the third band, 240 px high below the other two, has no height now
        f"{name}: the first screen (1280x720) shows 1 element(s) otherwise: body > div:nth-of-type(3) (div.bottom): box 0 480 1280 480, before 0 480 1280 720",
        # and on the phone: the page has no <meta name="viewport">, so a phone lays it out 980 px wide
        f"{name}: the page looks different on the phone (412x823): {phone:.2%} of pixels changed (threshold 1.00%)",
        f"{name}: the first screen (412x823) shows 1 element(s) otherwise: body > div:nth-of-type(3) (div.bottom): box 0 480 980 480, before 0 480 980 720",
    ]
    assert phone > 0.01
    assert "fail: /index.html: the page looks different" in result.output
    assert Path(entry["diff"]["image"]).is_file()


@needs_chromium
def test_audit_refuses_a_page_the_running_site_does_not_serve(sites, project: Path):
    result = run(
        "audit",
        "--templates",
        "templates",
        "--browser",
        "--base-url",
        sites["before"],
        "--url",
        "/missing.html",
        "--json",
        "before.json",
        "--no-throttle",
    )
    assert result.exit_code == 2
    assert f"{sites['before']}/missing.html answered 404" in result.output
    assert not (project / "before.json").exists()  # no baseline of an error page


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_audit_on_a_base_url_nobody_listens_on_is_a_clear_error(project: Path):
    url = f"http://127.0.0.1:{_free_port()}"
    result = audit_site(url)
    assert result.exit_code == 2
    assert f"cannot connect to {url}" in result.output and "pass the --base-url it listens on" in result.output
    assert not (project / "before.json").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(
            ["--url", "core:dashboard"],
            "--url 'core:dashboard' with --base-url: a URL name needs Django to reverse it; pass the page's path instead",
            id="url_name",
        ),
        pytest.param(
            ["--url", "/", "--settings", "mysite.settings"],
            "--settings cannot go with --base-url: the running site at http://127.0.0.1:8000 renders the pages",
            id="settings",
        ),
        pytest.param(["--url", "/", "--user", "admin"], "--user cannot go with --base-url", id="user"),
        pytest.param(["--url", "/?page=2"], "a path starting with / and without a query is expected", id="query_in_path"),
    ],
)
def test_audit_base_url_usage_errors(project: Path, extra: list[str], message: str):
    result = run("audit", "--templates", "templates", "--browser", "--base-url", "http://127.0.0.1:8000", "--json", "b.json", *extra)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())  # click wraps long usage errors
    assert not (project / "b.json").exists()


@pytest.mark.parametrize(
    ("value", "why"),
    [
        pytest.param("ftp://127.0.0.1:8000", "its scheme must be http or https", id="scheme"),
        pytest.param("127.0.0.1:8000", "its scheme must be http or https", id="no_scheme"),
        pytest.param("http://", "it has no host", id="no_host"),
        pytest.param("http://127.0.0.1:8000/?x=1", "a query (?...) is not allowed", id="query"),
        pytest.param("http://127.0.0.1:8000/#top", "a fragment (#...) is not allowed", id="fragment"),
        pytest.param("http://127.0.0.1:99999", "its port is not a number from 0 to 65535", id="port"),
    ],
)
@pytest.mark.parametrize("command", ["audit", "verify"])
def test_a_bad_base_url_is_a_usage_error(project: Path, command: str, value: str, why: str):
    (project / "b.json").write_text("{}")
    args = ["--json", "out.json"] if command == "audit" else ["--baseline", "b.json"]
    result = run(command, "--templates", "templates", "--browser", "--base-url", value, "--url", "/", *args)
    assert result.exit_code == 2
    assert f"--base-url {value!r}: {why}" in " ".join(result.output.split())


def test_verify_refuses_settings_with_a_baseline_measured_on_a_running_site(project: Path):
    shot = project / "b.screenshots" / "index.png"
    shot.parent.mkdir()
    Image.new("RGB", (4, 4)).save(shot)
    page = {"spec": "/", "url": "/", "template": None, "measure": {"screenshot": "b.screenshots/index.png", "request_count": 1}, "throttled": None}
    browser = {
        "settings": None,
        "pythonpath": None,
        "user": None,
        "base_url": "http://127.0.0.1:8000",
        "chromium": "1",
        "served": "x",
        "pages": [page],
    }
    assert run("audit", "--templates", "templates", "--json", "b.json").exit_code == 0
    doc = json.loads((project / "b.json").read_text())
    (project / "b.json").write_text(json.dumps({**doc, "browser": browser}))
    result = run("verify", "--templates", "templates", "--baseline", "b.json", "--browser", "--settings", "mysite.settings")
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "--settings cannot go with --base-url: the running site at http://127.0.0.1:8000 (the baseline was measured there" in text
    assert "| page |" not in result.output  # refused before any work


def test_base_url_goes_with_browser(project: Path):
    result = run("audit", "--templates", "templates", "--base-url", "http://127.0.0.1:8000", "--json", "b.json")
    assert result.exit_code == 2 and "--base-url goes with --browser" in result.output
    assert run("audit", "--templates", "templates", "--json", "b.json").exit_code == 0
    result = run("verify", "--templates", "templates", "--baseline", "b.json", "--base-url", "http://127.0.0.1:8000")
    assert result.exit_code == 2 and "go with --browser" in result.output
