"""Which script runs get ``defer`` (``templates.defer``), read with the JS lexer (``text.inline_js``):
inline scripts classified, runs deferred or kept blocking with the reason, the rewrite idempotent and
a splice, and the audit no longer counting a deferred run as render-blocking. Chromium proves the
same pages in ``test_defer_browser.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assetopt.cli import cli
from assetopt.rewrite.bundles import plan_bundles
from assetopt.rewrite.edits import apply_edits
from assetopt.templates.model import parse_template
from assetopt.text.inline_js import ScriptFacts, classify_inline_script, defer_hazard, script_facts


def _spans(body: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    while (start := min((i for i in (body.find("{{", pos), body.find("{%", pos)) if i >= 0), default=-1)) >= 0:
        end = body.index("}}" if body[start + 1] == "{" else "%}", start) + 2
        out.append((start, end))
        pos = end
    return out


INLINE_CASES = [
    pytest.param("", "empty", "", id="empty"),
    pytest.param("  // nothing\n/* here */", "empty", "", id="only_comments"),
    pytest.param("window.ERP_CONFIG = {a: 1, 'b': [1, -2, \"x\"], c: null, d: true};", "data", "", id="window_literal_object"),
    pytest.param("var A = 1, B = 'x'\nconst C = `t`\nwindow.D = false", "data", "", id="declarations_without_semicolons"),
    pytest.param('window.T = "{{ csrf_token }}";', "data", "", id="template_var_inside_string_is_data"),
    pytest.param(
        "document.addEventListener('DOMContentLoaded', function () { $('#x').select2(); });", "after_load", "", id="dom_content_loaded_function"
    ),
    pytest.param("window.addEventListener('load', () => { go(`${x}`); }, {once: true})", "after_load", "", id="window_load_arrow_with_options"),
    pytest.param(
        'var A = 1;\ndocument.addEventListener("DOMContentLoaded", async function init() { await go(); });', "after_load", "", id="data_then_listener"
    ),
    pytest.param("$('#x').select2();", "parse_time", "runs `$('#x').select2();` at parse time", id="top_level_plugin_call"),
    pytest.param("$(function () { go(); });", "parse_time", "calls $ at parse time", id="jquery_ready_shorthand_needs_dollar_now"),
    pytest.param("document.write('<p>')", "parse_time", "document.write", id="document_write"),
    pytest.param("window.X = compute();", "parse_time", "the value 'compute' is not a literal", id="value_that_calls"),
    pytest.param("window.addEventListener('click', function () {})", "parse_time", "may run before deferred scripts", id="other_event"),
    pytest.param("document.addEventListener('load', function () {})", "parse_time", "may run before deferred scripts", id="document_never_gets_load"),
    pytest.param("document.addEventListener('DOMContentLoaded', init);", "parse_time", "is read at parse time", id="named_listener_is_read_now"),
    pytest.param("var x = 1\n(function () {})()", "parse_time", "continues on the next line", id="asi_does_not_end_before_paren"),
    pytest.param("window.T = {{ data|safe }};", "parse_time", "template code in code position", id="template_code_in_code"),
    pytest.param('window.T = "{{ data|safe }}";', "parse_time", "marked safe", id="safe_inside_string"),
    pytest.param(
        '$.fn.select2.defaults.set("dir", "{% if LANGUAGE_BIDI %}rtl{% else %}ltr{% endif %}");',
        "parse_time",
        'runs `$.fn.select2.defaults.set("dir", "{% if',
        id="example_select2_defaults",
    ),
]


@pytest.mark.parametrize(("body", "kind", "reason"), INLINE_CASES)
def test_classify_inline_script(body: str, kind: str, reason: str):
    verdict = classify_inline_script(body, _spans(body))
    assert verdict.kind == kind
    assert reason in verdict.reason
    assert verdict.static == (not _spans(body))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a();\ndocument.write('<b>')", "calls document.write (line 2)", id="write"),
        pytest.param("document . writeln('x')", "calls document.writeln (line 1)", id="writeln_spaced"),
        pytest.param("var s = 'document.write'; // document.write", None, id="in_string_and_comment"),
        pytest.param("doc.write(1)", None, id="other_object"),
    ],
)
def test_defer_hazard(text: str, expected: str | None):
    assert defer_hazard(text) == expected


RUN = "<script src=\"{% static 'a.js' %}\"></script>\n<script src=\"{% static 'b.js' %}\"></script>\n"
DOC = "{% load static %}<!DOCTYPE html><html><head><title>{{ title }}</title>\n"
READ = {"a.js": script_facts("window.A = {go: function () {}};"), "b.js": script_facts("A.b = 1;")}
DEFER_CASES = [
    pytest.param(DOC + RUN + "</head><body><p>{% trans 'x' %}</p></body></html>", READ, None, id="head_run_before_static_body"),
    pytest.param(
        DOC
        + "</head><body>"
        + RUN
        + "<script>document.addEventListener('DOMContentLoaded', function () { A.go('{{ t }}'); });</script>\n</body></html>",
        READ,
        None,
        id="body_run_then_after_load_inline",
    ),
    pytest.param(
        DOC + "</head><body>" + RUN + '<script type="application/json" id="d">{"a": 1}</script></body></html>',
        READ,
        None,
        id="json_data_script_is_not_run",
    ),
    pytest.param(DOC + RUN + "</head><body><p>x</p></body></html>", None, "a.js was not read", id="files_not_read"),
    pytest.param(
        DOC + RUN + "</head><body></body></html>",
        {"a.js": ScriptFacts("calls document.write (line 3)", frozenset()), "b.js": READ["b.js"]},
        "a.js calls document.write",
        id="file_writes",
    ),
    pytest.param(
        DOC + "</head><body>" + RUN + "<script>A.go();</script></body></html>",
        READ,
        "line 4: an inline script after the run runs `A.go();` at parse time",
        id="inline_call_after",
    ),
    pytest.param(
        DOC + "</head><body>" + RUN + "<script>window.A = {a: 1};</script></body></html>",
        READ,
        "defines A, which the run's files also name",
        id="data_after_the_run_also_names",
    ),
    pytest.param(
        DOC + RUN + '</head><body><script src="/static/c.js"></script></body></html>', READ, "an external script after the run", id="external_after"
    ),
    pytest.param(
        DOC + RUN + "</head><body>{% block content %}{% endblock %}</body></html>", READ, "{% block content %} after the run", id="block_after"
    ),
    pytest.param(DOC + RUN + "</head><body>{% include 'x.html' %}</body></html>", READ, "{% include 'x.html' %} after the run", id="include_after"),
    pytest.param(
        DOC + RUN + "</head><body>{{ form.media }}</body></html>",
        READ,
        "{{ form.media }} after the run may print a script",
        id="var_after_may_print_script",
    ),
    pytest.param("{% load static %}" + RUN, READ, "does not end the document", id="fragment_without_body_end"),
    pytest.param(
        DOC + RUN + '</head><body><button onclick="A.go()">Go</button></body></html>',
        READ,
        "<button onclick> after the run",
        id="inline_handler_after",
    ),
    pytest.param(
        DOC + RUN + '</head><body><a href="javascript:A.go()">Go</a></body></html>', READ, "<a href> after the run", id="javascript_url_after"
    ),
    pytest.param(
        DOC + '</head><body><button onclick="A.go()">Go</button>' + RUN + "</body></html>",
        READ,
        None,
        id="inline_handler_before_run_was_clickable_before_too",
    ),
    pytest.param("{% extends 'base.html' %}{% load static %}{% block js %}" + RUN + "{% endblock %}", READ, "extends base.html", id="child_template"),
    pytest.param(DOC + "{% block js %}" + RUN + "{% endblock %}</head><body></body></html>", READ, "inside {% block js %}", id="run_inside_block"),
]


@pytest.mark.parametrize(("source", "hazards", "blocker"), DEFER_CASES)
def test_run_is_deferred_only_when_nothing_after_it_needs_it_at_parse_time(source: str, hazards, blocker: str | None):
    template = parse_template("p.html", source)
    result = plan_bundles(template, "/static/", script_facts=hazards)
    out = apply_edits(source, result.edits)
    kept = [s.reason for s in result.skips if "parser-blocking" in s.reason]
    if blocker is None:
        assert out.count("<script defer src=") == 2 and kept == []
    else:
        assert "defer" not in out
        assert len(kept) == 1 and blocker in kept[0], kept
    assert '{% bundle "js" %}' in out  # bundled either way
    again = plan_bundles(parse_template("p.html", out), "/static/", script_facts=hazards)
    assert again.edits == ()  # idempotent: a bundled run is never planned again


MOVE_SOURCE = (
    DOC
    + "</head><body>\n  "
    + RUN.replace("\n<", "\n  <")
    + '  <script>\n    window.ERP_CONFIG = {lang: "{{ LANGUAGE_CODE }}", rows: 25};\n  </script>\n'
    + "  <script>document.addEventListener('DOMContentLoaded', function () { A.go(ERP_CONFIG); });</script>\n</body></html>"
)
MOVED = (
    DOC
    + "</head><body>\n"
    + '  <script>\n    window.ERP_CONFIG = {lang: "{{ LANGUAGE_CODE }}", rows: 25};\n  </script>\n'
    + '  {% bundle "js" %}\n'
    + "  <script defer src=\"{% static 'a.js' %}\"></script>\n  <script defer src=\"{% static 'b.js' %}\"></script>\n"
    + "  {% endbundle %}\n"
    + "  <script>document.addEventListener('DOMContentLoaded', function () { A.go(ERP_CONFIG); });</script>\n</body></html>"
)


def test_data_only_script_after_the_run_moves_before_it_and_the_run_is_deferred():
    result = plan_bundles(parse_template("p.html", MOVE_SOURCE), "/static/", script_facts=READ)
    out = apply_edits(MOVE_SOURCE, result.edits)
    assert out == MOVED
    assert "moved before the deferred scripts" in " ".join(e.reason for e in result.edits)
    assert plan_bundles(parse_template("p.html", out), "/static/", script_facts=READ).edits == ()


def test_audit_counts_a_deferred_run_as_not_render_blocking(tmp_path: Path):
    (tmp_path / "t").mkdir()
    (tmp_path / "s").mkdir()
    for name in ("a.js", "b.js"):
        (tmp_path / "s" / name).write_text(f"window.{name[0]} = 1;\n")
    (tmp_path / "t/page.html").write_text(DOC + RUN + "</head><body><p>x</p></body></html>")
    flags = ["--project", str(tmp_path), "--templates", str(tmp_path / "t"), "--static", str(tmp_path / "s")]
    before = CliRunner().invoke(cli, ["audit", *flags, "--json", str(tmp_path / "before.json")], catch_exceptions=False)
    assert before.exit_code in (0, 1), before.output
    rewrite = CliRunner().invoke(cli, ["rewrite", *flags, "--only", "bundles", "--write"], catch_exceptions=False)
    assert rewrite.exit_code == 0, rewrite.output
    assert "<script defer src=\"{% static 'a.js' %}\">" in (tmp_path / "t/page.html").read_text()
    after = CliRunner().invoke(cli, ["audit", *flags, "--json", str(tmp_path / "after.json")], catch_exceptions=False)
    assert after.exit_code in (0, 1), after.output

    (b,), (a,) = (json.loads((tmp_path / f"{w}.json").read_text())["pages"] for w in ("before", "after"))
    assert (b["render_blocking"], a["render_blocking"]) == (2, 0)


def test_example_base_keeps_its_runs_blocking_with_the_reasons():
    from assetopt.config import load_config
    from assetopt.io.project import Project
    from assetopt.rewrite.context import RewriteContext
    from assetopt.rewrite.project import plan_project

    repo = Path(__file__).resolve().parent.parent
    project = Project(load_config(repo, cwd=repo))
    result = plan_project(project, RewriteContext(only=frozenset({"bundles"})), compile_check=False)
    skips = [s.reason for s in result.skips if "parser-blocking" in s.reason]
    # 5: jquery.dataTables.js joined the first run, the Select2 defaults script moved after it (``rejoin``)
    assert any("5 scripts stay parser-blocking: line 54: an inline script after the run runs `$.fn.select2.defaults.set(" in s for s in skips), skips
    assert any("{% block extra_js %} after the run" in s for s in skips), skips


IF_CASES = [
    pytest.param(
        "{% if ar %}<script src=\"{% static 'ar.js' %}\"></script>{% endif %}",
        "{% if ar %}<script src=\"{% static 'ar.js' %}\"></script>{% endif %}\n{% endbundle %}",
        id="if_of_one_script_joins_the_run",
    ),
    pytest.param(
        "{% if ar %}<script src=\"{% static 'ar.js' %}\"></script>{% else %}<script src=\"{% static 'en.js' %}\"></script>{% endif %}",
        "{% else %}<script src=\"{% static 'en.js' %}\"></script>{% endif %}\n{% endbundle %}",
        id="if_else_of_scripts_joins_the_run",
    ),
    pytest.param(
        "{% if ar %}<script src=\"{% static 'ar.js' %}\"></script><p>x</p>{% endif %}",
        "<script src=\"{% static 'b.js' %}\"></script>\n{% endbundle %}\n{% if ar %}",
        id="if_with_markup_ends_the_run",
    ),
    pytest.param(
        "{% if ar %}<script async src=\"{% static 'ar.js' %}\"></script>{% endif %}",
        "<script src=\"{% static 'b.js' %}\"></script>\n{% endbundle %}\n{% if ar %}",
        id="if_of_an_async_script_ends_the_run",
    ),
]


@pytest.mark.parametrize(("cond", "expected"), IF_CASES)
def test_script_run_takes_in_an_if_that_holds_only_scripts_of_its_kind(cond: str, expected: str):
    source = "{% load static %}" + RUN + cond
    out = apply_edits(source, plan_bundles(parse_template("p.html", source), "/static/").edits)
    assert expected in out, out
    assert apply_edits(out, plan_bundles(parse_template("p.html", out), "/static/").edits) == out
