"""What an external script may change, read with the JS lexer: the names it may assign as globals,
the property names it may assign on any object, the names it indexes with ``[...]``, and whether it
uses code that defeats reading by name (``eval``, ``Function(...)``, ``with``, ``document.write``).

Used to decide whether an inline script and an external script commute (``text.commute``). Every
answer errs on the side of "may": a name wrongly reported as written keeps the old order, never the
reverse. In particular a bare assignment ``NAME = ...`` is a global write unless an enclosing
function declares NAME as a simple parameter, a ``var`` or a function declaration (hoisted), and a
destructuring assignment writes every name in its pattern.

Pure: text in, frozen sets out. Never parses fully, evaluates or rewrites code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .js_lexer import JsToken, js_tokens

__all__ = ["WriteFacts", "read_writes"]

_IDENT_RE = re.compile(r"[A-Za-z_$][\w$]*")
# operators that end in "=" and assign: the characters that may stand right before that "="
_COMPOUND = frozenset("+-*/%&|^")
_DECLARE = frozenset({"var", "let", "const"})
_GLOBAL_OBJECTS = frozenset({"window", "self", "globalThis", "top", "parent", "frames"})
_MERGERS = frozenset({"extend", "assign", "defineProperties", "defineProperty", "merge", "mixin"})
_OPEN = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True, slots=True)
class WriteFacts:
    # declared at the top level, assigned undeclared, or assigned as a property of what may be the global
    # object (window, self, globalThis, top-level this, a function parameter or a top-level variable)
    globals_written: frozenset[str] = field(default_factory=frozenset)
    # assigned as a property of any object (`X.NAME = ...`, `X.NAME++`), a key of an object literal given
    # to an extend/assign call, or a string literal used as a value (it may become a key at run time)
    props_written: frozenset[str] = field(default_factory=frozenset)
    indexed: frozenset[str] = field(default_factory=frozenset)  # `NAME[`: a computed property may be any name
    string_words: frozenset[str] = field(default_factory=frozenset)  # identifier-like words inside strings/templates
    # NAME.method(...): the script calls a method of what NAME holds (it may hand out what hangs there)
    calls_on: frozenset[str] = field(default_factory=frozenset)
    # `.NAME` used as a value (passed, aliased, enumerated), not only as a path to one of its properties
    escapes: frozenset[str] = field(default_factory=frozenset)
    dynamic: str | None = None  # why names cannot be read from the text (eval, with, ...), with the line


def read_writes(text: str) -> WriteFacts:
    every = list(js_tokens(text))
    toks = [t for t in every if t.kind not in ("space", "comment")]
    string_words = frozenset(w for t in every if t.kind in ("string", "template") for w in _IDENT_RE.findall(text[t.content_start : t.content_end]))
    reader = _Writes(text, toks)
    reader.run()
    return WriteFacts(
        frozenset(reader.global_writes()),
        frozenset(reader.props),
        frozenset(reader.indexed),
        string_words,
        frozenset(reader.calls_on),
        frozenset(reader.escapes),
        reader.dynamic,
    )


class _Writes:
    def __init__(self, text: str, toks: list[JsToken]) -> None:
        self.text, self.toks = text, toks
        self.vals = [text[t.start : t.end] for t in toks]
        self.props: set[str] = set()
        self.indexed: set[str] = set()
        self.calls_on: set[str] = set()
        self.escapes: set[str] = set()
        self.dynamic: str | None = None
        self.params: dict[int, set[str]] = {}  # function frame id -> its simple parameters
        self.vars: dict[int, set[str]] = {}  # function frame id -> its var and function declarations
        self.top: set[str] = set()  # declared at the top level: globals
        self.bare: list[tuple[str, tuple[int, ...]]] = []  # assigned name, enclosing function frames (innermost last)
        self.on_object: list[tuple[str, str, tuple[int, ...]]] = []  # X.NAME = ...: (X, NAME, enclosing frames)

    def v(self, i: int) -> str:
        return self.vals[i] if 0 <= i < len(self.vals) else ""

    def kind(self, i: int) -> str:
        return self.toks[i].kind if 0 <= i < len(self.toks) else ""

    def adjacent(self, i: int, j: int) -> bool:
        return 0 <= i < j < len(self.toks) and self.toks[i].end == self.toks[j].start

    def line(self, i: int) -> int:
        return self.text.count("\n", 0, self.toks[i].start) + 1

    def assigns_at(self, i: int) -> bool:
        """Does an assignment operator start at token ``i`` (``=``, ``+=``, ``<<=``, ``??=``, ``++``...)?"""
        tok = self.v(i)
        if tok in ("++", "--"):
            return True
        if tok == "=":
            return not (self.adjacent(i, i + 1) and self.v(i + 1) in ("=", ">"))
        j = i
        while self.kind(j) == "punct" and self.v(j) in _COMPOUND | {"<", ">", "?", "*"} and j - i < 4:
            if self.adjacent(j, j + 1) and self.v(j + 1) == "=":
                if "".join(self.vals[i : j + 1]) in ("<", ">", "?"):  # <=, >=
                    return False
                return not (self.adjacent(j + 1, j + 2) and self.v(j + 2) == "=")
            if not self.adjacent(j, j + 1):
                return False
            j += 1
        return False

    def run(self) -> None:
        stack: list[tuple[str, int, int]] = []  # (closing char, function frame id or -1, index of the opener)
        funcs: list[int] = []  # open function frames, innermost last
        pending: tuple[set[str], int] | None = None  # parameters of a function and the index of its body's "{"
        collecting: tuple[int, bool] | None = None  # var/let/const being read: (stack depth, is var)
        for i, tok in enumerate(self.vals):
            kind = self.kind(i)
            after_dot = self.v(i - 1) in (".", "?.")
            if kind == "word" and not after_dot:
                self._hazard(i, tok)
                if tok == "function":
                    j = i + 1
                    if self.kind(j) == "word":
                        if self.v(i - 1) in ("", ";", "{", "}"):  # a declaration: its name is declared where it stands
                            self._declare(self.v(j), funcs)
                        j += 1
                    if self.v(j) == "(":
                        pending = self._params(j)
                elif tok in _DECLARE:
                    collecting = (len(stack), tok == "var")
                    if self.kind(i + 1) == "word":
                        self._declare_binding(self.v(i + 1), tok == "var", funcs)
                elif collecting is not None and self.v(i - 1) == "," and len(stack) == collecting[0]:
                    self._declare_binding(tok, collecting[1], funcs)
                elif self.v(i - 1) not in _DECLARE and self.assigns_at(i + 1):
                    self.bare.append((tok, tuple(funcs)))
                elif self.v(i - 1) in ("++", "--") and self.v(i + 1) not in (".", "?.", "["):
                    self.bare.append((tok, tuple(funcs)))
            if kind == "word" and after_dot and tok == "noConflict":
                self._hazard(i, tok)
            if kind == "word" and after_dot and (self.assigns_at(i + 1) or (self.v(i - 2) in ("++", "--") and self.v(i + 1) not in (".", "[", "?."))):
                self.props.add(tok)
                holder = self.v(i - 2) if self.kind(i - 2) == "word" and self.v(i - 3) not in (".", "?.") else ""
                self.on_object.append((holder, tok, tuple(funcs)))
            if kind in ("word", "string") and stack and stack[-1][0] == "}" and self.v(i - 1) in ("{", ",") and self.v(i + 1) in (":", ",", "}"):
                if len(stack) >= 2 and stack[-2][0] == ")" and self.v(stack[-2][2] - 1) in _MERGERS and (self.v(i + 1) == ":" or kind == "word"):
                    self.props.add(self.text[self.toks[i].content_start : self.toks[i].content_end])  # merged into another object
            elif kind == "string" and _IDENT_RE.fullmatch(self.text[self.toks[i].content_start : self.toks[i].content_end]):
                self.props.add(self.text[self.toks[i].content_start : self.toks[i].content_end])  # may be a computed key
            if kind == "word" and self.v(i + 1) == "[":
                self.indexed.add(tok)
            if kind == "word" and self.v(i + 1) in (".", "?.") and self.kind(i + 2) == "word" and self.v(i + 3) == "(":
                if self.v(i + 2) not in ("call", "apply", "bind"):  # fn.apply(...) invokes a callback named fn
                    self.calls_on.add(tok)
            if kind == "word" and after_dot and self._chain_ends_in_call(i):
                self.calls_on.add(tok)  # $.fn.select2(...), $.fn.select2.amd.require(...): a call through it
            if kind == "word" and after_dot and self.v(i + 1) not in (".", "?.", "[", "(") and not self.assigns_at(i + 1):
                self.escapes.add(tok)
            if kind == "punct" and tok == "=>" and self.v(i + 1) == "{":
                if self.kind(i - 1) == "word":
                    pending = ({self.v(i - 1)}, i + 1)
                elif self.v(i - 1) == ")":
                    open_ = self._matching_open(i - 1)
                    if open_ is not None:
                        pending = (self._params(open_)[0], i + 1)
            if kind == "punct" and tok == "=" and self.assigns_at(i) and self.v(i - 1) in ("]", "}"):
                self._destructuring(i - 1, funcs)
            if collecting is not None and tok == ";" and len(stack) == collecting[0]:
                collecting = None
            if kind != "punct":
                continue
            if tok in _OPEN:
                frame = -1
                if tok == "{" and pending is not None and pending[1] == i:
                    frame = i
                    self.params[frame] = set(pending[0])
                    self.vars[frame] = set()
                    funcs.append(frame)
                    pending = None
                stack.append((_OPEN[tok], frame, i))
            elif tok in (")", "]", "}") and stack:
                _, frame, _ = stack.pop()
                if frame >= 0 and funcs and funcs[-1] == frame:
                    funcs.pop()
                if collecting is not None and len(stack) < collecting[0]:
                    collecting = None

    def _chain_ends_in_call(self, i: int) -> bool:
        """Is the member chain that goes on from the word at ``i`` (``.a.b``) called at its end?"""
        j = i + 1
        while self.v(j) in (".", "?.") and self.kind(j + 1) == "word":
            j += 2
        return self.v(j) == "(" and not (j == i + 3 and self.v(i + 2) in ("call", "apply", "bind"))

    def _hazard(self, i: int, tok: str) -> None:
        if self.dynamic is not None:
            return
        if tok == "noConflict":
            self.dynamic = f"calls noConflict (line {self.line(i)}): it gives the global names back to an earlier copy"
        elif tok in ("eval", "Function") and self.v(i + 1) == "(":
            self.dynamic = f"calls {tok}(...) (line {self.line(i)})"
        elif tok == "with" and self.v(i + 1) == "(":
            self.dynamic = f"uses a with statement (line {self.line(i)})"
        elif tok == "document" and self.v(i + 1) in (".", "?.") and self.v(i + 2) in ("write", "writeln"):
            self.dynamic = f"calls document.{self.v(i + 2)} (line {self.line(i)})"

    def _matching_open(self, close: int) -> int | None:
        depth = 0
        for j in range(close, -1, -1):
            if self.kind(j) != "punct":
                continue
            if self.v(j) in (")", "]", "}"):
                depth += 1
            elif self.v(j) in _OPEN:
                depth -= 1
                if depth == 0:
                    return j if self.v(j) == "(" else None
        return None

    def _params(self, open_: int) -> tuple[set[str], int]:
        """Simple parameter names between the "(" at ``open_`` and its ")" (destructured ones are left
        out), and the index right after the ")": where the body's "{" must be."""
        names: set[str] = set()
        depth = 0
        for j in range(open_, len(self.vals)):
            tok = self.v(j)
            if self.kind(j) == "punct" and tok in _OPEN:
                depth += 1
            elif self.kind(j) == "punct" and tok in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return names, j + 1
            elif depth == 1 and self.kind(j) == "word" and self.v(j - 1) in ("(", ",", "...") and self.v(j + 1) in (",", ")", "="):
                names.add(tok)
        return names, -1

    def _declare(self, name: str, funcs: list[int]) -> None:
        (self.vars[funcs[-1]] if funcs else self.top).add(name)

    def _declare_binding(self, name: str, is_var: bool, funcs: list[int]) -> None:
        if is_var or not funcs:  # let/const in a function: block-scoped, not declared function-wide (conservative)
            self._declare(name, funcs)

    def _destructuring(self, close: int, funcs: list[int]) -> None:
        """``[a, b] = ...`` or ``({a, b} = ...)``: every name in the pattern may be assigned; ``x[i] = ...`` is a member write."""
        want = "[" if self.v(close) == "]" else "{"
        depth = 0
        for j in range(close, -1, -1):
            tok = self.v(j)
            if self.kind(j) == "punct" and tok in (")", "]", "}"):
                depth += 1
            elif self.kind(j) == "punct" and tok in _OPEN:
                depth -= 1
                if depth == 0:
                    if tok != want:
                        return
                    if want == "[" and (self.kind(j - 1) in ("word", "string") or self.v(j - 1) in (")", "]")):
                        return  # x[i] = ..., f()[i] = ...: a computed member write
                    for k in range(j + 1, close):
                        if self.kind(k) == "word" and self.v(k - 1) not in (".", "?."):
                            self.bare.append((self.v(k), tuple(funcs)))
                    return

    def _local(self, name: str, frames: tuple[int, ...]) -> str:
        """Where ``name`` is declared: "param", "var" (by an enclosing function) or "" (a global)."""
        for f in reversed(frames):
            if name in self.params.get(f, ()):
                return "param"
            if name in self.vars.get(f, ()):
                return "var"
        return ""

    def global_writes(self) -> set[str]:
        out = set(self.top)
        out.update(name for name, frames in self.bare if not self._local(name, frames))
        for holder, name, frames in self.on_object:
            if holder in _GLOBAL_OBJECTS or (holder == "this" and not frames):
                out.add(name)
            elif holder and holder != "this" and self._local(holder, frames) != "var":
                # a parameter (a UMD wrapper's `root`), a top-level variable or an unknown global may hold the global object
                out.add(name)
            elif not holder:
                out.add(name)  # a longer chain (a.b.NAME = ...): what a.b is, is not read
        return out
