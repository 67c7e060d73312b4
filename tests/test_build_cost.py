"""What a build costs, counted (never timed): scripts minified, bytes compressed, templates parsed.

Each script is minified and damage-checked once per content, whether a bundle joins it or
``minify_static`` ships it alone; an unchanged build minifies nothing and parses no template to
choose brotli quality; a one-file change redoes that file only.
"""

from __future__ import annotations

import os
from pathlib import Path

import brotli
import pytest
import rjsmin

from assetopt.build import BuildOptions, build

LOAD = "{% load static assetopt %}\n"
JS_PAGE = (
    LOAD + '{% bundle "js" %}\n<script src="{% static \'js/a.js\' %}"></script>\n<script src="{% static \'js/b.js\' %}"></script>\n{% endbundle %}\n'
)
STATIC = {
    "js/a.js": "var a = 1; // a\n" + "".join(f"a{i} = function () {{ return {i}; }};\n" for i in range(50)),
    "js/b.js": "(function () { window.b = a; })();\n",
    "js/solo.js": "var  solo = 1; // not bundled\n",
}


@pytest.fixture
def jsmin_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How often rjsmin ran (builds use ``jobs=1`` here, so every call is in this process)."""
    calls: list[int] = []
    real = rjsmin.jsmin

    def counting(text: str, **kw: object) -> str:
        calls.append(len(text))
        return str(real(text, **kw))

    monkeypatch.setattr(rjsmin, "jsmin", counting)
    return calls


def test_a_bundled_script_is_minified_once_not_once_per_use(make_project, jsmin_calls: list[int]):
    project = make_project(templates={"page.html": JS_PAGE}, static=STATIC, minify_static=True)
    result = build(project, BuildOptions(out=project.config.project / "out", jobs=1))
    # a.js and b.js go into the bundle *and* are shipped minified on their own: still one run each.
    assert len(jsmin_calls) == 3 and result.scripts_minified == 3
    assert (project.config.project / "out/js/solo.js").read_text() == "var solo=1;"


def test_an_unchanged_rebuild_minifies_nothing_and_a_changed_script_only_itself(make_project, tmp_path: Path, jsmin_calls: list[int]):
    project = make_project(templates={"page.html": JS_PAGE}, static=STATIC, minify_static=True)
    out = project.config.project / "out"
    build(project, BuildOptions(out=out, jobs=1))
    jsmin_calls.clear()
    again = build(project, BuildOptions(out=out, jobs=1))
    assert jsmin_calls == [] and again.scripts_minified == 0
    (tmp_path / "static/js/b.js").write_text("(function () { window.b = a + 1; })();\n")
    changed = build(project.__class__(project.config), BuildOptions(out=out, jobs=1))
    assert len(jsmin_calls) == 1 and changed.scripts_minified == 1
    assert "window.b=a+1" in next((out / "assetopt").glob("page-*.js")).read_text()


CSS_PAGES = {
    "page.html": LOAD + '{% bundle "css" %}\n<link rel="stylesheet" href="{% static \'css/only.css\' %}">\n{% endbundle %}\n',
    **{f"other{i}.html": "{% load static %}<p>page " + str(i) + "</p>\n" for i in range(5)},
}


def test_the_brotli_quality_choice_parses_templates_only_when_they_changed(make_project, tmp_path: Path):
    css = "".join(f".c{i} {{ margin: {i}px; }}\n" for i in range(200))
    project = make_project(templates=CSS_PAGES, static={"css/only.css": css})
    out = project.config.project / "out"
    assert build(project, BuildOptions(out=out)).templates_parsed == 6
    assert build(project.__class__(project.config), BuildOptions(out=out)).templates_parsed == 0
    (tmp_path / "templates/other3.html").write_text("{% load static %}<link rel='stylesheet' href=\"{% static 'css/only.css' %}\">\n")
    result = build(project.__class__(project.config), BuildOptions(out=out))
    assert result.templates_parsed == 1
    # other3.html now links only.css directly, so it is served at best quality again:
    assert (out / "css/only.css.br").read_bytes() == brotli.compress((out / "css/only.css").read_bytes(), quality=11)


def test_bench_cost_runs_every_side_with_this_checkouts_assetopt(tmp_path: Path):
    # The CLI sides once inherited PYTHONPATH: run from a shell without it, they measured whatever
    # assetopt the virtualenv had installed (another checkout) and reported its figures as ours.
    import sys

    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo / "bench"))
    try:
        import bench_cost
    finally:
        sys.path.remove(str(repo / "bench"))
    for i, side in enumerate(("CLI", "CLI --no-images", "collectstatic, assetopt hook")):
        _cmds, env, _static = bench_cost._side_commands(side, tmp_path / str(i))
        assert str(repo) in env["PYTHONPATH"].split(os.pathsep), side


# Font Awesome's own regular face: a real TTF and its WOFF2, as the example ships them.
WEBFONTS = Path(__file__).resolve().parents[1] / "static_src/vendor/fontawesome/webfonts"


def test_a_ttf_with_a_woff2_beside_it_gets_fast_brotli_and_one_without_the_best(make_project):
    ttf, woff2 = (WEBFONTS / "fa-regular-400.ttf").read_bytes(), (WEBFONTS / "fa-regular-400.woff2").read_bytes()
    project = make_project(templates={"page.html": "<p>fonts</p>\n"}, static={"f/a.ttf": ttf, "f/a.woff2": woff2, "g/a.ttf": ttf})
    out = project.config.project / "out"
    build(project, BuildOptions(out=out, jobs=1))
    # Every browser that takes brotli reads WOFF2: f/a.ttf's .br is fetched only where a stylesheet
    # names the TTF alone, so brotli 5; g/a.ttf has no WOFF2 beside it, so it is what browsers get.
    assert (out / "f/a.ttf.br").read_bytes() == brotli.compress(ttf, quality=5)
    assert (out / "g/a.ttf.br").read_bytes() == brotli.compress(ttf, quality=11)
    assert (out / "f/a.ttf.gz").is_file() and not (out / "f/a.woff2.br").exists()


def test_fallback_fonts_are_the_legacy_faces_with_a_woff2_of_the_same_name_in_the_same_folder():
    from assetopt.text.compress import fallback_fonts

    names = ["a/x.ttf", "a/x.woff2", "a/y.OTF", "a/y.woff2", "a/z.eot", "b/z.woff2", "a/w.woff", "a/w.woff2", "a/v.ttf", "a/v.ttf.woff2"]
    assert fallback_fonts(names) == {"a/x.ttf", "a/y.OTF"}
