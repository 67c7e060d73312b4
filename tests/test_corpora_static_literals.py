"""The wider ``missing-file`` (every literal ``{% static %}`` a page renders) on the seven real corpora.

Each such finding names a path that is truly no file in any static dir the corpus has (checked here
with plain ``os.path``, not the audit's lookup), and the real find is there: django-jazzmin 3.0.5's
``admin/base.html`` line 34 has ``data-theme-base="{% static 'vendor/bootswatch' %}"``, a folder, so
under a strict manifest storage every jazzmin admin page is a 500 (W005 says so after collectstatic).
Marked ``corpus`` and ``slow`` like tests/test_corpora.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from corpora_support import CORPORA, corpora_root, corpus_project

from assetopt.audit.run import run_audit

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="module")
def corpora() -> Path:
    root, why = corpora_root()
    if root is None:
        pytest.skip(why)
    return root


def _literal_findings(result):  # type: ignore[no-untyped-def]
    return [(p.name, f) for p in result.pages for f in p.findings if f.code == "missing-file" and "raises ValueError" in f.message]


@pytest.mark.parametrize("name", CORPORA)
def test_every_missing_static_literal_is_no_file_in_any_static_dir(corpora: Path, tmp_path: Path, name: str) -> None:
    project = corpus_project(corpora, name, tmp_path)
    for page, f in _literal_findings(run_audit(project)):
        key = f.message.split(" ", 1)[0]
        assert not any(os.path.isfile(os.path.join(d, key)) for d in project.config.static), f"{page}: {f.location}: {key} exists"


def test_jazzmins_bootswatch_folder_is_reported_on_its_admin_pages(corpora: Path, tmp_path: Path) -> None:
    result = run_audit(corpus_project(corpora, "django-jazzmin", tmp_path))
    folder = [(page, f) for page, f in _literal_findings(result) if f.path.endswith("jazzmin/templates/admin/base.html") and f.lineno == 34]
    on = {page for page, _ in folder}
    assert len(on) >= 10, sorted(on)
    assert {"admin/app_index.html", "admin/delete_confirmation.html", "admin/500.html"} <= on
    assert all(f.message.startswith("vendor/bootswatch is a folder in the static dirs, not a file") for _, f in folder)
