"""Rewrite transform: wrap the element a ``[[tool.assetopt.cache]]`` rule selects in Django's ``{% cache %}``.

The vary-on list is derived from the template code inside the fragment, never guessed (``design.md``
decision 9): reading ``user``, ``perms`` or ``request`` varies on the user (and on each other request
value read, such as ``request.GET.q``); translated or localized output (``{% trans %}``, ``{% url %}``
under ``i18n_patterns``, ``|date``) varies on the language; the variables of enclosing ``{% for %}``
loops it reads are added. A fragment holding a CSRF token, messages, a POST form, a CSP nonce, the
loop's position (``forloop``, ``{% cycle %}``), a ``{% block %}`` a child can override or an
``{% include %}`` whose reads are invisible is refused with the reason. A rule that matches no element,
or several, is reported; an element already inside ``{% cache %}`` with the rule's name is left alone,
so rewriting twice equals rewriting once.

What it never does: read ``{% include %}``d templates or context processors (a value a processor
computes from the request, such as ``notifications``, is invisible here), or change a byte of output
where the element shares its line with other content. Pure: a ``Template`` and a ``RewriteContext`` in,
a ``TransformResult`` out; ``suggest_cache`` lists candidates for a human to turn into rules.
"""
from __future__ import annotations

import bisect
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.text import smart_split

from .edits import Edit, Skip, TransformResult
from .lexer import Region, Token, TokenKind
from .tags import FILLER, VOID_ELEMENTS, EndTag, OpaqueTag, StartTag, mask_template_code
from .template_rewriter import CacheRule, RewriteContext
from .templates import CONTAINERS, BlockNode, ContainerNode, ForNode, IfNode, Node, Template

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

__all__ = ["Suggestion", "plan_cache", "suggest_cache"]

KIND = "cache"
LANGUAGE_VAR = "LANGUAGE_CODE"
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_ALIAS_RE = re.compile(r"[A-Za-z0-9_.-]+\Z")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_FILTER_RE = re.compile(r"\|\s*(\w+)")
_WORD_RE = re.compile(r"[A-Za-z_]\w*(?:\.\w+)*|\d[\w.]*|==|!=|<=|>=|=|\S")
_GETTEXT_RE = re.compile(r"(?<![\w.])_\(")
_POST_RE = re.compile(r"""\s(?:form)?method\s*=\s*["']?\s*post""", re.IGNORECASE)
_NONCE_ATTR_RE = re.compile(r"\snonce\s*=", re.IGNORECASE)

# Output that depends on the active language: translations, the language itself, localized formats,
# and {% url %} (i18n_patterns puts the language in the path). An {% include %} may translate too.
_LANGUAGE_TAGS = frozenset(
    {
        "trans", "translate", "blocktrans", "blocktranslate", "get_current_language",
        "get_current_language_bidi", "get_language_info", "get_language_info_list",
        "get_available_languages", "language", "localize", "url", "include",
    }
)
_LANGUAGE_VARS = frozenset({"LANGUAGE_CODE", "LANGUAGE_BIDI"})
_LOCALIZING_FILTERS = frozenset(
    {
        "date", "time", "floatformat", "localize", "naturaltime", "naturalday", "intcomma", "intword",
        "apnumber", "timesince", "timeuntil", "language_name", "language_name_local",
        "language_name_translated", "language_bidi",
    }
)
_USER_VARS = frozenset({"user", "perms"})
# Blocks whose body must not hold a {% cache %}: translations take no tags; a bundle lists assets.
_NO_TAGS_INSIDE = frozenset({"blocktrans", "blocktranslate", "bundle", "compress"})
_POSITION_TAGS = frozenset({"cycle", "ifchanged", "resetcycle"})  # state carried across iterations
_NO_READS = frozenset({"load", "filter", "autoescape", "spaceless", "comment", "verbatim", "plural", "else", "empty", "templatetag", "lorem", "debug"})
_LITERALS = frozenset({"None", "True", "False", "_"})
_KEYWORDS: dict[str, frozenset[str]] = {
    "if": frozenset({"and", "or", "not", "in", "is"}),
    "elif": frozenset({"and", "or", "not", "in", "is"}),
    "for": frozenset({"in", "reversed"}),
    "blocktrans": frozenset({"with", "count", "context", "trimmed", "asvar"}),
    "blocktranslate": frozenset({"with", "count", "context", "trimmed", "asvar"}),
    "trans": frozenset({"noop", "context", "as"}),
    "translate": frozenset({"noop", "context", "as"}),
    "include": frozenset({"with", "only"}),
    "with": frozenset({"as"}),
    "regroup": frozenset({"by", "as"}),
    "cycle": frozenset({"as", "silent"}),
}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A place worth a ``{% cache %}``: ``verdict`` is "ok" (with the derived ``vary``) or "refused"."""

    path: str
    lineno: int
    what: str  # the template code, e.g. "{% for order in orders %}"
    verdict: str
    reason: str
    vary: tuple[str, ...]


# -- the template's structure, located in the source ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Frame:
    """A template node with a body (block, if, for, with, cache ...) and the tokens that delimit it."""

    kind: str
    open: Token
    middles: tuple[Token, ...]  # {% elif %}/{% else %}/{% empty %}
    close: Token
    node: Node

    @property
    def body_end(self) -> int:
        """End of the first body: a loop's variables are not bound in its ``{% empty %}`` part."""
        return self.middles[0].start if self.middles else self.close.start

    def holds(self, start: int, end: int) -> bool:
        return self.open.end <= start and end <= self.close.start


def _frames(template: Template) -> tuple[_Frame, ...]:
    """Every node with a body, in source order, with its delimiting tokens (the rules of ``_build_tree``)."""
    tags = [i for i in template.items if isinstance(i, StartTag)]
    starts, ends = [t.start for t in tags], [t.end for t in tags]
    stack: list[tuple[str, Token, list[Token]]] = []
    found: list[tuple[str, Token, tuple[Token, ...], Token]] = []
    for tok in template.tokens:
        if tok.kind is not TokenKind.BLOCK or tok.region is not Region.NORMAL:
            continue
        i = bisect.bisect_right(starts, tok.start) - 1
        if i >= 0 and tok.start < ends[i]:
            continue  # code inside an attribute value belongs to the value
        word = tok.tag_name
        if word in ("block", "if", "for") or word in CONTAINERS:
            stack.append((word, tok, []))
        elif stack and ((word in ("elif", "else") and stack[-1][0] == "if") or (word == "empty" and stack[-1][0] == "for")):
            stack[-1][2].append(tok)
        elif word.startswith("end") and stack and stack[-1][0] == word[3:]:
            kind, open_tok, middles = stack.pop()
            found.append((kind, open_tok, tuple(middles), tok))
    found.sort(key=lambda f: f[1].start)
    nodes = list(_nodes_with_bodies(template.nodes))
    if len(nodes) != len(found) or any(_kind_of(n) != f[0] for n, f in zip(nodes, found)):
        raise AssertionError(f"{template.path}: template tree and tokens disagree")  # a bug, not a template problem
    return tuple(_Frame(kind, o, m, c, n) for (kind, o, m, c), n in zip(found, nodes))


@dataclass(frozen=True)
class _Scope:
    """What the analysis needs about one template, computed once per call."""

    template: Template
    frames: tuple[_Frame, ...]
    code: tuple[Token, ...]  # template code outside comments and verbatim, in source order
    code_starts: tuple[int, ...]
    line_starts: tuple[int, ...]

    @classmethod
    def of(cls, template: Template) -> _Scope:
        code = tuple(t for t in template.tokens if t.kind in (TokenKind.VAR, TokenKind.BLOCK) and t.region is Region.NORMAL)
        lines = (0, *(m.end() for m in re.finditer("\n", template.source)))
        return cls(template, _frames(template), code, tuple(t.start for t in code), lines)


def _nodes_with_bodies(nodes: tuple[Node, ...]) -> Iterator[Node]:
    """Nodes with a body in preorder, which is the source order of their opening tags."""
    for node in nodes:
        if isinstance(node, (BlockNode, ContainerNode)):
            yield node
            yield from _nodes_with_bodies(node.children)
        elif isinstance(node, IfNode):
            yield node
            for _, children in node.branches:
                yield from _nodes_with_bodies(children)
        elif isinstance(node, ForNode):
            yield node
            yield from _nodes_with_bodies(node.children)
            yield from _nodes_with_bodies(node.empty)


def _kind_of(node: Node) -> str:
    if isinstance(node, BlockNode):
        return "block"
    if isinstance(node, IfNode):
        return "if"
    if isinstance(node, ForNode):
        return "for"
    assert isinstance(node, ContainerNode)
    return node.tag


def _cache_name(tok: Token) -> str:
    bits = tok.contents.split()
    return bits[2] if len(bits) > 2 else ""


# -- what a piece of template code reads ----------------------------------------------------------------


def _reads_of(tok: Token) -> tuple[list[str], set[str], bool]:
    """(variable paths read, filters used, uses ``_("...")``) of one ``{{ }}`` or ``{% %}`` token."""
    if tok.kind is not TokenKind.BLOCK:
        return _reads_in(tok.contents)
    tag, _, args = tok.contents.strip().partition(" ")
    if tag in _NO_READS or tag.startswith("end"):
        return [], set(), False
    return _reads_in(args, tag)


def _reads_in(text: str, tag: str = "") -> tuple[list[str], set[str], bool]:
    """The reads of a variable expression, or of the arguments of the tag ``tag``."""
    translated = bool(_GETTEXT_RE.search(text))
    keywords = _KEYWORDS.get(tag, frozenset())
    text = _STRING_RE.sub(" ", text)
    filters = set(_FILTER_RE.findall(text))
    words = [m.group() for m in _WORD_RE.finditer(_FILTER_RE.sub(" ", text))]
    paths = []
    in_loop_vars = tag == "for"
    for i, word in enumerate(words):
        if in_loop_vars:  # {% for a, b in x %}: a and b are assigned, not read
            in_loop_vars = word != "in"
            continue
        if not (word[0].isalpha() or word[0] == "_") or word in _LITERALS or word in keywords:
            continue
        if (i + 1 < len(words) and words[i + 1] == "=") or (i > 0 and words[i - 1] in ("as", "asvar", "by")):
            continue  # an assignment target or a regroup attribute, not a read
        paths.append(word)
    return paths, filters, translated


def _with_bindings(tok: Token) -> dict[str, list[str]]:
    """``{% with a=x.y b=z %}`` (or ``{% with x.y as a %}``) -> {"a": ["x.y"], "b": ["z"]}."""
    bits = list(smart_split(tok.contents))[1:]
    if len(bits) == 3 and bits[1] == "as":
        return {bits[2]: _reads_in(bits[0])[0]}
    out = {}
    for bit in bits:
        name, eq, expr = bit.partition("=")
        if eq:
            out[name] = _reads_in(expr)[0]
    return out


@dataclass(frozen=True, slots=True)
class _Verdict:
    vary: tuple[str, ...] = ()
    language: bool = False
    refusal: str = ""


def _crossing(scope: _Scope, start: int, end: int) -> Token | None:
    """The first delimiter of a template node that the span [start, end) cuts through, if any."""
    cut = [
        tok
        for f in scope.frames
        if not (start <= f.open.start and f.close.end <= end)
        for tok in (f.open, *f.middles, f.close)
        if start <= tok.start < end
    ]
    if cut:
        return min(cut, key=lambda t: t.start)
    # Paired tags the tree does not know ({% foo %}...{% endfoo %} from some library) must balance too.
    paired = {t.tag_name[3:] for t in scope.code if t.tag_name.startswith("end") and len(t.tag_name) > 3}
    opened: list[Token] = []
    for tok in scope.code[bisect.bisect_left(scope.code_starts, start) :]:
        if tok.start >= end:
            break
        word = tok.tag_name
        if word in paired:
            opened.append(tok)
        elif word.startswith("end") and word[3:] in paired:
            if not opened or opened[-1].tag_name != word[3:]:
                return tok
            opened.pop()
    return opened[0] if opened else None


def _analyse(scope: _Scope, start: int, end: int, user_vars: frozenset[str] = _USER_VARS) -> _Verdict:
    """Derive the vary-on list of the fragment [start, end), or the reason it must not be cached."""
    template, frames = scope.template, scope.frames
    problems: list[tuple[int, str]] = []
    loops = [f for f in frames if f.kind == "for" and f.open.end <= start and end <= f.body_end]
    inner_loops = [f for f in frames if f.kind == "for" and start <= f.open.start and f.close.end <= end]
    language = False
    reads: list[tuple[str, Token, int]] = []  # (path, token, how many loops inside the span hold it)
    for tok in scope.code[bisect.bisect_left(scope.code_starts, start) :]:
        if tok.start >= end:
            break
        if tok.end > end:
            continue
        at = f"at line {tok.lineno}"
        depth = sum(1 for f in inner_loops if f.open.end <= tok.start and tok.end <= f.body_end)
        tag = tok.tag_name
        if tag == "csrf_token":
            problems.append((tok.start, f"{{% csrf_token %}} {at}: a CSRF token must not be cached"))
        elif tag == "cache":
            problems.append((tok.start, f"it already holds {{% cache {_cache_name(tok)} %}} {at}"))
        elif tag == "block":
            problems.append((tok.start, f"{{% {tok.contents} %}} {at}: a child template can override it and the cache key would not tell the versions apart"))
        elif tag == "include" and "only" not in tok.contents.split()[2:]:
            problems.append((tok.start, f'{{% {tok.contents} %}} {at} without "only": what the included template reads is not visible here'))
        elif tag in _POSITION_TAGS and depth == 0 and loops:
            problems.append((tok.start, f"{{% {tag} %}} {at}: its value depends on the position in the loop"))
        elif "nonce" in tag:
            problems.append((tok.start, f"a CSP nonce {at}: it changes on every request"))
        elif tok.kind is TokenKind.VAR and tok.contents.split("|")[0].strip() == "block.super":
            problems.append((tok.start, f"{{{{ block.super }}}} {at}: the parent's block is not visible here"))
        language = language or tag in _LANGUAGE_TAGS
        paths, filters, translated = _reads_of(tok)
        language = language or translated or bool(filters & _LOCALIZING_FILTERS)
        if tag == "querystring":
            paths.append("request.GET")
        reads.extend((p, tok, depth) for p in paths)
    # A name an enclosing {% with %} binds reads what its expression reads (evaluated outside the span).
    for f in reversed([f for f in frames if f.kind == "with" and f.holds(start, end)]):
        bound = _with_bindings(f.open)
        reads.extend((p, tok, 0) for path, tok, _ in list(reads) for p in bound.get(path.split(".")[0], ()))
    problems.extend(_markup_problems(template, start, end))
    user = request = False
    request_paths: dict[str, None] = {}
    loop_reads: set[str] = set()
    for path, tok, depth in reads:
        segs = path.split(".")
        head, at = segs[0], f"at line {tok.lineno}"
        if head == "csrf_token":
            problems.append((tok.start, f"csrf_token {at}: a CSRF token must not be cached"))
        elif head == "messages":
            problems.append((tok.start, f"messages {at}: messages are shown once, to one user"))
        elif head == "nonce" or "csp_nonce" in segs:
            problems.append((tok.start, f"a CSP nonce {at}: it changes on every request"))
        elif head == "forloop":
            levels = 1  # forloop.parentloop.parentloop... climbs one loop per "parentloop"
            while levels < len(segs) and segs[levels] == "parentloop":
                levels += 1
            if levels > depth:
                problems.append((tok.start, f"forloop {at}: its value depends on the position in the loop"))
        user = user or head in user_vars
        if head == "request":
            request = True
            if len(segs) > 1 and segs[1] != "user":
                request_paths[path] = None
        language = language or head in _LANGUAGE_VARS
        loop_reads.add(head)
    if problems:
        return _Verdict(refusal=min(problems)[1])
    vary = ["request.user.pk"] if request else ["user.pk"] if user else []
    vary += request_paths
    if language:
        vary.append(LANGUAGE_VAR)
    vary += [v for f in loops if isinstance(f.node, ForNode) for v in f.node.loopvars if v in loop_reads]
    return _Verdict(tuple(dict.fromkeys(vary)), language)


def _markup_problems(template: Template, start: int, end: int) -> list[tuple[int, str]]:
    out = []
    for item in template.items:
        if item.start < start or item.start >= end or not isinstance(item, (StartTag, OpaqueTag)):
            continue
        at = f"at line {item.lineno}"
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
            attr = item.attr(name)
            if attr is not None and attr.has_template_code:
                out.append((item.start, f"a form method that is template code {at}: it may post"))
            elif attr is not None and (attr.value or "").strip().lower() == "post":
                out.append((item.start, f"a POST form {at}: it needs a fresh CSRF token"))
    return out


# -- plan_cache ------------------------------------------------------------------------------------------


def plan_cache(template: Template, ctx: RewriteContext) -> TransformResult:
    """Edits wrapping the element of each of ``ctx.cache_rules`` for this template in ``{% cache %}``."""
    rules = [r for r in ctx.cache_rules if r.template == template.name]
    if not rules:
        return TransformResult()
    scope = _Scope.of(template)
    soup = _soup(template)
    edits: list[Edit] = []
    skips: list[Skip] = []
    taken: list[tuple[int, int, str]] = []
    language = False
    for rule in rules:
        outcome = _plan_rule(scope, soup, rule, ctx.cache_alias, taken, _USER_VARS | frozenset(ctx.user_context))
        if isinstance(outcome, Skip):
            skips.append(outcome)
        elif outcome is not None:
            edits.extend(outcome[0])
            language = language or outcome[1]
    loads = (("cache",) + (("i18n",) if language else ())) if edits else ()
    return TransformResult(tuple(edits), tuple(skips), loads)


def _soup(template: Template) -> BeautifulSoup:
    from bs4 import BeautifulSoup

    # Same length as the source (so bs4's line/column are source positions); spaces parse as spaces.
    masked = mask_template_code(template.source, template.tokens).replace(FILLER, " ")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "looks like a filename/URL" and friends: this is markup
        return BeautifulSoup(masked, "html.parser")


def _plan_rule(
    scope: _Scope,
    soup: BeautifulSoup,
    rule: CacheRule,
    alias: str,
    taken: list[tuple[int, int, str]],
    user_vars: frozenset[str] = _USER_VARS,
) -> tuple[list[Edit], bool] | Skip | None:
    from soupsieve import SelectorSyntaxError

    template, frames = scope.template, scope.frames
    sel = f'"{rule.selector}"'

    def skip(reason: str, lineno: int = 0) -> Skip:
        return Skip(KIND, template.path, lineno, f"{sel}: {reason}")

    if not _NAME_RE.match(rule.name):
        return skip(f'fragment name {rule.name!r} must be letters, digits, "_" or "-" (not starting with a digit)')
    if isinstance(rule.timeout, bool) or not isinstance(rule.timeout, int) or rule.timeout < 1:
        return skip(f"timeout must be a positive number of seconds, not {rule.timeout!r}")
    if alias and not _ALIAS_RE.match(alias):
        return skip(f"cache alias {alias!r} must be letters, digits, '_', '.' or '-'")
    try:
        matches = soup.select(rule.selector)
    except SelectorSyntaxError as exc:
        return skip(f"invalid selector ({str(exc).splitlines()[0]})")
    if not matches:
        return skip(f"matches no element in {template.name}")
    if len(matches) > 1:
        lines = ", ".join(str(m.sourceline) for m in matches)
        return skip(f"matches {len(matches)} elements (lines {lines}); a cache rule needs exactly one")
    offset = scope.line_starts[matches[0].sourceline - 1] + matches[0].sourcepos
    item = next((i for i in template.items if i.start == offset), None)
    lineno = template.lines.lineno(offset)
    if isinstance(item, OpaqueTag):
        return skip(f"not cached: the start tag at line {lineno} is interrupted by template code ({item.reason})", lineno)
    if not isinstance(item, StartTag):
        return skip(f"not cached: the element at line {lineno} is not a tag of the template (text of a <title> or <textarea>?)", lineno)
    end_tag = _end_tag(template, item)
    if isinstance(end_tag, str):
        return skip(f"not cached: {end_tag}", lineno)
    start, end = item.start, end_tag.end if end_tag else item.end
    around = [f for f in frames if f.kind == "cache" and f.holds(start, end)]
    if any(_cache_name(f.open) == rule.name for f in around):
        return None  # already wrapped: rewriting twice equals rewriting once
    if around:
        f = around[-1]
        return skip(f"not cached: already inside {{% cache {_cache_name(f.open)} %}} at line {f.open.lineno}", lineno)
    shut = [f for f in frames if f.kind in _NO_TAGS_INSIDE and f.holds(start, end)]
    if shut:
        return skip(f"not cached: it is inside {{% {shut[-1].kind} %}} at line {shut[-1].open.lineno}, which allows no {{% cache %}}", lineno)
    cut = _crossing(scope, start, end)
    if cut is not None:
        assert end_tag is not None
        return skip(
            f"not cached: <{item.name}> at line {lineno} and its </{item.name}> at line {end_tag.lineno} are in "
            f"different template nodes ({{% {cut.tag_name} %}} at line {cut.lineno} is between them)",
            lineno,
        )
    for t_start, t_end, other in taken:
        if t_start < end and start < t_end:
            return skip(f"not cached: its element overlaps the one {other} caches", lineno)
    verdict = _analyse(scope, start, end, user_vars)
    if verdict.refusal:
        return skip(f"not cached: {verdict.refusal}", lineno)
    taken.append((start, end, sel))
    bits = [str(rule.timeout), rule.name, *verdict.vary]
    open_tag = "{% cache " + " ".join(bits) + (f' using="{alias}"' if alias else "") + " %}"
    if verdict.language:
        open_tag = "{% get_current_language as " + LANGUAGE_VAR + " %}" + open_tag
    reason = f"cache {sel} for {rule.timeout}s as {rule.name}" + (f", varying on {', '.join(verdict.vary)}" if verdict.vary else "")
    before, after = _layout(template.source, start, end)
    return [
        Edit(start, start, open_tag + before, KIND, lineno, reason),
        Edit(end, end, after + "{% endcache %}", KIND, lineno, reason),
    ], verdict.language


def _end_tag(template: Template, tag: StartTag) -> EndTag | None | str:
    """The end tag of ``tag`` (None for a void element), or why there is none of its own."""
    if tag.name in VOID_ELEMENTS:
        return None
    if tag.self_closing:
        return f'<{tag.name}/> at line {tag.lineno}: "/>" does not close a <{tag.name}> in HTML'
    stack = [tag.name]
    optional_end = tag.name in ("li", "p", "dt", "dd", "option", "tr", "td", "th")
    implied = f"<{tag.name}> at line {tag.lineno} has no end tag of its own (HTML closes it implicitly)"
    i = bisect.bisect_right([it.start for it in template.items], tag.start)
    for item in template.items[i:]:
        if isinstance(item, EndTag):
            if item.name not in stack:
                if optional_end:
                    return implied
                continue
            del stack[len(stack) - 1 - stack[::-1].index(item.name) :]
            if not stack:
                return item
        elif isinstance(item, (StartTag, OpaqueTag)) and item.name and item.name not in VOID_ELEMENTS:
            if isinstance(item, StartTag) and item.self_closing:
                continue
            if optional_end and item.name == tag.name and len(stack) == 1:
                return implied
            stack.append(item.name)
    return f"<{tag.name}> at line {tag.lineno} has no end tag"


def _layout(source: str, start: int, end: int) -> tuple[str, str]:
    """Text after ``{% cache %}`` and before ``{% endcache %}``.

    An element alone on its lines gets the tags on lines of their own, at its indentation (CRLF kept);
    one that shares a line with other content gets them right against it, so no whitespace is added
    where it could show (``a<span>`` must not become ``a <span>``).
    """
    line_start = source.rfind("\n", 0, start) + 1
    if line_start == 0 and source.startswith("\ufeff"):
        line_start = 1
    indent = source[line_start:start]
    line_end = source.find("\n", end)
    rest = source[end : len(source) if line_end == -1 else line_end]
    if indent.strip(" \t") or rest.strip(" \t\r"):
        return "", ""
    newline = "\r\n" if "\r\n" in source else "\n"
    return newline + indent, newline + indent


# -- suggest_cache ---------------------------------------------------------------------------------------


def suggest_cache(template: Template, user_context: tuple[str, ...] = ()) -> list[Suggestion]:
    """Loops over context data and ``|length``/``.count`` statistics outside loops and caches, judged.

    ``user_context``: context variables (from context processors) that depend on the user."""
    user_vars = _USER_VARS | frozenset(user_context)
    scope = _Scope.of(template)
    frames = scope.frames
    out: list[Suggestion] = []

    def outside(start: int, end: int) -> bool:
        return not any(f.kind in ("for", "cache") and f.holds(start, end) for f in frames)

    def judge(what: str, lineno: int, start: int, end: int) -> None:
        v = _analyse(scope, start, end, user_vars)
        if v.refusal:
            out.append(Suggestion(template.path, lineno, what, "refused", v.refusal, ()))
        else:
            reason = "cacheable, varying on " + ", ".join(v.vary) if v.vary else "cacheable, the same for every request"
            out.append(Suggestion(template.path, lineno, what, "ok", reason, v.vary))

    candidates: list[tuple[int, str, int, int, int]] = []
    for f in frames:
        if f.kind == "for" and isinstance(f.node, ForNode) and outside(f.open.start, f.close.end):
            head = f.node.iterable[:1]
            if head.isalpha() or head == "_":
                candidates.append((f.open.start, _source_of(template, f.open), f.open.lineno, f.open.start, f.close.end))
    tags = [i for i in template.items if isinstance(i, (StartTag, OpaqueTag))]
    tag_starts = [t.start for t in tags]
    for tok in scope.code:
        if tok.kind is not TokenKind.VAR:
            continue
        i = bisect.bisect_right(tag_starts, tok.start) - 1
        if i >= 0 and tok.start < tags[i].end:
            continue  # inside an attribute value
        paths, filters, _ = _reads_of(tok)
        if ("length" in filters or (paths and paths[0].endswith(".count"))) and outside(tok.start, tok.end):
            candidates.append((tok.start, _source_of(template, tok), tok.lineno, tok.start, tok.end))
    for _, what, lineno, start, end in sorted(candidates):
        judge(what, lineno, start, end)
    return out


def _source_of(template: Template, tok: Token) -> str:
    return template.source[tok.start : tok.end]
