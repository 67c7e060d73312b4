"""Invariants over seven real third-party template corpora (issue 14), not snapshots.

For each corpus: the audit does not crash; every ``<html>``-rooted leaf is a page (or an e-mail left
alone); every asset tag a page renders is counted; the rewrite breaks no template that compiled
before (third-party tag libraries stubbed, so most templates are judged); a second rewrite of the
rewritten copy changes nothing; every edit is a pure insertion outside protected text (template
code, comment/verbatim bodies, script/style bodies, HTML comments) or half of a move of one inline
``<script>`` element that commutes with the scripts after it (re-inserted once, verbatim); no image in a page's first
screenful (header/nav, logo, the first content image of each branch) is made lazy.

Marked ``corpus`` (about a minute for all seven): ``pytest -m corpus``; ``-m "not corpus"`` skips it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpora_support import CORPORA, StubCompiler, corpus_project

from assetopt.audit.run import find_pages, run_audit
from assetopt.errors import TemplateError
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.project import plan_project, write_changes
from assetopt.templates.assets import asset_of
from assetopt.templates.fold import BELOW, image_roles
from assetopt.templates.lexer import Region, TokenKind
from assetopt.templates.model import Template
from assetopt.templates.pages import resolve_page
from assetopt.templates.tags import HtmlComment, OpaqueTag, OpenElements, RawText, StartTag, opens_document, read_opaque

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
ONLY = frozenset({"bundles", "images"})


def _protected(template: Template, kind: str) -> list[tuple[int, int]]:
    """Spans an edit must never fall strictly inside (a "load" edit may add a library to a {% load %})."""
    spans = [
        (t.start, t.end)
        for t in template.tokens
        if (t.kind is not TokenKind.TEXT or t.region is not Region.NORMAL) and not (kind == "load" and t.is_code and t.tag_name == "load")
    ]
    spans += [(i.start, i.end) for i in template.items if isinstance(i, (RawText, HtmlComment))]
    return spans


@pytest.mark.parametrize("name", CORPORA)
def test_corpus_invariants(corpora: Path, tmp_path: Path, name: str) -> None:
    project = corpus_project(corpora, name, tmp_path)
    result = run_audit(project)  # no crash
    pages, _ = find_pages(project)

    # every <html>-rooted leaf is a page or an e-mail left alone (or a problem reported with file:line)
    extended = set()
    for t in project.template_names():
        try:
            tpl = project.load(t)
        except TemplateError:
            continue
        if tpl.extends is not None and tpl.extends.name:
            extended.add(tpl.extends.name)
    judged = {p.name for p in result.pages} | set(result.emails)
    documents = 0
    for t in project.template_names():
        if t in extended:
            continue
        try:
            page = resolve_page(t, project.load)
        except TemplateError:
            continue  # a missing parent/include: reported among the problems with file:line
        if any(opens_document(pi.item) for pi in page.items):
            documents += 1
            assert t in judged, f"{t}: an <html>-rooted leaf that is no page"
    assert len(judged) == documents

    # every asset tag a page renders is counted (an opaque one as an upper bound)
    reports = {r.name: r for r in result.pages}
    for page in pages:
        counted = {(r.path, r.lineno) for r in reports[page.name].requests}
        for pi in page.items:
            item = pi.item
            tag = read_opaque(pi.template.source, pi.template.tokens, item) if isinstance(item, OpaqueTag) else item
            if not isinstance(tag, StartTag):
                continue
            asset = asset_of(tag, pi.template, project.config.static_url)
            if asset is None or asset.kind not in ("css", "js", "img", "iframe", "preload") or asset.ref is None:
                continue
            if asset.ref.kind.value in ("data", "empty"):
                continue
            assert (pi.template.path, tag.lineno) in counted, f"{page.name}: <{tag.name}> at {pi.template.path}:{tag.lineno} not counted"

    rewrite = plan_project(project, RewriteContext(only=ONLY), compile_check=False)
    assert rewrite.problems == [] or all("report" not in p.hint for p in rewrite.problems)

    # every edit is a pure insertion outside protected text, or half of a move of one inline <script>
    # element (docs/scripts.md): the deleted text is whole lines holding exactly that element, it is
    # inserted again exactly once, verbatim, and it is still there once in the rewritten template
    for change in rewrite.changes:
        template = project.load(change.name)
        for e in change.edits:
            if e.start != e.end:
                assert "inline script moved" in e.reason, f"{change.name}:{e.lineno}: a deletion that is no move ({e.reason})"
                element = template.source[e.start : e.end].strip()
                assert element.startswith("<script") and element.endswith("</script>") and element.count("<script") == 1, element
                assert [i.text.strip() for i in change.edits if i.start == i.end].count(element) == 1, f"{change.name}:{e.lineno}"
                assert change.after.count(element) == template.source.count(element), f"{change.name}:{e.lineno}: moved text lost or doubled"
                continue
            assert not any(a < e.start < b for a, b in _protected(template, e.kind)), f"{change.name}:{e.lineno}: {e.kind} edit inside protected text"

    # no image in a page's first screenful is made lazy
    lazy = {(c.name, e.start) for c in rewrite.changes for e in c.edits if e.reason.startswith("lazy:") and "iframe" not in e.reason}
    for page in pages:
        roles = image_roles(page)
        stack = OpenElements()
        for pi in page.items:
            stack.feed(pi.item)
            item = pi.item
            if not (isinstance(item, StartTag) and item.name == "img"):
                continue
            at = item.attrs[-1].end if item.attrs else item.start + 4
            if (pi.template.name, at) in lazy:
                assert roles[(pi.template.name, item.start)] == BELOW, f"{page.name}: {pi.template.path}:{item.lineno} lazy but above the fold"
                assert "header" not in stack and "nav" not in stack, f"{page.name}: {pi.template.path}:{item.lineno} lazy in header/nav"

    # every template that compiled before compiles after (unknown tag libraries stubbed)
    compiler = StubCompiler([c.before for c in rewrite.changes] + [c.after for c in rewrite.changes])
    judged_count = 0
    for change in rewrite.changes:
        if compiler.error(change.before) is None:
            judged_count += 1
            assert compiler.error(change.after) is None, f"{change.name}: compiled before the rewrite, not after"
    assert judged_count >= 0.8 * len(rewrite.changes), f"only {judged_count} of {len(rewrite.changes)} changed templates could be judged"

    # a second rewrite of the rewritten copy is byte-identical
    out = tmp_path / "rewritten"
    write_changes(rewrite, project, out=out)
    again_project = corpus_project(
        corpora, name, tmp_path, templates=tuple(str(p) for p in sorted(out.iterdir()) if p.is_dir())
    )  # not the copies listing beside each
    again = plan_project(again_project, RewriteContext(only=ONLY), compile_check=False)
    assert [c.name for c in again.changes] == []
