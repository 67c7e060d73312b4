"""After a build, the audit measures every static file as the build ships it (minified CSS/JS copies
under ``minify_static``), not its source; ``as_built=False`` (optimize's baseline) the sources."""
from __future__ import annotations

from pathlib import Path

import rjsmin

from assetopt.build import BuildOptions, build
from assetopt.config import load_config
from assetopt.project import Project
from assetopt.scan import run_audit

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
