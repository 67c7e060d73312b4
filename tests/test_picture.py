"""Responsive images end to end: the build's width copies and manifest ``images`` section, the
``{% picture %}`` tag rendered by Django against that build (and under a real ``collectstatic`` with
hashed names), and the rewrite that wraps ``<img>`` in it. Real files, real Django, no mocks.

Expected names and widths are worked out here from the rules (``<stem>.<W>w.<ext>`` for every
configured width under the displayed width), never copied from the code's output.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import django_settings
import photos
import pytest
from django.contrib.staticfiles.storage import StaticFilesStorage
from PIL import Image, features

from assetopt.build import BuildOptions, build
from assetopt.build.manifest import MANIFEST_NAME, load_manifest
from assetopt.config import config_to_toml, load_config
from assetopt.errors import ConfigError
from assetopt.io.project import Project
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.edits import apply_edits
from assetopt.rewrite.images import plan_images
from assetopt.templates.model import parse_template

# A JPEG's full-size modern copy: AVIF only, WebP from a Pillow without AVIF (imaging/encode.py)
MODERN = (".avif",) if features.check("avif") else (".webp",)
# A JPEG's srcset copies are made in AVIF only, not WebP (imaging/resize.py, bench/RESULTS.md "Responsive widths")
WIDTH_MODERN = (".avif",) if features.check("avif") else ()
STORAGE = "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"
LOAD = "{% load static assetopt %}\n"


def photo_jpeg(width: int, height: int, seed: int = 1, exif_orientation: int | None = None) -> bytes:
    """Photo-like pixels: gradients and soft shapes, no grain. At the SSIM-matched WebP/AVIF qualities
    (images.py) a grainy photo's variants are often not smaller than its JPEG, and these tests are
    about the widths, so every format made here is expected to keep a file at every width."""
    return photos.jpeg(photos.photo(width, height, seed=seed, blur=3, noise=None), quality=95, exif_orientation=exif_orientation)


def size_of(path: Path) -> tuple[int, int]:
    with Image.open(path) as im:
        return im.size


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and ".assetopt-cache" not in p.parts}


def project(root: Path, **overrides: object) -> Project:
    (root / "templates").mkdir(parents=True, exist_ok=True)
    (root / "static").mkdir(parents=True, exist_ok=True)
    return Project(
        load_config(
            root,
            {"templates": (str(root / "templates"),), "static": (str(root / "static"),), "cache_dir": str(root / "cache"), **overrides},
            cwd=root,
        )
    )


# ------------------------------------------------------------------------------------------ config


@pytest.mark.parametrize("value", [[0], [480, 480], ["480"], [True], 480.0, [20000]])
def test_image_widths_must_be_distinct_pixel_counts(tmp_path: Path, value: object):
    (tmp_path / "pyproject.toml").write_text(f"[tool.assetopt]\nimage_widths = {json.dumps(value)}\n")
    with pytest.raises(ConfigError, match="image_widths"):
        load_config(tmp_path)


def test_image_widths_are_sorted_and_survive_the_toml_round_trip(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.assetopt]\nimage_widths = [960, 320]\n")
    config = load_config(tmp_path)
    assert config.image_widths == (320, 960)
    assert load_config(tmp_path, {}).image_widths == (320, 960)
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / "assetopt.toml").write_text(config_to_toml(config))
    assert load_config(tmp_path / "again").image_widths == (320, 960)
    assert load_config(tmp_path / "again") == load_config(tmp_path / "again")


# ------------------------------------------------------------------------------------------- build


def test_widths_are_made_only_under_the_displayed_width_with_names_beside_the_source(tmp_path: Path):
    p = project(tmp_path, image_widths=(300, 600, 2000))
    write(
        tmp_path / "static",
        {
            "img/wide.jpg": photo_jpeg(1000, 500),
            "img/small.jpg": photo_jpeg(280, 200, seed=2),
            "img/turned.jpg": photo_jpeg(800, 400, seed=3, exif_orientation=6),
        },
    )
    result = build(p, BuildOptions(out=tmp_path / "out"))
    out = tmp_path / "out"
    # wide: 1000 px shown, so 300 and 600 (2000 is wider than the picture)
    for width, height in ((300, 150), (600, 300)):
        assert size_of(out / f"img/wide.{width}w.jpg") == (width, height)
        for suffix in WIDTH_MODERN:
            assert size_of(out / f"img/wide.{width}w{suffix}") == (width, height)
    assert not list(out.glob("img/wide.*w.webp"))  # no WebP copies of a JPEG
    assert not list(out.glob("img/wide.2000w.*")) and not list(out.glob("img/small.*w.*"))
    # turned: stored 800x400 with orientation 6, shown 400x800: only 300, pixels turned
    assert size_of(out / "img/turned.300w.jpg") == (300, 600)
    assert not list(out.glob("img/turned.600w.*"))
    assert set(result.images.widths["img/wide.jpg"]) == {f"img/wide.{w}w{s}" for w in (300, 600) for s in (".jpg", *WIDTH_MODERN)}
    # every copy is smaller than the next bigger one of its format, and a modern one than the JPEG of its width
    for suffix in WIDTH_MODERN:
        for w in (300, 600):
            assert (out / f"img/wide.{w}w{suffix}").stat().st_size < (out / f"img/wide.{w}w.jpg").stat().st_size
    for suffix in (".jpg", *WIDTH_MODERN):
        full = out / ("img/wide.jpg" if suffix == ".jpg" else f"img/wide{suffix}")
        sizes = [(out / f"img/wide.300w{suffix}").stat().st_size, (out / f"img/wide.600w{suffix}").stat().st_size, full.stat().st_size]
        assert sizes == sorted(sizes) and len(set(sizes)) == 3


def test_the_manifest_records_each_image_with_its_candidates(tmp_path: Path):
    p = project(tmp_path, image_widths=(300, 600))
    write(tmp_path / "static", {"img/wide.jpg": photo_jpeg(1000, 500), "img/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'})
    build(p, BuildOptions(out=tmp_path / "out"))
    raw = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text())
    assert raw["version"] == 1 and set(raw["images"]) == {"img/wide.jpg"}
    entry = raw["images"]["img/wide.jpg"]
    assert (entry["width"], entry["height"], entry["file"]) == (1000, 500, "img/wide.jpg")
    assert entry["bytes"] == (tmp_path / "out/img/wide.jpg").stat().st_size
    jpeg = entry["candidates"]["image/jpeg"]
    assert [(c["name"], c["width"]) for c in jpeg] == [("img/wide.jpg", 1000), ("img/wide.600w.jpg", 600), ("img/wide.300w.jpg", 300)]
    if not features.check("avif"):
        assert [(c["name"], c["width"]) for c in entry["candidates"]["image/webp"]] == [("img/wide.webp", 1000)]
    else:
        assert "image/webp" not in entry["candidates"]  # every browser that shows AVIF shows WebP
        assert [(c["name"], c["width"]) for c in entry["candidates"]["image/avif"]] == [
            ("img/wide.avif", 1000),
            ("img/wide.600w.avif", 600),
            ("img/wide.300w.avif", 300),
        ]
    for candidates in entry["candidates"].values():
        for c in candidates:
            assert c["bytes"] == (tmp_path / "out" / c["name"]).stat().st_size
    assert load_manifest(tmp_path / "out" / MANIFEST_NAME).images["img/wide.jpg"].width == 1000


def test_a_second_build_processes_no_image_and_writes_nothing(tmp_path: Path):
    p = project(tmp_path, image_widths=(300, 600))
    write(tmp_path / "static", {"img/wide.jpg": photo_jpeg(1000, 500)})
    first = build(p, BuildOptions(out=tmp_path / "out"))
    before = tree(tmp_path / "out")
    second = build(p, BuildOptions(out=tmp_path / "out"))
    assert first.images.processed == 1 and second.images.processed == 0 and second.images.written == 0
    assert tree(tmp_path / "out") == before


def test_copies_no_longer_produced_are_pruned_and_source_files_never_are(tmp_path: Path):
    write(tmp_path / "static", {"img/wide.jpg": photo_jpeg(1000, 500), "img/mine.300w.jpg": photo_jpeg(200, 100, seed=5)})
    build(project(tmp_path, image_widths=(300, 600)), BuildOptions(out=tmp_path / "out"))
    out = tmp_path / "out"
    assert (out / "img/wide.300w.jpg").is_file() and (out / "img/wide.600w.jpg").is_file()
    result = build(project(tmp_path, image_widths=(600,)), BuildOptions(out=out))
    assert not list(out.glob("img/wide.300w.*"))
    assert (out / "img/wide.600w.jpg").is_file()
    assert size_of(out / "img/mine.300w.jpg") == (200, 100)  # a source that looks like a copy: kept
    assert {f"img/wide.300w{s}" for s in (".jpg", *WIDTH_MODERN)} <= set(result.images.removed)


def test_a_width_name_taken_by_a_source_is_skipped_with_a_warning(tmp_path: Path):
    mine = photo_jpeg(200, 100, seed=5)
    write(tmp_path / "static", {"img/wide.jpg": photo_jpeg(1000, 500), "img/wide.300w.jpg": mine})
    result = build(project(tmp_path, image_widths=(300,)), BuildOptions(out=tmp_path / "out"))
    assert size_of(tmp_path / "out/img/wide.300w.jpg") == (200, 100)  # the source's file, not a copy
    assert ("img/wide.jpg", "no 300px copy: img/wide.300w.jpg is a source file") in {(w.path, w.message) for w in result.warnings}
    assert "img/wide.300w.jpg" not in result.images.widths.get("img/wide.jpg", ())


# ------------------------------------------------------------------------- the {% picture %} tag


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


IMG = '<img src="{% static \'img/wide.jpg\' %}" alt="{{ alt }}" class="hero" width="1000" height="500" loading="lazy">'
PLAIN = '<img src="/static/img/wide.jpg" alt="A &amp; B" class="hero" width="1000" height="500" loading="lazy">'


@dataclass
class Site:
    root: Path

    def render(self, source: str, context: dict[str, object] | None = None) -> str:
        from django.template import engines

        return engines["django"].from_string(source).render(context or {"alt": "A & B"})


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    from django.test.utils import override_settings

    write(
        tmp_path / "static",
        {"img/wide.jpg": photo_jpeg(1000, 500), "img/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'},
    )
    templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [str(tmp_path / "templates")]}]
    with override_settings(TEMPLATES=templates, STATIC_ROOT=str(tmp_path / "out"), STATIC_URL="/static/", DEBUG=False, ASSETOPT={"BUNDLES": True}):
        yield Site(tmp_path)


def srcset(stem: str, suffix: str, widths: tuple[int, ...], full: int) -> str:
    return ", ".join([f"/static/{stem}.{w}w{suffix} {w}w" for w in widths] + [f"/static/{stem}{suffix} {full}w"])


def test_picture_prints_a_source_per_modern_format_and_a_srcset_keeping_every_attribute(site: Site):
    build(project(site.root, image_widths=(300, 600)), BuildOptions(out=site.root / "out"))
    out = site.root / "out"
    sizes = "(max-width: 1000px) 100vw, 1000px"
    # each <source> lists, per width, the smallest file its browsers can show. With AVIF: its copies
    # (each kept only under the JPEG of its width) and no WebP <source>, which would offer exactly the
    # <img>'s JPEGs. Without: the WebP list takes the JPEG copies (no WebP copies of a JPEG are made).
    if ".avif" in MODERN:
        sources = f'<source type="image/avif" srcset="{srcset("img/wide", ".avif", (300, 600), 1000)}" sizes="{sizes}">'
    else:
        webp = "/static/img/wide.300w.jpg 300w, /static/img/wide.600w.jpg 600w, /static/img/wide.webp 1000w"
        sources = f'<source type="image/webp" srcset="{webp}" sizes="{sizes}">'
    img = PLAIN[:-1] + f' srcset="{srcset("img/wide", ".jpg", (300, 600), 1000)}" sizes="{sizes}">'
    assert site.render(LOAD + "{% picture %}" + IMG + "{% endpicture %}") == "\n<picture>" + sources + img + "</picture>"
    # every URL names a file of the build
    for url in re.findall(r"/static/([^\s\"]+)", site.render(LOAD + "{% picture %}" + IMG + "{% endpicture %}")):
        assert (out / url).is_file(), url


def test_sizes_follow_the_author_or_the_width_attribute(site: Site):
    build(project(site.root, image_widths=(300,)), BuildOptions(out=site.root / "out"))
    narrow = site.render(LOAD + '{% picture %}<img src="{% static \'img/wide.jpg\' %}" width="400" alt="">{% endpicture %}')
    assert narrow.count('sizes="(max-width: 400px) 100vw, 400px"') == len(MODERN) + 1
    own = site.render(LOAD + '{% picture %}<img src="{% static \'img/wide.jpg\' %}" sizes="50vw" alt="">{% endpicture %}')
    assert own.count('sizes="50vw"') == len(MODERN) + 1 and "100vw" not in own


@pytest.mark.parametrize(
    ("assetopt", "built"),
    [pytest.param({"BUNDLES": False}, True, id="rollback"), pytest.param({"BUNDLES": True}, False, id="no_manifest")],
)
def test_rollback_or_a_missing_build_prints_the_img_unchanged(site: Site, assetopt: dict[str, object], built: bool):
    from django.test.utils import override_settings

    if built:
        build(project(site.root, image_widths=(300,)), BuildOptions(out=site.root / "out"))
    with override_settings(ASSETOPT=assetopt):
        assert site.render(LOAD + "{% picture %}" + IMG + "{% endpicture %}") == "\n" + PLAIN


@pytest.mark.parametrize(
    "inner",
    [
        pytest.param('<img src="{% static \'img/logo.svg\' %}" alt="">', id="svg_not_in_manifest"),
        pytest.param('<img src="{% static \'img/wide.jpg\' %}" srcset="/x.jpg 2x" alt="">', id="author_srcset"),
        pytest.param('<img src="/elsewhere.jpg" alt="">', id="not_a_static_path"),
        pytest.param('<picture><img src="{% static \'img/wide.jpg\' %}" alt=""></picture>', id="already_a_picture"),
    ],
)
def test_what_the_tag_cannot_improve_is_printed_unchanged(site: Site, inner: str):
    build(project(site.root, image_widths=(300,)), BuildOptions(out=site.root / "out"))
    plain = site.render(LOAD + inner)
    assert site.render(LOAD + "{% picture %}" + inner + "{% endpicture %}") == plain


RENDERED_SRC = [
    pytest.param('<img src="{% static image %}" alt="">', {"image": "img/wide.jpg"}, True, id="computed_path"),
    pytest.param(
        "<img src=\"{% if big %}{% static 'img/wide.jpg' %}{% else %}{% static 'img/logo.svg' %}{% endif %}\" alt=\"\">",
        {"big": True},
        True,
        id="if_picks_the_photo",
    ),
    pytest.param(
        "<img src=\"{% if big %}{% static 'img/wide.jpg' %}{% else %}{% static 'img/logo.svg' %}{% endif %}\" alt=\"\">",
        {"big": False},
        False,
        id="if_picks_the_svg",
    ),
    pytest.param(
        '{% for image in images %}<img src="{% static image %}" alt=""{% if forloop.counter > 1 %} loading="lazy"{% endif %}>{% endfor %}',
        {"images": ["img/wide.jpg"]},
        True,
        id="if_between_attributes_in_a_loop",
    ),
    pytest.param(
        '<img {% if big %}src="{% static \'img/wide.jpg\' %}"{% else %}src="{% static \'img/logo.svg\' %}"{% endif %} alt="">',
        {"big": True},
        True,
        id="src_attribute_chosen_by_if",
    ),
    pytest.param('<img src="{% static image %}" alt="">', {"image": "img/missing.jpg"}, False, id="path_the_build_does_not_know"),
    pytest.param('<img src="{% static image %}" alt="">', {"image": "img/logo.svg"}, False, id="computed_svg"),
]


@pytest.mark.parametrize(("inner", "context", "improved"), RENDERED_SRC)
def test_picture_works_on_what_the_img_renders_to(site: Site, inner: str, context: dict[str, object], improved: bool):
    """The path is found from the rendered ``src`` (one of the tag's ``{% static %}`` paths, computed
    or chosen by ``{% if %}``); the <picture> is exactly the one a literal path gets; anything else
    prints the rendered <img> byte for byte."""
    build(project(site.root, image_widths=(300,)), BuildOptions(out=site.root / "out"))
    wrapped = "{% picture %}" + inner.replace("{% for image in images %}", "").replace("{% endfor %}", "") + "{% endpicture %}"
    if "{% for" in inner:
        wrapped = "{% for image in images %}" + wrapped + "{% endfor %}"
    plain = site.render(LOAD + inner, context)
    out = site.render(LOAD + wrapped, context)
    if not improved:
        assert out == plain
        return
    literal = re.sub(r'src="[^"]*"', "src=\"{% static 'img/wide.jpg' %}\"", plain.replace(LOAD, ""), count=1).strip()
    assert out.strip() == site.render(LOAD + "{% picture %}" + literal + "{% endpicture %}").strip()
    assert out.startswith("\n<picture>") and 'srcset="/static/img/wide.300w.jpg 300w, /static/img/wide.jpg 1000w"' in out
    assert site.render(LOAD + wrapped, context) == out  # the memoized second render prints the same bytes


@pytest.mark.parametrize(("inner", "context", "improved"), RENDERED_SRC)
def test_rollback_prints_what_the_img_renders_to_unchanged(site: Site, inner: str, context: dict[str, object], improved: bool):
    from django.test.utils import override_settings

    build(project(site.root, image_widths=(300,)), BuildOptions(out=site.root / "out"))
    wrapped = (
        "{% picture %}" + inner + "{% endpicture %}"
        if "{% for" not in inner
        else inner.replace("<img", "{% picture %}<img").replace("{% endfor %}", "{% endpicture %}{% endfor %}")
    )
    with override_settings(ASSETOPT={"BUNDLES": False}):
        assert site.render(LOAD + wrapped, context) == site.render(LOAD + inner, context)


def test_a_name_the_hashed_storage_lacks_prints_the_plain_img(site: Site):
    from django.test.utils import override_settings

    build(project(site.root, image_widths=(300,)), BuildOptions(out=site.root / "out"))
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": STORAGE}}
    (site.root / "out" / "staticfiles.json").write_text(json.dumps({"version": "1.1", "paths": {"img/wide.jpg": "img/wide.0123456789ab.jpg"}}))
    with override_settings(STORAGES=storages):
        out = site.render(LOAD + "{% picture %}" + IMG + "{% endpicture %}")
    assert out == "\n" + PLAIN.replace("img/wide.jpg", "img/wide.0123456789ab.jpg")


class CountingStorage(StaticFilesStorage):
    """Django's plain static storage that counts the names it is asked for (a real storage: no mock)."""

    asked: Counter[str] = Counter()

    def url(self, name: str | None) -> str:
        CountingStorage.asked[str(name)] += 1
        return super().url(name)


def test_repeated_renders_ask_the_storage_once_per_built_file_and_print_the_same_bytes(site: Site):
    """Request-time cost: the markup is memoized, byte for byte what the tag computes from scratch."""
    from django.template import engines
    from django.templatetags.static import static
    from django.test.utils import override_settings

    from assetopt.build.manifest import mime_type
    from assetopt.build.picture import picture_markup
    from assetopt.templates.lexer import Token, TokenKind
    from assetopt.templates.tags import StartTag, scan_tags

    build(project(site.root, image_widths=(300, 600)), BuildOptions(out=site.root / "out"))
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": "test_picture.CountingStorage"}}
    page = engines["django"].from_string(LOAD + "{% picture %}" + IMG + "{% endpicture %}")
    with override_settings(STORAGES=storages):
        CountingStorage.asked.clear()
        alts = ["A & B", "C", "A & B", "D <e>", "C"] * 4
        rendered = [page.render({"alt": alt}) for alt in alts]
        asked = dict(CountingStorage.asked)
        manifest = load_manifest(site.root / "out" / MANIFEST_NAME)
        for alt, out in zip(alts, rendered):  # what the tag printed before it memoized anything
            inner = PLAIN.replace("A &amp; B", str(engines["django"].from_string("{{ alt }}").render({"alt": alt})))
            (tag,) = [i for i in scan_tags(inner, (Token(TokenKind.TEXT, 0, len(inner), 1, inner),)) if isinstance(i, StartTag)]
            image = manifest.images["img/wide.jpg"]
            assert out == "\n" + picture_markup(inner, tag, image, static, mime_type(image.file))
    assert asked.pop("img/wide.jpg") == len(alts) + 1  # the template's own {% static %} each render; the tag once
    assert asked and set(asked.values()) == {1}, asked  # every width copy and WebP/AVIF file: once


def test_a_name_the_hashed_storage_lacks_is_logged_once_per_process_not_per_render(site: Site, caplog: pytest.LogCaptureFixture):
    import logging

    from django.test.utils import override_settings

    write(site.root / "static", {"img/once.jpg": photo_jpeg(1000, 500, seed=4)})  # a name no other test warns about
    build(project(site.root, image_widths=(300,)), BuildOptions(out=site.root / "out"))
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": STORAGE}}
    (site.root / "out" / "staticfiles.json").write_text(json.dumps({"version": "1.1", "paths": {"img/once.jpg": "img/once.0123456789ab.jpg"}}))
    caplog.set_level(logging.WARNING, logger="assetopt")
    source = LOAD + "{% picture %}" + IMG.replace("wide", "once") + "{% endpicture %}"
    with override_settings(STORAGES=storages):
        outs = [site.render(source, {"alt": f"photo {i}"}) for i in range(6)]
    assert outs[3] == "\n" + PLAIN.replace("img/wide.jpg", "img/once.0123456789ab.jpg").replace("A &amp; B", "photo 3")
    (record,) = [r for r in caplog.records if r.name == "assetopt" and "img/once.jpg" in r.getMessage()]
    assert "prints the plain <img>" in record.getMessage()


# ------------------------------------------------------------------------------------ collectstatic


def test_collectstatic_optimizes_hashes_the_variants_and_the_tag_serves_them(tmp_path: Path):
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command
    from django.template import engines
    from django.test.utils import override_settings

    write(tmp_path / "static", {"img/wide.jpg": photo_jpeg(1000, 500)})
    write(tmp_path / "templates", {"page.html": LOAD + "{% picture %}" + IMG + "{% endpicture %}"})
    root = tmp_path / "root"
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": STORAGE}}
    templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [str(tmp_path / "templates")]}]
    with override_settings(
        TEMPLATES=templates,
        STATICFILES_DIRS=[str(tmp_path / "static")],
        STATIC_ROOT=str(root),
        STORAGES=storages,
        DEBUG=False,
        ASSETOPT={"BUNDLES": True, "IMAGE_WIDTHS": [300, 600], "CACHE_DIR": str(tmp_path / "cache")},
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        first = staticfiles_storage._wrapped.last_build
        html = engines["django"].get_template("page.html").render({"alt": "A & B"})
        paths = json.loads((root / "staticfiles.json").read_text())["paths"]
        expected = {"img/wide.jpg"} | {f"img/wide{s}" for s in MODERN} | {f"img/wide.{w}w{s}" for w in (300, 600) for s in (".jpg", *WIDTH_MODERN)}
        assert expected <= set(paths)
        urls = re.findall(r"/static/([^\s\"]+)", html)
        # the hashed names of the build's files, every one of them
        assert set(urls) == {paths[n] for n in expected}
        for url in urls:
            assert re.search(r"\.[0-9a-f]{12}\.", url) and (root / url).is_file(), url
        # the shipped JPEG is the optimized one, hashed by its own bytes
        assert (root / paths["img/wide.jpg"]).stat().st_size < (tmp_path / "static/img/wide.jpg").stat().st_size
        manifest = json.loads((root / MANIFEST_NAME).read_text())
        assert set(manifest["images"]) == {"img/wide.jpg"}
        before = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file() and ".assetopt-cache" not in p.parts}
        call_command("collectstatic", interactive=False, verbosity=0)
        second = staticfiles_storage._wrapped.last_build
        after = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file() and ".assetopt-cache" not in p.parts}
    assert first.images.processed == 1 and second.images.processed == 0 and second.images.written == 0
    assert after == before


def test_collectstatic_with_images_turned_off_ships_the_source_bytes_again(tmp_path: Path):
    from django.core.management import call_command
    from django.test.utils import override_settings

    source = photo_jpeg(1000, 500)
    write(tmp_path / "static", {"img/wide.jpg": source})
    root = tmp_path / "root"
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": STORAGE}}
    common = {"STATICFILES_DIRS": [str(tmp_path / "static")], "STATIC_ROOT": str(root), "STORAGES": storages, "DEBUG": False, "TEMPLATES": []}
    with override_settings(**common, ASSETOPT={"BUNDLES": True}):
        call_command("collectstatic", interactive=False, verbosity=0)
    assert (root / "img/wide.jpg").read_bytes() != source  # re-encoded, smaller
    with override_settings(**common, ASSETOPT={"BUNDLES": True, "IMAGES": False}):
        call_command("collectstatic", interactive=False, verbosity=0)  # Django skips the copy: the source is older
    hashed = json.loads((root / "staticfiles.json").read_text())["paths"]["img/wide.jpg"]
    assert (root / "img/wide.jpg").read_bytes() == source
    assert (root / hashed).read_bytes() == source


# ------------------------------------------------------------------------------------------ rewrite


@pytest.mark.parametrize(
    ("source", "wrapped"),
    [
        pytest.param('<img src="{% static \'a.jpg\' %}" alt="">', True, id="static_jpeg"),
        pytest.param('<img src="{% static \'a.png\' %}" alt="">', True, id="static_png"),
        pytest.param('<img src="{% static \'a.svg\' %}" alt="">', False, id="svg"),
        pytest.param('<img src="https://cdn.example.com/a.jpg" alt="">', False, id="external"),
        pytest.param('<img src="{% static name %}" alt="">', True, id="computed_static_path"),
        pytest.param("<img src=\"{% if x %}{% static 'a.jpg' %}{% else %}{% static 'b.jpg' %}{% endif %}\" alt=\"\">", True, id="chosen_by_if"),
        pytest.param(
            "<img src=\"{% if x %}{% static 'a.jpg' %}{% else %}{% static 'b.svg' %}{% endif %}\" alt=\"\">", False, id="chosen_by_if_one_svg"
        ),
        pytest.param(
            '<img src="{% static p.image %}" alt=""{% if forloop.counter > 3 %} loading="lazy"{% endif %}>', True, id="if_between_attributes"
        ),
        pytest.param(
            '<img {% if x %}src="{% static \'a.jpg\' %}"{% else %}src="{% static \'b.png\' %}"{% endif %} alt="">',
            True,
            id="src_attribute_chosen_by_if",
        ),
        pytest.param('<img alt=" src={% static \'a.jpg\' %}" src="{{ p.url }}"{% if x %} class="y"{% endif %}>', False, id="src_in_another_value"),
        pytest.param("<img src=\"{% static 'a.jpg' %}\"{% if x %} srcset=\"{% static 'a2.jpg' %} 2x\"{% endif %}>", False, id="author_srcset_in_if"),
        pytest.param("<img src=\"{% static 'a.jpg' %}\" {% include 'attrs.html' %}>", False, id="include_between_attributes"),
        pytest.param('<img src="{% static \'a.jpg\' %}" {% if x %}alt="">{% else %}>{% endif %}', False, id="if_closing_outside_the_tag"),
        pytest.param('<img src="{{ p.image.url }}" alt="">', False, id="media_url"),
        pytest.param('<img src="{% static p.image %}?v=2" alt="">', False, id="static_with_query"),
        pytest.param('<img src="{% static \'a.jpg\' as a %}" alt="">', False, id="static_as_variable"),
        pytest.param(
            '{% blocktrans %}<img src="{% static p.image %}"{% if x %} alt=""{% endif %}>{% endblocktrans %}', False, id="opaque_in_blocktrans"
        ),
        pytest.param('<img src="{% static \'a.jpg\' %}" srcset="{% static \'a2.jpg\' %} 2x" alt="">', False, id="author_srcset"),
        pytest.param('<picture><img src="{% static \'a.jpg\' %}" alt=""></picture>', False, id="inside_picture"),
        pytest.param("{% verbatim %}<img src=\"{% static 'a.jpg' %}\">{% endverbatim %}", False, id="verbatim"),
        pytest.param("{% comment %}<img src=\"{% static 'a.jpg' %}\">{% endcomment %}", False, id="comment"),
        pytest.param("<!-- <img src=\"{% static 'a.jpg' %}\"> -->", False, id="html_comment"),
    ],
)
def test_the_rewrite_wraps_images_whose_src_is_static_tags_of_raster_or_computed_paths(source: str, wrapped: bool):
    from django.template import engines

    template = parse_template("t.html", "{% load static %}" + source)
    result = plan_images(template, RewriteContext(pictures=True))
    raw = apply_edits(template.source, result.edits)
    out = raw.replace(' loading="lazy" decoding="async"', "").replace(' decoding="async"', "")  # lazy loading is not under test here
    assert ("{% picture %}" in out) == wrapped, out
    if wrapped:
        assert out == "{% load static %}{% picture %}" + source + "{% endpicture %}"
        assert result.loads == ("assetopt",)
        again = parse_template("t.html", raw)
        assert apply_edits(raw, plan_images(again, RewriteContext(pictures=True)).edits) == raw  # idempotent
        engines["django"].from_string("{% load assetopt %}" + raw)  # compiles
    else:
        assert out == template.source


@pytest.mark.parametrize(
    ("value", "expected"), [pytest.param([960, 480], (480, 960), id="sorted"), pytest.param([], (), id="none"), pytest.param([0], None, id="zero")]
)
def test_django_image_widths_setting_maps_to_the_config(tmp_path: Path, value: list[int], expected: tuple[int, ...] | None):
    from django.core.exceptions import ImproperlyConfigured
    from django.test.utils import override_settings

    from assetopt.contrib.django.project import config_from_settings

    with override_settings(STATIC_ROOT=str(tmp_path / "root"), ASSETOPT={"IMAGE_WIDTHS": value}):
        if expected is None:
            with pytest.raises(ImproperlyConfigured, match="IMAGE_WIDTHS"):
                config_from_settings()
        else:
            assert config_from_settings().image_widths == expected


from templates_we_have import template_params  # noqa: E402


@pytest.mark.parametrize(("root", "path"), template_params(with_root=True))
def test_picture_wrapping_invariants_on_every_template(root: Path, path: Path) -> None:
    """With pictures on: every wrap is exactly ``{% picture %}`` before and ``{% endpicture %}`` after
    one <img> start tag, re-planning adds nothing, and the result compiles in Django."""
    from django.template import TemplateSyntaxError, engines

    name = path.relative_to(root).as_posix()
    source = path.read_text(encoding="utf-8")
    template = parse_template(name, source)
    result = plan_images(template, RewriteContext(pictures=True))
    wraps = [e for e in result.edits if "picture" in e.text]
    from assetopt.templates.tags import OpaqueTag, StartTag

    imgs = {i.start: i.end for i in template.items if isinstance(i, (StartTag, OpaqueTag)) and i.name == "img"}
    opens = sorted(e.start for e in wraps if e.text == "{% picture %}")
    closes = sorted(e.start for e in wraps if e.text == "{% endpicture %}")
    assert len(opens) + len(closes) == len(wraps) and [imgs[o] for o in opens] == closes
    assert plan_images(parse_template(name, apply_edits(source, result.edits)), RewriteContext(pictures=True)).edits == ()
    if wraps:
        from assetopt.rewrite.plan import plan_rewrite

        out = apply_edits(source, plan_rewrite(template, RewriteContext(only=frozenset({"images"}), pictures=True)).edits)  # with {% load %}
        try:
            engines["django"].from_string(out)
        except TemplateSyntaxError as exc:
            assert "picture" not in str(exc), exc  # other tags of the template (a library not installed here)


def test_a_format_missing_a_width_the_img_offers_lists_the_smallest_file_its_browsers_can_show_there():
    """Pure: a browser picks only within the first <source> it supports, so an AVIF list without the
    960 px file would make a 900 px slot fetch the 1600 px AVIF instead of a 960 px copy. The gap is
    filled with the smallest 960 px file an AVIF browser shows (WebP's, under the JPEG's); a list
    that would offer what the next choice offers is left out."""
    from assetopt.build.manifest import ManifestCandidate as C
    from assetopt.build.manifest import ManifestImage
    from assetopt.build.picture import picture_markup
    from assetopt.templates.lexer import Token, TokenKind
    from assetopt.templates.tags import StartTag, scan_tags

    html = '<img src="/s/p.jpg" alt="">'
    (tag,) = [i for i in scan_tags(html, (Token(TokenKind.TEXT, 0, len(html), 1, html),)) if isinstance(i, StartTag)]
    jpeg = (C("p.jpg", 1600, 900), C("p.960w.jpg", 960, 400))

    def markup(candidates: dict[str, tuple[C, ...]]) -> str | None:
        return picture_markup(
            html, tag, ManifestImage(1600, 800, "p.jpg", 900, {"image/jpeg": jpeg, **candidates}), lambda name: "/s/" + name, "image/jpeg"
        )

    sizes = "(max-width: 1600px) 100vw, 1600px"
    img = f'<img src="/s/p.jpg" alt="" srcset="/s/p.960w.jpg 960w, /s/p.jpg 1600w" sizes="{sizes}">'
    webp = (C("p.webp", 1600, 600), C("p.960w.webp", 960, 300))
    assert markup({"image/avif": (C("p.avif", 1600, 500),), "image/webp": webp}) == (
        f'<picture><source type="image/avif" srcset="/s/p.960w.webp 960w, /s/p.avif 1600w" sizes="{sizes}">'
        f'<source type="image/webp" srcset="/s/p.960w.webp 960w, /s/p.webp 1600w" sizes="{sizes}">{img}</picture>'
    )
    # a WebP only at full size: its list takes the JPEG copy at 960
    assert markup({"image/webp": (C("p.webp", 1600, 600),)}) == (
        f'<picture><source type="image/webp" srcset="/s/p.960w.jpg 960w, /s/p.webp 1600w" sizes="{sizes}">{img}</picture>'
    )
    # an AVIF bigger than the WebP everywhere offers what the WebP list does: no AVIF <source>
    assert markup({"image/avif": (C("p.avif", 1600, 700),), "image/webp": webp}) == (
        f'<picture><source type="image/webp" srcset="/s/p.960w.webp 960w, /s/p.webp 1600w" sizes="{sizes}">{img}</picture>'
    )
    # a modern copy larger than the JPEG of its width is never offered
    assert markup({"image/webp": (C("p.webp", 1600, 600), C("p.960w.webp", 960, 450))}) == (
        f'<picture><source type="image/webp" srcset="/s/p.960w.jpg 960w, /s/p.webp 1600w" sizes="{sizes}">{img}</picture>'
    )


def test_two_cold_builds_with_widths_give_the_same_bytes_on_one_worker_or_two(tmp_path: Path):
    """Outputs are byte-identical across runs: every encoder, the width copies and the choice of what
    is kept depend only on the pixels (two builds, each with its own cache, one on a pool of two)."""
    buf = io.BytesIO()
    photos.photo(700, 400, seed=6, blur=1, noise=None).save(buf, format="PNG")
    files = {"img/wide.jpg": photo_jpeg(1000, 500), "img/shot.png": buf.getvalue()}
    trees = []
    for run, jobs in (("a", 1), ("b", 2)):
        root = tmp_path / run
        write(root / "static", files)
        result = build(project(root, image_widths=(300, 600)), BuildOptions(out=root / "out", jobs=jobs))
        assert result.images.processed == 2 and result.images.widths["img/shot.png"]  # the PNG has srcset copies too
        trees.append(tree(root / "out"))
    assert trees[0] == trees[1]


GEN = Path(__file__).resolve().parent.parent / "static_src" / "img" / "gen"


@pytest.mark.skipif(not GEN.is_dir(), reason="run `python example/prepare.py` first")
@pytest.mark.parametrize("name", ["product-03.jpg", "warehouse-1.jpg", "hero.jpg", "product-15.png"])
def test_a_modern_width_copy_is_kept_only_when_smaller_than_the_source_format_copy_of_its_width(name: str):
    """The example's photos downscaled: their JPEG copy often beats the matched-quality AVIF of the
    same width (product-03 at 1440 px: JPEG 121 KB, AVIF 124 KB; warehouse-1 at 960 px: 57 KB vs
    63 KB, measured with the build's settings before this rule). A browser taking the AVIF list
    would have fetched more than the JPEG it could have had, so such a copy is not kept."""
    from assetopt.images import optimize_responsive

    found = optimize_responsive((GEN / name).read_bytes(), Path(name).suffix, widths=(480, 960, 1440))
    own = Path(name).suffix
    assert found.widths, name
    for width, copies in found.widths.items():
        for suffix, blob in copies.items():
            if suffix != own:
                bar = copies.get(own) or min((c[own] for w, c in found.widths.items() if w > width and own in c), key=len, default=found.result.data)
                assert len(blob) < len(bar), (name, width, suffix)


@pytest.mark.parametrize("path", [" img/wide.jpg", "img/wide.jpg ", " img/wide.jpg "], ids=["leading", "trailing", "both"])
def test_spaces_around_the_static_path_still_find_the_built_image(site: Site, path: str):
    """The build records img/wide.jpg (spaces stripped, as a manifest storage strips them, as the bundle
    key does); the tag looked the path up as written and printed the plain <img>. Apart from the <img>'s
    own src (what Django printed for the spaced path, left as it is) it is the literal path's <picture>."""
    build(project(site.root, image_widths=(300,)), BuildOptions(out=site.root / "out"))
    spaced = IMG.replace("'img/wide.jpg'", f"'{path}'")
    out = site.render(LOAD + "{% picture %}" + spaced + "{% endpicture %}")
    src = re.search(r'<img src="([^"]*)"', site.render(LOAD + spaced))
    assert src is not None and src.group(1) != "/static/img/wide.jpg"
    assert out.replace(src.group(1), "/static/img/wide.jpg") == site.render(LOAD + "{% picture %}" + IMG + "{% endpicture %}")
    assert out.startswith("\n<picture>")
