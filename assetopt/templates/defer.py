"""May a run of classic scripts be deferred without changing what the page does? (``docs/scripts.md``)

``defer`` moves a run's execution from where it stands to the end of parsing, just before
``DOMContentLoaded``, keeping the run's own order. That is provably the same page only when nothing
between the run and the end of the document runs code that needs the run: so the run must be followed,
in this same template, by the end of the document (``</body>`` or ``</html>``) with only markup and
inline scripts that are empty or wait for ``DOMContentLoaded``/``load`` (``text.inline_js``) in between.
A ``{% block %}`` or ``{% include %}`` after the run, a run inside a block or in a child template, an
external script after it, or a file of the run that calls ``document.write`` keeps it blocking, and
the verdict says why. When unsure, it says no.

Pure: a ``Template``, a ``Run`` and what was read from the run's files in; a reason (or None) out.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..text.inline_js import classify_inline_script
from .assets import asset_of
from .lexer import TokenKind
from .model import BlockNode, ContainerNode, Element, ForNode, IfNode, Node, Template
from .runs import Run
from .tags import EndTag, OpaqueTag, RawText, StartTag

__all__ = ["defer_blocker", "run_end"]

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


def defer_blocker(template: Template, run: Run, static_url: str, hazards: Mapping[str, str | None] | None) -> str | None:
    """Why ``run`` (classic scripts) must stay parser-blocking, or None when ``defer`` is provably safe.
    ``hazards``: logical path -> why that file cannot be deferred (None: read, nothing found); a path
    missing from it was not read, so it is not deferred."""
    if run.kind != "js" or run.key != "classic":
        return "not a run of classic scripts"
    if template.extends is not None:
        return f"the template extends {template.extends.name or template.extends.expr}: what the parent renders after the run is unknown"
    inside = _enclosing(template.nodes, run.start)
    if inside:
        return f"inside {inside}: a child template may add scripts after it that use it at parse time"
    return _after_run(template, run, static_url) or _hazard(run, hazards)


def _hazard(run: Run, hazards: Mapping[str, str | None] | None) -> str | None:
    for asset in run.assets:
        for path in asset.ref.paths if asset.ref is not None else ():
            if hazards is None or path not in hazards:
                return f"{path} was not read, so it was not checked for document.write"
            if hazards[path]:
                return f"{path} {hazards[path]}: a deferred script cannot write into the page"
    return None


def _after_run(template: Template, run: Run, static_url: str) -> str | None:
    """Why what follows the run in this template needs it at parse time, or None."""
    end = run_end(template, run)
    bodies: list[tuple[int, int]] = []  # inline script bodies after the run: their template code is theirs
    closed = False
    items = [i for i in template.items if i.start >= end]
    for n, item in enumerate(items):
        if isinstance(item, EndTag) and item.name in ("body", "html"):
            closed = True
            break
        if isinstance(item, OpaqueTag) and item.name in ("script", ""):
            return f"line {item.lineno}: a tag after the run could not be read ({item.reason})"
        if not isinstance(item, StartTag) or item.name != "script":
            continue
        asset = asset_of(item, template, static_url)
        if asset is None:
            continue  # JSON or another data type: never executed
        if asset.kind == "js":
            return f"line {item.lineno}: an external script after the run ({item.get('src')}) would run before it"
        if asset.mode == "module":
            return f"line {item.lineno}: an inline {asset.mode} script after the run"
        body = items[n + 1] if n + 1 < len(items) and isinstance(items[n + 1], RawText) else None
        if body is None:
            continue
        bodies.append((body.start, body.end))
        spans = [(t.start - body.start, t.end - body.start) for t in template.code_from(body.start) if t.end <= body.end]
        verdict = classify_inline_script(template.source[body.start : body.end], spans)
        if verdict.kind == "data":
            return (
                f"line {body.lineno + verdict.line - 1}: an inline script after the run defines values at parse time;"
                " deferred, the run would run after it and could read or overwrite them"
            )
        if verdict.kind == "parse_time":
            return f"line {body.lineno + verdict.line - 1}: an inline script after the run {verdict.reason}"
    if not closed:
        return "the template does not end the document (</body> or </html>) after the run: what follows it comes from elsewhere"
    limit = item.start
    for tok in template.code_from(end):
        if tok.start >= limit:
            break
        if any(s <= tok.start < e for s, e in bodies) or template.in_tag(tok.start):
            continue
        name = tok.contents.split()[0] if tok.contents.split() else ""
        if tok.kind is TokenKind.VAR:
            return f"line {tok.lineno}: {{{{ {tok.contents} }}}} after the run may print a script"
        if name not in _HARMLESS_TAGS:
            return f"line {tok.lineno}: {{% {tok.contents} %}} after the run may add scripts that use it at parse time"
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
