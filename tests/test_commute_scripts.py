"""Inline scripts that commute with the external scripts after them (``text.js_writes``,
``text.commute``, ``templates.rejoin``): what a script may assign, the verdict with its reason, and
the rewrite that joins two runs (idempotent, a splice, the moved script kept byte for byte, the old
behaviour wherever the rule does not hold). Chromium proves the example in ``test_rejoin_browser.py``."""

from __future__ import annotations

import pytest

from assetopt.rewrite.bundles import plan_bundles
from assetopt.rewrite.edits import apply_edits
from assetopt.templates.model import parse_template
from assetopt.text.commute import commute
from assetopt.text.inline_js import classify_inline_script, script_facts
from assetopt.text.js_writes import read_writes

WRITE_CASES = [
    pytest.param("window.$ = window.jQuery = jQuery;", "globals", "$", True, id="window_property_is_a_global"),
    pytest.param("var $ = 1;", "globals", "$", True, id="top_level_var"),
    pytest.param("let $ = 1;", "globals", "$", True, id="top_level_let"),
    pytest.param("function $() {}", "globals", "$", True, id="top_level_function"),
    pytest.param("(function ($) { $ = 2; })(jQuery);", "globals", "$", False, id="parameter_is_local"),
    pytest.param("(function () { $ = 2; })();", "globals", "$", True, id="undeclared_assignment_is_global"),
    pytest.param("(function () { $ = 2; var $; })();", "globals", "$", False, id="var_is_hoisted"),
    pytest.param("(function () { function f() { var $; } $ = 2; })();", "globals", "$", True, id="nested_var_is_not_outer"),
    pytest.param("(function () { if (x) { let $ = 1; } $ = 2; })();", "globals", "$", True, id="block_let_is_not_function_wide"),
    pytest.param("var f = ($) => { $ = 1; };", "globals", "$", False, id="arrow_parameter"),
    pytest.param("[a, $] = [1, 2];", "globals", "$", True, id="array_destructuring"),
    pytest.param("x[i] = 1;", "globals", "x", False, id="member_write_is_not_destructuring"),
    pytest.param("(function (root) { root.$ = f(); })(this);", "globals", "$", True, id="umd_root_parameter"),
    pytest.param("this.$ = 1;", "globals", "$", True, id="top_level_this"),
    pytest.param("(function () { var DT = {}; DT.$ = 1; })();", "globals", "$", False, id="property_of_a_local_object"),
    pytest.param("(function () { var DT = {}; DT.$ = 1; })();", "props", "$", True, id="but_a_property_write_by_name"),
    pytest.param("jQuery.fn = jQuery.prototype = {};", "props", "fn", True, id="dot_assignment"),
    pytest.param("$.fn.x += 1;", "props", "x", True, id="compound_assignment"),
    pytest.param("if ($.fn == x || $.fn === y || $.fn <= 1) {}", "props", "fn", False, id="comparisons_are_reads"),
    pytest.param("$.extend($, {fn: 1});", "props", "fn", True, id="key_merged_by_extend"),
    pytest.param("Object.assign($, {fn});", "props", "fn", True, id="shorthand_key_merged_by_assign"),
    pytest.param("list.push({fn: 1, 'sName': 2});", "props", "fn", False, id="key_of_an_own_object"),
    pytest.param("o[key] = 'fn';", "props", "fn", True, id="string_value_may_become_a_key"),
    pytest.param("$.fn[name] = plugin;", "indexed", "fn", True, id="computed_member"),
    pytest.param("$.fn.dataTable = DT;", "indexed", "fn", False, id="static_member"),
    pytest.param("x = $.fn['select2'];", "strings", "select2", True, id="name_inside_a_string"),
]


@pytest.mark.parametrize(("text", "which", "name", "expected"), WRITE_CASES)
def test_read_writes(text: str, which: str, name: str, expected: bool):
    facts = read_writes(text)
    found = {"globals": facts.globals_written, "props": facts.props_written, "indexed": facts.indexed, "strings": facts.string_words}[which]
    assert (name in found) is expected, facts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("eval(code);", "calls eval(...) (line 1)", id="eval"),
        pytest.param("var f = new Function('a', b);", "calls Function(...) (line 1)", id="function_constructor"),
        pytest.param("\nwith (o) { x = 1; }", "uses a with statement (line 2)", id="with"),
        pytest.param("document.write('<p>');", "calls document.write (line 1)", id="document_write"),
        pytest.param("var django = {jQuery: jQuery.noConflict(true)};", "calls noConflict (line 1)", id="no_conflict"),
        pytest.param("o.eval = 1; x.with = 2; y.Function(3);", None, id="property_names_are_not_calls"),
    ],
)
def test_dynamic_code_is_reported(text: str, expected: str | None):
    found = read_writes(text).dynamic
    assert found == expected if expected is None else (found or "").startswith(expected)


DEFAULTS = '$.fn.select2.defaults.set("dir", "rtl");\n$.fn.select2.defaults.set("width", "100%");'
# the shape of jquery.dataTables.js: a UMD wrapper taking $ as a parameter, adding properties to $.fn
DATATABLES = (
    "(function (factory) { if (typeof define === 'function') { define(['jquery'], factory); }"
    " else if (typeof exports === 'object') { module.exports = function (root, $) { if (!$) { $ = require('jquery')(root); } return factory($); }; }"
    " else { factory(jQuery); } }(function ($) {\n"
    "  var DataTable = function (o) { this.$ = function () {}; }; DataTable.defaults = {pageLength: 10}; DataTable.$ = $;\n"
    "  $.fn.dataTable = DataTable; $.fn.DataTable = function (o) { return $(this).dataTable(o).api(); };\n"
    "  $.each(['a', 'b'], function (i, k) { DataTable[k] = i; });\n"
    "}));\n"
)

COMMUTE_CASES = [
    pytest.param(DEFAULTS, DATATABLES, True, "$.fn.select2.defaults.set(...): dt.js never names select2; assigns none of $, fn", id="example"),
    pytest.param("", "anything();", True, "it is empty", id="empty"),
    pytest.param("var ERP = {rows: 25};", DATATABLES, True, "dt.js never names ERP", id="data_not_named"),
    pytest.param("var ERP = {rows: 25};", "ERP.rows = 10;", False, "it defines ERP, which dt.js also names", id="data_named"),
    pytest.param(DEFAULTS, "$.fn.select2.defaults.reset();", False, "dt.js names every property of $.fn.select2.defaults", id="names_the_chain"),
    pytest.param(
        DEFAULTS, "$.fn.select2.amd.require('x');", False, "calls a method of select2 or of what hangs under it", id="calls_through_the_parent"
    ),
    pytest.param(DEFAULTS, "$.fn.select2(o);", False, "calls a method of select2", id="calls_the_parent"),
    pytest.param(DEFAULTS, "var s = $.fn;", False, "passes or aliases fn", id="aliases_a_link"),
    pytest.param(DEFAULTS, "var s = $.fn['select2'];", False, "indexes fn[...]", id="names_it_in_a_string"),
    pytest.param("$.ajaxSetup({cache: false});", "var x = 1;", False, "$.ajaxSetup(...) changes $ itself", id="receiver_is_the_root"),
    pytest.param(DEFAULTS, "window.$ = other;", False, "may assign the global $", id="replaces_the_root"),
    pytest.param(DEFAULTS, "(function (root) { root.$ = f(); })(this);", False, "may assign the global $", id="umd_replaces_the_root"),
    pytest.param(DEFAULTS, "jQuery.fn = {};", False, "may assign a property named fn", id="replaces_a_link"),
    pytest.param(DEFAULTS, "for (var k in o) { $.fn[k] = o[k]; }", False, "indexes fn[...]", id="computed_member_of_a_link"),
    pytest.param(DEFAULTS, "var g = window[name];", False, "reads window[...]", id="computed_global"),
    pytest.param(DEFAULTS, "eval(src);", False, "calls eval(...)", id="eval"),
    pytest.param("document.addEventListener('DOMContentLoaded', function () {});", "var x = 1;", False, "adds a load listener", id="listener_order"),
    pytest.param("$('#x').select2();", "var x = 1;", False, "no method call through a member chain", id="plain_call"),
    pytest.param("$.fn.select2.defaults.set(dir);", "var x = 1;", False, "no method call through a member chain", id="argument_not_literal"),
]


@pytest.mark.parametrize(("inline", "external", "ok", "why"), COMMUTE_CASES)
def test_commute(inline: str, external: str, ok: bool, why: str):
    verdict = commute(classify_inline_script(inline), "vendor/dt.js", script_facts(external))
    assert verdict.ok is ok
    assert why in verdict.why, verdict.why


def test_example_files_commute_with_the_select2_defaults(tmp_path):
    """The real files: jquery.dataTables.js 1.10.15 lets the Select2 defaults move after it; the
    project's js/core/select2.js (it names select2) and jquery.js (it assigns window.$) do not."""
    from browser_support import REPO

    inline = classify_inline_script(DEFAULTS)

    def facts(path: str):
        return script_facts((REPO / "static_src" / path).read_text(encoding="utf-8"))

    assert commute(inline, "dt.js", facts("vendor/datatables/js/jquery.dataTables.js")).ok
    assert "never names select2" in commute(inline, "dt.js", facts("vendor/datatables/js/jquery.dataTables.js")).why
    assert not commute(inline, "s.js", facts("js/core/select2.js")).ok
    assert not commute(inline, "jq.js", facts("vendor/jquery/jquery.js")).ok  # it calls noConflict, and:
    assert "$" in read_writes((REPO / "static_src/vendor/jquery/jquery.js").read_text(encoding="utf-8")).globals_written  # window.$ = jQuery


DOC = "{% load static %}<!DOCTYPE html><html><head><title>t</title></head><body>\n"
RUN = "<script src=\"{% static 'lib.js' %}\"></script>\n<script src=\"{% static 'plugin.js' %}\"></script>\n"
INLINE = '<script>\n  $.fn.plugin.defaults.set("dir", "{% if rtl %}rtl{% else %}ltr{% endif %}");\n</script>\n'
AFTER = "<script src=\"{% static 'tables.js' %}\"></script>\n"
READ = {
    "lib.js": script_facts("window.$ = function () {}; $.fn = {};"),
    "plugin.js": script_facts("$.fn.plugin = {defaults: {set: function (k, v) { this[k] = v; }}};"),
    "tables.js": script_facts("(function ($) { $.fn.table = function () {}; })(window.jQuery);"),
    "reader.js": script_facts("(function ($) { $.fn.table = $.fn.plugin.defaults.dir; })(window.jQuery);"),
}


def _rewrite(source: str) -> tuple[str, list[str], list[str]]:
    result = plan_bundles(parse_template("p.html", source), "/static/", script_facts=READ)
    return apply_edits(source, result.edits), [e.reason for e in result.edits], [s.reason for s in result.skips]


def test_inline_script_that_commutes_moves_after_the_script_and_the_runs_join():
    source = DOC + RUN + INLINE + AFTER + "<p>x</p></body></html>\n"
    out, reasons, _ = _rewrite(source)
    expected = DOC + '{% bundle "js" %}\n' + RUN + AFTER + "{% endbundle %}\n" + INLINE.rstrip("\n") + "\n<p>x</p></body></html>\n"
    assert out == expected
    assert any(r.startswith("inline script moved after tables.js (line 7) so the scripts join one bundle; they commute:") for r in reasons)
    assert any("tables.js never names plugin; assigns none of $, fn" in r for r in reasons), reasons
    again, _, _ = _rewrite(out)
    assert again == out  # idempotent: the joined run is inside {% bundle %}, the moved script after it


def test_inline_script_stays_where_the_rule_does_not_hold():
    source = DOC + RUN + INLINE + AFTER.replace("tables.js", "reader.js") + "<p>x</p></body></html>\n"
    out, _, skips = _rewrite(source)
    assert out.index("$.fn.plugin.defaults.set") < out.index("reader.js")  # the old behaviour: nothing moves
    assert out.count("{% bundle") == 1  # only the first run is bundled; reader.js alone is left as it was
    assert any("stays before reader.js: reader.js names every property of $.fn.plugin.defaults" in s for s in skips), skips


@pytest.mark.parametrize(
    "between",
    [
        pytest.param("<p>markup</p>\n", id="markup"),
        pytest.param("{{ form.media }}\n", id="template_variable"),
        pytest.param('<script type="application/json" id="cfg">{"a": 1}</script>\n', id="json_a_script_may_read_from_the_dom"),
        pytest.param("<script type=\"module\">import './m.js';</script>\n", id="module"),
    ],
)
def test_anything_else_between_keeps_the_runs_apart(between: str):
    source = DOC + RUN + INLINE + between + AFTER + "</body></html>\n"
    out, reasons, _ = _rewrite(source)
    assert out.index("$.fn.plugin.defaults.set") < out.index("tables.js")
    assert not any(r.startswith("inline script moved") for r in reasons)


def test_data_script_between_two_runs_moves_before_them_when_the_joined_run_is_deferred():
    """The data-only move of docs/scripts.md, now from between two runs: tables.js joins, the run is
    deferred (nothing after it runs at parse time), and the data script goes before the bundle."""
    data = '<script>window.ERP = {rows: "{{ rows }}"};</script>\n'
    source = DOC + RUN + data + AFTER + "<p>x</p></body></html>\n"
    out, _, _ = _rewrite(source)
    assert out.index("window.ERP") < out.index('{% bundle "js" %}') < out.index("tables.js") < out.index("{% endbundle %}")
    assert out.count("window.ERP") == 1 and out.count("<script defer src=") == 3
    assert _rewrite(out)[0] == out


def test_a_moved_script_must_commute_with_every_later_group_too():
    """After the first join the plugin defaults script sits after tables.js; joining reader.js as well
    would run it after reader.js, which reads them: the second join is refused even though the
    inline script right before reader.js (data reader.js never names) commutes with it."""
    data = "<script>var ERP = {rows: 25};</script>\n"
    reader = AFTER.replace("tables.js", "reader.js")
    source = DOC + RUN + INLINE + AFTER + data + reader + "<p>x</p></body></html>\n"
    out, _, skips = _rewrite(source)
    assert out.index("tables.js") < out.index("{% endbundle %}") < out.index("$.fn.plugin.defaults.set") < out.index("reader.js")
    assert out.index("var ERP") < out.index("reader.js")
    assert any("the inline script at line 4 stays before reader.js: reader.js names every property of $.fn.plugin.defaults" in s for s in skips), (
        skips
    )
