"""May a run of classic scripts be deferred without changing what the page does? (``docs/scripts.md``)

``defer`` moves a run's execution from where it stands to the end of parsing, just before
``DOMContentLoaded``, keeping the run's own order. That is provably the same page only when nothing
between the run and the end of the document runs code that needs the run: so the run must be followed,
in this same template, by the end of the document (``</body>`` or ``</html>``) with only markup and
inline scripts that are empty or wait for ``DOMContentLoaded``/``load`` (``text.inline_js``) in between.
A data-only inline script there (``window.ERP_CONFIG = {...}``) moves before the run when no file of
the run spells a name it defines: it then runs before the run, as the run's deferral would make it.
A ``{% block %}`` or ``{% include %}`` after the run, a run inside a block or in a child template, an
external script after it, or a file of the run that calls ``document.write`` keeps it blocking, and
the verdict says why. When unsure, it says no.

Pure: a ``Template``, a ``Run`` and what was read from the run's files in; a reason (or None) out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..text.inline_js import InlineScript, ScriptFacts
from .assets import asset_of
from .lexer import TokenKind
from .model import BlockNode, ContainerNode, Element, ForNode, IfNode, Node, Template
from .rejoin import inline_verdict
from .runs import Run
from .tags import EndTag, OpaqueTag, RawText, StartTag

__all__ = ["DeferPlan", "plan_defer", "run_end"]

# Template tags after the run that can only choose or print text, never a <script> of their own.
_HARMLESS_TAGS = frozenset(
    "if elif else endif for empty endfor comment endcomment trans translate load static url csrf_token now"
    " with endwith spaceless endspaceless blocktrans blocktranslate endblocktrans endblocktranslate plural".split()
)


def run_end(template: Template, run: Run) -> int:
    """End offset of the run: after the last tag, after its ``</script>``, or after the ``{% endif %}``
    of the scripts it ends with."""
    if run.stop:
        return run.stop
    last = run.assets[-1].tag
    if run.kind == "css":
        return last.end
    for item in template.items:
        if item.start >= last.end and isinstance(item, EndTag) and item.name == "script":
            return item.end
    return last.end


@dataclass(frozen=True, slots=True)
class DeferPlan:
    blocker: str | None  # why the run stays parser-blocking; None: defer it
    moves: tuple[tuple[int, int], ...] = ()  # data-only <script> elements to move before the run


def plan_defer(template: Template, run: Run, static_url: str, facts: Mapping[str, ScriptFacts] | None) -> DeferPlan:
    """Whether ``run`` (classic scripts) can be deferred, and the data-only inline scripts to move
    before it. ``facts``: logical path -> what was read from that file; a path missing from it was
    not read, so the run is not deferred."""
    if run.kind != "js" or run.key != "classic":
        return DeferPlan("not a run of classic scripts")
    if template.extends is not None:
        return DeferPlan(f"the template extends {template.extends.name or template.extends.expr}: what the parent renders after the run is unknown")
    inside = _enclosing(template.nodes, run.start)
    if inside:
        return DeferPlan(f"inside {inside}: a child template may add scripts after it that use it at parse time")
    words: set[str] = set()
    for asset in run.assets:
        for path in asset.ref.paths if asset.ref is not None else ():
            fact = facts.get(path) if facts is not None else None
            if fact is None:
                return DeferPlan(f"{path} was not read, so it was not checked for document.write")
            if fact.hazard:
                return DeferPlan(f"{path} {fact.hazard}: a deferred script cannot write into the page")
            words |= fact.words
    return _after_run(template, run, static_url, words)


def _after_run(template: Template, run: Run, static_url: str, words: set[str]) -> DeferPlan:
    """Whether what follows the run in this template needs it at parse time; ``words``: every name
    the run's files spell."""
    end = run_end(template, run)
    bodies: list[tuple[int, int]] = []  # inline script bodies after the run: their template code is theirs
    moves: list[tuple[int, int]] = []
    for hop in run.hops:  # inline scripts that moved after the run (``rejoin``): the first to run after it
        hop_body = next((i for i in template.items if isinstance(i, RawText) and hop.start < i.start < hop.end), None)
        hop_verdict = inline_verdict(template, hop_body)
        blocker = _inline_blocker(hop_verdict, hop_body.lineno if hop_body else hop.lineno, words)
        if blocker is not None:
            return DeferPlan(blocker)
        if hop_verdict.kind == "data":
            moves.append((hop.start, hop.end))
    closed = False
    items = [i for i in template.items if i.start >= end]
    for n, item in enumerate(items):
        if isinstance(item, EndTag) and item.name in ("body", "html"):
            closed = True
            break
        if isinstance(item, OpaqueTag) and item.name in ("script", ""):
            return DeferPlan(f"line {item.lineno}: a tag after the run could not be read ({item.reason})")
        if isinstance(item, StartTag) and item.name != "script":
            handler = next((a for a in item.attrs if a.name.startswith("on") or (a.value or "").lstrip().lower().startswith("javascript:")), None)
            if handler is not None:  # clickable while the deferred run has not run yet
                return DeferPlan(f"line {item.lineno}: <{item.name} {handler.name}> after the run may call into it before it runs")
        if not isinstance(item, StartTag) or item.name != "script":
            continue
        asset = asset_of(item, template, static_url)
        if asset is None:
            continue  # JSON or another data type: never executed
        if asset.kind == "js":
            return DeferPlan(f"line {item.lineno}: an external script after the run ({item.get('src')}) would run before it")
        if asset.mode == "module":
            return DeferPlan(f"line {item.lineno}: an inline {asset.mode} script after the run")
        body = items[n + 1] if n + 1 < len(items) else None
        if not isinstance(body, RawText):
            continue
        bodies.append((body.start, body.end))
        verdict = inline_verdict(template, body)
        close = next((i for i in items[n + 1 :] if isinstance(i, EndTag) and i.name == "script"), None)
        blocker = _inline_blocker(verdict, body.lineno, words)
        if blocker is None and verdict.kind == "data" and close is None:
            blocker = f"line {body.lineno}: an inline script after the run is not closed"
        if blocker is not None:
            return DeferPlan(blocker)
        if verdict.kind == "data" and close is not None:
            moves.append((item.start, close.end))
    if not closed:
        return DeferPlan("the template does not end the document (</body> or </html>) after the run: what follows it comes from elsewhere")
    limit = item.start
    for tok in template.code_from(end):
        if tok.start >= limit:
            break
        if any(s <= tok.start < e for s, e in bodies) or template.in_tag(tok.start):
            continue
        name = tok.contents.split()[0] if tok.contents.split() else ""
        if tok.kind is TokenKind.VAR:
            return DeferPlan(f"line {tok.lineno}: {{{{ {tok.contents} }}}} after the run may print a script")
        if name not in _HARMLESS_TAGS:
            return DeferPlan(f"line {tok.lineno}: {{% {tok.contents} %}} after the run may add scripts that use it at parse time")
    return DeferPlan(None, tuple(moves))


def _inline_blocker(verdict: InlineScript, lineno: int, words: set[str]) -> str | None:
    """Why an inline script right after the run keeps it blocking, or None (empty, after-load, or
    data only that moves before the run)."""
    if verdict.kind == "data":
        shared = sorted(set(verdict.names) & words)
        if shared:
            return (
                f"line {lineno}: an inline script after the run defines {', '.join(shared)}, which the run's"
                " files also name: moved before the run or deferred past it, the run could read or overwrite it"
            )
    if verdict.kind == "parse_time":
        return f"line {lineno + verdict.line - 1}: an inline script after the run {verdict.reason}"
    return None


def _enclosing(nodes: tuple[Node, ...], offset: int) -> str:
    """The first block-like container (``{% block %}``, a loop, a custom container) holding ``offset``."""
    for node in nodes:
        if isinstance(node, Element):
            continue
        delims = getattr(node, "delimiters", None)
        if delims is None or not (delims.open.start <= offset < delims.close.end):
            continue
        if isinstance(node, BlockNode):
            return f"{{% block {node.name} %}}"
        if isinstance(node, ForNode):
            return "a {% for %} loop"
        if isinstance(node, IfNode):
            for _, children in node.branches:
                found = _enclosing(children, offset)
                if found:
                    return found
            return ""
        if isinstance(node, ContainerNode):
            return f"{{% {node.tag} %}}"
    return ""
