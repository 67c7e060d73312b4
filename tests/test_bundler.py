"""The bundler: joining CSS/JS must not change meaning (design decision 4); output is deterministic."""

from __future__ import annotations

import ast
import json
import posixpath
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import rjsmin

import assetopt.bundler as bundler
import assetopt.text.css_expand as css_expand
import assetopt.text.css_join as css_join
import assetopt.text.css_minify as css_minify
import assetopt.text.css_rebase as css_rebase
import assetopt.text.joined as joined
import assetopt.text.js_join as js_join
import assetopt.text.js_lexer as jslex
from assetopt.bundler import (
    Chunk,
    Joined,
    Source,
    join_css,
    join_js,
    js_literal_contents,
    minify_css,
    minify_js,
    rebase_css_urls,
)
from assetopt.errors import AssetoptError, BundleError, BundleWarning
from assetopt.text.js_lexer import js_strictness, js_tokens, strip_js_source_map

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")
SITE = Path(rjsmin.__file__).parent  # site-packages: real libraries (jQuery, Select2, Django admin)
NESTED_TEMPLATE = 'var m = `x.${b ? ` Use "${b}" now.` : ""}`;'


def run_in_node(scripts: list[str] | tuple[str, ...], expression: str) -> object:
    """Run each script as its own classic <script> in one global context; return ``expression``'s value."""
    program = (
        "const vm = require('vm'); const job = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "for (const s of job.scripts) vm.runInThisContext(s);"
        "process.stdout.write(JSON.stringify(vm.runInThisContext(job.expression)));"
    )
    done = subprocess.run(
        [str(NODE), "-e", program],
        input=json.dumps({"scripts": list(scripts), "expression": expression}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout)


# ------------------------------------------------------------------------------------- url rebasing

FA = "vendor/fontawesome/css/all.css"


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        pytest.param("a{b:url(../webfonts/fa.woff2)}", "a{b:url(../vendor/fontawesome/webfonts/fa.woff2)}", id="unquoted"),
        pytest.param('a{b:url("../webfonts/fa.woff2")}', 'a{b:url("../vendor/fontawesome/webfonts/fa.woff2")}', id="double_quoted"),
        pytest.param("a{b:url('img/x.png')}", "a{b:url('../vendor/fontawesome/css/img/x.png')}", id="single_quoted"),
        pytest.param("a{b:url( x.png )}", "a{b:url( ../vendor/fontawesome/css/x.png )}", id="spaces_kept"),
        pytest.param("a{b:URL(x.png)}", "a{b:URL(../vendor/fontawesome/css/x.png)}", id="upper_case"),
        pytest.param("a{src:url(../webfonts/fa.eot?#iefix)}", "a{src:url(../vendor/fontawesome/webfonts/fa.eot?#iefix)}", id="iefix"),
        pytest.param("a{src:url('../webfonts/a.woff2?v=6')}", "a{src:url('../vendor/fontawesome/webfonts/a.woff2?v=6')}", id="query"),
        pytest.param("a{b:url(sprite.svg#icon)}", "a{b:url(../vendor/fontawesome/css/sprite.svg#icon)}", id="fragment"),
        pytest.param("a{b:url(data:image/png;base64,AAA=)}", "a{b:url(data:image/png;base64,AAA=)}", id="data_uri"),
        pytest.param('a{b:url("data:image/svg+xml,<svg/>")}', 'a{b:url("data:image/svg+xml,<svg/>")}', id="data_quoted"),
        pytest.param("a{filter:url(#blur)}", "a{filter:url(#blur)}", id="fragment_only"),
        pytest.param("a{b:url(/static/x.png)}", "a{b:url(/static/x.png)}", id="absolute"),
        pytest.param("a{b:url(//cdn.example.com/x.png)}", "a{b:url(//cdn.example.com/x.png)}", id="protocol_relative"),
        pytest.param("a{b:url(http://x.org/a.png)}", "a{b:url(http://x.org/a.png)}", id="http"),
        pytest.param("a{b:url('https://x.org/a.png')}", "a{b:url('https://x.org/a.png')}", id="https"),
        pytest.param("/* url(a.png) */a{}", "/* url(a.png) */a{}", id="comment_untouched"),
        pytest.param('a{content:"url(a.png)"}', 'a{content:"url(a.png)"}', id="string_untouched"),
        pytest.param('@import "base.css";', '@import "../vendor/fontawesome/css/base.css";', id="import_string"),
        pytest.param(
            'a{b:image-set("a.png" 1x, url(b.png) 2x)}',
            'a{b:image-set("../vendor/fontawesome/css/a.png" 1x, url(../vendor/fontawesome/css/b.png) 2x)}',
            id="image_set",
        ),
    ],
)
def test_rebase_css_urls(css: str, expected: str) -> None:
    assert rebase_css_urls(css, FA, "bundles/x.css") == expected


REBASE_CASES = [
    (FA, "../webfonts/fa.woff2", "bundles/x.css"),
    (FA, "./x.png", "bundles/x.css"),
    (FA, "../../../up.png", "bundles/x.css"),  # escapes the static root: still the same place
    ("a.css", "img/x.png", "bundles/deep/x.css"),
    ("css/a.css", "x.png", "css/bundle.css"),  # same folder
    ("css/a.css", "../img/x.png", "all.css"),  # bundle at the root
    ("css/pages/a.css", "../../img/x.png", "css/b/c.css"),
    ("css/a.css", "fonts/", "b/x.css"),
]


@pytest.mark.parametrize(("src", "url", "bundle"), REBASE_CASES)
def test_rebased_url_names_the_same_file_as_the_original(src: str, url: str, bundle: str) -> None:
    out = rebase_css_urls(f"a{{b:url({url}?v=1)}}", src, bundle)
    rebased = re.fullmatch(r"a\{b:url\((.*)\?v=1\)\}", out).group(1)  # type: ignore[union-attr]
    # The oracle: posixpath resolution of each URL against its own stylesheet's folder.
    original = posixpath.normpath(posixpath.join(posixpath.dirname(src), url))
    assert posixpath.normpath(posixpath.join(posixpath.dirname(bundle), rebased)) == original
    assert "\\" not in out
    assert rebased.endswith("/") == url.endswith("/")


def test_bundler_never_uses_os_path() -> None:
    for module in (bundler, joined, css_minify, css_rebase, css_expand, css_join, js_join, jslex):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not {"os", "os.path", "ntpath", "pathlib"} & imported


# ------------------------------------------------------------------------------------------ minify


def test_minify_css_keeps_licence_comments_and_drops_others() -> None:
    css = "/*! Bootstrap | MIT */\n/* plain */\na { color : red ; }\n/*# sourceMappingURL=a.css.map */\n"
    assert minify_css(css) == "/*! Bootstrap | MIT */a{color:red}"


def test_minify_css_keeps_spaces_in_quoted_urls_that_rcssmin_would_strip() -> None:
    import rcssmin

    assert rcssmin.cssmin('a{b:url("my font.woff")}') == 'a{b:url("myfont.woff")}'  # the rcssmin behaviour
    assert minify_css('a{b:url( "my font.woff" )}') == 'a{b:url("my%20font.woff")}'
    svg = "a{b:url(\"data:image/svg+xml,%3csvg viewBox='0 0 16 16'%3e%3c/svg%3e\")}"
    assert minify_css(svg) == svg  # rcssmin keeps these spaces itself
    assert minify_css('a{content:"x  y"}') == 'a{content:"x  y"}'


@pytest.mark.parametrize(
    "css",
    [
        pytest.param('a{b:URL( "my font.woff" )}', id="upper_case_url"),
        pytest.param("a{b:url('my font.woff')}", id="single_quotes"),
        pytest.param('a{b:url("x\\" y.png")}', id="space_after_an_escaped_quote"),
        pytest.param('/* url( */ a{b:url("my font.woff")}', id="after_a_comment_holding_url"),
        pytest.param("a{content:\"url('x y')\"}", id="in_a_string_left_alone"),
        pytest.param('/* url("x y") */a{b:c}', id="in_a_comment_left_alone"),
        pytest.param('a{b:url("data:image/png;base64,iVBO RK5C")}', id="base64_spaces_rcssmin_drops"),
        pytest.param('a{b:url("a.png"),url("b c.png")}', id="second_of_two"),
        pytest.param('a{b:url("b c.png"}', id="unclosed_url"),
    ],
)
def test_minify_css_skips_the_url_token_pass_only_when_it_would_change_nothing(css: str) -> None:
    # Oracle: the token pass run unconditionally, as before the skip existed.
    import rcssmin

    assert minify_css(css) == rcssmin.cssmin(css_minify._encode_url_spaces(css), keep_bang_comments=True)


def test_minify_css_equals_the_unconditional_url_token_pass_on_every_stylesheet_we_have() -> None:
    import rcssmin

    roots = [Path(__file__).resolve().parents[1] / "static_src", SITE / "django" / "contrib" / "admin" / "static"]
    sheets = [p for root in roots for p in sorted(root.rglob("*.css"))]
    assert len(sheets) > 30
    for sheet in sheets:
        css = sheet.read_text("utf-8", errors="replace")
        assert minify_css(css) == rcssmin.cssmin(css_minify._encode_url_spaces(css), keep_bang_comments=True), sheet


# ---------------------------------------------------------------------------------------- join_css


def test_join_css_separates_sources_with_newline_and_rebases_each_from_its_folder() -> None:
    sources = [Source("css/a.css", "a{b:url(i/a.png)}"), Source("vendor/x/x.css", ".x{b:url(../img/x.png)}")]
    joined = join_css(sources, "bundles/site.css", minify=False)
    assert joined == Joined((Chunk("a{b:url(../css/i/a.png)}\n.x{b:url(../vendor/img/x.png)}", ("css/a.css", "vendor/x/x.css")),), ())
    minified = join_css(sources, "bundles/site.css")
    assert minified.chunks[0].text == "a{b:url(../css/i/a.png)}.x{b:url(../vendor/img/x.png)}"


def test_join_css_strips_boms_and_says_utf8_once_at_the_start() -> None:
    sources = [
        Source("a.css", "\ufeff.a{}"),
        Source("b.css", '\ufeff@charset "utf-8";\n.b{}'),
        Source("c.css", '@charset "UTF-8";\n.c{}\n@charset "x";'),
    ]
    joined = join_css(sources, "all.css", minify=False)
    assert joined.chunks[0].text == '@charset "UTF-8";\n.a{}\n\n.b{}\n\n.c{}\n'
    assert joined.warnings == ()


def test_join_css_never_hoists_a_foreign_charset_over_files_decoded_by_their_own() -> None:
    """Each file was decoded by its own @charset (decode_css): the bundle is UTF-8 and says so."""
    sources = [Source("a.css", '@charset "utf-8";a{}'), Source("b.css", '@charset "windows-1256";b{}')]
    assert join_css(sources, "all.css") == Joined((Chunk('@charset "UTF-8";a{}b{}', ("a.css", "b.css")),), ())
    sources = [Source("b.css", '@charset "iso-8859-1";b{}'), Source("a.css", "a{content:'\u0645\u0631\u062d\u0628\u0627'}")]
    assert join_css(sources, "all.css").chunks[0].text.startswith('@charset "UTF-8";b{}')


@pytest.mark.parametrize(
    ("data", "text"),
    [
        pytest.param(
            '@charset "windows-1256";a{content:"\u0645\u0631\u062d\u0628\u0627"}'.encode("cp1256"),
            '@charset "windows-1256";a{content:"\u0645\u0631\u062d\u0628\u0627"}',
            id="windows_1256",
        ),
        pytest.param(
            b'@charset "iso-8859-1";a{content:"caf\xe9 \x80"}',
            '@charset "iso-8859-1";a{content:"caf\xe9 \u20ac"}',
            id="latin1_label_is_windows_1252_as_in_browsers",
        ),
        pytest.param(
            b'\xef\xbb\xbf@charset "iso-8859-1";a{content:"\xc3\xa9"}', '@charset "iso-8859-1";a{content:"\xe9"}', id="bom_wins_over_charset"
        ),
        pytest.param('a{content:"\xe9"}'.encode("utf-16-le").join([b"\xff\xfe", b""]), 'a{content:"\xe9"}', id="utf16_bom"),
        pytest.param(b'@charset "utf-16";a{content:"\xc3\xa9"}', '@charset "utf-16";a{content:"\xe9"}', id="utf16_label_means_utf8"),
        pytest.param(b'@charset "no-such";a{content:"\xc3\xa9"}', '@charset "no-such";a{content:"\xe9"}', id="unknown_label_ignored"),
        pytest.param(
            b"@charset 'windows-1256';a{content:\"\xc3\xa9\"}", "@charset 'windows-1256';a{content:\"\xe9\"}", id="not_byte_exact_is_no_charset"
        ),
    ],
)
def test_decode_css_reads_each_file_as_the_browser_does(data: bytes, text: str) -> None:
    from assetopt.text.css import decode_css

    assert decode_css(data) == text


def test_join_css_inlines_local_imports_recursively_rebasing_each_from_its_own_folder() -> None:
    files = {
        "css/parts/base.css": '@import url("../../fonts/fonts.css");\n.base{b:url(bg.png)}',
        "fonts/fonts.css": "@font-face{src:url(f.woff2)}",
    }
    sources = [Source("css/site.css", '@import "parts/base.css";\n.site{b:url(../img/s.png)}')]
    joined = join_css(sources, "bundles/site.css", minify=False, read=files.get)
    assert joined.chunks == (
        Chunk(
            "@font-face{src:url(../fonts/f.woff2)}\n.base{b:url(../css/parts/bg.png)}\n.site{b:url(../img/s.png)}",
            ("css/site.css",),
        ),
    )


def test_join_css_wraps_an_import_with_media_in_a_media_block() -> None:
    files = {"css/print.css": "/* p */\nbody{color:black}"}
    sources = [Source("css/a.css", '@import "print.css" print and (min-width: 10cm);\na{}')]
    joined = join_css(sources, "b.css", read=files.get)
    assert joined.chunks[0].text == "@media print and (min-width:10cm){body{color:black}}a{}"


def test_join_css_ignores_imports_inside_comments_and_blocks() -> None:
    css = '/* @import "x.css"; */\n@media screen{@import "y.css";}\na{}'
    joined = join_css([Source("a.css", css)], "a.css", minify=False, read=lambda p: pytest.fail(p))
    assert joined.chunks[0].text == css


def test_join_css_missing_local_import_is_an_error_naming_file_line_and_path() -> None:
    with pytest.raises(BundleError) as info:
        join_css([Source("css/a.css", '\n@import "x.css";')], "b.css", read=lambda p: None)
    assert (info.value.path, info.value.lineno) == ("css/a.css", 2)
    assert "css/x.css" in str(info.value)
    assert isinstance(info.value, AssetoptError)


def test_join_css_import_cycle_is_an_error() -> None:
    files = {"css/a.css": '@import "b.css";', "css/b.css": '\n\n@import "./a.css";'}
    with pytest.raises(BundleError) as info:
        join_css([Source("css/a.css", files["css/a.css"])], "x.css", read=files.get)
    assert (info.value.path, info.value.lineno) == ("css/b.css", 3)
    assert str(info.value) == ("css/b.css:3: @import cycle: css/a.css -> css/b.css -> css/a.css (remove one of these @imports)")


def test_external_import_after_a_rule_starts_a_new_chunk() -> None:
    sources = [
        Source("css/a.css", ".a{}"),
        Source("css/b.css", "/*! B */\n@import url(https://fonts.example/css?family=X);\n.b{}"),
        Source("css/c.css", ".c{}"),
    ]
    joined = join_css(sources, "bundles/x.css")
    assert joined.chunks == (
        Chunk(".a{}", ("css/a.css",)),
        Chunk("/*! B */@import url(https://fonts.example/css?family=X);.b{}.c{}", ("css/b.css", "css/c.css")),
    )


def test_external_import_at_the_top_of_the_bundle_stays_in_one_chunk() -> None:
    sources = [Source("a.css", '@import "//cdn.example/x.css";\n.a{}'), Source("b.css", ".b{}")]
    joined = join_css(sources, "x.css")
    assert joined.chunks == (Chunk('@import "//cdn.example/x.css";.a{}.b{}', ("a.css", "b.css")),)


def test_external_import_inside_an_inlined_file_splits_where_it_lands() -> None:
    files = {"one.css": ".one{}", "two.css": "@import url(http://x.org/f.css);\n.two{}"}
    joined = join_css([Source("main.css", '@import "one.css";\n@import "two.css";\n.main{}')], "x.css", read=files.get)
    assert joined.chunks == (
        Chunk(".one{}", ("main.css",)),
        Chunk("@import url(http://x.org/f.css);.two{}.main{}", ("main.css",)),
    )


def test_import_after_a_rule_was_ignored_by_browsers_so_it_is_removed_with_a_warning() -> None:
    joined = join_css([Source("a.css", 'a{}\n@import "b.css";\nc{}')], "x.css", read=lambda p: "b{}")
    assert joined.chunks == (Chunk("a{}c{}", ("a.css",)),)
    assert joined.warnings == (BundleWarning("a.css", 2, "@import after a rule is ignored by browsers: removed"),)


def test_import_with_layer_is_kept_as_an_import_not_inlined() -> None:
    joined = join_css([Source("css/a.css", '@import "b.css" layer(base);\na{}')], "x/all.css", read=lambda p: "b{}")
    assert joined.chunks == (Chunk('@import "../css/b.css" layer(base);a{}', ("css/a.css",)),)
    assert joined.warnings == (BundleWarning("css/a.css", 1, "@import of css/b.css kept as an @import: layer() and supports() are not inlined"),)


def test_a_stylesheet_with_namespace_gets_its_own_chunk() -> None:
    sources = [Source("a.css", "a{}"), Source("svg.css", "@namespace svg url(http://www.w3.org/2000/svg);svg|a{}"), Source("c.css", "c{}")]
    joined = join_css(sources, "x.css")
    assert [c.sources for c in joined.chunks] == [("a.css",), ("svg.css",), ("c.css",)]


def test_external_import_inside_a_media_wrapped_import_keeps_that_import() -> None:
    files = {"css/fonts.css": "@import url(https://fonts.example/x.css);\n.f{}"}
    joined = join_css([Source("css/a.css", '@import "fonts.css" screen;\na{}')], "b/all.css", read=files.get)
    assert joined.chunks == (Chunk('@import "../css/fonts.css" screen;a{}', ("css/a.css",)),)
    assert joined.warnings == (BundleWarning("css/a.css", 1, "@import of css/fonts.css kept as an @import: its own @imports cannot sit in @media"),)


@pytest.mark.parametrize(
    ("css", "closed", "tail"),
    [
        pytest.param("a{b:c", "a{b:c}", "'}'", id="block"),
        pytest.param("a{}/* open", "a{}/* open*/", "'*/'", id="comment"),
        pytest.param("a{}/*/", "a{}/*/*/", "'*/'", id="comment_slash"),
        pytest.param('a{content:"x', 'a{content:"x"}', "'\"}'", id="string_and_block"),
        pytest.param("@media print{a{b:url(x", "@media print{a{b:url(x)}}", "')}}'", id="nested"),
    ],
)
def test_what_end_of_file_closed_is_closed_before_the_next_file(css: str, closed: str, tail: str) -> None:
    joined = join_css([Source("a.css", css), Source("b.css", "b{}")], "x.css", minify=False)
    assert joined.chunks[0].text == closed + "\nb{}"
    message = f"unclosed at end of file: closed with {tail}, as the browser does, so the next file stays apart"
    assert joined.warnings == (BundleWarning("a.css", 1, message),)


_BAD_STRING = "unterminated string (a newline ends it, and the browser drops its declaration): closed at the line end so minifying cannot join it to what follows; close the quote"


@pytest.mark.parametrize(
    ("css", "minified", "lines"),
    [
        pytest.param('a.x { content: "oops;\n color: red }\n', 'a.x{content:"oops;"!bad-string color:red}', [1], id="double_quote_in_a_declaration"),
        pytest.param("a{content:'it\\'s\n}\n", "a{content:'it\\'s'!bad-string}", [1], id="single_quote_after_an_escape"),
        pytest.param(
            'a[title="x\n] {color:red}\nb{c:"d\n}', 'a[title="x"!bad-string]{color:red}b{c:"d"!bad-string}', [1, 3], id="selector_and_second_line"
        ),
        pytest.param('a{content:"two \\\nlines"}', 'a{content:"two lines"}', [], id="escaped_newline_is_no_end"),
    ],
)
def test_a_string_a_newline_ends_never_swallows_the_next_file_once_minified(css: str, minified: str, lines: list[int]) -> None:
    joined = join_css([Source("css/a.css", css), Source("css/b.css", "p.b{color:blue}\n")], "x.css")
    assert joined.chunks[0].text == minified + "p.b{color:blue}"
    assert joined.warnings == tuple(BundleWarning("css/a.css", n, _BAD_STRING) for n in lines)


def test_a_statement_cut_short_by_the_end_of_file_gets_its_semicolon() -> None:
    sources = [Source("a.css", "@import url(http://x.org/a.css) screen"), Source("b.css", "@layer base"), Source("c.css", "c{}")]
    joined = join_css(sources, "x.css", minify=False)
    assert joined == Joined((Chunk("@import url(http://x.org/a.css) screen;\n@layer base;\nc{}", ("a.css", "b.css", "c.css")),), ())


def test_css_source_map_comments_are_stripped_but_strings_kept() -> None:
    css = '/*# sourceMappingURL=a.css.map */\na{content:"/*# sourceMappingURL=x */"}\n/*@ sourceMappingURL=b.map */'
    joined = join_css([Source("a.css", css)], "a.css", minify=False)
    assert joined.chunks[0].text == '\na{content:"/*# sourceMappingURL=x */"}\n'


def test_join_css_empty_inputs() -> None:
    assert join_css([], "x.css") == Joined((), ())
    assert join_css([Source("a.css", "")], "x.css") == Joined((Chunk("", ("a.css",)),), ())
    assert join_css([Source("a.css", ""), Source("b.css", "b{}")], "x.css").chunks == (Chunk("b{}", ("a.css", "b.css")),)


def test_join_css_of_font_awesome_rebases_every_url_to_the_same_file() -> None:
    path = SITE / "xstatic/pkg/font_awesome/data/css/all.css"
    if not path.exists():
        pytest.skip("xstatic-font-awesome is not installed")
    text = path.read_text(encoding="utf-8")
    joined = join_css([Source(FA, text)], "bundles/site.css")
    (chunk,) = joined.chunks
    before = re.findall(r"url\(([^)]*)\)", text)
    after = re.findall(r"url\(([^)]*)\)", chunk.text)
    assert len(before) == len(after) > 10
    for old, new in zip(before, after):
        old, new = old.strip("\"'"), new.strip("\"'")
        assert posixpath.normpath(posixpath.join("bundles", new)) == posixpath.normpath(posixpath.join(posixpath.dirname(FA), old))
    assert chunk.text.startswith("/*!")
    assert join_css([Source(FA, text)], "bundles/site.css") == joined  # deterministic


# ------------------------------------------------------------------------------------------ JS lexer


@pytest.mark.parametrize(
    ("js", "expected"),
    [
        pytest.param(NESTED_TEMPLATE, ["x.", ' Use "', '" now.', "", ""], id="nested_template"),
        pytest.param("a / b / c", [], id="division"),
        pytest.param('x = /re"gex/g; y = "q"', ['/re"gex/g', "q"], id="regex_with_quote"),
        pytest.param('"x // not a comment"', ["x // not a comment"], id="comment_in_string"),
        pytest.param("// 'not a string'\n/* \"nor\" */ 'a\\'b'", ["a\\'b"], id="quotes_in_comments"),
        pytest.param("f(a) / 2 / f(b)", [], id="division_after_paren"),
        pytest.param("return /a b/.test(s)", ["/a b/"], id="regex_after_return"),
        pytest.param("x.return / 2 / y", [], id="property_named_return"),
        pytest.param("i++ / 2 / j", [], id="division_after_postfix"),
        pytest.param("`a${ {b: `c`}.b }d`", ["a", "c", "d"], id="braces_inside_substitution"),
        pytest.param("x = /[/]'/", ["/[/]'/"], id="slash_in_class"),
        pytest.param("'unterminated\nx = 'ok'", ["unterminated", "ok"], id="string_ends_at_newline"),
    ],
)
def test_js_literal_contents(js: str, expected: list[str]) -> None:
    assert js_literal_contents(js) == expected


@pytest.mark.parametrize("js", ["", NESTED_TEMPLATE, "a/b/c //x\n/* y", "`open ${ x", "'open", "/re", "x = `a${"])
def test_js_tokens_tile_the_text(js: str) -> None:
    tokens = list(js_tokens(js))
    assert "".join(js[t.start : t.end] for t in tokens) == js
    assert all(a.end == b.start for a, b in zip(tokens, tokens[1:]))


@pytest.mark.parametrize(
    ("js", "strict"),
    [
        pytest.param('"use strict";\nvar a;', True, id="double"),
        pytest.param("'use strict'", True, id="single_no_semicolon"),
        pytest.param('/*! lic */\n// c\n"use asm";\n"use strict"\nfoo()', True, id="after_comments_and_directive"),
        pytest.param('var a; "use strict";', False, id="not_in_prologue"),
        pytest.param('"use strict" + x;', False, id="expression_not_directive"),
        pytest.param('"use strict"\n(foo)', False, id="call_no_asi"),
        pytest.param('"use strict"\n!function(){}()', True, id="asi_before_bang"),
        pytest.param('"use strict"\n`x`', False, id="tagged_template_no_asi"),
        pytest.param('(function(){ "use strict"; })()', False, id="function_level_only"),
        pytest.param('"use\\x20strict";', False, id="escaped_is_not_directive"),
        pytest.param("var a = 1;", False, id="sloppy"),
        pytest.param("/* only a comment */\n", None, id="no_code"),
        pytest.param("", None, id="empty"),
    ],
)
def test_js_strictness(js: str, strict: bool | None) -> None:
    assert js_strictness(js) is strict


def test_strip_js_source_map_only_removes_whole_line_comments() -> None:
    js = 'a()\n//# sourceMappingURL=a.js.map\nb = "\\\n//# sourceMappingURL=in-string"\nc = `\n//# sourceMappingURL=t`\n  //@ sourceMappingURL=old.map\r\nd() //# sourceMappingURL=q\n'
    assert strip_js_source_map(js) == ('a()\nb = "\\\n//# sourceMappingURL=in-string"\nc = `\n//# sourceMappingURL=t`\nd() //# sourceMappingURL=q\n')


# ----------------------------------------------------------------------------------------- minify_js


def test_rjsmin_really_damages_nested_template_literals() -> None:
    assert rjsmin.jsmin(NESTED_TEMPLATE, keep_bang_comments=True) == 'var m=`x.${b ? `Use"${b}"now.` : ""}`;'


def test_minify_js_with_rjsmin_only_ships_a_damaged_file_unminified_with_a_warning() -> None:
    js = "/*! lic */\nvar a = 1;\n" + NESTED_TEMPLATE + "\n//# sourceMappingURL=m.js.map\n"
    text, warning = minify_js(js, "js/m.js", "rjsmin")
    assert text == "/*! lic */\nvar a = 1;\n" + NESTED_TEMPLATE + "\n"
    assert warning == BundleWarning("js/m.js", 3, "rjsmin changed the contents of a template literal: shipped unminified")


_CODE_CHANGED = "rjsmin changed the code here (not only spaces and comments): shipped unminified"


@pytest.mark.parametrize(
    ("js", "lineno"),
    [
        # legal in classic scripts: rjsmin joins it onto the line before, where "-->" is "--" then ">"
        pytest.param("var a = 1;\n--> an HTML-like comment\nvar b = 2;\n", 2, id="html_close_comment_at_line_start"),
        pytest.param("var a = 1;\n  /* x */ --> after a one-line comment\nvar b = 2;\n", 2, id="html_close_comment_after_block_comment"),
        # rjsmin drops the space: "var\\u0061b" is one name, "varab"
        pytest.param("var \\u0061b = 1;\nvar c = ab + 1;\n", 1, id="identifier_with_unicode_escape"),
    ],
)
def test_minify_js_with_rjsmin_only_ships_what_rjsmin_breaks_outside_literals_unminified(js: str, lineno: int) -> None:
    assert rjsmin.jsmin(js) != js  # rjsmin does change it (the damage is real, see ids)
    assert minify_js(js, "js/legacy.js", "rjsmin") == (js, BundleWarning("js/legacy.js", lineno, _CODE_CHANGED))


@pytest.mark.parametrize(
    "js",
    [
        pytest.param("x = a\n-->b\n", id="html_close_comment_kept_at_line_start"),
        pytest.param("var a = 1; <!-- to the end of the line\nvar b = a-->0;\n", id="html_open_comment_and_decrement_compare"),
        pytest.param("for (var i = 3; i-->0;) f(i)\n", id="decrement_then_greater"),
    ],
)
def test_minify_js_keeps_minifying_what_rjsmin_leaves_intact(js: str) -> None:
    text, warning = minify_js(js, "a.js")
    assert warning is None and len(text) < len(js)


@pytest.mark.parametrize(
    ("js", "expected"),
    [
        pytest.param("var a = 'a  b';", "var a='a  b';", id="spaces_in_string"),
        pytest.param('var s = "x // not a comment";', 'var s="x // not a comment";', id="comment_in_string"),
        pytest.param('var r = /re"gex/g;', 'var r=/re"gex/g;', id="regex_with_quote"),
        pytest.param("x = a / b / c;", "x=a/b/c;", id="division"),
        pytest.param("var t = `a  ${ x }  b`;", "var t=`a  ${ x }  b`;", id="flat_template"),
        pytest.param("/*! keep */\n/* drop */\nfoo( 1 );\n//# sourceMappingURL=x.map", "/*! keep */foo(1);", id="licence"),
    ],
)
def test_minify_js_when_minification_is_safe(js: str, expected: str) -> None:
    assert minify_js(js, "a.js") == (expected, None)


REAL_JS = [
    "xstatic/pkg/jquery/data/jquery.js",
    "xstatic/pkg/select2/data/select2.full.js",
    "django/contrib/admin/static/admin/js/vendor/xregexp/xregexp.js",
    "django/contrib/admin/static/admin/js/admin/RelatedObjectLookups.js",
    "django/contrib/admin/static/admin/js/actions.js",
]


@pytest.mark.parametrize("name", REAL_JS, ids=[n.rsplit("/", 1)[1] for n in REAL_JS])
def test_minify_js_on_real_libraries_reports_no_damage_and_still_parses(name: str, tmp_path: Path) -> None:
    path = SITE / name
    if not path.exists():
        pytest.skip(f"{name} is not installed")
    text, warning = minify_js(path.read_text(encoding="utf-8"), name)
    assert warning is None
    assert len(text) < path.stat().st_size
    if NODE:
        (tmp_path / "m.js").write_text(text, encoding="utf-8")
        subprocess.run([NODE, "--check", str(tmp_path / "m.js")], check=True, capture_output=True, timeout=60)


# ------------------------------------------------------------------------------------------ join_js


def test_join_js_keeps_a_call_after_a_trailing_line_comment_separate() -> None:
    sources = [Source("a.js", "foo() // c"), Source("b.js", "(function(){ x = 1 })()")]
    joined = join_js(sources)
    assert joined == Joined((Chunk("foo()\n;\n(function(){x=1})()", ("a.js", "b.js")),), ())
    assert join_js(sources, minify=False).chunks[0].text == "foo() // c\n;\n(function(){ x = 1 })()"
    if NODE:
        setup = "var calls = []; function foo() { calls.push('foo'); }"
        for chunk_text in (joined.chunks[0].text, join_js(sources, minify=False).chunks[0].text):
            assert run_in_node([setup, chunk_text], "[calls, x]") == [["foo"], 1]
        with pytest.raises(RuntimeError, match="TypeError"):  # the django-compressor way: ";" after the comment
            run_in_node([setup, "foo() // c;\n(function(){ x = 1 })()"], "x")


@pytest.mark.parametrize(
    ("texts", "groups"),
    [
        pytest.param(["var a;", "var b;"], [["0", "1"]], id="sloppy_sloppy"),
        pytest.param(['"use strict"; var a;', "'use strict'; var b;"], [["0", "1"]], id="strict_strict"),
        pytest.param(["var a;", '"use strict"; var b;', "var c;"], [["0"], ["1"], ["2"]], id="sloppy_strict_sloppy"),
        pytest.param(['"use strict";', "/* no code */", '"use strict";'], [["0", "1", "2"]], id="no_code_joins_any_run"),
        pytest.param(["// no code", '"use strict";'], [["0"], ["1"]], id="no_code_first_is_sloppy"),
    ],
)
def test_join_js_chunks_are_runs_of_the_same_strictness(texts: list[str], groups: list[list[str]]) -> None:
    joined = join_js([Source(str(i), t) for i, t in enumerate(texts)])
    assert [list(c.sources) for c in joined.chunks] == groups


@needs_node
def test_sloppy_file_still_runs_after_a_strict_one_when_bundled() -> None:
    strict = Source("strict.js", '"use strict";\nvar s = 1;')
    sloppy = Source("sloppy.js", "with (Math) { y = floor(2.5); }\nimplicitGlobal = 7;")
    joined = join_js([strict, sloppy])
    assert [c.text for c in joined.chunks] == ['"use strict";var s=1;', "with(Math){y=floor(2.5);}\nimplicitGlobal=7;"]
    assert run_in_node([c.text for c in joined.chunks], "[s, y, implicitGlobal]") == [1, 2, 7]
    with pytest.raises(RuntimeError, match="SyntaxError"):  # what one chunk would have done
        run_in_node(["\n;\n".join(c.text for c in joined.chunks)], "y")


def test_join_js_with_rjsmin_only_reports_damage_and_ships_that_file_unminified() -> None:
    joined = join_js([Source("a.js", "var a = 1;"), Source("t.js", NESTED_TEMPLATE)], js_minifier="rjsmin")
    assert joined.chunks == (Chunk("var a=1;\n;\n" + NESTED_TEMPLATE, ("a.js", "t.js")),)
    assert [w.path for w in joined.warnings] == ["t.js"]


def test_join_js_strips_boms_and_source_maps_when_not_minifying() -> None:
    joined = join_js([Source("a.js", "\ufeffa()\n//# sourceMappingURL=a.map\n")], minify=False)
    assert joined.chunks == (Chunk("a()\n", ("a.js",)),)


def test_join_js_empty_inputs_and_determinism() -> None:
    assert join_js([]) == Joined((), ())
    assert join_js([Source("a.js", "")]) == Joined((Chunk("", ("a.js",)),), ())
    sources = [Source("a.js", "var a = 1 // x"), Source("b.js", '"use strict"; b()'), Source("c.js", NESTED_TEMPLATE)]
    assert join_js(sources) == join_js(list(sources))
