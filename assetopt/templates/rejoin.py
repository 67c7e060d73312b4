"""Join two script runs split by inline scripts, when the inline scripts commute with the scripts after
them (``text.commute``; ``docs/scripts.md``, "Inline scripts that commute").

In one node list of a template: a run of classic scripts (or one script), then only inline classic
scripts, whitespace and HTML comments, then a group of bundle-eligible classic scripts (an ``{% if %}``
of scripts included). When every inline script commutes with every file of the group, the inline
scripts *hop* after the group: the page runs run, group, inline scripts instead of run, inline
scripts, group, and run + group become one bundle. Anything else between them (markup, template code,
a data ``<script type="application/json">`` a script could read from the DOM) keeps them apart.

Pure: the template, the tags and what was read from the group's files in; a verdict out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..text.commute import commute
from ..text.inline_js import InlineScript, ScriptFacts, classify_inline_script
from .assets import Asset
from .model import Template
from .tags import RawText, StartTag

__all__ = ["Hop", "Rejoin", "inline_verdict", "plan_rejoin"]


@dataclass(frozen=True, slots=True)
class Hop:
    """An inline ``<script>…</script>`` (``start``..``end``) that moves after the scripts that followed it."""

    start: int
    end: int
    lineno: int
    why: str  # the proof, one line


@dataclass(frozen=True, slots=True)
class Rejoin:
    hops: tuple[Hop, ...]  # empty: no join
    refusal: str = ""  # why not, when there was a candidate


_MOVABLE = "only data (var X = literal) and method calls through a member chain with literal arguments move"


def inline_verdict(template: Template, body: RawText | None) -> InlineScript:
    """The JS lexer's verdict on an inline script's body, template code masked (``text.inline_js``)."""
    if body is None:
        return InlineScript("empty")
    spans = [(t.start - body.start, t.end - body.start) for t in template.code_from(body.start) if t.end <= body.end]
    return classify_inline_script(template.source[body.start : body.end], spans)


def plan_rejoin(
    template: Template, scripts: Sequence[tuple[StartTag, RawText | None, int]], group: Sequence[Asset], facts: Mapping[str, ScriptFacts]
) -> Rejoin:
    """Whether the inline ``scripts`` (start tag, body, end offset of ``</script>``) may hop after
    ``group`` (the external scripts right after them); every file of the group must have been read."""
    hops: list[Hop] = []
    for tag, body, end in scripts:
        verdict = inline_verdict(template, body)
        if verdict.kind == "parse_time" and not verdict.calls:
            line = (body.lineno if body else tag.lineno) + verdict.line - 1
            return Rejoin((), f"the inline script at line {tag.lineno} stays before the scripts after it: line {line}: {verdict.reason}; {_MOVABLE}")
        proofs: list[str] = []
        for asset in group:
            for path in asset.ref.paths if asset.ref is not None else ():
                fact = facts.get(path)
                if fact is None:
                    return Rejoin((), f"{path} was not read, so the inline script at line {tag.lineno} stays before it")
                verdict_for = commute(verdict, path, fact)
                if not verdict_for.ok:
                    return Rejoin((), f"the inline script at line {tag.lineno} stays before {path}: {verdict_for.why}")
                proofs.append(verdict_for.why)
        hops.append(Hop(tag.start, end, tag.lineno, "; ".join(dict.fromkeys(proofs))))
    return Rejoin(tuple(hops))
