"""`assetopt undo PATCH`: take a `rewrite --write` back out on day two, when the templates changed since.

GNU `patch -R` (the printed undo before this command) applies the hunks it can and leaves the rest in
`.rej` files: after a hand edit inside a `{% bundle %}` block it took the `{% load assetopt %}` and the
`{% bundle %}` out but left the `{% endbundle %}`, so every page using the template was a 500. These
tests run the real command line on real files; merged templates are compiled by real Django."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assetopt.cli import cli
from assetopt.rewrite.compile_check import compile_errors

BASE = (
    "{% load static %}<html><head>\n"
    "<link rel='stylesheet' href=\"{% static 'a.css' %}\">\n"
    "<link rel='stylesheet' href=\"{% static 'b.css' %}\">\n"
    "<link rel='stylesheet' href=\"{% static 'c.css' %}\">\n"
    "</head><body>{% block c %}{% endblock %}</body></html>\n"
)
PAGE = "{% extends 'base.html' %}{% load static %}{% block c %}\n<script src=\"{% static 'x.js' %}\"></script>\n<script src=\"{% static 'y.js' %}\"></script>\n{% endblock %}\n"
SITE = {"templates/base.html": BASE, "templates/page.html": PAGE, "static/a.css": "a{}", "static/b.css": "b{}", "static/c.css": "c{}"}
SITE |= {"static/d.css": "d{}", "static/x.js": "x()", "static/y.js": "y()"}


@pytest.fixture
def site(tmp_path: Path, write_tree, monkeypatch) -> Path:
    write_tree(tmp_path, SITE)
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\nrewrite = ["bundles"]\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _rewrite(*args: str) -> str:
    """Run `rewrite --write`; the patch the printed undo line names."""
    written = CliRunner().invoke(cli, ["rewrite", "--write", *args])
    assert written.exit_code == 0, written.output
    return written.output.split("to undo: assetopt undo ")[1].splitlines()[0].strip("'")


def _undo(patch: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["undo", patch])
    return result.exit_code, result.output


def _compiles(*sources: str) -> bool:
    return compile_errors(list(sources)) == [None] * len(sources)


def test_undo_after_hand_edits_inside_and_beside_a_bundle_keeps_them_and_the_template_compiles(site: Path) -> None:
    patch = _rewrite()
    base = site / "templates/base.html"
    written = base.read_text()
    assert '{% bundle "css" %}' in written
    edited = (
        written.replace("<link rel='stylesheet' href=\"{% static 'b.css' %}\">\n", "")  # removed one
        .replace("{% static 'c.css' %}\">\n", "{% static 'c.css' %}\">\n<link rel='stylesheet' href=\"{% static 'd.css' %}\">\n")  # added one inside
        .replace("{% endbundle %}\n", "{% endbundle %}\n<link rel='stylesheet' href=\"{% static 'print.css' %}\" media=\"print\">\n")  # beside
    )
    base.write_text(edited)

    code, output = _undo(patch)

    assert code == 0, output
    expected = BASE.replace("<link rel='stylesheet' href=\"{% static 'b.css' %}\">\n", "").replace(
        "{% static 'c.css' %}\">\n",
        "{% static 'c.css' %}\">\n<link rel='stylesheet' href=\"{% static 'd.css' %}\">\n"
        "<link rel='stylesheet' href=\"{% static 'print.css' %}\" media=\"print\">\n",
    )
    assert base.read_text() == expected
    assert (site / "templates/page.html").read_text() == PAGE  # the untouched one: its old bytes
    assert "kept your edits: templates/base.html" in output
    assert _compiles(base.read_text())
    assert not list(site.rglob("*.rej")) and not list(site.rglob("*.orig"))


def test_undo_refuses_naming_the_line_when_an_edit_meets_a_line_the_rewrite_wrote_and_writes_nothing(site: Path) -> None:
    patch = _rewrite()
    base, page = site / "templates/base.html", site / "templates/page.html"
    base.write_text(base.read_text().replace("{% endbundle %}\n", "{% endbundle %}{# moved #}\n"))
    before = {p: p.read_bytes() for p in (base, page)}

    code, output = _undo(patch)

    assert code == 1, output
    assert "nothing undone: templates/base.html:6: edited since the rewrite where the rewrite changed it (it wrote '{% endbundle %}' there)" in output
    assert {p: p.read_bytes() for p in (base, page)} == before  # page.html too: all or nothing
    assert _rewrite_record(patch)["files"] and "undone" not in _rewrite_record(patch)


def _rewrite_record(patch: str) -> dict[str, object]:
    return json.loads(Path(patch).with_name(Path(patch).name.removesuffix(".patch") + ".undo.json").read_text())


def test_undo_of_a_rewrite_a_later_edit_relies_on_is_refused_as_it_would_not_compile(site: Path) -> None:
    patch = _rewrite()
    base = site / "templates/base.html"
    # a bundle of the user's own, further down: it needs the {% load assetopt %} the rewrite added
    mine = '<footer>{% bundle "js" %}<script src="{% static \'x.js\' %}"></script>{% endbundle %}</footer>\n'
    base.write_text(base.read_text() + mine)
    before = base.read_bytes()

    code, output = _undo(patch)

    assert code == 1, output
    assert "templates/base.html: undone with the edits made since kept, it would not compile:" in output and "bundle" in output
    assert base.read_bytes() == before
    assert (site / "templates/page.html").read_text() != PAGE  # nothing undone anywhere


def test_undo_leaves_a_template_restored_by_hand_or_deleted_alone_and_says_so(site: Path) -> None:
    patch = _rewrite()
    (site / "templates/base.html").write_text(BASE)  # `git checkout templates/base.html`
    (site / "templates/page.html").unlink()  # deleted (or renamed) since

    code, output = _undo(patch)

    assert code == 0, output
    assert "templates/page.html: gone since the rewrite (deleted or renamed): left as it is" in output
    assert (site / "templates/base.html").read_text() == BASE and not (site / "templates/page.html").exists()


def test_undo_twice_changes_nothing_the_second_time(site: Path) -> None:
    patch = _rewrite()
    base = site / "templates/base.html"
    base.write_text(base.read_text() + "<!-- mine -->\n")
    assert _undo(patch)[0] == 0
    assert base.read_text() == BASE + "<!-- mine -->\n"

    code, output = _undo(patch)

    assert code == 0, output
    assert "already undone" in output and "nothing to undo" in output
    assert base.read_text() == BASE + "<!-- mine -->\n"


def test_undo_after_a_run_killed_before_some_templates_restores_only_those_written(site: Path) -> None:
    patch = _rewrite()
    (site / "templates/page.html").write_text(PAGE)  # as if the kill came before this file was written

    code, output = _undo(patch)

    assert code == 0, output
    assert (site / "templates/base.html").read_text() == BASE and (site / "templates/page.html").read_text() == PAGE


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_a_damaged_or_missing_undo_record_is_a_clear_error_and_nothing_is_written(site: Path, damage: str) -> None:
    patch = _rewrite()
    record = Path(patch).with_name(Path(patch).name.removesuffix(".patch") + ".undo.json")
    if damage == "truncated":
        record.write_bytes(record.read_bytes()[:40])
    else:
        record.unlink()
    written = (site / "templates/base.html").read_bytes()

    code, output = _undo(patch)

    assert code == 2, output
    assert ("the undo record is damaged" if damage == "truncated" else "no undo record beside the patch") in output
    assert f"patch -R -p1 -d PROJECT < {patch}" in output  # what to do instead
    assert (site / "templates/base.html").read_bytes() == written


# `assetopt undo` in a child that SIGKILLs itself as it replaces its second template (os.replace's
# audit event comes just before the rename itself).
_KILLED = """
import os, signal, sys
seen = []
def hook(event, args):
    if event == "os.rename" and str(args[1]).endswith(".html"):
        seen.append(args[1])
        if len(seen) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
sys.addaudithook(hook)
from assetopt.cli import main
sys.argv = ["assetopt", *sys.argv[1:]]
main()
"""


def test_an_undo_killed_half_way_finishes_when_run_again_keeping_the_edits(site: Path) -> None:
    import subprocess
    import sys

    patch = _rewrite()
    base, page = site / "templates/base.html", site / "templates/page.html"
    base.write_text(base.read_text() + "<!-- mine -->\n")  # both edited since: both are merges
    page.write_text(page.read_text() + "<!-- mine too -->\n")
    edited = {p: p.read_bytes() for p in (base, page)}

    killed = subprocess.run([sys.executable, "-c", _KILLED, "undo", patch], cwd=site, capture_output=True, text=True, check=False)

    assert killed.returncode == -9, killed.stderr
    assert sum(p.read_bytes() != data for p, data in edited.items()) == 1  # one file merged, then the kill
    code, output = _undo(patch)
    assert code == 0, output
    assert base.read_text() == BASE + "<!-- mine -->\n" and page.read_text() == PAGE + "<!-- mine too -->\n"
