"""What the command-line pipeline (audit, rewrite, build) did wrong on templates other people wrote:
each test a minimal reproduction of something the seven corpora (../shared/corpora) showed, failing
before its fix. The corpus it came from is named in each test's docstring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assetopt.audit.run import run_audit
from assetopt.cli import cli
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.project import plan_project


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# ---------------------------------------------------------------------------------------------
# A stylesheet or script the static dirs do not hold is never wrapped in a {% bundle %}
# ---------------------------------------------------------------------------------------------

BASE_MISSING = """{% load static %}<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{% static 'css/a.css' %}">
<link rel="stylesheet" href="{% static 'css/b.css' %}">
<link rel="stylesheet" href="{% static 'admin/css/base.css' %}">
<link rel="stylesheet" href="{% static 'admin/css/forms.css' %}">
</head><body><p>x</p>
<script src="{% static 'admin/js/vendor/jquery/jquery.js' %}"></script>
<script src="{% static 'admin/js/jquery.init.js' %}"></script>
</body></html>
"""


def test_assets_missing_from_the_static_dirs_are_not_bundled_so_build_still_works(tmp_path: Path, write_tree, monkeypatch) -> None:
    """django-jazzmin and django-machina: their templates load Django admin's files (or a folder a
    setting adds), which a project's --static dirs may lack. The rewrite wrapped them in {% bundle %}
    and the next `assetopt build` refused every such bundle (exit 2): the rewrite made the build fail."""
    write_tree(tmp_path / "templates", {"base.html": BASE_MISSING})
    write_tree(tmp_path / "static", {"css/a.css": "a { color: red }", "css/b.css": "b { color: blue }"})
    monkeypatch.chdir(tmp_path)
    flags = ["--templates", "templates", "--static", "static"]

    audit = _cli("audit", *flags, "--all")
    assert "admin/css/base.css not found in the static dirs" in audit.output
    assert "base.html:2: 2 stylesheets in a row could be one bundle" in audit.output  # a.css, b.css only
    assert "4 stylesheets" not in audit.output and "scripts in a row" not in audit.output

    write = _cli("rewrite", *flags, "--write")
    assert write.exit_code == 0, write.output
    text = (tmp_path / "templates" / "base.html").read_text()
    assert text.count("{% bundle") == 1  # a.css and b.css; the admin files stay as they were
    bundle = text[text.index("{% bundle") : text.index("{% endbundle %}")]
    assert "css/a.css" in bundle and "css/b.css" in bundle and "admin/" not in bundle

    build = _cli("build", *flags, "--out", str(tmp_path / "out"), "--no-images", "-j", "1")
    assert build.exit_code == 0, build.output
    assert "1 bundle(s)" in build.output


def test_the_skip_names_the_missing_file_and_what_to_do(make_project) -> None:
    project = make_project(templates={"base.html": BASE_MISSING}, static={"css/a.css": "a{}", "css/b.css": "b{}"})
    result = plan_project(project, RewriteContext(only=frozenset({"bundles"})), compile_check=False)
    reasons = {(s.lineno, s.reason) for s in result.skips}
    assert (
        7,
        "<script> not bundled: admin/js/vendor/jquery/jquery.js is not in the static dirs, so the build could not join it"
        " (add the folder that holds it: --static DIR, or static in [tool.assetopt])",
    ) in reasons
    assert {line for line, _ in reasons} == {4, 5, 7, 8}
    # with the files there, the same template is bundled whole
    full = make_project(
        templates={"base.html": BASE_MISSING},
        static={
            "css/a.css": "a{}",
            "css/b.css": "b{}",
            "admin/css/base.css": "c{}",
            "admin/css/forms.css": "d{}",
            "admin/js/vendor/jquery/jquery.js": "var jQuery = 1;",
            "admin/js/jquery.init.js": "var django = {jQuery: jQuery};",
        },
    )
    (change,) = plan_project(full, RewriteContext(only=frozenset({"bundles"})), compile_check=False).changes
    assert change.after.count("{% bundle") == 2
    assert run_audit(full).problems == ()


# ---------------------------------------------------------------------------------------------
# A leaf whose chain stops at {% extends variable %} is named, not dropped from the audit
# ---------------------------------------------------------------------------------------------

BOARD = {
    "_base.html": "<!DOCTYPE html><html><head>{% block css %}{% endblock %}</head><body>{% block body %}{% endblock %}</body></html>",
    "board_base.html": "{% extends MACHINA_BASE_TEMPLATE_NAME %}{% load static %}\n{% block css %}\n"
    '<link rel="stylesheet" href="{% static \'css/board.css\' %}">\n{% endblock css %}',
    "forum/index.html": "{% extends 'board_base.html' %}{% block body %}<p>forums</p>{% endblock %}",
    "forum/topic.html": "{% extends 'board_base.html' %}{% block body %}<p>topic</p>{% endblock %}",
}


def test_templates_extending_a_variable_parent_are_named_in_the_audit_not_dropped(make_project, tmp_path: Path, monkeypatch) -> None:
    """django-machina: board_base.html says {% extends MACHINA_BASE_TEMPLATE_NAME %} and 30 forum pages
    extend it; none was a page (the chain never reached <html>), so the audit showed one page, counted
    none of board_base's stylesheets and scripts, and said nothing about the 30 templates."""
    project = make_project(templates=BOARD, static={"css/board.css": "a{}"})
    result = run_audit(project)
    assert [p.name for p in result.pages] == ["_base.html"]
    (warning,) = result.not_audited
    assert (warning.path, warning.lineno) == ("templates/board_base.html", 1)
    assert warning.message == (
        "{% extends MACHINA_BASE_TEMPLATE_NAME %} is not a literal name: its parent is not followed: "
        "2 template(s) whose chain stops there are not audited (forum/index.html, forum/topic.html)"
    )
    assert "pages = [...]" in warning.hint

    monkeypatch.chdir(tmp_path)
    out = _cli("audit", "--templates", "templates", "--static", "static", "--json", "a.json")
    assert "warning not-audited (1): templates no page was found for, so nothing they load is counted" in out.output
    assert "templates/board_base.html:1: {% extends MACHINA_BASE_TEMPLATE_NAME %}" in out.output
    assert out.exit_code == 0  # a warning: the audit of what it could follow stands
    import json

    (entry,) = json.loads((tmp_path / "a.json").read_text())["not_audited"]
    assert entry["line"] == 1 and "forum/index.html" in entry["message"]

    # listed as pages, they are audited: board.css is counted
    listed = run_audit(make_project(templates=BOARD, static={"css/board.css": "a{}"}, pages=("forum/index.html",)))
    (page,) = [p for p in listed.pages if p.name == "forum/index.html"]
    assert page.counts["css"] == 1


# ---------------------------------------------------------------------------------------------
# An image in the page's <footer> is never the LCP candidate
# ---------------------------------------------------------------------------------------------

WIKI_BASE = """{% load static %}<!DOCTYPE html><html><body>
<nav class="navbar"><a href="/">Wiki</a></nav>
<div class="container">{% block wiki_body %}{% endblock %}</div>
<footer id="wiki-footer">
<a href="https://github.com/django-wiki/django-wiki"><img src="{% static 'wiki/img/github_icon.png' %}" /></a>
</footer>
</body></html>
"""


def test_an_image_in_the_footer_is_never_prioritised_and_lazy_after_a_content_image(make_project) -> None:
    """wiki: base_site.html's only literal image is the GitHub icon in <footer>; an article's body is
    rendered Markdown the template cannot see. The rewrite gave the footer icon fetchpriority="high"
    as the page's LCP candidate on every wiki page."""
    article = "{% extends 'base.html' %}{% block wiki_body %}<article>{{ article.render }}</article>{% endblock %}"
    with_hero = "{% extends 'base.html' %}{% load static %}{% block wiki_body %}<img src=\"{% static 'hero.png' %}\">{% endblock %}"
    only_articles = make_project(templates={"base.html": WIKI_BASE, "article.html": article})
    result = plan_project(only_articles, RewriteContext(only=frozenset({"images"})), compile_check=False)
    # the icon is the page's first image: it stays as it is (eager, it may be on screen; not prioritised)
    assert [c.name for c in result.changes] == [], [c.after for c in result.changes]
    project = make_project(templates={"base.html": WIKI_BASE, "article.html": article, "photo.html": with_hero})
    # after a content image (photo.html's hero), the footer icon is lazy on that page, and the hero is the LCP
    from assetopt.audit.run import find_pages
    from assetopt.templates.fold import BELOW, CHROME, LCP, image_roles

    pages = {p.name: p for p in find_pages(project)[0]}
    icon = ("base.html", WIKI_BASE.index("<img"))
    assert image_roles(pages["article.html"])[icon] == CHROME
    roles = image_roles(pages["photo.html"])
    assert roles[icon] == BELOW
    assert roles[("photo.html", with_hero.index("<img"))] == LCP


# ---------------------------------------------------------------------------------------------
# An <iframe> that fetches nothing (a form's target, srcdoc) gets no loading="lazy"
# ---------------------------------------------------------------------------------------------


def test_an_iframe_without_src_is_neither_flagged_nor_made_lazy(make_project) -> None:
    """wiki: edit.html and history.html hold <iframe name="previewWindow"> in a modal, the target of
    the preview form; the audit warned iframe-not-lazy on each and the rewrite added loading="lazy",
    an edit that defers nothing. An iframe with a src still gets it."""
    page = (
        '<!DOCTYPE html><html><body><p>text</p>\n<iframe name="previewWindow" frameborder="0"></iframe>\n'
        '<iframe srcdoc="<p>hi</p>"></iframe>\n<iframe src="https://www.youtube.com/embed/x"></iframe>\n</body></html>'
    )
    project = make_project(templates={"edit.html": page})
    (change,) = plan_project(project, RewriteContext(only=frozenset({"images"})), compile_check=False).changes
    assert [e.lineno for e in change.edits] == [4]
    assert '<iframe src="https://www.youtube.com/embed/x" loading="lazy"></iframe>' in change.after
    (report,) = run_audit(project).pages
    assert [(f.code, f.lineno) for f in report.findings if f.code == "iframe-not-lazy"] == [("iframe-not-lazy", 4)]


# ---------------------------------------------------------------------------------------------
# A fragment showing secrets (recovery codes) is never cached
# ---------------------------------------------------------------------------------------------

RECOVERY_CODES = """{% load i18n allauth %}
{% block content %}
    {% if can_view_codes %}
        {% element field id="recovery_codes" type="textarea" rows=unused_codes|length readonly=True %}
            {# djlint:off #}
{% slot value %}{% for code in unused_codes %}{% if forloop.counter0 %}
{% endif %}{{ code }}{% endfor %}{% endslot %}
            {# djlint:on #}
        {% endelement %}
    {% endif %}
{% endblock content %}
"""


def test_suggest_cache_refuses_the_loop_over_mfa_recovery_codes(tmp_path: Path, write_tree, monkeypatch) -> None:
    """django-allauth: mfa/recovery_codes/index.html:16 loops over the user's unused recovery codes;
    suggest-cache called the loop "ok, per user and URL". Cached, the codes (secrets) would be written
    into the cache backend and regenerated codes would show stale."""
    from assetopt.rewrite.cache import suggest_cache
    from assetopt.templates.model import parse_template

    (s,) = suggest_cache(parse_template("mfa/recovery_codes/index.html", RECOVERY_CODES))
    assert (s.lineno, s.verdict, s.what) == (6, "refused", "{% for code in unused_codes %}"), s
    assert s.reason == "mfa/recovery_codes/index.html:6: renders unused_codes (looks like a secret: never put secrets into a cache backend)"
    # the command line says so, and the template is left as it was
    write_tree(tmp_path / "templates", {"mfa/recovery_codes/index.html": RECOVERY_CODES})
    monkeypatch.chdir(tmp_path)
    out = _cli("rewrite", "--templates", "templates", "--suggest-cache")
    assert out.exit_code == 0, out.output
    (line,) = [x for x in out.output.splitlines() if "unused_codes" in x]
    assert line.startswith("refused templates/mfa/recovery_codes/index.html:6: {% for code in unused_codes %}: "), line
    assert line.endswith("index.html:6: renders unused_codes (looks like a secret: never put secrets into a cache backend)"), line
    assert (tmp_path / "templates/mfa/recovery_codes/index.html").read_text() == RECOVERY_CODES


# ---------------------------------------------------------------------------------------------
# A fragment showing a form's current values is never cached (the form is sent back)
# ---------------------------------------------------------------------------------------------

PERMISSIONS = """<form method="post">{% csrf_token %}
<table class="perms"><tbody>
  {% for field in form %}
  <tr><td>{{ field.label }}</td>
    {% for choice in field.field.choices %}
    <td><input type="radio" value="{{ choice.0 }}" name="{{ field.html_name }}"{% if choice.0 == field.value %} checked="checked"{% endif %}></td>
    {% endfor %}
  </tr>
  {% endfor %}
</tbody></table>
<button>Save</button></form>
"""


@pytest.mark.parametrize(
    ("control", "line"),
    [
        pytest.param(
            '<input type="radio" name="a" value="1"{% if on %} checked{% endif %}>', "with template code between its attributes", id="opaque_checked"
        ),
        pytest.param('<input type="text" name="a" value="{{ form.a.value }}">', "whose value or checked state is template code", id="value"),
        pytest.param('<select name="a"><option value="1" selected="{{ s }}">1</option></select>', "whose value or checked state", id="selected"),
        pytest.param('<textarea name="a">{{ form.a.value }}</textarea>', "whose value or checked state", id="textarea_text"),
    ],
)
def test_a_cache_rule_around_form_fields_with_their_current_values_is_refused(control: str, line: str) -> None:
    from assetopt.rewrite.cache import plan_cache
    from assetopt.template_rewriter import CacheRule
    from assetopt.templates.model import parse_template

    source = f'<form method="post" action="/x">\n<div class="fields">\n{control}\n</div>\n</form>\n'
    t = parse_template("t.html", source)
    result = plan_cache(t, RewriteContext(cache_rules=(CacheRule("t.html", ".fields", 600, "f"),)))
    assert result.edits == ()
    (skip,) = result.skips
    assert (
        line in skip.reason
        and "at line 3" in skip.reason
        and "a field of a POST form" in skip.reason
        and "stale copy would save old values" in skip.reason
    ), skip.reason


def test_suggest_cache_refuses_a_loop_over_form_fields_showing_their_values() -> None:
    """django-machina: admin/forum/forum/editpermissions_form.html loops over the permission form's
    fields inside the POST form and checks each radio from field.value; suggest-cache called the loop
    "ok, varying on request.user.pk, request.get_full_path". Cached, after a save the page shows the
    old choices, and the next save sends them back: the change just made is silently undone."""
    from assetopt.rewrite.cache import suggest_cache
    from assetopt.templates.model import parse_template

    (s,) = suggest_cache(parse_template("editpermissions_form.html", PERMISSIONS))
    assert (s.lineno, s.verdict) == (3, "refused"), s
    assert "a field of a POST form with template code between its attributes at line 6" in s.reason
    # a GET form (a search box) is keyed on what it shows (request.GET.q): still a candidate
    search = '<form action="/s">\n{% for f in filters %}<input name="q" value="{{ request.GET.q }}">{{ f.name }}{% endfor %}\n</form>\n'
    (s,) = suggest_cache(parse_template("search.html", search))
    assert s.verdict == "ok", s.reason
    # the same loop showing only labels is still a candidate
    labels = PERMISSIONS.replace(PERMISSIONS[PERMISSIONS.index("    {% for choice") : PERMISSIONS.index("  </tr>")], "")
    (s,) = suggest_cache(parse_template("editpermissions_form.html", labels))
    assert s.verdict == "ok", s.reason


# ---------------------------------------------------------------------------------------------
# A parent template in no template dir: the error says where to add it
# ---------------------------------------------------------------------------------------------


def test_a_parent_in_no_template_dir_says_which_setting_adds_it(tmp_path: Path, write_tree, monkeypatch) -> None:
    """django-jazzmin, -unfold, -machina, -grappelli: admin skins extend Django admin's own templates
    (admin/change_form.html), which their template dirs do not hold. The audit said
    "... which no template dir has (template dirs: jazzmin/templates)": where it looked, not what to do."""
    write_tree(tmp_path / "templates", {"admin/filer/change_form.html": "{% extends 'admin/change_form.html' %}{% block x %}{% endblock %}"})
    monkeypatch.chdir(tmp_path)
    out = _cli("audit", "--templates", "templates")
    line = next(x for x in out.output.splitlines() if "admin/filer/change_form.html:1:" in x)
    assert "{% extends %} names 'admin/change_form.html', which no template dir has" in line
    assert "searched: templates; add the folder that holds it: --templates DIR" in line
    assert "library_templates = [...] in [tool.assetopt] for an installed app's" in line
    assert out.exit_code == 1


def test_a_missing_static_file_finding_says_a_static_dir_may_be_missing(tmp_path: Path, write_tree, monkeypatch) -> None:
    """django-jazzmin: 30 missing-file errors, every one a Django admin file (admin/js/...), with the fix
    "fix the path or add the file": the path was right and the file existed, in a dir not configured."""
    write_tree(
        tmp_path / "templates",
        {"p.html": "{% load static %}<!DOCTYPE html><html><head><script src=\"{% static 'admin/js/core.js' %}\"></script></head></html>"},
    )
    (tmp_path / "static").mkdir()
    monkeypatch.chdir(tmp_path)
    out = _cli("audit", "--templates", "templates", "--static", "static")
    assert "error missing-file (1): fix the path, add the file, or add the folder that holds it (--static DIR;" in out.output
    assert "templates/p.html:1: admin/js/core.js not found in the static dirs (static)" in out.output


# ---------------------------------------------------------------------------------------------
# One file two template dirs both hold is shown and counted once
# ---------------------------------------------------------------------------------------------


def test_a_template_two_dirs_hold_is_one_change_in_the_diff_and_the_count(tmp_path: Path, write_tree, monkeypatch) -> None:
    """django-machina's set-up puts machina/templates/machina before machina/templates (its views name
    "board_base.html", its templates "machina/..."): every template is under two names. rewrite showed
    each diff twice and --check said "2 template(s) would change" for one file."""
    page = '{% load static %}<!DOCTYPE html><html><head><link rel="stylesheet" href="{% static \'a.css\' %}"><link rel="stylesheet" href="{% static \'b.css\' %}"></head></html>\n'
    write_tree(tmp_path / "t", {"machina/board_base.html": page})
    write_tree(tmp_path / "static", {"a.css": "a{}", "b.css": "b{}"})
    monkeypatch.chdir(tmp_path)
    flags = ["--templates", "t/machina", "--templates", "t", "--static", "static"]
    diff = _cli("rewrite", *flags)
    assert diff.output.count("+++ b/t/machina/board_base.html") == 1, diff.output
    assert diff.output.count("t/machina/board_base.html:1: bundles: 2 stylesheets -> one bundle") == 1
    check = _cli("rewrite", *flags, "--check")
    assert check.exit_code == 1 and "1 template(s) would change" in check.output
    write = _cli("rewrite", *flags, "--write")
    assert "wrote 1 file(s)" in write.output
    assert (tmp_path / "t" / "machina" / "board_base.html").read_text().count("{% bundle") == 1


# ---------------------------------------------------------------------------------------------
# One file two template dirs both hold is one page of the audit
# ---------------------------------------------------------------------------------------------

OVERLAP = {
    "machina/base.html": '{% load static %}<!DOCTYPE html><html><head><link rel="stylesheet" href="{% static \'a.css\' %}"></head>'
    "<body>{% block body %}{% endblock %}</body></html>\n",
    "machina/forum.html": '{% extends "machina/base.html" %}{% load static %}{% block body %}<script src="{% static \'b.js\' %}"></script>{% endblock %}\n',
    "machina/topic.html": '{% extends "machina/base.html" %}{% block body %}{% include "machina/partial.html" %}{% endblock %}\n',
    "machina/partial.html": "{% load static %}<script src=\"{% static 'c.js' %}\"></script>\n",
    # two different files whose names look alike: p.html and machina/p.html when templates/machina comes first
    "machina/p.html": '{% load static %}<!DOCTYPE html><html><head><link rel="stylesheet" href="{% static \'a.css\' %}">'
    '<link rel="stylesheet" href="{% static \'d.css\' %}"></head></html>\n',
    "machina/machina/p.html": "{% load static %}<!DOCTYPE html><html><head><script src=\"{% static 'b.js' %}\"></script></head></html>\n",
}


def test_a_template_two_dirs_hold_is_one_page_of_the_audit(tmp_path: Path, write_tree, monkeypatch) -> None:
    """django-machina's set-up puts templates/machina before templates: every template has two names
    (forum.html and machina/forum.html). The audit listed each page twice and its totals counted it
    twice; base.html, extended only as machina/base.html, was also a page under its other name."""
    write_tree(tmp_path / "t", OVERLAP)
    write_tree(tmp_path / "static", {"a.css": "a{}", "b.js": "b()", "c.js": "c()", "d.css": "d{}"})
    monkeypatch.chdir(tmp_path)
    alone = _cli("audit", "--templates", "t", "--static", "static", "--json", "alone.json")
    both = _cli("audit", "--templates", "t/machina", "--templates", "t", "--static", "static", "--json", "both.json")
    assert alone.exit_code == 0 and both.exit_code == 0, both.output
    one, two = (json.loads((tmp_path / f).read_text()) for f in ("alone.json", "both.json"))
    # by hand: forum 1 css + 1 js, topic 1 css + 1 js (its include), p.html 2 css, machina/machina/p.html 1 js
    pages = {p["name"]: p for p in two["pages"]}
    assert sorted(pages) == ["forum.html", "machina/p.html", "p.html", "topic.html"]
    assert {n: (p["counts"]["css"], p["counts"]["js"]) for n, p in pages.items()} == {
        "forum.html": (1, 1),
        "topic.html": (1, 1),
        "p.html": (2, 0),
        "machina/p.html": (0, 1),
    }
    for data in (one, two):
        assert data["summary"]["pages"] == 4
        assert data["summary"]["templates"] == 6  # files, not names
        assert sum(p["counts"]["css"] for p in data["pages"]) == 4 and sum(p["counts"]["js"] for p in data["pages"]) == 3
        assert sum(p["counts"]["requests"] for p in data["pages"]) == 7
    # two different files stay two pages, each with its own file
    assert (pages["p.html"]["path"], pages["machina/p.html"]["path"]) == ("t/machina/p.html", "t/machina/machina/p.html")
    assert pages["forum.html"]["other_names"] == ["machina/forum.html"] and pages["p.html"]["other_names"] == []
    assert pages["machina/p.html"]["other_names"] == ["machina/machina/p.html"]
    assert "machina/forum.html is the same file as forum.html (overlapping template dirs): audited once" in two["notes"]
    assert one["notes"] == [] and all(p["other_names"] == [] for p in one["pages"])
    total = next(line for line in both.output.splitlines() if line.startswith("total (")).split()
    assert total == next(line for line in alone.output.splitlines() if line.startswith("total (")).split()
    # 4 pages, 4 css, 3 js, 7 requests, 5 blocking (a.css on each page, d.css, the classic script in p.html's head)
    assert total[:3] + total[3:6] + total[7:9] == ["total", "(4", "pages)", "4", "3", "0/0", "7", "5"], total
    assert "  forum.html (also machina/forum.html)" in both.output.splitlines()
    assert not any(line.startswith(("machina/forum.html ", "base.html ", "machina/base.html ")) for line in both.output.splitlines())


def test_verify_says_a_baseline_page_is_now_audited_under_its_files_other_name(tmp_path: Path, write_tree, monkeypatch) -> None:
    """A baseline an older audit wrote under django-machina's overlapping dirs lists forum.html and
    machina/forum.html; the audit now lists the file once. verify named the second only as "renamed,
    removed or excluded?"."""
    write_tree(tmp_path / "t", OVERLAP)
    write_tree(tmp_path / "static", {"a.css": "a{}", "b.js": "b()", "c.js": "c()", "d.css": "d{}"})
    monkeypatch.chdir(tmp_path)
    flags = ["--templates", "t/machina", "--templates", "t", "--static", "static"]
    assert _cli("audit", *flags, "--json", "now.json").exit_code == 0
    stale = json.loads((tmp_path / "now.json").read_text())
    forum = next(p for p in stale["pages"] if p["name"] == "forum.html")
    stale["pages"].append({**forum, "name": "machina/forum.html", "other_names": []})
    (tmp_path / "stale.json").write_text(json.dumps(stale))
    out = _cli("verify", *flags, "--baseline", "stale.json")
    assert out.exit_code == 1
    assert (
        "machina/forum.html: the same file as forum.html (overlapping template dirs), now audited once as forum.html: write a new baseline with audit --json"
        in out.output
    ), out.output
