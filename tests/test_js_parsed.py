"""Where rjsmin would damage a script, minify-go (``text/js_parsed.py``) ships it minified: checked,
configurable (``js_minifier``), cached under its own step, and with a clear warning when it is absent.

The cases are the ones rjsmin 1.3 really damages (``test_bundler.py`` proves the damage): nested
template literals, an HTML-like ``-->`` comment at the start of a line, an identifier with a unicode
escape. ``node --check`` confirms the output parses when node is installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assetopt.build import BuildOptions, build
from assetopt.build.minify import ScriptMinifier, js_step
from assetopt.bundler import minify_js
from assetopt.config import load_config
from assetopt.errors import BundleWarning, ConfigError
from assetopt.io.cache import ContentCache
from assetopt.io.project import Project
from assetopt.text import js_parsed
from assetopt.text.js_parsed import ParsedRefusal, minify_parsed, top_level_names

needs_minify_go = pytest.mark.skipif(not js_parsed.available(), reason="minify-go is not installed (pip install 'assetopt[modern-js]')")
NODE = shutil.which("node")
NESTED = 'var b = 1;\nvar m = `x.${b ? ` Use "${b}" now.` : ""}`;\n'
HTML_COMMENT = "var a = 1;\n--> an HTML-like comment\nvar c = 2;\n"
ESCAPED_NAME = "var \\u0061b = 1;\nvar c = ab + 1;\n"
DAMAGED = [
    pytest.param(NESTED, 'var b=1,m=`x.${b?` Use "${b}" now.`:""}`', id="nested_template_literal"),
    pytest.param(HTML_COMMENT, "var a=1,c=2", id="html_close_comment_at_line_start"),
    pytest.param(ESCAPED_NAME, None, id="identifier_with_unicode_escape"),
]


def _parses_in_node(text: str, tmp_path: Path) -> None:
    if NODE:
        (tmp_path / "out.js").write_text(text, encoding="utf-8")
        subprocess.run([NODE, "--check", str(tmp_path / "out.js")], check=True, capture_output=True, timeout=60)


@needs_minify_go
@pytest.mark.parametrize(("js", "expected"), DAMAGED)
def test_what_rjsmin_would_damage_ships_minified_by_minify_go_with_no_warning(js: str, expected: str | None, tmp_path: Path) -> None:
    text, warning = minify_js(js, "js/m.js")
    assert warning is None
    assert len(text) < len(js) and text != js
    if expected is not None:
        assert text == expected
    _parses_in_node(text, tmp_path)


@needs_minify_go
def test_minify_go_keeps_licence_comments_and_drops_the_source_map_line() -> None:
    text, warning = minify_js("/*! lic */\n" + NESTED + "//# sourceMappingURL=m.js.map\n", "js/m.js")
    assert warning is None
    assert text.startswith("/*! lic */") and "sourceMappingURL" not in text


@pytest.mark.parametrize(("js", "expected"), DAMAGED)
def test_without_minify_go_the_damaged_script_ships_unminified_and_the_warning_names_what_to_install(
    js: str, expected: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "minify", None)  # import minify raises ImportError: as if not installed
    assert not js_parsed.available()
    text, warning = minify_js(js, "js/m.js")
    assert text == js
    assert warning is not None and warning.path == "js/m.js"
    assert warning.message.endswith("shipped unminified; pip install 'assetopt[modern-js]' (minify-go) minifies it with a parser")


@needs_minify_go
@pytest.mark.parametrize(("js", "expected"), DAMAGED)
def test_js_minifier_rjsmin_never_uses_minify_go(js: str, expected: str | None) -> None:
    text, warning = minify_js(js, "js/m.js", "rjsmin")
    assert text == js and warning is not None and warning.message.endswith(": shipped unminified")


@needs_minify_go
def test_a_script_minify_go_cannot_parse_ships_unminified_with_its_reason() -> None:
    js = "var a = 1;\n--> an HTML-like comment\nvar = ;\n"  # rjsmin damages the comment; the rest is no JS
    text, warning = minify_js(js, "js/bad.js")
    assert text == js
    assert warning is not None and (warning.path, warning.lineno) == ("js/bad.js", 2)
    assert "minify-go could not parse it: unexpected = in binding on line 3" in warning.message


@needs_minify_go
def test_minify_parsed_refuses_what_it_cannot_parse() -> None:
    with pytest.raises(ParsedRefusal, match="could not parse"):
        minify_parsed("function (")


@pytest.mark.parametrize(
    ("js", "names"),
    [
        pytest.param("var a = f(1, 2), b;\nlet c = `${d}`, e = {x: 1};\nconst g = 1", {"a", "b", "c", "e", "g"}, id="var_let_const_lists"),
        pytest.param("function f() { var local = 1 }\nasync function* g() {}\nclass K {}", {"f", "g", "K"}, id="functions_and_classes_not_locals"),
        pytest.param("(function () { var hidden = 1; })();\nobj.var = 1;", set(), id="iife_and_property_named_var"),
        pytest.param("var a = 1\nfunction f() {}\nvar b = [1, 2]", {"a", "f", "b"}, id="no_semicolons"),
        pytest.param("let {x, y} = o;", set(), id="destructuring_skipped"),
        pytest.param('var a=1,m=`x.${b?` U ${b}`:""}`,c=2', {"a", "m", "c"}, id="minified_with_nested_template"),
    ],
)
def test_top_level_names_reads_the_globals_a_classic_script_declares(js: str, names: set[str]) -> None:
    assert top_level_names(js) == names


@needs_minify_go
def test_minify_go_keeps_every_top_level_name_of_the_example_scripts() -> None:
    repo = Path(__file__).resolve().parent.parent
    scripts = sorted((repo / "static_src").rglob("*.js"))
    assert scripts
    for path in scripts:
        text = path.read_text(encoding="utf-8")
        out = minify_parsed(text)  # raises when a check fails
        assert top_level_names(text) <= top_level_names(out), path


def test_js_minifier_must_be_auto_rjsmin_or_minify_go(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\njs_minifier = "terser"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="js_minifier must be one of auto, rjsmin, minify-go, got 'terser'"):
        load_config(tmp_path)


def test_js_minifier_minify_go_without_the_package_is_a_config_error_naming_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "minify", None)
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\njs_minifier = "minify-go"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="minify-go is not installed") as caught:
        load_config(tmp_path)
    assert "pip install 'assetopt[modern-js]'" in str(caught.value)


SAFE = "function total(items) {\n  var sum = 0;\n  items.forEach(function (item) { sum += item.price; });\n  return sum;\n}\n"


@needs_minify_go
def test_js_minifier_minify_go_minifies_every_script_with_the_parser(tmp_path: Path) -> None:
    by_rjsmin, _ = minify_js(SAFE, "a.js", "auto")
    text, warning = minify_js(SAFE, "a.js", "minify-go")
    assert warning is None and by_rjsmin == "function total(items){var sum=0;items.forEach(function(item){sum+=item.price;});return sum;}"
    assert text == minify_parsed(SAFE) and len(text) < len(by_rjsmin) and "total" in text and "items" not in text
    _parses_in_node(text, tmp_path)


@needs_minify_go
def test_js_minifier_minify_go_falls_back_to_rjsmin_where_it_refuses() -> None:
    js = "function f( a ) { return a }\nfoo(;\n"  # no JS: minify-go refuses, rjsmin does not care
    assert minify_js(js, "a.js", "minify-go") == minify_js(js, "a.js", "rjsmin") == ("function f(a){return a}\nfoo(;", None)


def test_the_cache_step_names_the_backend_so_installing_it_reminifies(monkeypatch: pytest.MonkeyPatch) -> None:
    with_backend, installed = js_step("auto"), js_parsed.available()
    monkeypatch.setitem(sys.modules, "minify", None)
    without = js_step("auto")
    assert without.endswith("-auto-no-minify-go") and js_step("rjsmin").endswith("-rjsmin")
    assert len({with_backend, without, js_step("rjsmin")}) == (3 if installed else 2)


@needs_minify_go
def test_a_cached_rjsmin_result_is_not_replayed_under_auto(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path / "cache")
    first = ScriptMinifier(cache, "rjsmin")(NESTED, "js/t.js")
    assert first == (NESTED, BundleWarning("js/t.js", 2, "rjsmin changed the contents of a template literal: shipped unminified"))
    text, warning = ScriptMinifier(cache, "auto")(NESTED, "js/t.js")
    assert warning is None and len(text) < len(NESTED)


@needs_minify_go
@pytest.mark.parametrize("js_minifier", ["auto", "rjsmin", "minify-go"])
def test_build_bundles_and_minify_static_follow_js_minifier(tmp_path: Path, js_minifier: str) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "static/js").mkdir(parents=True)
    (tmp_path / "static/js/t.js").write_text(NESTED, encoding="utf-8")
    (tmp_path / "templates/page.html").write_text(
        '{% load static assetopt %}<html><body>{% bundle "js" %}<script src="{% static \'js/t.js\' %}"></script>{% endbundle %}</body></html>',
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\nminify_static = true\njs_minifier = "{js_minifier}"\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    for run in ("cold", "warm"):  # the same answer from the cache
        result = build(Project(load_config(tmp_path)), BuildOptions(out=out, precompress=False, images=False))
        (bundle,) = [f.name for b in result.manifest.bundles.values() for f in b.files]
        shipped = {(out / "js/t.js").read_text(encoding="utf-8"), (out / bundle).read_text(encoding="utf-8")}
        if js_minifier != "rjsmin":
            assert shipped == {'var b=1,m=`x.${b?` Use "${b}" now.`:""}`'}, run
            assert result.warnings == [], run
        else:
            assert shipped == {NESTED}, run
            assert {w.path for w in result.warnings} == {"js/t.js"}, run
