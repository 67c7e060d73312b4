"""assetopt rewrite: splicing, the bundle transform, {% load %} insertion, the CLI modes, the invariants."""

from __future__ import annotations

from pathlib import Path

import django
import pytest
from click.testing import CliRunner

from assetopt.cli import cli
from assetopt.errors import EditConflict, RewriteRefused
from assetopt.rewrite.compile_check import compile_errors
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.edits import Edit, apply_edits
from assetopt.rewrite.plan import plan_rewrite
from assetopt.rewrite.project import FileChange, RewriteResult, write_changes
from assetopt.templates.model import parse_template

REPO = Path(__file__).resolve().parent.parent
DJANGO_DIR = Path(django.__file__).parent


def bundled(source: str, emit: str = "bundle") -> str:
    t = parse_template("t.html", source)
    return apply_edits(source, plan_rewrite(t, RewriteContext(only=frozenset({"bundles"}), emit=emit)).edits)


L = "<link rel='stylesheet' href='/static/{}.css'{}>"


def link(name: str, extra: str = "") -> str:
    return L.format(name, extra)


@pytest.mark.parametrize(
    "source, expected",
    [
        pytest.param(
            f"<head>\n  {link('a')}\n  {link('b')}\n</head>",
            f'{{% load assetopt %}}\n<head>\n  {{% bundle "css" %}}\n  {link("a")}\n  {link("b")}\n  {{% endbundle %}}\n</head>',
            id="two_links_indented",
        ),
        pytest.param(
            f"{link('a')}{{% block x %}}{{% endblock %}}{link('b')}",
            f"{link('a')}{{% block x %}}{{% endblock %}}{link('b')}",
            id="run_broken_by_block",
        ),
        pytest.param(
            f"{link('a')}<script>x()</script>{link('b')}",
            f"{link('a')}<script>x()</script>{link('b')}",
            id="run_broken_by_inline_script",
        ),
        pytest.param(
            f"{link('a')}{link('b')}{link('p', ' media=print')}",
            f'{{% load assetopt %}}\n{{% bundle "css" %}}\n{link("a")}{link("b")}\n{{% endbundle %}}{link("p", " media=print")}',
            id="print_media_ends_the_run",
        ),
        pytest.param(
            "<script src='/static/a.js' defer></script><script src='/static/b.js' defer></script><script src='/static/c.js'></script>",
            "{% load assetopt %}\n{% bundle \"js\" %}\n<script src='/static/a.js' defer></script><script src='/static/b.js' defer></script>\n{% endbundle %}<script src='/static/c.js'></script>",
            id="defer_run_then_classic",
        ),
        pytest.param(
            "<script src='/static/a.js' async></script><script src='/static/b.js' async></script>",
            "<script src='/static/a.js' async></script><script src='/static/b.js' async></script>",
            id="async_never_bundled",
        ),
        pytest.param(
            "<script type='module' src='/static/a.js'></script><script type='module' src='/static/b.js'></script>",
            "<script type='module' src='/static/a.js'></script><script type='module' src='/static/b.js'></script>",
            id="modules_never_bundled",
        ),
        pytest.param(
            f"{link('a')}<link rel='stylesheet' href='https://cdn.example/x.css'>{link('b')}",
            f"{link('a')}<link rel='stylesheet' href='https://cdn.example/x.css'>{link('b')}",
            id="external_url_breaks_the_run",
        ),
        pytest.param(
            f"{{% load static %}}\r\n<head>\r\n{link('a')}\r\n{link('b')}\r\n</head>\r\n",
            f'{{% load static assetopt %}}\r\n<head>\r\n{{% bundle "css" %}}\r\n{link("a")}\r\n{link("b")}\r\n{{% endbundle %}}\r\n</head>\r\n',
            id="crlf_kept_and_load_merged",
        ),
        pytest.param(
            f"\ufeff<p>مرحبا</p>{link('a')}{link('b')}<p>وداعا</p>",
            f'\ufeff{{% load assetopt %}}\n<p>مرحبا</p>{{% bundle "css" %}}\n{link("a")}{link("b")}\n{{% endbundle %}}<p>وداعا</p>',
            id="bom_first_and_arabic_around",
        ),
        pytest.param(
            f"{{% extends 'base.html' %}}{{% block css %}}{link('a')}{link('b')}{{% endblock %}}",
            f"{{% extends 'base.html' %}}{{% load assetopt %}}{{% block css %}}{{% bundle \"css\" %}}\n{link('a')}{link('b')}\n{{% endbundle %}}{{% endblock %}}",
            id="load_goes_after_extends",
        ),
        pytest.param(
            f"{{% blocktrans %}}{link('a')}{link('b')}{{% endblocktrans %}}",
            f"{{% blocktrans %}}{link('a')}{link('b')}{{% endblocktrans %}}",
            id="never_inside_blocktrans",
        ),
    ],
)
def test_bundle_transform(source: str, expected: str):
    assert bundled(source) == expected
    assert bundled(expected) == expected  # rewriting twice equals rewriting once


def test_compressor_emit_wraps_in_compress_and_loads_compress():
    source = f"{link('a')}{link('b')}"
    assert bundled(source, "compressor") == f"{{% load compress %}}\n{{% compress css %}}\n{link('a')}{link('b')}\n{{% endcompress %}}"


def test_overlapping_edits_are_an_error_not_a_guess():
    with pytest.raises(EditConflict):
        apply_edits("abcdef", [Edit(1, 4, "X", "images", 1, "one"), Edit(2, 3, "Y", "images", 1, "two")])


def test_insertions_at_one_offset_keep_their_order():
    assert apply_edits("ab", [Edit(1, 1, "1", "x", 1, ""), Edit(1, 1, "2", "x", 1, "")]) == "a12b"


def all_templates() -> list[Path]:
    roots = [DJANGO_DIR / "contrib/admin/templates", DJANGO_DIR / "forms/templates", REPO / "example/templates"]
    return sorted(p for r in roots if r.is_dir() for p in r.rglob("*.html"))


@pytest.fixture(scope="module")
def rewritten_everything():
    ctx = RewriteContext(only=frozenset({"bundles"}))
    out = {}
    for path in all_templates():
        source = path.read_text("utf-8")
        t = parse_template(path.name, source)
        out[path] = (source, apply_edits(source, plan_rewrite(t, ctx).edits))
    return out


def test_no_transform_is_identity_on_every_template():
    ctx = RewriteContext(only=frozenset())
    for path in all_templates():
        source = path.read_text("utf-8")
        assert apply_edits(source, plan_rewrite(parse_template(path.name, source), ctx).edits) == source, path


def test_rewriting_twice_equals_once_on_every_template(rewritten_everything):
    ctx = RewriteContext(only=frozenset({"bundles"}))
    for path, (_, once) in rewritten_everything.items():
        assert plan_rewrite(parse_template(path.name, once), ctx).edits == (), path


def test_every_rewritten_template_compiles_in_django(rewritten_everything):
    changed = {p: after for p, (before, after) in rewritten_everything.items() if after != before}
    assert changed  # the example's base.html at least
    errors = compile_errors(list(changed.values()))
    assert {str(p): e for p, e in zip(changed, errors) if e} == {}


def test_compile_gate_reports_django_message():
    assert compile_errors(["{% load static %}ok", "{% block a %}"]) == [None, "Unclosed tag on line 1: 'block'. Looking for one of: endblock."]


def test_write_is_all_or_nothing(tmp_path: Path, make_project):
    project = make_project(templates={"a.html": "A", "b.html": "B"})
    a, b = (project.config.templates[0] / n for n in ("a.html", "b.html"))
    result = RewriteResult(changes=[FileChange("a.html", a, "A", "A2", ()), FileChange("b.html", b, "B", "B2", (), compile_error="boom")])
    with pytest.raises(RewriteRefused, match="b.html"):
        write_changes(result, project)
    assert (a.read_text(), b.read_text()) == ("A", "B")


SITE = {
    "templates/base.html": "{% load static %}<html><head>\n<link rel='stylesheet' href=\"{% static 'a.css' %}\">\n<link rel='stylesheet' href=\"{% static 'b.css' %}\">\n</head><body>{% block c %}{% endblock %}</body></html>\n",
    "templates/page.html": "{% extends 'base.html' %}{% block c %}<p>hi</p>{% endblock %}\n",
    "static/a.css": "a{}",
    "static/b.css": "b{}",
}


@pytest.fixture
def site(tmp_path: Path, write_tree, monkeypatch) -> Path:
    write_tree(tmp_path, SITE)
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\nrewrite = ["bundles"]\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_diff_mode_shows_the_diff_and_writes_nothing(site: Path):
    result = CliRunner().invoke(cli, ["rewrite"])
    assert result.exit_code == 0, result.output
    assert "+++ b/templates/base.html" in result.output and '+{% bundle "css" %}' in result.output
    assert (site / "templates/base.html").read_text() == SITE["templates/base.html"]


def test_check_exits_1_while_work_is_pending_and_0_after_write(site: Path):
    assert CliRunner().invoke(cli, ["rewrite", "--check"]).exit_code == 1
    written = CliRunner().invoke(cli, ["rewrite", "--write"])
    assert written.exit_code == 0, written.output
    assert "to undo: assetopt undo " in written.output and "exactly as written: patch -R -p1" in written.output
    assert '{% bundle "css" %}' in (site / "templates/base.html").read_text()
    assert CliRunner().invoke(cli, ["rewrite", "--check"]).exit_code == 0


def test_undo_patch_restores_the_sources(site: Path):
    import subprocess

    written = CliRunner().invoke(cli, ["rewrite", "--write"])
    undo = written.output.split("exactly as written: ")[1].strip()
    subprocess.run(undo, shell=True, check=True, capture_output=True)
    assert (site / "templates/base.html").read_text() == SITE["templates/base.html"]


def test_out_writes_a_complete_copy_and_leaves_sources(site: Path):
    result = CliRunner().invoke(cli, ["rewrite", "--out", "build"])
    assert result.exit_code == 0, result.output
    assert '{% bundle "css" %}' in (site / "build/templates/base.html").read_text()
    assert (site / "build/templates/page.html").read_text() == SITE["templates/page.html"]
    assert (site / "templates/base.html").read_text() == SITE["templates/base.html"]


def test_unknown_transform_is_a_usage_error(site: Path):
    result = CliRunner().invoke(cli, ["rewrite", "--only", "bundles,pictures"])
    assert result.exit_code == 2 and "pictures" in result.output


@pytest.mark.parametrize("command", ["rewrite", "optimize"])
def test_an_out_dir_whose_copy_would_land_on_the_sources_is_refused(tmp_path: Path, write_tree, monkeypatch, command: str):
    page = "<!DOCTYPE html><html><head><link rel='stylesheet' href='/static/a.css'><link rel='stylesheet' href='/static/b.css'></head><body></body></html>"
    write_tree(tmp_path, {"templates/page.html": page, "static/a.css": "a{}", "static/b.css": "b{}"})
    monkeypatch.chdir(tmp_path)
    args = [command, "--templates", "templates", "--static", "static", "--out", "."]
    result = CliRunner().invoke(cli, args if command == "optimize" else [*args, "--only", "bundles"])
    assert result.exit_code == 2, result.output
    assert "overlaps the" in result.output and "would overwrite the sources" in result.output
    assert (tmp_path / "templates/page.html").read_text() == page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["static", "templates"]


@pytest.mark.parametrize("later_load", ["{% load i18n %}", "{% load assetopt %}"])
def test_a_load_after_the_new_tags_does_not_count_django_reads_loads_in_order(tmp_path: Path, write_tree, monkeypatch, later_load: str):
    head = "<link rel='stylesheet' href='/static/a.css'><link rel='stylesheet' href='/static/b.css'>"
    page = f"<!DOCTYPE html><html><head>{head}</head><body>{later_load}<p>hi</p></body></html>"
    write_tree(tmp_path, {"templates/page.html": page, "static/a.css": "a{}", "static/b.css": "b{}"})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["rewrite", "--templates", "templates", "--static", "static", "--only", "bundles", "--out", "out"])
    assert result.exit_code == 0, result.output
    out = (tmp_path / "out/templates/page.html").read_text()
    assert out.startswith("{% load assetopt %}\n<!DOCTYPE html>") and later_load in out


# -- the compile gate and tag libraries that are not installed (no settings) ---------------------------

HEAD_LINKS = "<link rel='stylesheet' href='/static/a.css'><link rel='stylesheet' href='/static/b.css'>"
CRISPY_PAGE = (  # django-crispy-forms' tags, as a third-party app's template uses them
    "{% load static crispy_forms_tags %}<!DOCTYPE html>\n"
    f"<html><head>{HEAD_LINKS}</head><body>\n"
    "{% block content %}{% crispy form %}{{ form.name|as_crispy_field }}{% endblock %}\n"
    "</body></html>\n"
)
BUILTIN_PAGE = f"<!DOCTYPE html>\n<html><head>{HEAD_LINKS}</head><body>\n{{% crispy form %}}\n</body></html>\n"  # a builtin of settings we lack


def test_crispy_forms_is_not_installed_here():
    import importlib.util

    assert importlib.util.find_spec("crispy_forms") is None  # else the tests below prove nothing about stand-ins


def _bundled(page: str) -> str:
    return page.replace(HEAD_LINKS, f'{{% bundle "css" %}}\n{HEAD_LINKS}\n{{% endbundle %}}')


@pytest.mark.parametrize(
    "page, expected",
    [
        pytest.param(
            CRISPY_PAGE, _bundled(CRISPY_PAGE).replace("crispy_forms_tags %}", "crispy_forms_tags assetopt %}"), id="loads_an_uninstalled_library"
        ),
        pytest.param(BUILTIN_PAGE, "{% load assetopt %}\n" + _bundled(BUILTIN_PAGE), id="uses_an_unseen_builtin"),
    ],
)
def test_a_good_rewrite_of_a_template_using_uninstalled_tags_is_written(tmp_path: Path, write_tree, monkeypatch, page: str, expected: str):
    write_tree(tmp_path, {"templates/page.html": page, "static/a.css": "a{}", "static/b.css": "b{}"})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["rewrite", "--templates", "templates", "--static", "static", "--only", "bundles", "--write"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "templates/page.html").read_text() == expected


def test_a_rewrite_that_breaks_a_template_loading_an_uninstalled_library_is_refused_with_file_and_line(make_project):
    from assetopt.rewrite.project import plan_project

    project = make_project(templates={"page.html": CRISPY_PAGE}, static={"a.css": "a{}", "b.css": "b{}"})
    (change,) = plan_project(project, RewriteContext(only=frozenset({"bundles"}))).changes
    assert change.compile_error is None  # the real rewrite is good
    broken = change.after.replace("{% endbundle %}", "", 1)  # a rewrite that forgot to close its bundle
    # Django stops at the first error: were the uninstalled library's load that error, this one would hide behind it
    assert compile_errors([change.before, broken]) == [None, "Unclosed tag on line 2: 'bundle'. Looking for one of: endbundle."]
    from assetopt.rewrite.project import check_compiles

    change.after = broken
    check_compiles([change], project)
    assert change.compile_error == "Unclosed tag on line 2: 'bundle'. Looking for one of: endbundle."
    with pytest.raises(RewriteRefused, match=r"would break page.html \(Unclosed tag on line 2: 'bundle'"):
        write_changes(RewriteResult(changes=[change]), project)
    assert change.path.read_text() == CRISPY_PAGE


@pytest.mark.parametrize(
    "source, error",
    [
        pytest.param("{% load crispy_forms_tags %}{% if x %}{% endblock %}", "Invalid block tag on line 1: 'endblock', expected 'elif', 'else' or 'endif'", id="closer_out_of_place"),
        pytest.param("{% load crispy_forms_tags %}\n{% crispy f %}\n{% endbundle %}", "Invalid block tag on line 3: 'endbundle'", id="our_closer_alone"),
        pytest.param("{% load x crispy_forms_tags %}\n{% addtoblock 'js' %}{% if a %}{% endaddtoblock %}{% endif %}", "Invalid block tag on line 2: 'endaddtoblock', expected 'elif', 'else' or 'endif'", id="stand_in_block_crossing_an_if"),
        pytest.param("{% load crispy_forms_tags %}\n{% addtoblock 'js' %}x{% else %}y{% endaddtoblock %}{{ f|as_crispy_field }}", None, id="stand_in_block_with_branches"),
        pytest.param("{% load a from crispy_forms_tags %}{% a %}{{ b|a }}", None, id="load_from"),
    ],
)  # fmt: skip
def test_stand_ins_for_an_uninstalled_library_hide_no_broken_structure(source: str, error: str | None):
    (found,) = compile_errors([source])
    assert found == error if error is None else found is not None and found.startswith(error)


def test_a_tag_only_the_rewrite_brings_gets_no_stand_in():
    before = "{% load crispy_forms_tags %}{% crispy f %}"
    assert compile_errors([before + "{% bundel %}"], stub_from=[before]) == [
        "Invalid block tag on line 1: 'bundel'. Did you forget to register or load this tag?"
    ]


def test_write_refuses_when_a_template_was_saved_while_the_rewrite_planned_and_writes_nothing(make_project):
    """Day two: an editor saves base.html between the read and the write. Writing the text planned
    from the old file would silently throw that save away."""
    from assetopt.rewrite.project import plan_project

    links = "{% load static %}<link rel='stylesheet' href=\"{% static 'a.css' %}\"><link rel='stylesheet' href=\"{% static 'b.css' %}\">\n"
    project = make_project(templates={"base.html": links, "page.html": links}, static={"a.css": "a{}", "b.css": "b{}"})
    result = plan_project(project, RewriteContext(only=frozenset({"bundles"})))
    assert len(result.changes) == 2
    base = next(c.path for c in result.changes if c.name == "base.html")
    page = next(c.path for c in result.changes if c.name == "page.html")
    saved = links + "<p>typed while the rewrite ran</p>\n"
    base.write_text(saved)

    with pytest.raises(RewriteRefused, match=r"nothing written: .*base\.html changed while the rewrite was planned"):
        write_changes(result, project)

    assert base.read_text() == saved and page.read_text() == links
