"""``assetopt build``: real templates and static files in temp dirs, a real output root and cache.

Covers design decisions 2 (bundle blocks found by scanning, every ``{% if %}`` variant built), 5
(content-addressed, deterministic, incremental) and 6 (precompression). Expected bytes come from the
sources and the minifier used as an oracle (``rcssmin``), never from earlier output.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import posixpath
import re
from pathlib import Path

import brotli
import pytest
import rcssmin
from click.testing import CliRunner

from assetopt.build import BuildOptions, BuildResult, build
from assetopt.build.manifest import MANIFEST_NAME, load_manifest
from assetopt.build.precompress import precompress_tree
from assetopt.cli import cli
from assetopt.config import load_config
from assetopt.errors import BuildError, BundleSpecError, ConfigError, ManifestError
from assetopt.io.cache import ContentCache
from assetopt.io.project import Project
from assetopt.templates.bundle_blocks import bundle_blocks
from assetopt.templates.model import parse_template
from assetopt.text.compress import KEEP_RATIO, compress

LOAD = "{% load static assetopt %}\n"


def rules(prefix: str, n: int = 60) -> str:
    """A stylesheet that compresses well (gzip and brotli keep their siblings) and minifies simply."""
    return "".join(f".{prefix}-{i} {{ margin: {i}px; color: red; }}\n" for i in range(n))


def css_block(*paths: str, media: str = "") -> str:
    m = f' media="{media}"' if media else ""
    links = "".join(f'<link rel="stylesheet" href="{{% static \'{p}\' %}}"{m}>\n' for p in paths)
    return LOAD + '{% bundle "css" %}\n' + links + "{% endbundle %}\n"


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative posix path -> bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in sorted(root.rglob("*")) if p.is_file()}


def bundle_files(result: BuildResult, sources: tuple[str, ...]) -> list[str]:
    """Names of the built files of the bundle whose ordered sources are ``sources``."""
    (entry,) = [b for b in result.manifest.bundles.values() if b.sources == sources]
    return [f.name for f in entry.files]


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


# ------------------------------------------------------------------------- what a bundle contains


def test_css_bundle_has_the_same_rules_in_the_same_order_as_its_files(make_project, out: Path):
    a = ".a { color: red; }\n@media print { .a { display: none; } }\n"
    b = "/* plain comment */\n.b > .c { margin: 0 auto; }\n"
    c = ".a { color: blue; }\n"  # same selector again: order decides the cascade
    project = make_project(
        templates={"page.html": css_block("css/a.css", "css/b.css", "css/c.css")},
        static={"css/a.css": a, "css/b.css": b, "css/c.css": c},
    )
    result = build(project, BuildOptions(out=out))
    (name,) = bundle_files(result, ("css/a.css", "css/b.css", "css/c.css"))
    expected = rcssmin.cssmin("\n".join([a, b, c]))
    assert (out / name).read_text("utf-8") == expected
    assert re.fullmatch(r"assetopt/page-[0-9a-f]{8}\.[0-9a-f]{12}\.css", name)
    assert name.split(".")[-2] == hashlib.sha256(expected.encode()).hexdigest()[:12]
    (entry,) = result.manifest.bundles.values()
    assert entry.files[0].integrity == sri(expected.encode())
    assert entry.files[0].size == len(expected.encode())
    assert entry.templates == [("page.html", 2)]


def test_js_bundle_joins_minified_files_with_a_semicolon_line(make_project, out: Path):
    project = make_project(
        templates={
            "page.html": LOAD
            + '{% bundle "js" %}\n'
            + "<script src=\"{% static 'js/a.js' %}\" defer></script>\n"
            + "<script src=\"{% static 'js/b.js' %}\" defer></script>\n"
            + "{% endbundle %}\n"
        },
        static={"js/a.js": "var a = 1; // trailing comment", "js/b.js": "(function () { window.b = a; })();\n"},
    )
    result = build(project, BuildOptions(out=out))
    (entry,) = result.manifest.bundles.values()
    assert (entry.kind, entry.semantics, entry.sources) == ("js", "defer", ("js/a.js", "js/b.js"))
    (name,) = [f.name for f in entry.files]
    assert (out / name).read_text() == "var a=1;\n;\n(function(){window.b=a;})();"


def test_url_in_a_vendor_stylesheet_resolves_to_a_file_in_the_output_dir(make_project, out: Path):
    font = b"wOF2\x00\x01fake-font-bytes"
    project = make_project(
        templates={"base.html": css_block("vendor/fa/css/all.css")},
        static={
            "vendor/fa/css/all.css": '@font-face { font-family: fa; src: url(../webfonts/x.woff2) format("woff2"); }\n',
            "vendor/fa/webfonts/x.woff2": font,
        },
    )
    result = build(project, BuildOptions(out=out))
    (name,) = bundle_files(result, ("vendor/fa/css/all.css",))
    assert name.startswith("assetopt/") and name.endswith(".css")
    (url,) = re.findall(r"url\(([^)]*)\)", (out / name).read_text())
    assert url == "../vendor/fa/webfonts/x.woff2"  # from assetopt/ up one, then down to the font
    target = posixpath.normpath(posixpath.join(posixpath.dirname(name), url))
    assert target == "vendor/fa/webfonts/x.woff2"
    assert (out / target).read_bytes() == font


def test_every_if_branch_of_a_block_is_built_rtl_and_ltr(make_project, out: Path):
    template = (
        LOAD
        + '{% bundle "css" %}\n'
        + '<link rel="stylesheet" href="{% static \'css/base.css\' %}">\n'
        + "<link rel=\"stylesheet\" href=\"{% if LANGUAGE_BIDI %}{% static 'css/b.rtl.css' %}{% else %}{% static 'css/b.css' %}{% endif %}\">\n"
        + "{% endbundle %}\n"
    )
    project = make_project(
        templates={"base.html": template},
        static={"css/base.css": "body { margin: 0; }\n", "css/b.rtl.css": ".x { margin-right: 1px; }\n", "css/b.css": ".x { margin-left: 1px; }\n"},
    )
    result = build(project, BuildOptions(out=out))
    assert sorted(b.sources for b in result.manifest.bundles.values()) == [("css/base.css", "css/b.css"), ("css/base.css", "css/b.rtl.css")]
    (rtl,) = bundle_files(result, ("css/base.css", "css/b.rtl.css"))
    (ltr,) = bundle_files(result, ("css/base.css", "css/b.css"))
    assert (out / rtl).read_text() == "body{margin:0}.x{margin-right:1px}"
    assert (out / ltr).read_text() == "body{margin:0}.x{margin-left:1px}"


def test_the_same_block_in_two_templates_is_built_once(make_project, out: Path):
    block = css_block("css/a.css")
    project = make_project(templates={"a.html": block, "b.html": "<p>\n" + block}, static={"css/a.css": ".a{color:red}"})
    result = build(project, BuildOptions(out=out))
    (entry,) = result.manifest.bundles.values()
    assert entry.templates == [("a.html", 2), ("b.html", 3)]
    assert [p for p in tree(out / "assetopt")] == [entry.files[0].name.removeprefix("assetopt/")]


# --------------------------------------------------------------------- deterministic, incremental


def two_bundle_project(make_project):
    return make_project(
        templates={"a.html": css_block("css/a.css"), "b.html": css_block("css/b.css")},
        static={"css/a.css": rules("a"), "css/b.css": rules("b"), "img/logo.png": b"\x89PNG\r\n\x1a\nnot-really"},
    )


def test_build_twice_gives_identical_bytes_and_the_second_writes_nothing(make_project, out: Path):
    project = two_bundle_project(make_project)
    first = build(project, BuildOptions(out=out))
    before, stamps = tree(out), mtimes(out)
    assert len(first.manifest.bundles) == 2 and first.cache_misses == 2 and first.cache_hits == 0
    second = build(project, BuildOptions(out=out))
    assert tree(out) == before
    assert mtimes(out) == stamps  # not even rewritten with the same bytes
    assert second.written == [] and second.removed == [] and second.copied == 0
    assert (second.cache_hits, second.cache_misses) == (2, 0)
    assert second.precompress.compressed == 0 and second.precompress.written == 0
    assert second.manifest.dumps() == first.manifest.dumps()


def test_build_is_reproducible_from_a_copy_in_another_folder_with_a_fresh_cache(make_project, tmp_path: Path, write_tree):
    project = two_bundle_project(make_project)
    build(project, BuildOptions(out=tmp_path / "one"))
    elsewhere = tmp_path / "elsewhere" / "checkout"
    write_tree(elsewhere, {f"templates/{k}": v for k, v in tree(tmp_path / "templates").items()})
    write_tree(elsewhere, {f"static/{k}": v for k, v in tree(tmp_path / "static").items()})
    config = load_config(elsewhere, {"templates": ("templates",), "static": ("static",)}, cwd=elsewhere)
    assert config.cache_dir == elsewhere / ".assetopt-cache"
    result = build(Project(config), BuildOptions(out=elsewhere / "out"))
    assert result.cache_hits == 0
    assert tree(elsewhere / "out") == tree(tmp_path / "one")


def test_changing_one_source_rewrites_only_its_bundle_and_removes_the_stale_one(make_project, out: Path, tmp_path: Path):
    project = two_bundle_project(make_project)
    first = build(project, BuildOptions(out=out))
    (old_a,) = bundle_files(first, ("css/a.css",))
    (b_name,) = bundle_files(first, ("css/b.css",))
    b_files = [b_name, b_name + ".gz", b_name + ".br", "css/b.css", "css/b.css.gz", "css/b.css.br"]
    b_before = {n: ((out / n).read_bytes(), (out / n).stat().st_mtime_ns) for n in b_files}
    assert {old_a + ".gz", old_a + ".br"} <= set(tree(out))

    new_a = rules("a", 61)
    (tmp_path / "static/css/a.css").write_text(new_a)
    second = build(make_project(), BuildOptions(out=out))

    (a_name,) = bundle_files(second, ("css/a.css",))
    expected = rcssmin.cssmin(new_a).encode()
    assert a_name != old_a and (out / a_name).read_bytes() == expected
    assert gzip.decompress((out / (a_name + ".gz")).read_bytes()) == expected
    assert brotli.decompress((out / (a_name + ".br")).read_bytes()) == expected
    assert second.written == [a_name, MANIFEST_NAME]
    assert second.removed == [old_a, old_a + ".br", old_a + ".gz"]
    assert second.copied == 1  # css/a.css
    assert second.precompress.compressed == 3  # the new bundle, the new copy of a.css, the manifest
    assert (second.cache_hits, second.cache_misses) == (1, 1)
    assert {n: ((out / n).read_bytes(), (out / n).stat().st_mtime_ns) for n in b_files} == b_before
    assert sorted(tree(out / "assetopt")) == sorted(
        n.removeprefix("assetopt/") for n in (a_name, a_name + ".gz", a_name + ".br", b_name, b_name + ".gz", b_name + ".br")
    )
    assert json.loads((out / MANIFEST_NAME).read_text()) == second.manifest.as_dict()


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "foreign"])
def test_a_corrupt_cache_entry_is_rebuilt_with_the_same_output(make_project, tmp_path: Path, damage: str):
    project = two_bundle_project(make_project)
    build(project, BuildOptions(out=tmp_path / "one"))
    cache_files = [p for p in sorted((tmp_path / ".assetopt-cache").rglob("*")) if p.is_file() and p.name != ".assetopt-lock"]
    steps = {p.relative_to(tmp_path / ".assetopt-cache").parts[0] for p in cache_files}
    assert steps == {"join-3", "expand-css-1", "precompress-1", "refs-outside-bundles-1"}
    for p in cache_files:
        data = p.read_bytes()
        if damage == "truncate":
            p.write_bytes(data[: len(data) // 2])
        elif damage == "flip":
            p.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
        elif damage == "empty":
            p.write_bytes(b"")
        else:  # a well-formed entry whose payload is not what this step stores
            payload = b"\x00not a payload"
            p.write_bytes(b"assetopt-cache-1\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    result = build(make_project(), BuildOptions(out=tmp_path / "two"))
    assert result.cache_hits == 0 and result.cache_misses == 2
    assert result.precompress.compressed == result.precompress.files
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    again = build(make_project(), BuildOptions(out=tmp_path / "three"))  # the entries were repaired
    assert again.cache_hits == 2 and again.precompress.compressed == 0
    assert tree(tmp_path / "three") == tree(tmp_path / "one")


def test_cache_rejects_entries_it_did_not_write(tmp_path: Path):
    cache = ContentCache(tmp_path)
    cache.put("step", "abcd", b"payload")
    assert cache.get("step", "abcd") == b"payload"
    entry = tmp_path / "step" / "ab" / "abcd"
    entry.write_bytes(entry.read_bytes().replace(b"payload", b"paylode"))
    assert cache.get("step", "abcd") is None
    assert ContentCache(None).get("step", "abcd") is None


# ---------------------------------------------------------------------------------- precompression


def test_precompressed_siblings_decompress_to_the_original_and_have_gzip_mtime_zero(make_project, out: Path):
    project = make_project(
        templates={"page.html": css_block("css/a.css")},
        static={
            "css/a.css": rules("a"),
            "js/app.js": "function f(x) { return x + 1; }\n" * 40,
            "tiny.css": "a{}",
            "img/i.png": rules("png").encode(),
        },
    )
    result = build(project, BuildOptions(out=out))
    (bundle,) = bundle_files(result, ("css/a.css",))
    for name in (bundle, "css/a.css", "js/app.js"):
        original = (out / name).read_bytes()
        gz = (out / (name + ".gz")).read_bytes()
        br = (out / (name + ".br")).read_bytes()
        assert gzip.decompress(gz) == original and brotli.decompress(br) == original
        assert gz[:4] == b"\x1f\x8b\x08\x00" and gz[4:8] == b"\x00\x00\x00\x00"  # no name, mtime 0
        assert len(gz) <= 0.95 * len(original) and len(br) <= 0.95 * len(original)
    files = set(tree(out))
    assert not {"tiny.css.gz", "tiny.css.br"} & files  # 3 bytes: compression only adds
    assert not {"img/i.png.gz", "img/i.png.br"} & files  # not a text type


def test_compress_keeps_a_sibling_only_at_most_95_percent_of_the_original():
    assert KEEP_RATIO == 0.95
    noise = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(64))  # incompressible
    assert compress(noise) == (None, None)
    assert compress(b"") == (None, None)
    text = b"body{margin:0}" * 100
    gz, br = compress(text)
    assert gz is not None and gzip.decompress(gz) == text
    assert br is not None and brotli.decompress(br) == text


def test_a_sibling_is_removed_when_the_file_no_longer_compresses(make_project, out: Path, tmp_path: Path):
    project = make_project(templates={"page.html": "<p>no bundles</p>"}, static={"site.css": rules("s")})
    build(project, BuildOptions(out=out))
    assert {"site.css.gz", "site.css.br"} <= set(tree(out))
    (tmp_path / "static/site.css").write_text("a{}")
    result = build(make_project(), BuildOptions(out=out))
    assert result.precompress.removed == 0  # already gone: a changed file loses its siblings when it is rewritten
    assert not {"site.css.gz", "site.css.br"} & set(tree(out))


def test_parallel_precompression_gives_the_same_bytes_as_serial(tmp_path: Path):
    names = [f"f{i}.js" for i in range(4)]
    for root in ("serial", "parallel"):
        for i, name in enumerate(names):
            (tmp_path / root).mkdir(exist_ok=True)
            (tmp_path / root / name).write_text("".join(f"var v{i}_{j} = {j} * {i};\n" for j in range(4000)))
    assert sum((tmp_path / "parallel" / n).stat().st_size for n in names) > 256 * 1024  # big enough for the pool
    serial = precompress_tree([tmp_path / "serial" / n for n in names], ContentCache(None), jobs=1)
    parallel = precompress_tree([tmp_path / "parallel" / n for n in names], ContentCache(None), jobs=2)
    assert serial.compressed == parallel.compressed == 4 and parallel.written == 8
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")


# ------------------------------------------------------------------- errors: refuse, write nothing


BAD_BLOCKS = [
    pytest.param(
        LOAD + '{% bundle "css" %}\n{% for p in paths %}\n<link rel="stylesheet" href="{% static p %}">\n{% endfor %}\n{% endbundle %}\n',
        3,
        "{% for %}",
        id="for_loop",
    ),
    pytest.param(
        LOAD + '{% bundle "css" %}\n\n<link rel="stylesheet" href="{% static path_var %}">\n{% endbundle %}\n',
        4,
        "path computed at run time",
        id="static_variable",
    ),
    pytest.param(
        LOAD + '{% bundle "css" %}\n<link rel="stylesheet" href="{{ x }}">\n{% endbundle %}\n', 3, "path computed at run time", id="variable_href"
    ),
    pytest.param(
        LOAD + '\n{% bundle "png" %}\n<link rel="stylesheet" href="{% static \'a.css\' %}">\n{% endbundle %}\n',
        3,
        'expected {% bundle "css" %}',
        id="bad_kind",
    ),
]


@pytest.mark.parametrize("source, lineno, message", BAD_BLOCKS)
def test_bundle_blocks_refuses_what_is_not_known_before_rendering(source: str, lineno: int, message: str):
    template = parse_template("bad.html", source, "templates/bad.html")
    with pytest.raises(BundleSpecError) as info:
        bundle_blocks(template, "/static/")
    assert (info.value.path, info.value.lineno) == ("templates/bad.html", lineno)
    assert message in str(info.value) and str(info.value).startswith(f"templates/bad.html:{lineno}: ")


@pytest.mark.parametrize("source, lineno, message", BAD_BLOCKS)
def test_build_refuses_a_bad_block_and_leaves_the_previous_output_untouched(make_project, out: Path, source: str, lineno: int, message: str):
    build(two_bundle_project(make_project), BuildOptions(out=out))
    before, stamps = tree(out), mtimes(out)
    project = make_project(templates={"bad.html": source}, static={"a.css": ".a{}"})
    with pytest.raises(BuildError) as info:
        build(project, BuildOptions(out=out))
    (error,) = info.value.errors
    assert (error.path, error.lineno) == ("templates/bad.html", lineno)
    assert f"templates/bad.html:{lineno}: " in str(info.value) and message in str(info.value)
    assert "nothing written" in str(info.value)
    assert tree(out) == before and mtimes(out) == stamps


@pytest.mark.parametrize(
    "static, message",
    [
        pytest.param({"css/a.css": ".a{}"}, "css/gone.css is not in the static dirs", id="missing"),
        pytest.param({"css/a.css": ".a{}", "css/gone.css": b".b{content:'\xe9'}"}, "css/gone.css is not UTF-8", id="not_utf8"),
    ],
)
def test_a_missing_or_undecodable_source_names_template_line_and_path(make_project, out: Path, static: dict, message: str):
    project = make_project(templates={"page.html": "<p>\n" + css_block("css/a.css", "css/gone.css")}, static=static)
    with pytest.raises(BuildError) as info:
        build(project, BuildOptions(out=out))
    (error,) = info.value.errors
    assert (error.path, error.lineno) == ("templates/page.html", 3)
    assert str(error).startswith(f"templates/page.html:3: {message}")
    assert not out.exists()


def test_an_undecodable_imported_stylesheet_is_a_build_error_not_a_crash(make_project, out: Path):
    project = make_project(
        templates={"page.html": css_block("css/a.css")},
        static={"css/a.css": '@import "parts/b.css";\n.a { color: red; }\n', "css/parts/b.css": b".b{content:'\xe9'}"},
    )
    with pytest.raises(BuildError) as info:
        build(project, BuildOptions(out=out))
    (error,) = info.value.errors
    text = str(error)
    assert "css/parts/b.css" in text and "not UTF-8" in text and "templates/page.html:2" in text
    assert not out.exists()


def test_a_missing_imported_stylesheet_names_the_importing_file_and_the_block(make_project, out: Path):
    project = make_project(templates={"page.html": css_block("css/a.css")}, static={"css/a.css": '/* x */\n@import "gone.css";\n.a{}\n'})
    with pytest.raises(BuildError) as info:
        build(project, BuildOptions(out=out))
    assert "css/a.css:2: @import of missing file css/gone.css (in the bundle at templates/page.html:2)" in str(info.value)


# ------------------------------------------------------------------------------------- manifest


def test_manifest_round_trips_and_is_sorted(make_project, out: Path):
    result = build(two_bundle_project(make_project), BuildOptions(out=out))
    text = (out / MANIFEST_NAME).read_text()
    data = json.loads(text)
    assert (data["schema"], data["version"], data["static_url"]) == ("assetopt.manifest", 1, "/static/")
    assert list(data["bundles"]) == sorted(data["bundles"])
    loaded = load_manifest(out / MANIFEST_NAME)
    assert loaded.dumps() == text == result.manifest.dumps()


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param("{not json", "unreadable manifest", id="malformed_json"),
        pytest.param(b"\xff\xfe", "unreadable manifest", id="not_utf8"),
        pytest.param("[" * 100_000, "unreadable manifest", id="nested_too_deep"),
        pytest.param('{"schema": "other", "version": 1, "bundles": {}}', "not an assetopt manifest", id="wrong_schema"),
        pytest.param('{"schema": "assetopt.manifest", "version": 2, "bundles": {}}', "manifest version 2", id="wrong_version"),
        pytest.param('{"schema": "assetopt.manifest", "version": 1}', "malformed manifest entry", id="no_bundles"),
        pytest.param(
            '{"schema": "assetopt.manifest", "version": 1, "bundles": {"k": {"kind": "css"}}}', "malformed manifest entry", id="missing_fields"
        ),
        pytest.param(
            '{"schema": "assetopt.manifest", "version": 1, "bundles": {"k": {"kind": "css", "semantics": "all", "sources": [], '
            '"files": [{"name": "a.css", "integrity": "md5-x", "sources": [], "size": 1}]}}}',
            "bad integrity",
            id="bad_integrity",
        ),
        pytest.param(
            '{"schema": "assetopt.manifest", "version": 1, "bundles": {"k": {"kind": "css", "semantics": "all", "sources": [], '
            '"files": [{"name": "a.css", "integrity": "sha384-x", "sources": [], "size": Infinity}]}}}',
            "malformed manifest entry",
            id="infinite_size",
        ),
    ],
)
def test_load_manifest_names_the_file_for_every_kind_of_damage(tmp_path: Path, text: str | bytes, message: str):
    path = tmp_path / MANIFEST_NAME
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ManifestError) as info:
        load_manifest(path)
    assert message in str(info.value) and str(path) in str(info.value)


# ------------------------------------------------------------------------------------------- CLI


def test_cli_build_prints_the_bundles_and_exits_0(tmp_path: Path, write_tree, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the cache dir defaults to ./.assetopt-cache
    write_tree(tmp_path, {"T/page.html": css_block("css/a.css", "css/b.css"), "S/css/a.css": ".a{color:red}", "S/css/b.css": ".b{color:blue}"})
    result = CliRunner().invoke(cli, ["build", "--templates", "T", "--static", "S", "--out", "O"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (name,) = [p.relative_to(tmp_path / "O").as_posix() for p in (tmp_path / "O/assetopt").glob("*.css")]
    assert (tmp_path / "O" / name).read_text() == ".a{color:red}.b{color:blue}"
    assert f"1 bundle(s) -> 1 file(s) in {tmp_path / 'O'}" in result.output
    assert f"  {name}  0.0 KB  <- 2 file(s) from page.html:2" in result.output
    assert (tmp_path / "O" / MANIFEST_NAME).is_file()


def test_cli_build_with_a_bad_block_exits_2_naming_file_and_line(tmp_path: Path, write_tree, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tree(
        tmp_path, {"T/page.html": LOAD + "\n" + '{% bundle "css" %}\n<link rel="stylesheet" href="{{ x }}">\n{% endbundle %}\n', "S/a.css": ""}
    )
    result = CliRunner().invoke(cli, ["build", "--templates", "T", "--static", "S", "--out", "O"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "T/page.html:4: cannot bundle <link>" in result.output
    assert not (tmp_path / "O").exists()


@pytest.mark.parametrize(
    ("written", "problem", "fix"),
    [
        pytest.param("css/../css/a.css", "is not normalised ('.', '..' or empty segments)", "write {% static 'css/a.css' %}", id="dot_dot"),
        pytest.param("./css/a.css", "is not normalised ('.', '..' or empty segments)", "write {% static 'css/a.css' %}", id="dot"),
        pytest.param("css//a.css", "is not normalised ('.', '..' or empty segments)", "write {% static 'css/a.css' %}", id="double_slash"),
        pytest.param("/css/a.css", "is absolute (a leading '/')", "write {% static 'css/a.css' %}", id="absolute"),
        pytest.param("css\\a.css", "is written with '\\' (collectstatic names files with '/')", "write {% static 'css/a.css' %}", id="backslash"),
        pytest.param(
            "css/../css/a.css?v=2#top", "is not normalised ('.', '..' or empty segments)", "write {% static 'css/a.css?v=2#top' %}", id="query_kept"
        ),
        pytest.param(
            "/static/css/a.css",
            "is absolute (a leading '/')",
            "write {% static 'css/a.css' %}: the path after STATIC_URL (/static/), which {% static %} adds itself",
            id="static_url_written_in",
        ),
        pytest.param("../a.css", "points outside the static dirs", "use a path inside a static dir, relative to it", id="outside"),
    ],
)
def test_cli_build_refuses_a_block_whose_static_path_collectstatic_never_names(
    tmp_path: Path, write_tree, monkeypatch, written: str, problem: str, fix: str
):
    """Bundled, such a block would work; its rollback (the original tags, with bundles off) is a 500
    under a manifest storage (test_django_bundle_paths.py shows Django raising). The build refuses it
    like any block it cannot build: exit 2, file:line, the path and the path to write; an earlier
    build's output is left exactly as it was."""
    monkeypatch.chdir(tmp_path)
    files = {"S/css/a.css": ".a{color:red}", "S/css/b.css": ".b{color:blue}", "a.css": "p{}"}
    write_tree(tmp_path, {"T/page.html": css_block("css/a.css", "css/b.css"), **files})
    args = ["build", "--templates", "T", "--static", "S", "--out", "O"]
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    before = tree(tmp_path / "O")
    write_tree(tmp_path, {"T/page.html": css_block("css/b.css", written)})
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert (
        f"T/page.html:4: {{% static '{written}' %}} {problem}: staticfiles.json has no such name, so the block's rollback"
        f" (its original tags, with bundles off) raises ValueError under a manifest storage, a server error ({fix})"
    ) in result.output
    assert "nothing written" in result.output
    assert tree(tmp_path / "O") == before


@pytest.mark.parametrize("written", [" css/a.css", "css/a.css ", " css/a.css?v=2"])
def test_cli_build_bundles_a_spaced_static_path_and_warns_with_the_path_to_write(tmp_path: Path, write_tree, monkeypatch, written: str):
    """Spaces around a path: the build and the {% bundle %} tag both drop them (a manifest storage does
    too, so the rollback works there), and the bundle is built; but the rollback under DEBUG or
    StaticFilesStorage keeps them in the URL (a 404), so the build says so, once, with file:line."""
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path, {"T/page.html": css_block("css/b.css", written), "S/css/a.css": ".a{color:red}", "S/css/b.css": ".b{color:blue}"})
    result = CliRunner().invoke(cli, ["build", "--templates", "T", "--static", "S", "--out", "O"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (name,) = [p for p in (tmp_path / "O/assetopt").glob("*.css")]
    assert name.read_text() == ".b{color:blue}.a{color:red}"
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: T/page.html:4: {{% static '{written}' %}} has spaces around its path: the bundle works (the build and the {{% bundle %}} tag"
        " drop them, as a manifest storage does), but the block's rollback (its original tags, with bundles off: the default under DEBUG)"
        f" keeps them in the URL under DEBUG on or StaticFilesStorage, a 404; write {{% static '{written.strip()}' %}}"
    ]


def test_an_unreadable_template_without_bundles_does_not_block_the_build(make_project):
    project = make_project(
        templates={
            "page.html": "{% load static assetopt %}{% bundle \"css\" %}<link rel='stylesheet' href=\"{% static 'a.css' %}\"><link rel='stylesheet' href=\"{% static 'b.css' %}\">{% endbundle %}",
            "legacy.html": b"<p>caf\xe9</p>",  # Latin-1, no bundle: Django cannot render it either
            "broken.html": "{% block a %}",  # unclosed, no bundle
        },
        static={"a.css": "a{color:red}", "b.css": "b{color:blue}"},
    )
    result = build(project, BuildOptions(out=project.config.project / "out"))
    assert len(result.manifest.bundles) == 1
    # Only templates holding a {% bundle %} tag are parsed: these two cannot matter to the build
    # (the audit and the rewrite report them, with file and line).
    assert [w.path for w in result.warnings] == []


def test_an_unreadable_template_with_a_bundle_fails_the_build(make_project):
    project = make_project(templates={"page.html": b'{% load assetopt %}{% bundle "css" %}\xe9{% endbundle %}'}, static={})
    with pytest.raises(BuildError, match="not UTF-8"):
        build(project, BuildOptions(out=project.config.project / "out"))


def test_minify_static_minifies_files_outside_bundles_in_place(make_project):
    project = make_project(
        templates={"page.html": "<html></html>"},
        static={
            "css/solo.css": "/* c */\nbody {\n  color : red ;\n}\n",
            "js/solo.js": "var  a = 1; // c\n",
            "js/lib.min.js": "var  keep = 1;\n",
            "img/x.png": b"\x89PNG",
        },
        minify_static=True,
    )
    out = project.config.project / "out"
    build(project, BuildOptions(out=out, precompress=False))
    assert (out / "css/solo.css").read_text() == "body{color:red}"
    assert (out / "js/solo.js").read_text() == "var a=1;"
    assert (out / "js/lib.min.js").read_text() == "var  keep = 1;\n"  # already minified: copied as is
    assert (out / "img/x.png").read_bytes() == b"\x89PNG"


def test_minify_static_with_rjsmin_only_ships_a_file_rjsmin_would_damage_unminified(make_project):
    damaged = 'var b = 1;\nvar m = `x.${b ? ` Use "${b}" now.` : ""}`;\n'
    project = make_project(templates={}, static={"js/t.js": damaged}, minify_static=True, js_minifier="rjsmin")
    out = project.config.project / "out"
    result = build(project, BuildOptions(out=out, precompress=False))
    assert (out / "js/t.js").read_text() == damaged
    assert [w.path for w in result.warnings] == ["js/t.js"]


def test_minify_static_ships_a_stylesheet_with_an_unterminated_string_unminified(make_project):
    broken = 'a.x { content: "oops;\n color: red }\np.b { color: blue }\n'
    project = make_project(templates={}, static={"css/t.css": broken}, minify_static=True)
    out = project.config.project / "out"
    result = build(project, BuildOptions(out=out, precompress=False))
    assert (out / "css/t.css").read_text() == broken  # minified, p.b would sit inside the string
    assert [(w.path, w.lineno) for w in result.warnings] == [("css/t.css", 1)]
    assert "unterminated string" in result.warnings[0].message


def test_bundles_declared_in_config_are_built_and_match_an_equal_block(tmp_path, write_tree):
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.assetopt]\ntemplates = ["t"]\nstatic = ["s"]\n'
            '[tool.assetopt.bundles.vendor]\nkind = "js"\nfiles = ["js/a.js", "js/b.js"]\ndefer = true\n'
            '[tool.assetopt.bundles.print]\nkind = "css"\nfiles = ["css/p.css"]\nmedia = "print"\n',
            "t/page.html": '{% load static assetopt %}{% bundle "js" %}<script src="{% static \'js/a.js\' %}" defer></script><script src="{% static \'js/b.js\' %}" defer></script>{% endbundle %}',
            "s/js/a.js": "var a = 1;\n",
            "s/js/b.js": "var b = 2;\n",
            "s/css/p.css": "body { color: black; }\n",
        },
    )
    result = build(Project(load_config(tmp_path)), BuildOptions(out=tmp_path / "out", precompress=False))
    by_sources = {b.sources: b for b in result.manifest.bundles.values()}
    assert set(by_sources) == {("js/a.js", "js/b.js"), ("css/p.css",)}
    js = by_sources[("js/a.js", "js/b.js")]
    assert js.semantics == "defer"
    # the template block and the declared bundle are the same key: built once, both listed
    assert sorted(t[0] for t in js.templates) == ["page.html", "vendor"]
    assert by_sources[("css/p.css",)].semantics == "print"
    assert (tmp_path / "out" / by_sources[("css/p.css",)].files[0].name).read_text() == "body{color:black}"


@pytest.mark.parametrize(
    "table, message",
    [
        pytest.param('[tool.assetopt.bundles.x]\nkind = "png"\nfiles = ["a"]\n', 'bundles.x.kind must be "css" or "js"', id="bad_kind"),
        pytest.param('[tool.assetopt.bundles.x]\nkind = "css"\nfiles = []\n', "non-empty list", id="no_files"),
        pytest.param('[tool.assetopt.bundles.x]\nkind = "css"\nfiles = ["a"]\ndefer = true\n', "defer is for js", id="defer_on_css"),
        pytest.param('[tool.assetopt.bundles.x]\nkind = "js"\nfiles = ["a"]\nsrc = 1\n', "unknown key(s) ['src']", id="unknown_key"),
    ],
)
def test_bad_declared_bundles_are_config_errors(tmp_path, table, message):
    (tmp_path / "pyproject.toml").write_text("[tool.assetopt]\n" + table)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert message in str(info.value)


def test_a_declared_bundle_with_a_missing_file_fails_the_build_naming_it(tmp_path, write_tree):
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.assetopt]\ntemplates = ["t"]\nstatic = ["s"]\n[tool.assetopt.bundles.v]\nkind = "js"\nfiles = ["js/gone.js"]\n',
            "t/x.html": "",
            "s/x.txt": "",
        },
    )
    with pytest.raises(BuildError, match=r"js/gone.js is not in the static dirs"):
        build(Project(load_config(tmp_path)), BuildOptions(out=tmp_path / "out"))


def test_a_bundle_with_a_local_import_is_cached_and_an_edited_import_invalidates_it(make_project):
    project = make_project(
        templates={
            "p.html": "{% load static assetopt %}{% bundle \"css\" %}<link rel='stylesheet' href=\"{% static 'a.css' %}\"><link rel='stylesheet' href=\"{% static 'c.css' %}\">{% endbundle %}"
        },
        static={"a.css": '@import url("b.css");\n.a{color:red}', "b.css": ".b{color:blue}", "c.css": ".c{x:y}"},
    )
    out = project.config.project / "out"
    first = build(project, BuildOptions(out=out, precompress=False))
    again = build(Project(project.config), BuildOptions(out=out, precompress=False))
    assert (first.cache_hits, again.cache_hits) == (0, 1)
    (project.config.static[0] / "b.css").write_text(".b{color:green}")
    edited = build(Project(project.config), BuildOptions(out=out, precompress=False))
    assert edited.cache_hits == 0
    assert edited.stylesheets_expanded == ["a.css"]  # its import changed; c.css comes from its own entry
    (entry,) = edited.manifest.bundles.values()
    assert "green" in (out / entry.files[0].name).read_text()


def test_changing_one_stylesheet_of_a_bundle_expands_only_it_and_gives_the_bytes_of_a_cold_build(make_project, tmp_path: Path):
    # Both variants (LTR and RTL) share two of their three files; the shared ones are expanded once.
    template = (
        LOAD
        + '{% bundle "css" %}\n'
        + "<link rel=\"stylesheet\" href=\"{% if LANGUAGE_BIDI %}{% static 'vendor/b.rtl.css' %}{% else %}{% static 'vendor/b.css' %}{% endif %}\">\n"
        + '<link rel="stylesheet" href="{% static \'css/cards.css\' %}">\n'
        + '<link rel="stylesheet" href="{% static \'css/fonts.css\' %}">\n'
        + "{% endbundle %}\n"
    )
    fonts = '@font-face { font-family: X; src: url( "../fonts/my font.woff2" ) format("woff2"); }\n'
    project = make_project(
        templates={"base.html": template},
        static={"vendor/b.css": rules("l"), "vendor/b.rtl.css": rules("r"), "css/cards.css": rules("card"), "css/fonts.css": fonts},
    )
    out = tmp_path / "out"
    first = build(project, BuildOptions(out=out))
    assert sorted(first.stylesheets_expanded) == ["css/cards.css", "css/fonts.css", "vendor/b.css", "vendor/b.rtl.css"]  # each once
    (project.config.static[0] / "css/cards.css").write_text(rules("card") + ".changed { color: #123456; }\n")
    second = build(Project(project.config), BuildOptions(out=out))
    assert second.stylesheets_expanded == ["css/cards.css"]
    assert (second.cache_hits, second.cache_misses) == (0, 2)
    # Oracle: the same sources built by a fresh copy of the project with an empty cache.
    cold = load_config(
        tmp_path, {"templates": (str(tmp_path / "templates"),), "static": (str(tmp_path / "static"),), "cache_dir": "cold-cache"}, cwd=tmp_path
    )
    fresh = build(Project(cold), BuildOptions(out=tmp_path / "cold"))
    assert len(fresh.stylesheets_expanded) == 4
    assert tree(out) == tree(tmp_path / "cold")
    ltr = (out / bundle_files(second, ("vendor/b.css", "css/cards.css", "css/fonts.css"))[0]).read_text()
    assert ltr.endswith('.changed{color:#123456}@font-face{font-family:X;src:url("../fonts/my%20font.woff2") format("woff2")}')


def test_source_maps_are_copied_but_not_precompressed(make_project):
    project = make_project(templates={}, static={"x.css.map": '{"version":3,"mappings":"' + "AAAA;" * 2000 + '"}'})
    out = project.config.project / "out"
    build(project, BuildOptions(out=out))
    assert (out / "x.css.map").is_file()
    assert not (out / "x.css.map.gz").exists() and not (out / "x.css.map.br").exists()


def test_sources_only_bundles_use_are_precompressed_fast_the_rest_best(make_project):
    css = "".join(f".c{i} {{ color: #{i:06x}; margin: {i}px; }}\n" for i in range(400))
    project = make_project(
        templates={
            "a.html": "{% load static assetopt %}{% bundle \"css\" %}<link rel='stylesheet' href=\"{% static 'only.css' %}\"><link rel='stylesheet' href=\"{% static 'both.css' %}\">{% endbundle %}",
            "b.html": "{% load static %}<link rel='stylesheet' href=\"{% static 'both.css' %}\">",
        },
        static={"only.css": css, "both.css": css.replace("c", "d")},
    )
    out = project.config.project / "out"
    build(project, BuildOptions(out=out))
    only, both = (out / "only.css").read_bytes(), (out / "both.css").read_bytes()
    assert (out / "only.css.br").read_bytes() == brotli.compress(only, quality=5)  # served only on rollback
    assert (out / "both.css.br").read_bytes() == brotli.compress(both, quality=11)  # b.html links it directly
    (bundle,) = [p for p in (out / "assetopt").iterdir() if p.suffix == ".css"]
    assert (bundle.with_name(bundle.name + ".br")).read_bytes() == brotli.compress(bundle.read_bytes(), quality=11)


def test_unhashed_names_for_django_storage_mode(make_project):
    # Under ManifestStaticFilesStorage Django hashes every file itself: hashing here too would give
    # "x.<hash>.<hash>.css" (lessons.md), so the build can leave the content hash out.
    project = make_project(
        templates={
            "base.html": "{% load static assetopt %}{% bundle \"css\" %}<link rel='stylesheet' href=\"{% static 'a.css' %}\"><link rel='stylesheet' href=\"{% static 'b.css' %}\">{% endbundle %}"
        },
        static={"a.css": "a{color:red}", "b.css": "b{color:blue}"},
    )
    result = build(project, BuildOptions(out=project.config.project / "out", hashed_names=False, precompress=False))
    ((key, entry),) = result.manifest.bundles.items()
    assert [f.name for f in entry.files] == [f"assetopt/base-{key[:8]}.css"]
    assert (project.config.project / "out" / entry.files[0].name).read_text() == "a{color:red}b{color:blue}"


@pytest.mark.parametrize(
    "name, data, compressed",
    [
        pytest.param("big.css", (".a { color: red; }\n" * 200).encode(), True, id="compressible_text"),
        pytest.param("tiny.css", b"a{b:c}", False, id="saves_under_5_percent_served_raw"),
        pytest.param("x.css.map", b'{"mappings":"' + b"AAAA;" * 500 + b'"}', False, id="source_map_not_precompressed"),
    ],
)
def test_audit_sizes_are_what_the_build_serves(tmp_path, name, data, compressed):
    from assetopt.audit.byte_sizes import measure

    (tmp_path / name).write_bytes(data)
    project_cache = ContentCache(tmp_path / "cache")
    precompress_tree([tmp_path / name], project_cache)
    sizes = measure(data, Path(name).suffix)
    gz, br = tmp_path / (name + ".gz"), tmp_path / (name + ".br")
    assert gz.exists() == br.exists() == compressed
    assert (sizes.gzip, sizes.br) == ((gz.stat().st_size, br.stat().st_size) if compressed else (len(data), len(data)))


@pytest.mark.parametrize("where", ["same", "inside", "holding"])
def test_an_out_dir_overlapping_a_static_dir_is_refused_before_anything_is_written(tmp_path: Path, write_tree, where: str):
    photo = b"\xff\xd8 not really a jpeg"
    write_tree(
        tmp_path,
        {
            "templates/p.html": "<html><body><img src='/static/img/p.jpg'></body></html>",
            "site/static/img/p.jpg": photo,
            "site/static/a.css": "a { color: red }",
        },
    )
    out = {"same": "site/static", "inside": "site/static/build", "holding": "site"}[where]
    result = CliRunner().invoke(
        cli,
        [
            "build",
            "--project",
            str(tmp_path),
            "--templates",
            str(tmp_path / "templates"),
            "--static",
            str(tmp_path / "site/static"),
            "--out",
            str(tmp_path / out),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "overlaps the static source dir" in result.output and "would overwrite the sources" in result.output
    assert sorted(p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*")) == [
        "static",
        "static/a.css",
        "static/img",
        "static/img/p.jpg",
    ]
    assert (tmp_path / "site/static/img/p.jpg").read_bytes() == photo


def test_build_precompresses_only_what_it_wrote_not_other_files_under_out(tmp_path: Path, write_tree):
    write_tree(
        tmp_path,
        {"templates/p.html": "<html><head><link rel='stylesheet' href='/static/a.css'></head></html>", "static/a.css": "a { color: red }\n" * 200},
    )
    stranger = tmp_path / "out/templates/page.html"  # e.g. optimize's rewritten templates beside its static root
    write_tree(tmp_path, {"out/templates/page.html": "<p>not a static file</p>\n" * 200})
    config = load_config(tmp_path, {"templates": (str(tmp_path / "templates"),), "static": (str(tmp_path / "static"),)})
    build(Project(config), BuildOptions(out=tmp_path / "out"))
    assert (tmp_path / "out/a.css.gz").is_file() and (tmp_path / "out/a.css.br").is_file()
    assert sorted(p.name for p in stranger.parent.iterdir()) == ["page.html"]


def test_a_file_missing_from_both_variants_of_a_block_is_one_problem_not_two(make_project, out: Path):
    """Day two: a stylesheet of an RTL/LTR block deleted or renamed. Each variant misses it; the
    message said the same line twice."""
    block = (
        '{% load static assetopt %}{% bundle "css" %}\n'
        "<link rel=\"stylesheet\" href=\"{% if LANGUAGE_BIDI %}{% static 'b.rtl.css' %}{% else %}{% static 'b.css' %}{% endif %}\">\n"
        '<link rel="stylesheet" href="{% static \'gone.css\' %}">\n{% endbundle %}\n'
    )
    project = make_project(templates={"page.html": block}, static={"b.css": ".b{}", "b.rtl.css": ".b{direction:rtl}"})
    with pytest.raises(BuildError) as info:
        build(project, BuildOptions(out=out))
    assert str(info.value) == (
        "1 bundle problem(s), nothing written:\n"
        "  templates/page.html:1: gone.css is not in the static dirs (fix the path in the {% bundle %} block or add the file)"
    )
