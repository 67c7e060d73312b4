"""After a build, the audit measures every static file as the build ships it (minified CSS/JS copies
under ``minify_static``), not its source; ``as_built=False`` (optimize's baseline) the sources."""

from __future__ import annotations

from pathlib import Path

import rjsmin

from assetopt.audit.run import run_audit
from assetopt.build import BuildOptions, build
from assetopt.config import load_config
from assetopt.io.project import Project

PAGE = """<!doctype html><html><head><title>t</title></head><body>
<p>hi</p>
<script>window.x = 1;</script>
<script src="/static/js/app.js"></script>
<script>window.y = 2;</script>
</body></html>"""

# A script with comments and indentation: rjsmin makes it much smaller.
APP = "\n".join(
    f"/* step {i}: explain what the next function does, at length, as real code does */\n"
    f"function step{i}(value) {{\n    var doubled = value * 2;\n    return doubled + {i};\n}}\n"
    for i in range(60)
)


def _js_raw(project: Project, *, as_built: bool = True) -> int:
    (page,) = run_audit(project, as_built=as_built).pages
    return page.bytes["js"]["raw"]


def test_a_minified_copy_is_measured_after_the_build(tmp_path: Path, write_tree) -> None:
    write_tree(tmp_path / "templates", {"page.html": PAGE})
    write_tree(tmp_path / "static", {"js/app.js": APP})
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\nout = "out"\nminify_static = true\n')
    config = load_config(tmp_path)
    project = Project(config)
    source = len(APP.encode())
    assert _js_raw(project) == source  # no build yet: the source

    build(project, BuildOptions(out=tmp_path / "out"))
    shipped = (tmp_path / "out/js/app.js").read_bytes()
    assert shipped.strip() == rjsmin.jsmin(APP).encode().strip()
    assert _js_raw(Project(config)) == len(shipped) < source * 0.7
    assert _js_raw(Project(config), as_built=False) == source


def test_the_sources_baseline_ignores_an_earlier_build_of_a_bundle(tmp_path: Path, write_tree) -> None:
    page = '{% load static assetopt %}<!doctype html><html><head>{% bundle "css" %}<link rel="stylesheet" href="{% static \'a.css\' %}"><link rel="stylesheet" href="{% static \'b.css\' %}">{% endbundle %}</head><body></body></html>'
    write_tree(tmp_path / "templates", {"page.html": page})
    write_tree(tmp_path / "static", {"a.css": "/* a */\n.a {\n  color: red;\n}\n", "b.css": "/* b */\n.b {\n  color: blue;\n}\n"})
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\nout = "out"\n')
    config = load_config(tmp_path)
    sources = len("/* a */\n.a {\n  color: red;\n}\n") + len("/* b */\n.b {\n  color: blue;\n}\n")
    build(Project(config), BuildOptions(out=tmp_path / "out"))
    (page_report,) = run_audit(Project(config), as_built=False).pages
    assert page_report.bytes["css"]["raw"] == sources
    (built_report,) = run_audit(Project(config)).pages
    assert built_report.bytes["css"]["raw"] < sources  # the minified bundle
