"""What an inline ``<script>`` does while the page is parsed, read with the JS lexer (never a regex
over raw JavaScript), so the rewrite can tell whether the external scripts before it may be deferred.

Three kinds of inline script are recognised exactly; anything else is ``parse_time`` (it may call
into whatever ran before it), with the first statement that could not be proven harmless:

- ``empty``: nothing but spaces and comments;
- ``after_load``: every top-level statement is ``document.addEventListener("DOMContentLoaded", fn)``
  or ``window.addEventListener("DOMContentLoaded"|"load", fn)`` with ``fn`` a function expression or an
  arrow function: nothing in ``fn`` runs before the deferred scripts have run;
- ``data``: every top-level statement is ``var|let|const NAME = VALUE`` or ``window.NAME = VALUE``
  where VALUE is a literal (string, number, true/false/null, objects and arrays of literals): it
  reads and calls nothing.

Template code (``{{ }}``/``{% %}``) is allowed only inside string literals (what it prints is text
there), and never with ``safe`` (that could close the string). Template code in code position makes
the script ``parse_time``: what it prints is unknown. ``jQuery(fn)``/``$(fn)`` is ``parse_time`` too:
it calls ``$`` when the script runs, so ``$`` must exist by then.

Pure: text in, a frozen verdict out. Never rewrites or evaluates code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .js_lexer import JsToken, js_tokens
from .js_writes import WriteFacts, read_writes

__all__ = ["InlineScript", "ScriptFacts", "classify_inline_script", "defer_hazard", "script_facts"]

_LITERAL_WORDS = frozenset({"true", "false", "null", "undefined"})
_DECLARE = frozenset({"var", "let", "const"})
_LOAD_EVENTS = {"document": frozenset({"DOMContentLoaded"}), "window": frozenset({"DOMContentLoaded", "load"})}


@dataclass(frozen=True, slots=True)
class InlineScript:
    kind: str  # "empty", "after_load", "data" or "parse_time"
    reason: str = ""  # parse_time: what it does at parse time (one line)
    line: int = 0  # parse_time: line of that statement, 1-based within the script body
    static: bool = True  # no template code at all
    names: tuple[str, ...] = ()  # data: the globals it defines
    # parse_time: when every statement is data or a method call through a member chain with literal
    # arguments (``$.fn.select2.defaults.set("dir", "rtl")``), each call's chain, method name last; else ()
    calls: tuple[tuple[str, ...], ...] = ()
    data_names: tuple[str, ...] = ()  # parse_time with calls: the globals its data statements define


@dataclass(frozen=True, slots=True)
class ScriptFacts:
    """What the rewrite needs from an external script's text: why it cannot be deferred (or None),
    and every name it spells (a global it could read or write is one of them)."""

    hazard: str | None
    words: frozenset[str]
    writes: WriteFacts = WriteFacts()  # what it may assign (``text.js_writes``), for ``text.commute``


def script_facts(text: str) -> ScriptFacts:
    words = frozenset(text[t.start : t.end] for t in js_tokens(text) if t.kind == "word")
    return ScriptFacts(defer_hazard(text), words, read_writes(text))


class _Unproven(Exception):
    def __init__(self, reason: str, at: int) -> None:
        super().__init__(reason)
        self.reason, self.at = reason, at


def classify_inline_script(body: str, code_spans: Sequence[tuple[int, int]] = ()) -> InlineScript:
    """The verdict on one inline script's ``body``; ``code_spans``: (start, end) of template code in it."""
    masked = body
    for start, end in code_spans:  # identifier characters keep the lexing of what surrounds them
        masked = masked[:start] + "x" * (end - start) + masked[end:]
    every = list(js_tokens(masked))
    static = not code_spans
    for start, end in code_spans:
        holder = next((t for t in every if t.start <= start and end <= t.end), None)
        if holder is None or holder.kind not in ("string", "template", "comment"):
            return _verdict_parse_time(body, "template code in code position (what it prints is unknown)", start, static)
        if "safe" in body[start:end]:
            return _verdict_parse_time(body, "template code marked safe inside a string (it could end the string)", start, static)
    toks = [t for t in every if t.kind not in ("space", "comment")]
    if not toks:
        return InlineScript("empty", static=static)
    reader = _Reader(masked, toks, body)
    kinds: set[str] = set()
    try:
        while not reader.done():
            kinds.add(reader.statement())
    except _Unproven as why:
        if reader.first_call is not None:  # the first statement that runs at parse time is that call
            return _verdict_parse_time(body, reader.first_call[1], reader.first_call[0], static)
        return _verdict_parse_time(body, why.reason, why.at, static)
    if reader.first_call is not None:
        at, reason = reader.first_call
        verdict = _verdict_parse_time(body, reason, at, static)
        calls = tuple(reader.calls) if "after_load" not in kinds else ()
        return InlineScript("parse_time", verdict.reason, verdict.line, static, calls=calls, data_names=tuple(reader.names) if calls else ())
    return InlineScript("data" if kinds == {"data"} else "after_load", static=static, names=tuple(reader.names))


def defer_hazard(text: str) -> str | None:
    """Why an external classic script must not be deferred (it writes into the parser with
    ``document.write``/``writeln``, which a deferred script cannot), or None."""
    toks = [t for t in js_tokens(text) if t.kind not in ("space", "comment")]
    for i in range(len(toks) - 2):
        if (
            text[toks[i].start : toks[i].end] == "document"
            and text[toks[i + 1].start : toks[i + 1].end] in (".", "?.")
            and text[toks[i + 2].start : toks[i + 2].end] in ("write", "writeln")
        ):
            return f"calls document.{text[toks[i + 2].start : toks[i + 2].end]} (line {text.count(chr(10), 0, toks[i].start) + 1})"
    return None


def _verdict_parse_time(body: str, reason: str, at: int, static: bool) -> InlineScript:
    return InlineScript("parse_time", reason, body.count("\n", 0, at) + 1, static)


class _Reader:
    """A tiny recursive-descent reader of the two statement shapes above, over significant tokens."""

    def __init__(self, text: str, toks: list[JsToken], original: str) -> None:
        self.text, self.toks, self.i, self.original = text, toks, 0, original
        self.names: list[str] = []
        self.calls: list[tuple[str, ...]] = []
        self.first_call: tuple[int, str] | None = None  # (offset, reason) of the first method call

    def done(self) -> bool:
        return self.i >= len(self.toks)

    def peek(self, ahead: int = 0) -> str:
        j = self.i + ahead
        return self.text[self.toks[j].start : self.toks[j].end] if j < len(self.toks) else ""

    def kind(self) -> str:
        return self.toks[self.i].kind if self.i < len(self.toks) else ""

    def at(self) -> int:
        return self.toks[min(self.i, len(self.toks) - 1)].start

    def expect(self, value: str) -> None:
        if self.peek() != value:
            raise _Unproven(f"expected {value!r}, found {self.peek() or 'the end'!r}", self.at())
        self.i += 1

    def statement(self) -> str:
        start = self.at()
        first = self.peek()
        if first in _DECLARE:
            self.i += 1
            while True:
                self.names.append(self._name())
                self.expect("=")
                self._value()
                if self.peek() != ",":
                    break
                self.i += 1
            kind = "data"
        elif first == "window" and self.peek(1) == "." and self.peek(3) == "=":
            self.i += 2
            self.names.append(self._name())
            self.expect("=")
            self._value()
            kind = "data"
        elif first in _LOAD_EVENTS and self.peek(1) == "." and self.peek(2) == "addEventListener":
            self.i += 3
            self.expect("(")
            event = self.peek()
            if self.kind() != "string" or event[1:-1] not in _LOAD_EVENTS[first]:
                raise _Unproven(f"{first}.addEventListener({event}) may run before deferred scripts", start)
            self.i += 1
            self.expect(",")
            self._function()
            if self.peek() == ",":  # useCapture / options: literals only
                self.i += 1
                self._value()
            self.expect(")")
            kind = "after_load"
        elif first in ("$", "jQuery") and self.peek(1) == "(" and self.peek(2) in ("function", "async", "("):
            raise _Unproven(
                f"calls {first} at parse time ({self._describe(start)}: jQuery's ready shorthand needs {first} when the script runs)", start
            )
        elif self.kind() == "word" and self.peek(1) == "." and first not in _LITERAL_WORDS:
            if self.first_call is None:
                self.first_call = (start, f"runs {self._describe(start)} at parse time")
            self.calls.append(self._chain_call(start))
            kind = "call"
        else:
            raise _Unproven(f"runs {self._describe(start)} at parse time", start)
        self._end_of_statement(start)
        return kind

    def _chain_call(self, start: int) -> tuple[str, ...]:
        """``a.b.c.m(literal, ...)``: the names of the chain, the method last. Anything else (a computed
        member, a call in the chain, an argument that is not a literal) is unproven."""
        chain = [self._name()]
        while self.peek() == ".":
            self.i += 1
            if self.kind() != "word":
                raise _Unproven(f"runs {self._describe(start)} at parse time", start)
            chain.append(self.peek())
            self.i += 1
        if self.peek() != "(":
            raise _Unproven(f"runs {self._describe(start)} at parse time", start)
        self.i += 1
        while self.peek() != ")":
            self._value()
            if self.peek() != ",":
                break
            self.i += 1
        self.expect(")")
        return tuple(chain)

    def _describe(self, start: int) -> str:
        line_end = self.text.find("\n", start)
        snippet = self.original[start : line_end if line_end >= 0 else len(self.text)].strip()
        return "`" + (snippet[:60] + "..." if len(snippet) > 60 else snippet) + "`"

    def _end_of_statement(self, start: int) -> None:
        if self.peek() == ";":
            self.i += 1
            return
        if self.done():
            return
        prev = self.toks[self.i - 1]
        gap = self.text[prev.end : self.toks[self.i].start]
        if "\n" not in gap and "\r" not in gap:  # without ";" only a line break ends it (ASI)
            raise _Unproven(f"runs {self._describe(self.at())} at parse time", self.at())
        if self.peek() in ("(", "[", "`", "+", "-", "/", ".", "?.", "=", ","):  # would continue the expression
            raise _Unproven(f"{self._describe(start)} continues on the next line: it may call at parse time", start)

    def _name(self) -> str:
        if self.kind() != "word" or self.peek() in _LITERAL_WORDS:
            raise _Unproven(f"expected a name, found {self.peek() or 'the end'!r}", self.at())
        self.i += 1
        return self.peek(-1)

    def _value(self) -> None:
        tok, kind = self.peek(), self.kind()
        if kind in ("string", "number") or tok in ("true", "false", "null"):
            self.i += 1
        elif tok == "-" and self.peek(1) and self.toks[self.i + 1].kind == "number":
            self.i += 2
        elif kind == "template" and tok.startswith("`") and tok.endswith("`") and len(tok) >= 2 and not tok.endswith("${"):
            self.i += 1
        elif tok == "[":
            self.i += 1
            while self.peek() != "]":
                self._value()
                if self.peek() != ",":
                    break
                self.i += 1
            self.expect("]")
        elif tok == "{":
            self.i += 1
            while self.peek() != "}":
                if self.kind() in ("word", "string", "number"):
                    self.i += 1
                else:
                    raise _Unproven(f"computed or unexpected key {self.peek() or 'the end'!r} in a value", self.at())
                self.expect(":")
                self._value()
                if self.peek() != ",":
                    break
                self.i += 1
            self.expect("}")
        else:
            raise _Unproven(f"the value {tok or 'the end'!r} is not a literal (it may read or call)", self.at())

    def _function(self) -> None:
        """A function expression or an arrow function with a block body: skipped, never run at parse time."""
        start = self.at()
        if self.peek() == "async":
            self.i += 1
        if self.peek() == "function":
            self.i += 1
            if self.kind() == "word" and self.peek() != "(":
                self.i += 1
            self._balanced("(", ")", start)
            if self.peek() != "{":
                raise _Unproven("a listener that is not a function", start)
        else:
            if self.peek() == "(":
                self._balanced("(", ")", start)
            else:
                self._name()  # the arrow's parameter
            if self.peek() != "=>":
                raise _Unproven(f"the listener {self._describe(start)} is read at parse time (not a function expression)", start)
            self.expect("=>")
            if self.peek() != "{":
                raise _Unproven("an arrow listener without a block body", start)
        self._balanced("{", "}", start)

    def _balanced(self, open_: str, close: str, start: int) -> None:
        """Skip from ``open_`` to its matching ``close`` (parameter defaults are not run either)."""
        self.expect(open_)
        pairs = {"(": ")", "[": "]", "{": "}"}
        stack = [close]
        while not self.done():
            tok = self.peek()
            if self.kind() == "punct" and tok in pairs:
                stack.append(pairs[tok])
            elif self.kind() == "punct" and tok in (")", "]", "}"):
                if tok != stack[-1]:
                    raise _Unproven(f"unbalanced {tok!r}", self.at())
                stack.pop()
                if not stack:
                    self.i += 1
                    return
            self.i += 1
        raise _Unproven(f"unclosed {open_!r}", start)
