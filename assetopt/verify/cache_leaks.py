"""The leak check of ``{% cache %}`` fragments: same key, different output, across users and objects.

Input: the renders ``contrib/django/cache_child.py`` made with caching off (each page as an anonymous
visitor and as each signed-in user; each fragment's template, line, name, cache alias, key values and
output). Django keys a fragment by its alias, name and the ``str()`` of its vary-on values only, so two
renders that agree on those but differ in output mean the cache would serve one of them the other's
HTML: a leak. So is a key part whose ``str()`` is not its content (the child's ``unstable``: an
address, a model's ``__str__``, a truncated QuerySet, a part that does not resolve), which may collide
in production whatever these renders showed. What a render cannot prove is said too: a fragment seen by fewer than two signed-in
users, a page with URL arguments seen for one object only, a fragment no page rendered.

Pure: dicts in, a ``CacheCheck`` out; ``cache_check.py`` runs the child and formats nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Leak", "CacheCheck", "find_leaks", "first_difference"]


@dataclass(frozen=True)
class Leak:
    template: str
    line: int
    name: str
    first: str  # "demo at /en/"
    second: str
    key: tuple[str, ...]
    difference: str  # the first differing text, both sides
    unstable: str = ""  # set instead of second/difference: a key part whose str() is not its content

    def describe(self) -> str:
        key = " ".join(self.key) if self.key else "(no vary-on)"
        if self.unstable:
            return (
                f"{self.template}:{self.line}: {{% cache %}} {self.name} leaks: its key part {self.unstable}, so two different requests "
                f"may get the same key (key [{key}] for {self.first})"
            )
        return (
            f"{self.template}:{self.line}: {{% cache %}} {self.name} leaks: {self.first} and {self.second} get the same key "
            f"[{key}] but different output ({self.difference})"
        )


@dataclass(frozen=True)
class CacheCheck:
    leaks: tuple[Leak, ...] = ()
    proven: tuple[str, ...] = ()  # fragment names seen by two or more users, same key -> same output
    not_proven: tuple[tuple[str, str], ...] = ()  # (fragment name, why)
    renders: int = 0
    users: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def leaking(self) -> frozenset[str]:
        return frozenset(leak.name for leak in self.leaks)

    @property
    def passed(self) -> frozenset[str]:
        """Fragment names the check passed: proven and leak-free."""
        return frozenset(self.proven) - self.leaking

    @property
    def failed(self) -> bool:
        return bool(self.leaks or self.not_proven)


def first_difference(a: str, b: str, width: int = 60) -> str:
    """Where ``a`` and ``b`` first differ: ``'…<span>6</span>…' vs '…<span>1</span>…'``."""
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    start = max(0, i - 20)

    def cut(s: str) -> str:
        piece = " ".join(s[start : i + width].split())
        return ("…" if start else "") + piece + ("…" if i + width < len(s) else "")

    return f"{cut(a)!r} vs {cut(b)!r}"


def _who(render: Mapping[str, Any]) -> str:
    return f"{render['who']} at {render['url']}"


def find_leaks(renders: Sequence[Mapping[str, Any]], users: Sequence[str], expected: Iterable[str] = (), accounts: bool = True) -> CacheCheck:
    """Compare every two renders of the same key. ``expected``: fragment names that must be checked
    (the rules, the ``{% cache %}`` tags of the project's templates); one no page rendered is not proven.
    ``accounts`` False: the settings have no ``django.contrib.auth``, so no user can sign in (the
    renders are anonymous) and no fragment is proven between users."""
    seen: dict[tuple[str, str, tuple[str, ...]], tuple[Mapping[str, Any], Mapping[str, Any]]] = {}
    leaks: dict[tuple[str, str, int], Leak] = {}
    who_saw: dict[str, set[str]] = {}
    objects: dict[str, dict[str, set[tuple[str, ...]]]] = {}  # name -> view -> argument tuples
    where: dict[str, tuple[str, int]] = {}
    for render in renders:
        for frag in render["fragments"]:
            name = frag["name"]
            where.setdefault(name, (frag["template"], frag["line"]))
            if render["who"] != "anonymous":
                who_saw.setdefault(name, set()).add(render["who"])
            if render.get("args"):
                objects.setdefault(name, {}).setdefault(render["view"], set()).add(tuple(render["args"]))
            key = (frag["alias"], name, tuple(frag["key"]))
            if key not in seen:
                seen[key] = (render, frag)
                continue
            other_render, other = seen[key]
            if other["output"] != frag["output"] and (frag["template"], name, frag["line"]) not in leaks:
                leaks[(frag["template"], name, frag["line"])] = Leak(
                    frag["template"],
                    frag["line"],
                    name,
                    _who(other_render),
                    _who(render),
                    tuple(frag["key"]),
                    first_difference(other["output"], frag["output"]),
                )
    # A key part whose str() is no content (an address, a model's __str__, a truncated QuerySet) may
    # collide in production however the renders here came out: a leak too.
    for render in renders:
        for frag in render["fragments"]:
            spot = (frag["template"], frag["name"], frag["line"])
            if frag.get("unstable") and spot not in leaks:
                part, why = frag["unstable"][0]
                leaks[spot] = Leak(frag["template"], frag["line"], frag["name"], _who(render), "", tuple(frag["key"]), "", f"{part} {why}")
    not_proven: list[tuple[str, str]] = []
    proven: list[str] = []
    for name in sorted(set(where) | set(expected)):
        if name not in where:
            not_proven.append((name, "no page rendered it: pass --url of a page that shows it"))
            continue
        saw = who_saw.get(name, set())
        if len(saw) < 2:
            if not accounts:
                users_note = "the settings do not install django.contrib.auth: rendered as an anonymous visitor only, nothing to compare it with"
            elif len(users) < 2:
                users_note = "give at least two users (--user, [tool.assetopt] users, ASSETOPT['USERS'])"
            else:
                users_note = "only " + (", ".join(sorted(saw)) or "anonymous visitors") + " saw it"
            not_proven.append((name, f"seen by {len(saw)} signed-in user(s): {users_note}"))
            continue
        single = [view for view, args in objects.get(name, {}).items() if len(args) < 2]
        if single:
            not_proven.append((name, f"{', '.join(sorted(single))} rendered for one object only: pass --url for two objects"))
            continue
        proven.append(name)
    leaked = {leak.name for leak in leaks.values()}
    return CacheCheck(
        tuple(leaks.values()),
        tuple(n for n in proven if n not in leaked),
        tuple((n, why) for n, why in not_proven if n not in leaked),
        len(renders),
        tuple(users),
    )
