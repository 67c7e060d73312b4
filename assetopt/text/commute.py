"""May an inline script run after the external script that follows it instead of before it?

The rewrite asks this to join two script runs split by inline scripts into one bundle
(``docs/scripts.md``, "Inline scripts that commute"). The answer is read from the text, never from
running it, and rests on one stated assumption about the external script S: **it reaches other
scripts' objects only by spelling their names** (an identifier, ``.name``, or a string holding it),
never by enumerating objects it did not create, by an alias of the global object other than a
parameter or a top-level variable, or by code built at run time (``eval``, ``Function``, ``with``,
which refuse). Under it, the inline script I and S commute when:

- I is empty; or every statement of I is data only (``var X = literal``, ``window.X = literal``) or a
  method call through a member chain with literal arguments (``$.fn.select2.defaults.set("dir",
  "rtl")``);
- S never spells a name I's data defines (it cannot read or overwrite it);
- each call's receiver (``$.fn.select2.defaults``) passes through a property name S never spells
  (``select2``, the *private link*; never the root: one object may be two globals, ``$`` and
  ``jQuery``): S cannot reach what the call changes (a method changes its receiver: that is
  the assumption about the method, e.g. Select2's ``defaults.set``); and S cannot change what the
  links before it resolve to: it never assigns the root as a global (``$``: a top-level declaration,
  an undeclared assignment, ``window.$ = ...``), never assigns a property named like the other links
  (``X.fn = ...``), and indexes none of them (``fn[name]``) nor the global object (``window[name]``).

A call whose receiver S also names all along (``$.ajaxSetup(...)``: the receiver is ``$``) does not
commute; nor does a listener (``addEventListener`` order would change) or anything else at parse time.

Pure: verdicts and facts in, a verdict out.
"""

from __future__ import annotations

from dataclasses import dataclass

from .inline_js import InlineScript, ScriptFacts

__all__ = ["Commute", "commute"]

_GLOBAL_OBJECTS = ("window", "self", "globalThis")


@dataclass(frozen=True, slots=True)
class Commute:
    ok: bool
    why: str  # ok: the proof in one line; else: why they do not commute


def commute(script: InlineScript, path: str, facts: ScriptFacts) -> Commute:
    """Whether the inline ``script`` may run after the external script at ``path`` (read into ``facts``)."""
    name = path.rsplit("/", 1)[-1]
    if script.kind == "empty":
        return Commute(True, "it is empty")
    if script.kind == "after_load":
        return Commute(False, f"it adds a load listener: after {name}, it would run after the listeners {name} adds")
    if script.kind == "parse_time" and not script.calls:
        return Commute(False, f"it {script.reason}, which is no method call through a member chain with literal arguments")
    if facts.writes.dynamic is not None:
        return Commute(False, f"{name} {facts.writes.dynamic}: what it reaches cannot be read from its names")
    spelled = facts.words | facts.writes.string_words
    defined = script.names if script.kind == "data" else script.data_names
    shared = sorted(set(defined) & spelled)
    if shared:
        return Commute(False, f"it defines {', '.join(shared)}, which {name} also names: {name} could read or overwrite it")
    proofs: list[str] = [f"{name} never names {', '.join(defined)}"] if defined else []
    for chain in dict.fromkeys(script.calls):
        receiver = chain[:-1]
        call = ".".join(chain) + "(...)"
        # the root is a global, and globals alias each other ($ and jQuery): the private link is a property
        private = next((i for i, link in enumerate(receiver) if i >= 1 and link not in spelled), None)
        if len(receiver) < 2:
            return Commute(False, f"{call} changes {receiver[0]} itself, which {name} may reach under this or another global name")
        if private is None:
            return Commute(False, f"{name} names every property of {'.'.join(receiver)}: it may read or change what {call} changes")
        hole = next((g for g in _GLOBAL_OBJECTS if g in facts.writes.indexed), None)
        if hole is not None:
            return Commute(False, f"{name} reads {hole}[...] with a computed name: it may reach {receiver[0]} without naming it")
        for i, link in enumerate(receiver[:private]):
            if i == 0 and link in facts.writes.globals_written:
                return Commute(False, f"{name} may assign the global {link}, which {call} goes through")
            if i > 0 and link in facts.writes.props_written:
                return Commute(False, f"{name} may assign a property named {link}, which {call} goes through")
            if link in facts.writes.indexed:
                return Commute(False, f"{name} indexes {link}[...] with a computed name: it may reach {receiver[private]} without naming it")
        parent = receiver[private - 1]
        if parent in facts.writes.calls_on:
            return Commute(
                False,
                f"{name} calls a method of {parent} or of what hangs under it, which may hand out its {receiver[private]} without {name} naming it",
            )
        if parent in facts.writes.escapes or (private == 1 and parent in spelled):
            what = "passes or aliases" if private > 1 else "names the global"
            return Commute(False, f"{name} {what} {parent}: another function may reach its {receiver[private]} without {name} naming it")
        before = receiver[:private]
        kept = f"; assigns none of {', '.join(before)}" if before else ""
        proofs.append(f"{call}: {name} never names {receiver[private]}{kept}")
    return Commute(True, "; ".join(proofs))
