"""What no ``{% cache %}`` key can make safe: the problems of a fragment that hold whatever it varies on.

A secret (``cache_secrets``), a CSRF token, a POST form or a field of one showing its current value
(``cache_forms``), form errors, a CSP nonce, ``{% debug %}`` and messages belong to one request or
one user's session, or must never reach the cache backend. ``analyse_fragment`` refuses them among its
other reasons; ``never_cacheable`` asks for them alone, so ``assetopt audit`` can judge the
``{% cache %}`` blocks a project already has without guessing what their key means (that is key
dependent, and ``assetopt verify --cache`` proves it by rendering). Names bound outside the block are
followed the same way for both (``cache_bindings``). Pure: a ``Template`` in, problems out.
"""

from __future__ import annotations

import re

from .cache_bindings import follow_bindings, outside_bindings, through
from .cache_forms import control_problem, method_posts, rendered_field_problem
from .cache_reads import binds_of, reads_of
from .cache_secrets import secret_problems
from .lexer import Token
from .model import Template
from .tags import OpaqueTag, StartTag

__all__ = ["never_cacheable", "never_tag_problem", "never_read_problem", "markup_problems"]

_POST_RE = re.compile(r"""\s(?:form)?method\s*=\s*["']?\s*post""", re.IGNORECASE)
_NONCE_ATTR_RE = re.compile(r"\snonce\s*=", re.IGNORECASE)
_FORM_ERRORS = frozenset({"errors", "non_field_errors"})
_MAY_POST = "a form method that is template code"


def never_tag_problem(tok: Token) -> str:
    """Why the tag ``tok`` itself must never be cached ("" when it may): a CSRF token, a nonce, ``{% debug %}``."""
    tag, at = tok.tag_name, f"at line {tok.lineno}"
    if tag == "csrf_token":
        return f"{{% csrf_token %}} {at}: a CSRF token must not be cached"
    if "nonce" in tag:
        return f"a CSP nonce {at}: it changes on every request"
    if tag == "debug":
        return f"{{% debug %}} {at}: it prints the whole context of the request"
    return ""


def never_read_problem(path: str, tok: Token) -> str:
    """Why reading ``path`` (read by ``tok``) must never be cached ("" when a key may make it safe)."""
    segs = path.split(".")
    head, at = segs[0], f"at line {tok.lineno}"
    if head == "csrf_token":
        return f"csrf_token {at}: a CSRF token must not be cached"
    if head == "messages":
        return f"messages {at}: messages are shown once, to one user"
    if head == "nonce" or "csp_nonce" in segs:
        return f"a CSP nonce {at}: it changes on every request"
    if _FORM_ERRORS & set(segs[1:]):
        return f"{path} {at}: form errors belong to one submission, which no cache key tells apart"
    return ""


def markup_problems(template: Template, start: int, end: int) -> list[tuple[int, str]]:
    """POST forms (and forms whose method is template code: they may post), fields showing their
    current value and nonce attributes in the markup of [start, end)."""
    out = []
    for item in template.items:
        if item.start < start or item.start >= end or not isinstance(item, (StartTag, OpaqueTag)):
            continue
        at = f"at line {item.lineno}"
        if why := control_problem(template, item):
            out.append((item.start, why))
            continue
        if isinstance(item, OpaqueTag):
            raw = template.source[item.start : item.end]
            if _POST_RE.search(raw):
                out.append((item.start, f"a POST form {at}: it needs a fresh CSRF token"))
            elif _NONCE_ATTR_RE.search(raw):
                out.append((item.start, f"a CSP nonce {at}: it changes on every request"))
            continue
        if item.attr("nonce") is not None:
            out.append((item.start, f"a CSP nonce {at}: it changes on every request"))
        for name in ("method", "formmethod") if item.name in ("form", "button", "input") else ():
            posts = method_posts(item.attr(name))
            if posts is None:
                out.append((item.start, f"{_MAY_POST} {at}: it may post"))
            elif posts:
                out.append((item.start, f"a POST form {at}: it needs a fresh CSRF token"))
    return out


def never_cacheable(template: Template, start: int, end: int) -> list[tuple[int, str]]:
    """(offset, reason) of each thing in [start, end) that no cache key makes safe, in source order.

    Names the fragment binds itself (``{% for m in messages %}`` then ``{{ m }}``) are its own; names
    bound outside it (``{% with m=messages %}`` around it, ``{% url ... as x %}`` before it, an
    enclosing loop's variable) are followed to their source (``cache_bindings``), as for suggestions."""
    problems: list[tuple[int, str]] = []
    reads: list[tuple[str, Token]] = []
    local: dict[str, int] = {}
    for tok in template.code_from(start):
        if tok.start >= end:
            break
        if tok.end > end:
            continue
        if why := never_tag_problem(tok) or rendered_field_problem(template, tok):
            problems.append((tok.start, why))
        for path in reads_of(tok)[0]:
            reads.append((path, tok))
            head = path.split(".")[0]
            if not (head in local and local[head] < tok.start) and (why := never_read_problem(path, tok)):
                problems.append((tok.start, why))
        for name in binds_of(tok):
            local.setdefault(name, tok.start)
    followed = follow_bindings(reads, outside_bindings(template, start, end), local)
    problems.extend((f.tok.start, through(why, f)) for f in followed if (why := never_read_problem(f.path, f.tok)))
    problems.extend(markup_problems(template, start, end))
    problems.extend(secret_problems(template, start, end, reads, followed))
    return sorted(dict.fromkeys(problems))
