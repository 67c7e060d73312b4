"""``manage.py assetopt critical`` on the example deployed as Django deploys it: templates rewritten,
collectstatic with the assetopt storage (Django's hashed names), then critical CSS measured in
Chromium, written into STATIC_ROOT's manifest and printed by the tag with hashed URLs; a later
collectstatic keeps it while nothing it was measured from changed, and drops it, saying so, after a
template changed."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil

from browser_support import needs_browser
from example_site import deploy_example

pytestmark = needs_browser


def test_manage_py_assetopt_critical_after_collectstatic(tmp_path):
    root, run, pages = deploy_example(tmp_path, frozenset({"bundles"}))
    hashed = json.loads((root / "staticfiles.json").read_text())["paths"]
    out = run("example/manage.py", "assetopt", "critical", "--url", "/en/", "--url", "/ar/", "--work", str(tmp_path / "work"))
    proofs = re.findall(r"first paint of (\S+ \w+): ([\d.]+)%", out)
    assert [where for where, _ in proofs] == ["/en/ mobile", "/en/ desktop", "/ar/ mobile", "/ar/ desktop"], out
    assert all(float(fraction) <= 1.0 for _, fraction in proofs), out
    manifest = json.loads((root / "assetopt-manifest.json").read_text())
    critical = {k: b["critical"] for k, b in manifest["bundles"].items() if "critical" in b}
    assert sorted(tuple(c["pages"]) for c in critical.values()) == [("/ar/",), ("/en/",)], out
    rendered = pages()
    for url in ("/en/", "/ar/"):
        status, html = rendered[url]
        head = html.split("</head>")[0]
        (style,) = re.findall(r"<style>(.*?)</style>", head, re.S)
        (href,) = re.findall(r'<link rel="preload" as="style" fetchpriority="low" href="/static/([^"]+)"', head)
        assert href in hashed.values() and href != next(k for k, v in hashed.items() if v == href)  # Django's hashed copy
        # url()s in the inlined CSS point at the files the hashed bundle names (Django rewrote them)
        urls = re.findall(r"url\(\"?(/static/[^\")]+)", style)
        assert urls and all(u.removeprefix("/static/").split("?")[0].split("#")[0] in hashed.values() for u in urls), urls
        assert not re.search(r'<link rel="stylesheet"(?![^>]*media="print")', head.replace("<noscript><link", "")), head


def _heads(rendered: dict[str, tuple[int, str]], urls: tuple[str, ...]) -> dict[str, str]:
    return {url: rendered[url][1].split("</head>")[0] for url in urls}


def test_collectstatic_after_critical_keeps_it_byte_for_byte_until_a_template_changes(tmp_path):
    root, run, pages = deploy_example(tmp_path, frozenset({"bundles"}))
    run("example/manage.py", "assetopt", "critical", "--url", "/en/", "--work", str(tmp_path / "work"))
    manifest = root / "assetopt-manifest.json"
    measured = manifest.read_bytes()
    bundles = json.loads(measured)["bundles"]
    ((key, critical),) = [(k, b["critical"]) for k, b in bundles.items() if "critical" in b]
    name = bundles[key]["files"][0]["name"]
    hashed = json.loads((root / "staticfiles.json").read_text())["paths"]
    served = (root / hashed[name]).read_bytes()
    sri = "sha384-" + base64.b64encode(hashlib.sha384(served).digest()).decode()
    assert (critical["algorithm"], critical["integrity"], critical["pages"]) == (3, sri, ["/en/"])
    assert critical["templates_digest"].startswith("sha256-") and critical["measured_at"].endswith("Z")
    heads = _heads(pages(), ("/en/", "/ar/"))
    assert "<style>" in heads["/en/"] and "<style>" not in heads["/ar/"]  # /ar/ (the RTL bundle) was not measured

    out = run("example/manage.py", "collectstatic", "--noinput", "-v", "0", stderr=True)
    assert "critical CSS" not in out, out  # kept: logged at INFO, which Django's default logging does not print
    assert manifest.read_bytes() == measured  # the critical entry as `critical` wrote it, and all the rest
    assert _heads(pages(), ("/en/", "/ar/")) == heads  # the tag prints the same <style> and preload

    base = tmp_path / "templates" / "base.html"
    base.write_text(base.read_text() + "{# a comment changes no output, but the templates are not what was measured #}\n")
    out = run("example/manage.py", "collectstatic", "--noinput", "-v", "0", stderr=True)
    dropped = f"critical CSS of {name} dropped: templates changed since it was measured; run `assetopt critical` (or manage.py assetopt critical) to measure it again"
    assert dropped in out, out
    assert not any("critical" in b for b in json.loads(manifest.read_text())["bundles"].values())
    head = _heads(pages(), ("/en/",))["/en/"]
    assert "<style>" not in head and f'<link rel="stylesheet" href="/static/{hashed[name]}"' in head, head


def test_assetopt_build_after_critical_keeps_it_byte_for_byte_until_the_css_changes(tmp_path):
    """The command line's way: `assetopt build`, `assetopt critical` on its output, `assetopt build`
    again (no Chromium needed for that one)."""
    from browser_support import REPO

    _root, run, _pages = deploy_example(tmp_path, frozenset({"bundles"}))
    static = tmp_path / "static_src"
    shutil.copytree(REPO / "static_src", static)
    (tmp_path / "assetopt.toml").write_text(
        f"templates = [{json.dumps(str(tmp_path / 'templates'))}]\n"
        f"static = [{json.dumps(str(static))}]\n"
        f'settings = "erp.settings"\npythonpath = [{json.dumps(str(REPO / "example"))}]\n'
        f"cache_dir = {json.dumps(str(tmp_path / 'cache'))}\n"
    )
    out = tmp_path / "built"
    build = ("-m", "assetopt.cli", "build", "--project", str(tmp_path), "--out", str(out), "--no-images", "--no-precompress")
    run(*build)
    run("-m", "assetopt.cli", "critical", "--project", str(tmp_path), "--out", str(out), "--url", "/en/", "--work", str(tmp_path / "work"))
    manifest = out / "assetopt-manifest.json"
    measured = manifest.read_bytes()
    bundles = json.loads(measured)["bundles"]
    ((key, critical),) = [(k, b["critical"]) for k, b in bundles.items() if "critical" in b]
    name = bundles[key]["files"][0]["name"]
    sri = "sha384-" + base64.b64encode(hashlib.sha384((out / name).read_bytes()).digest()).decode()
    assert (critical["algorithm"], critical["integrity"], critical["pages"]) == (3, sri, ["/en/"])

    printed = run(*build)
    assert f"critical CSS of {name} kept: measured {critical['measured_at']} on /en/; the bundle and the templates are unchanged" in printed, printed
    assert manifest.read_bytes() == measured

    sources = bundles[key]["sources"]
    (static / sources[-1]).write_text((static / sources[-1]).read_text() + "\n.assetopt-test-change{color:red}\n")
    printed = run(*build)
    (new_name,) = [b["files"][0]["name"] for k, b in json.loads(manifest.read_text())["bundles"].items() if k == key]
    assert new_name != name  # the content hash in the name changed, the key did not
    assert f"critical CSS of {new_name} dropped: the bundle changed since it was measured; run `assetopt critical`" in printed, printed
    assert not any("critical" in b for b in json.loads(manifest.read_text())["bundles"].values())
