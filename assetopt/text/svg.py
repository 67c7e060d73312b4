"""Safe SVG minification: remove what no browser renders, splice the rest through byte for byte.

What goes: comments (not ``<!--! ... -->``, the licence convention of ``/*! */`` in CSS/JS), the XML
declaration when the document is UTF-8, ``<metadata>`` and every element or attribute in an editor
namespace (Sodipodi, Inkscape; RDF/Creative Commons/Dublin Core elements live in ``<metadata>``) with
the namespace declarations nothing uses any more, whitespace-only text between tags, and the
whitespace between a tag's attributes.

What never changes: attribute values (ids, path data, numbers, styles), text and whitespace inside
``<text>``, ``<tspan>``, ``<textPath>``, ``<style>``, ``<script>``, ``<title>``, ``<desc>``,
``<foreignObject>``, outside the SVG namespace or under ``xml:space="preserve"``; CDATA sections and
processing instructions. An element about to go whose id something refers to (``#id``,
``aria-labelledby``) stays. Nothing is re-serialized: the output is the input with spans cut out, so
a byte this module does not understand is a byte it does not touch.

Refused (the input returned unchanged, with the reason): a DOCTYPE (entities expand into anything),
anything expat cannot parse as namespace-well-formed XML, an encoding that is not ASCII-compatible,
and an output that saves under 5 % (``KEEP_RATIO``, like the rest of the build). Pure: bytes in,
bytes out; stdlib only, never rasterizes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.parsers import expat

from .compress import KEEP_RATIO

__all__ = ["SvgResult", "minify_svg", "KEEP_RATIO"]


SVG_NS = "http://www.w3.org/2000/svg"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_EDITOR_NS = frozenset(
    {
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.inkscape.org/namespaces/inkscape",
    }
)
# Namespaces whose declarations go once nothing left uses them (the metadata block's vocabularies).
_DROPPABLE_DECLS = _EDITOR_NS | {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
    "http://purl.org/dc/elements/1.1/",
}
# Whitespace inside these is content (rendered text, CSS, JS, accessible names, HTML); a <metadata>
# that stays (something refers to it, e.g. aria-labelledby) is read as text too.
_PRESERVE = frozenset({"text", "tspan", "textPath", "style", "script", "title", "desc", "foreignObject", "metadata"})
_ASCII_COMPATIBLE = re.compile(r"(utf-?8|us-ascii|ascii|iso-8859-\d+|latin-?1|windows-125\d)", re.IGNORECASE)
_WS = frozenset(b" \t\r\n")
_NAME_RE = re.compile(rb"<([^\s/>]+)")
_ATTR_RE = re.compile(rb"\s*([^\s=/>]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
_IDREF_ATTRS = (b"aria-labelledby", b"aria-describedby")


@dataclass(frozen=True, slots=True)
class SvgResult:
    """``data`` is the minified file when ``changed``, else the input. ``reason`` says why not;
    ``refused`` marks a file that could not be minified safely (worth a warning), as opposed to one
    that was simply not worth it."""

    data: bytes
    changed: bool
    reason: str = ""
    refused: bool = False


class _Refuse(Exception):
    pass


@dataclass
class _Open:
    preserve: bool  # whitespace inside is content
    drop_start: int | None  # the element goes: its first byte
    empty: bool  # written <x/>: no end tag


def minify_svg(data: bytes) -> SvgResult:
    """Minify an SVG file safely (see the module docstring), or return it unchanged with a reason."""
    try:
        cut = _minify(data)
    except _Refuse as exc:
        return SvgResult(data, False, str(exc), refused=True)
    except expat.ExpatError as exc:
        return SvgResult(data, False, f"not well-formed XML ({expat.ErrorString(exc.code)} at line {exc.lineno}, column {exc.offset})", refused=True)
    try:
        # The cut must leave well-formed XML; if not, it is our bug, not the file's.
        out = _drop_unused_declarations(cut)
        _parse_only(out)
    except (expat.ExpatError, _Refuse) as exc:
        return SvgResult(data, False, f"minified output did not parse ({exc}): left as it is", refused=True)
    if len(out) >= KEEP_RATIO * len(data):
        return SvgResult(data, False, f"minified {len(out)} bytes is not under 95 % of {len(data)}")
    return SvgResult(out, True)


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.namespace_prefixes = True
    parser.ordered_attributes = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(*_args: object) -> None:
        raise _Refuse("has a DOCTYPE (entities and DTDs can expand into anything): left as it is")

    def entity(*_args: object) -> None:
        raise _Refuse("declares entities: left as it is")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = lambda *_args: 0  # never fetch
    return parser


def _parse_only(data: bytes) -> None:
    _parser().Parse(data, True)


def _split(name: str) -> tuple[str, str]:
    """expat's ``"uri local prefix"`` (or ``"local"``) -> (uri, local)."""
    parts = name.split(" ")
    return (parts[0], parts[1]) if len(parts) >= 2 else ("", parts[0])


def _tag_end(data: bytes, start: int) -> int:
    """The index just after the ``>`` of the tag at ``start``, quotes respected."""
    quote = 0
    i = start
    n = len(data)
    while i < n:
        c = data[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):
            quote = c
        elif c == 0x3E:
            return i + 1
        i += 1
    raise _Refuse("unterminated tag")  # expat would have said so first


def _minify(data: bytes) -> bytes:
    if data.startswith((b"\xfe\xff", b"\xff\xfe")) or data[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00"):
        raise _Refuse("UTF-16/32 encoded: left as it is")
    return _Minifier(data).run()


class _Minifier:
    """One pass of expat over ``data``: each handler notes the byte ranges to cut or replace
    (``cuts``, in document order), which ``_apply`` splices into the original bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.parser = _parser()
        self.cuts: list[tuple[int, int, bytes]] = []  # (start, end, replacement), in document order
        self.stack: list[_Open] = []
        self.last = 0  # end of the previous markup: text runs are data[last:next markup]
        self.refs = _references(data)

    def run(self) -> bytes:
        parser = self.parser
        parser.XmlDeclHandler = self.xml_decl
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end_element
        parser.CommentHandler = self.comment
        parser.ProcessingInstructionHandler = self.pi
        parser.StartCdataSectionHandler = self.cdata_start
        parser.Parse(self.data, True)
        # The epilog's whitespace (after the root) is never content; the prolog's went in text_run.
        if self.last < len(self.data) and all(b in _WS for b in self.data[self.last :]):
            self.cuts.append((self.last, len(self.data), b""))
        return _apply(self.data, self.cuts)

    def dropping(self) -> bool:
        return any(o.drop_start is not None for o in self.stack)

    def text_run(self, at: int) -> None:
        """The text between the previous markup and the markup at ``at``: cut when it is only
        whitespace and not content (outside the root element it never is)."""
        run = self.data[self.last : at]
        if not run or any(b not in _WS for b in run) or self.dropping():
            return
        if self.stack and self.stack[-1].preserve:
            return
        self.cuts.append((self.last, at, b""))

    def xml_decl(self, version: str, encoding: str | None, _standalone: int) -> None:
        if encoding is not None and not _ASCII_COMPATIBLE.fullmatch(encoding):
            raise _Refuse(f"encoding {encoding}: left as it is")
        at = self.parser.CurrentByteIndex
        end = self.data.index(b"?>", at) + 2
        if version == "1.0" and (encoding is None or encoding.lower().replace("-", "") == "utf8"):
            self.cuts.append((at, end, b""))  # UTF-8 is XML's default: the declaration says nothing
        self.last = end

    def start(self, name: str, attrs: list[str]) -> None:
        at = self.parser.CurrentByteIndex
        self.text_run(at)
        end = _tag_end(self.data, at)
        self.last = end
        uri, local = _split(name)
        parent = self.stack[-1] if self.stack else None
        raw = self.data[at:end]
        space = _xml_space(attrs)
        preserve = (parent.preserve if parent else False) if space is None else space == "preserve"
        preserve = preserve or uri != SVG_NS or local in _PRESERVE
        ids = [v.encode("utf-8") for k, v in zip(attrs[::2], attrs[1::2]) if k == "id"]
        referred = any(i in self.refs for i in ids)
        if referred:
            for o in self.stack:
                o.drop_start = None  # something points into it: the whole branch stays
        goes = not self.dropping() and not referred and (uri in _EDITOR_NS or (uri == SVG_NS and local == "metadata"))
        self.stack.append(_Open(preserve, at if goes else None, raw.endswith(b"/>")))
        if self.dropping():
            return
        attr_uris = {k.split(" ")[2] + ":" + k.split(" ")[1]: k.split(" ")[0] for k in attrs[::2] if k.count(" ") == 2}
        new = _rewrite_start_tag(raw, attr_uris)
        if new != raw:
            self.cuts.append((at, end, new))

    def end_element(self, _name: str) -> None:
        at = self.parser.CurrentByteIndex
        el = self.stack.pop()
        if el.empty:
            end = at  # expat reports an empty element's end just after its start tag's "/>"
        else:
            self.stack.append(el)
            self.text_run(at)
            self.stack.pop()
            end = _tag_end(self.data, at)
        self.last = end
        if el.drop_start is not None and not self.dropping():
            while self.cuts and self.cuts[-1][0] >= el.drop_start:
                self.cuts.pop()  # anything cut inside it is folded into the one cut
            self.cuts.append((el.drop_start, end, b""))

    def comment(self, text: str) -> None:
        at = self.parser.CurrentByteIndex
        self.text_run(at)
        end = self.data.index(b"-->", at + 4) + 3
        self.last = end
        if text.startswith("!") or self.dropping() or (self.stack and self.stack[-1].preserve):
            return  # a licence comment, inside something that goes anyway, or inside content
        self.cuts.append((at, end, b""))

    def pi(self, _target: str, _data: str) -> None:
        at = self.parser.CurrentByteIndex
        self.text_run(at)
        self.last = self.data.index(b"?>", at) + 2

    def cdata_start(self) -> None:
        at = self.parser.CurrentByteIndex
        self.text_run(at)
        self.last = self.data.index(b"]]>", at) + 3


def _drop_unused_declarations(data: bytes) -> bytes:
    """Cut ``xmlns:p="uri"`` declarations of the metadata/editor vocabularies that no element or
    attribute of ``data`` (the minified document, re-parsed) is in any more."""
    parser = _parser()
    used: set[str] = set()
    tags: list[tuple[int, int]] = []

    def start(name: str, attrs: list[str]) -> None:
        at = parser.CurrentByteIndex
        tags.append((at, _tag_end(data, at)))
        used.add(_split(name)[0])
        used.update(_split(k)[0] for k in attrs[::2])

    parser.StartElementHandler = start
    parser.Parse(data, True)
    cuts = []
    for at, end in tags:
        for m in _ATTR_RE.finditer(data, at, end):
            if m.group(1).startswith(b"xmlns:") and m.group(2)[1:-1].decode("utf-8", "replace") in _DROPPABLE_DECLS - used:
                cuts.append((m.start(), m.end(), b""))
    return _apply(data, cuts)


def _xml_space(attrs: list[str]) -> str | None:
    for k, v in zip(attrs[::2], attrs[1::2]):
        if k.startswith(XML_NS + " space"):
            return v
    return None


def _rewrite_start_tag(raw: bytes, attr_uris: dict[str, str]) -> bytes:
    """The start tag with editor-namespace attributes gone and one space before each attribute
    (editors put a newline and an indent there). Values are copied byte for byte."""
    name = _NAME_RE.match(raw)
    assert name is not None
    pos = name.end()
    parts = [raw[:pos]]
    while (m := _ATTR_RE.match(raw, pos)) is not None:
        pos = m.end()
        if attr_uris.get(m.group(1).decode("utf-8", "replace")) in _EDITOR_NS:
            continue
        parts.append(b" " + m.group(1) + b"=" + m.group(2))
    tail = raw[pos:].strip()
    if tail not in (b">", b"/>"):
        return raw  # an attribute this scanner does not read: the tag is left exactly as written
    parts.append(tail)
    return b"".join(parts)


def _apply(data: bytes, cuts: list[tuple[int, int, bytes]]) -> bytes:
    out = []
    pos = 0
    for s, e, rep in sorted(cuts, key=lambda c: (c[0], c[1])):
        if s < pos:
            continue  # inside a larger cut already made
        out.append(data[pos:s])
        out.append(rep)
        pos = e
    out.append(data[pos:])
    return b"".join(out)


def _references(data: bytes) -> set[bytes]:
    """Ids something in the file may point at: ``#id`` anywhere, and aria-labelledby/-describedby."""
    refs = set(re.findall(rb"#([^\s\"'()<>;,]+)", data))
    for attr in _IDREF_ATTRS:
        for m in re.finditer(attr + rb"\s*=\s*(\"[^\"]*\"|'[^']*')", data):
            refs.update(m.group(1)[1:-1].split())
    return refs
