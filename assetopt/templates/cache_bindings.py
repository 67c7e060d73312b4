"""Names a ``{% cache %}`` fragment reads that code outside it bound, followed to what that code reads.

``{% with m=messages %}`` around a fragment that prints ``{{ m }}`` shows the messages;
``{% url 'account_confirm_email' confirmation.key as action_url %}`` before one that prints
``{{ action_url }}`` puts the confirmation key in the page. The verdict of a suggested or ruled
fragment (``cache_fragments.analyse_fragment``) and the audit of a block a project already has
(``cache_never.never_cacheable``) follow these names here, one way for both: a name bound by an
enclosing ``{% with %}``, by an enclosing ``{% for %}`` (an item of its iterable), or by an
``as``/``asvar`` alias anywhere outside the fragment, unless the fragment binds the name itself before
the read. Followed transitively (``{% with a=b %}`` inside ``{% with b=messages %}``), each binding once.

Pure: a ``Template`` and the fragment's reads in, what they reach out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .cache_reads import aliases, reads_in, reads_of, with_bindings
from .lexer import Token
from .model import Template
from .nodes import ForNode

__all__ = ["Binding", "Followed", "follow_bindings", "outside_bindings", "through"]


@dataclass(frozen=True, slots=True)
class Binding:
    """Code outside a fragment that binds ``name`` from what it reads (``reads``); ``loop``: the name
    is an item of ``reads`` (an enclosing ``{% for %}``), not the value itself."""

    name: str
    reads: tuple[str, ...]
    tok: Token
    loop: bool = False


@dataclass(frozen=True, slots=True)
class Followed:
    """A path the fragment reads through a name bound outside it: ``path`` is read by ``tok`` (the
    binding code), and the fragment reads it as ``via``; ``loop``: an item of ``path`` on the way.
    ``read``: what the fragment reads (``d.key``); ``rest``: what it reads of ``path`` (``.key``), so
    ``path + rest`` names the value shown (``devices.key`` for ``{% for d in devices %}{{ d.key }}``)."""

    path: str
    tok: Token
    via: str
    loop: bool
    read: str = ""
    rest: str = ""


def outside_bindings(template: Template, start: int, end: int) -> dict[str, list[Binding]]:
    """Name -> the code outside [start, end) that binds it for the fragment: enclosing ``{% with %}``s
    and ``{% for %}``s, and every ``as``/``asvar`` alias outside the span."""
    out: dict[str, list[Binding]] = {}
    for node in template.bodies:
        opener = node.delimiters.open
        if node.kind == "with" and node.delimiters.holds(start, end):
            for name, exprs in with_bindings(opener).items():
                out.setdefault(name, []).append(Binding(name, tuple(exprs), opener))
        elif isinstance(node, ForNode) and node.delimiters.holds(start, end, first_body=True):
            iterated = tuple(reads_in(node.iterable)[0])
            for name in node.loopvars:
                out.setdefault(name, []).append(Binding(name, iterated, opener, loop=True))
    for name, toks in aliases(template.code).items():
        for tok in toks:
            if not start <= tok.start < end:
                out.setdefault(name, []).append(Binding(name, tuple(reads_of(tok)[0]), tok))
    return out


def follow_bindings(reads: Iterable[tuple[str, Token]], bindings: Mapping[str, list[Binding]], local: Mapping[str, int]) -> list[Followed]:
    """What the fragment's ``reads`` reach through ``bindings`` (transitively, each binding once);
    ``local``: names the fragment binds itself -> where (a read after that is the fragment's own)."""
    out: list[Followed] = []
    seen: set[tuple[str, int]] = set()
    queue = [(path, tok, "", False, path, "") for path, tok in reads]
    while queue:
        path, tok, via, loop, read, rest = queue.pop(0)
        head = path.split(".")[0]
        if head in local and local[head] < tok.start:
            continue
        rest = path[len(head) :] + rest  # what is read of the value the name is bound to
        for b in bindings.get(head, ()):
            if (head, b.tok.start) in seen:
                continue
            seen.add((head, b.tok.start))
            for p in b.reads:
                f = Followed(p, b.tok, via or head, loop or b.loop, read, rest)
                out.append(f)
                queue.append((p, b.tok, f.via, f.loop, read, rest))
    return out


def through(why: str, f: Followed) -> str:
    """A reason found on a followed path, saying which name of the fragment led there."""
    return f"{why} (the fragment reads it as {f.via})"
