"""SVG minification (``svgmin.minify_svg``) on real SVG files, checked three ways: the output parses,
an independent ElementTree oracle finds the same rendering tree, and Chromium draws the same pixels.
Plus the build's static copy (``minify_static``) and every refusal, with its reason.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import django
import pytest
from browser_support import needs_chromium

from assetopt.build import BuildOptions, build
from assetopt.text.svg import minify_svg

REPO = Path(__file__).resolve().parent.parent
SVG = "http://www.w3.org/2000/svg"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
EDITOR = ("{http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd}", "{http://www.inkscape.org/namespaces/inkscape}")
PRESERVE = {"text", "tspan", "textPath", "style", "script", "title", "desc", "foreignObject"}

# Real files: the example's, Django admin's (installed with Django), and Inkscape-written icons of the
# Adwaita theme when the machine has them (editor metadata, namespaced attributes, indentation).
EXAMPLE = sorted((REPO / "static_src" / "img").rglob("*.svg"))
DJANGO_ADMIN = sorted((Path(django.__file__).parent / "contrib/admin/static/admin/img").glob("*.svg"))
ADWAITA = Path("/usr/share/icons/Adwaita/scalable/legacy")
INKSCAPE = sorted(p for p in ADWAITA.glob("*.svg") if b"sodipodi" in p.read_bytes())[:6] if ADWAITA.is_dir() else []
REAL = EXAMPLE + DJANGO_ADMIN + INKSCAPE


def _ids(paths: list[Path]) -> list[str]:
    """Where each file comes from and its name: the example and Django admin both have a search.svg."""
    origin = {**{p: "example" for p in EXAMPLE}, **{p: "admin" for p in DJANGO_ADMIN}, **{p: "adwaita" for p in INKSCAPE}}
    return [f"{origin.get(p, p.parent.name)}/{p.name}" for p in paths]


# --- the oracle: the tree a renderer sees, computed independently with ElementTree -------------------


def rendered_tree(data: bytes) -> tuple:
    """(tag, attributes, children and text runs) with what minification may remove already removed: comments
    (ElementTree drops them), <metadata>, editor-namespace elements and attributes, and whitespace-only
    text outside text-like elements and xml:space="preserve"."""
    root = ET.fromstring(data)

    def walk(el: ET.Element, preserve: bool) -> tuple | None:
        tag = el.tag
        if tag.startswith(EDITOR) or tag == f"{{{SVG}}}metadata":
            return None
        ns, local = tag[1:].split("}") if tag.startswith("{") else ("", tag)
        space = el.get(XML_SPACE)
        keep_ws = (preserve if space is None else space == "preserve") or ns != SVG or local in PRESERVE
        attrs = tuple(sorted((k, v) for k, v in el.attrib.items() if not k.startswith(EDITOR)))
        kids: list = []

        def add_text(text: str) -> None:  # text next to a removed element joins the text before it
            text = text if keep_ws or text.strip() else ""
            if kids and isinstance(kids[-1], str):
                kids[-1] += text
            elif text:
                kids.append(text)

        add_text(el.text or "")
        for child in el:
            sub = walk(child, keep_ws)
            if sub is not None:
                kids.append(sub)
            add_text(child.tail or "")
        return (tag, attrs, tuple(k for k in kids if k != ""))

    return walk(root, False)  # type: ignore[return-value]


@pytest.mark.parametrize("path", REAL, ids=_ids(REAL))
def test_real_svg_keeps_its_rendering_tree_and_parses(path: Path):
    source = path.read_bytes()
    result = minify_svg(source)
    assert not result.refused, result.reason
    if result.changed:
        assert len(result.data) < 0.95 * len(source)
    else:
        assert result.data == source and "95 %" in result.reason
    assert rendered_tree(result.data) == rendered_tree(source)
    assert minify_svg(result.data).data == result.data  # nothing left to take: a second pass changes nothing


def test_inkscape_files_lose_editor_metadata_and_indentation():
    if not INKSCAPE:
        pytest.skip("no Inkscape-written SVGs on this machine (Adwaita icon theme)")
    for path in INKSCAPE:
        out = minify_svg(path.read_bytes())
        assert out.changed, (path, out.reason)
        for gone in (b"sodipodi", b"inkscape:", b"<metadata", b"<rdf:RDF", b"\n  "):
            assert gone not in out.data, (path, gone)


def test_logo_of_the_example_shrinks_and_keeps_title_ids_and_path_data():
    source = (REPO / "static_src/img/logo.svg").read_bytes()
    out = minify_svg(source)
    assert out.changed
    assert b"<title>Nakheel ERP</title>" in out.data
    for d in (b'd="M31 56c1-10 1.5-19 1-28h2.5c.8 9 .7 18-.5 28z"', b'cx="35.5" cy="30.5"'):
        assert d in out.data


# --- cases, table-driven ------------------------------------------------------------------------------

NS = 'xmlns="http://www.w3.org/2000/svg"'


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<svg {NS}>\n  <rect width="1"/>\n</svg>\n',
            f'<svg {NS}><rect width="1"/></svg>',
            id="utf8_declaration_and_indentation_go",
        ),
        pytest.param(
            f'<?xml version="1.0"?>\n<svg {NS}>\n  <rect width="1"/>\n</svg>\n',
            f'<svg {NS}><rect width="1"/></svg>',
            id="declaration_without_encoding_is_utf8",
        ),
        pytest.param(
            f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<svg {NS}>\n  <rect width="1"/>\n\n</svg>\n',
            f'<?xml version="1.0" encoding="ISO-8859-1"?><svg {NS}><rect width="1"/></svg>',
            id="latin1_declaration_stays",
        ),
        pytest.param(
            f"<svg {NS}><!-- editor note --><!--! (c) ACME, MIT licence --><rect width='1'/>   </svg>",
            f"<svg {NS}><!--! (c) ACME, MIT licence --><rect width='1'/></svg>",
            id="licence_comment_stays",
        ),
        pytest.param(
            f'<svg {NS}>\n  <text x="1">  two  spaces <tspan> kept </tspan> </text>\n</svg>',
            f'<svg {NS}><text x="1">  two  spaces <tspan> kept </tspan> </text></svg>',
            id="text_whitespace_untouched",
        ),
        pytest.param(
            f"<svg {NS}>\n  <style>\n  rect {{ fill: red }}\n  </style>\n  <title> A  title </title>\n</svg>",
            f"<svg {NS}><style>\n  rect {{ fill: red }}\n  </style><title> A  title </title></svg>",
            id="style_and_title_untouched",
        ),
        pytest.param(
            f'<svg {NS}>\n<g xml:space="preserve">\n  <rect/>\n</g>\n</svg>',
            f'<svg {NS}><g xml:space="preserve">\n  <rect/>\n</g></svg>',
            id="xml_space_preserve_untouched",
        ),
        pytest.param(
            f"<svg {NS}>\n<script><![CDATA[\n if (a < b) {{}}\n]]></script>\n</svg>",
            f"<svg {NS}><script><![CDATA[\n if (a < b) {{}}\n]]></script></svg>",
            id="cdata_script_untouched",
        ),
        pytest.param(
            f'<svg {NS} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"\n     id="svg1">\n  <g inkscape:label="Layer 1"\n     inkscape:groupmode="layer" id="layer1"><path d="m 0,0 1.50,2e-3"/></g>\n</svg>',
            f'<svg {NS} id="svg1"><g id="layer1"><path d="m 0,0 1.50,2e-3"/></g></svg>',
            id="editor_attributes_and_their_declaration_go",
        ),
        pytest.param(
            f'<svg {NS} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"><use href="#kept"/><inkscape:clip id="kept"><rect/></inkscape:clip><metadata id="m"><x/></metadata></svg>',
            f'<svg {NS} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"><use href="#kept"/><inkscape:clip id="kept"><rect/></inkscape:clip></svg>',
            id="a_referenced_element_stays",
        ),
        pytest.param(
            f'<svg {NS} aria-labelledby="meta"><metadata id="meta">Sales chart</metadata><rect/><metadata id="x">editor junk</metadata></svg>',
            f'<svg {NS} aria-labelledby="meta"><metadata id="meta">Sales chart</metadata><rect/></svg>',
            id="aria_labelledby_target_stays",
        ),
        pytest.param(
            f'<svg {NS}><metadata>\n <g id="inner"/>\n</metadata><use href="#inner"/><metadata><x/></metadata></svg>',
            f'<svg {NS}><metadata>\n <g id="inner"/>\n</metadata><use href="#inner"/></svg>',
            id="a_referenced_descendant_keeps_its_branch_whole",
        ),
        pytest.param(
            f'<svg {NS}><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><b>a</b> <i>b</i></div></foreignObject>\n</svg>',
            f'<svg {NS}><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><b>a</b> <i>b</i></div></foreignObject></svg>',
            id="html_in_foreignobject_untouched",
        ),
    ],
)
def test_minify_cases(source: str, expected: str):
    # An editor comment before </svg> takes every case over the 5 % bar, so each shows its own cut.
    source = source.replace("</svg>", "\n  <!-- Generator: an editor, " + "x" * 200 + " -->\n</svg>")
    encoding = "latin-1" if "ISO-8859-1" in source else "utf-8"
    out = minify_svg(source.encode(encoding))
    assert out.changed, out.reason
    assert out.data.decode(encoding) == expected


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param(b'<!DOCTYPE svg [<!ENTITY big "lots">]><svg xmlns="http://www.w3.org/2000/svg">&big;</svg>', "DOCTYPE", id="entity_declaration"),
        pytest.param(
            b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg">\n  <rect/>\n</svg>',
            "DOCTYPE",
            id="public_doctype",
        ),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg"><g>\n  <rect/>\n</svg>', "not well-formed XML (mismatched tag at line 3", id="mismatched_tag"
        ),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"><x:rect/>\n  \n</svg>', "not well-formed XML (unbound prefix", id="unbound_prefix"),
        pytest.param(b"GIF89a not an svg at all", "not well-formed XML", id="not_xml"),
        pytest.param('<svg xmlns="http://www.w3.org/2000/svg">\n  <rect/>\n</svg>'.encode("utf-16"), "UTF-16", id="utf16"),
        pytest.param(
            b'<?xml version="1.0" encoding="Shift_JIS"?><svg xmlns="http://www.w3.org/2000/svg">\n  <rect/>\n</svg>',
            "encoding Shift_JIS",
            id="other_encoding",
        ),
    ],
)
def test_unsafe_or_broken_input_is_returned_unchanged_with_a_reason(source: bytes, reason: str):
    out = minify_svg(source)
    assert out.data == source and not out.changed and out.refused
    assert reason in out.reason, out.reason


def test_a_file_that_would_save_under_5_percent_is_left_as_it_is_without_a_warning():
    source = b'<svg xmlns="http://www.w3.org/2000/svg"><path d="' + b"M0 0L1 1" * 40 + b'"/> </svg>'
    out = minify_svg(source)
    assert (out.data, out.changed, out.refused) == (source, False, False)
    assert "95 %" in out.reason


# --- the build's static copy --------------------------------------------------------------------------

INKSCAPE_LIKE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!-- Created with Inkscape -->\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"\n'
    '   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="32" height="32"\n   sodipodi:docname="x.svg">\n'
    '  <sodipodi:namedview id="nv" pagecolor="#ffffff" inkscape:zoom="16"/>\n'
    '  <g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">\n'
    '    <rect style="fill:#0f766e" width="20" height="12" x="6" y="10" id="rect1"/>\n  </g>\n</svg>\n'
)


def test_build_minifies_svg_with_minify_static_and_warns_about_a_refused_one(make_project, tmp_path: Path):
    doctype = b'<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>'
    project = make_project(static={"img/ink.svg": INKSCAPE_LIKE, "img/doctype.svg": doctype}, minify_static=True)
    out = tmp_path / "out"
    result = build(project, BuildOptions(out=out))
    built = (out / "img/ink.svg").read_bytes()
    assert built == minify_svg(INKSCAPE_LIKE.encode()).data
    assert len(built) < 0.6 * len(INKSCAPE_LIKE)
    assert (tmp_path / "static/img/ink.svg").read_text() == INKSCAPE_LIKE  # the source is never touched
    assert (out / "img/doctype.svg").read_bytes() == doctype
    assert [(w.path, "DOCTYPE" in w.message) for w in result.warnings] == [("img/doctype.svg", True)]
    again = build(project, BuildOptions(out=out))
    assert again.copied == 0  # cached by content, nothing rewritten


def test_build_copies_svg_as_it_is_without_minify_static(make_project, tmp_path: Path):
    project = make_project(static={"img/ink.svg": INKSCAPE_LIKE})
    build(project, BuildOptions(out=tmp_path / "out"))
    assert (tmp_path / "out/img/ink.svg").read_text() == INKSCAPE_LIKE


# --- Chromium: the same pixels ------------------------------------------------------------------------


@needs_chromium
def test_chromium_draws_minified_svgs_pixel_for_pixel_like_the_originals(tmp_path: Path):
    from assetopt.browser.chromium import open_browser, serve
    from assetopt.images import screenshot_diff

    text_svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="220" height="60">\n  <!-- note -->\n'
        '  <text x="4" y="30" font-size="16" xml:space="preserve">a   b  <tspan fill="red"> c </tspan> d</text>\n'
        '  <text x="4" y="52" font-size="16">e <tspan>f</tspan> g</text>\n</svg>\n'
    )
    files = {p.name if p.parent.name != "icons" else f"icon-{p.name}": p.read_bytes() for p in REAL}
    files |= {"inkscape-like.svg": INKSCAPE_LIKE.encode(), "text.svg": text_svg.encode()}
    changed = 0
    for side in ("before", "after"):
        folder = tmp_path / side
        folder.mkdir()
        imgs = []
        for name, data in sorted(files.items()):
            out = minify_svg(data)
            changed += side == "after" and out.changed
            (folder / name).write_bytes(data if side == "before" else out.data)
            imgs.append(f'<img src="{name}" width="96" height="96" style="display:inline-block;background:#fff">')
        (folder / "index.html").write_text(
            '<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body style="margin:0">' + "".join(imgs) + "</body></html>"
        )
    assert changed >= 3 + len(INKSCAPE)  # at least logo, inkscape-like, text and the Inkscape icons really changed
    with open_browser() as chromium, serve({"/": tmp_path / "before"}) as before, serve({"/": tmp_path / "after"}) as after:
        mb = chromium.measure(before + "/index.html", screenshot=tmp_path / "before.png")
        ma = chromium.measure(after + "/index.html", screenshot=tmp_path / "after.png")
    assert not mb.failed and not ma.failed
    assert screenshot_diff(tmp_path / "before.png", tmp_path / "after.png", tmp_path / "diff.png", tolerance=0) == 0
