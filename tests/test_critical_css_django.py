"""``manage.py assetopt critical`` on the example deployed as Django deploys it: templates rewritten,
collectstatic with the assetopt storage (Django's hashed names), then critical CSS measured in
Chromium, written into STATIC_ROOT's manifest and printed by the tag with hashed URLs."""

from __future__ import annotations

import json
import re

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
