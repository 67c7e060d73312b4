"""Image optimization (``images.optimize_image``/``modern_variants``) and the build's image step.

Every image is made with Pillow (tests/photos.py) and is photo-like (gradients, soft shapes and noise), so
sizes behave as they would on real photos. Design decisions 5 (content-addressed, deterministic,
incremental) and 8 (never overwrite a source; keep an optimized file only if it is smaller).
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from photos import photo
from PIL import Image, ImageChops, features

from assetopt import images
from assetopt.build import BuildOptions, build
from assetopt.errors import ConfigError

QUALITY = 82
# A JPEG's one modern copy: AVIF, or WebP from a Pillow without AVIF (imaging/encode.py)
PHOTO_EXT = ".avif" if features.check("avif") else ".webp"
GPS_IFD, MAKE, MODEL, ORIENTATION = 0x8825, 0x010F, 0x0110, 0x0112


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    im.save(out, format=fmt, **params)
    return out.getvalue()


def srgb_icc() -> bytes:
    if features.check("littlecms2"):
        from PIL import ImageCms

        return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    return b"\x00\x00\x02\x0cfake icc profile for the test" + bytes(500)


def camera_jpeg(orientation: int = 1, quality: int = 95, size: tuple[int, int] = (480, 320)) -> bytes:
    """A JPEG as a phone writes it: high quality, EXIF with camera and GPS tags, an ICC profile."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneCo"
    exif[MODEL] = "Model X"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    # little grain: at the SSIM-matched WebP/AVIF qualities a grainy photo's variants outweigh its JPEG
    return encode(photo(*size, noise=1), "JPEG", quality=quality, exif=exif.tobytes(), icc_profile=srgb_icc(), comment=b"shot by Jane")


def decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return im.copy() if im.format != "GIF" else im.convert("RGBA")


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png() -> bytes:
    """A 40000 x 40000 PNG header (1.6 gigapixels) with a tiny IDAT: refused before any decoding."""
    ihdr = struct.pack(">IIBBBBB", 40000, 40000, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + png_chunk(b"IEND", b"")


def animated_gif() -> bytes:
    frames = [photo(120, 80, seed=s).quantize(64) for s in range(3)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def palette_png() -> bytes:
    """A photo reduced to 200 colours (dithered, so not flat) saved as a plain RGB PNG."""
    return encode(photo(seed=3).quantize(200, dither=Image.Dither.FLOYDSTEINBERG).convert("RGB"), "PNG")


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------------- pure functions


def test_jpeg_is_reencoded_progressive_smaller_with_the_same_dimensions():
    source = camera_jpeg()
    result = images.optimize_image(source, ".jpg", quality=QUALITY)
    assert result.kept and result.error is None and result.format == "JPEG"
    assert len(result.data) < 0.95 * len(source)
    out = decoded(result.data)
    assert out.size == decoded(source).size == (480, 320)
    assert out.info.get("progressive") or out.info.get("progression")


def test_a_jpeg_already_smaller_than_the_quality_gives_is_not_kept():
    source = encode(photo(), "JPEG", quality=50)
    result = images.optimize_image(source, ".jpg", quality=QUALITY)
    assert not result.kept and result.data == source and result.error is None and "95 %" in result.note


def test_exif_orientation_6_still_displays_rotated(tmp_path: Path):
    source = camera_jpeg(orientation=6)
    assert images.image_size(write(tmp_path / "src.jpg", source)) == (320, 480)
    result = images.optimize_image(source, ".jpg", quality=QUALITY)
    assert result.kept
    assert images.image_size(write(tmp_path / "out.jpg", result.data)) == (320, 480)
    for suffix, data in images.modern_variants(source, ".jpg", QUALITY).items():
        # variants carry the orientation in their pixels: no browser has to read EXIF in WebP/AVIF
        assert decoded(data).size == (320, 480), suffix
        assert images.image_size(write(tmp_path / f"out{suffix}", data)) == (320, 480)


def test_metadata_is_stripped_but_the_icc_profile_and_orientation_are_kept():
    source = camera_jpeg(orientation=6)
    before = decoded(source)
    assert before.getexif().get(MAKE) == "PhoneCo" and before.getexif().get_ifd(GPS_IFD)
    out = decoded(images.optimize_image(source, ".jpg", quality=QUALITY).data)
    exif = out.getexif()
    assert dict(exif) == {ORIENTATION: 6}
    assert not exif.get_ifd(GPS_IFD)
    assert out.info.get("icc_profile") == srgb_icc()
    assert "comment" not in out.info


def test_png_with_at_most_256_colours_becomes_a_lossless_palette_png():
    source = palette_png()
    result = images.optimize_image(source, ".png", quality=QUALITY)
    assert result.kept and len(result.data) < 0.95 * len(source)
    out = decoded(result.data)
    assert out.mode == "P" and out.size == (480, 320)
    assert ImageChops.difference(out.convert("RGBA"), decoded(source).convert("RGBA")).getbbox() is None


def test_png_with_many_colours_round_trips_without_loss():
    source = encode(photo(seed=4).convert("RGBA"), "PNG", compress_level=1)
    result = images.optimize_image(source, ".png", quality=QUALITY)
    out = decoded(result.data)
    assert out.size == (480, 320) and (result.kept or result.data == source)
    assert ImageChops.difference(out.convert("RGBA"), decoded(source).convert("RGBA")).getbbox() is None


def test_an_animated_gif_stays_animated():
    source = animated_gif()
    result = images.optimize_image(source, ".gif", quality=QUALITY)
    assert not result.kept and result.data == source and "animated" in result.note
    with Image.open(io.BytesIO(result.data)) as im:
        assert im.n_frames == 3
    assert images.modern_variants(source, ".gif", QUALITY) == {}


@pytest.mark.parametrize("suffix", [".svg", ".webp"])
def test_svg_and_webp_sources_are_left_as_they_are(suffix: str):
    data = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>' if suffix == ".svg" else encode(photo(), "WEBP")
    result = images.optimize_image(data, suffix, quality=QUALITY)
    assert not result.kept and result.data == data and result.error is None


def test_modern_variants_decode_with_the_same_size_and_are_smaller_than_the_optimized_jpeg():
    source = camera_jpeg()
    optimized = images.optimize_image(source, ".jpg", quality=QUALITY).data
    variants = images.modern_variants(source, ".jpg", QUALITY)
    assert set(variants) == {PHOTO_EXT}  # never both: every browser that shows AVIF shows WebP
    for suffix, data in variants.items():
        with Image.open(io.BytesIO(data)) as im:
            assert im.format == suffix[1:].upper()
        assert decoded(data).size == (480, 320)
        assert len(data) < len(optimized)


def test_a_jpeg_gets_lossy_webp_only_from_a_pillow_without_avif():
    from assetopt.imaging.encode import _modern

    shown = decoded(camera_jpeg())
    assert set(_modern(shown, "JPEG", QUALITY, None, avif=False)) == {".webp"}
    assert set(_modern(shown, "JPEG", QUALITY, None, avif=True)) == {".avif"}
    with Image.open(io.BytesIO(_modern(shown, "JPEG", QUALITY, None, avif=False)[".webp"])) as im:
        assert im.format == "WEBP" and im.size == (480, 320)


def test_a_png_gets_only_a_lossless_webp():
    source = palette_png()
    variants = images.modern_variants(source, ".png", QUALITY)
    assert set(variants) <= {".webp"}
    for data in variants.values():
        assert ImageChops.difference(decoded(data).convert("RGB"), decoded(source).convert("RGB")).getbbox() is None


BROKEN = [
    pytest.param(".png", bomb_png, "decompression bomb", id="decompression_bomb"),
    pytest.param(".jpg", lambda: camera_jpeg()[:3000], "decoded", id="truncated_jpeg"),
    pytest.param(".png", lambda: b"this is a text file, not a picture\n", "not an image", id="text_named_png"),
]


@pytest.mark.parametrize(("suffix", "make", "words"), BROKEN)
def test_a_broken_image_gives_an_error_never_an_exception(suffix: str, make, words: str):
    data = make()
    result = images.optimize_image(data, suffix, quality=QUALITY)
    assert result.error is not None and words in result.error
    assert not result.kept and result.data == data
    assert images.modern_variants(data, suffix, QUALITY) == {}
    assert Image.MAX_IMAGE_PIXELS is not None  # the bomb check stays on


# ------------------------------------------------------------------------------------------- the build


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in sorted(root.rglob("*")) if p.is_file()}


GOOD = {
    "img/photo.jpg": camera_jpeg(orientation=6),
    "img/chart.png": palette_png(),
    "img/anim.gif": animated_gif(),
    "img/logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
}


def test_build_optimizes_images_in_the_output_and_writes_variants_beside_them(make_project, tmp_path: Path):
    project = make_project(static=GOOD)
    sources = tree(tmp_path / "static")
    result = build(project, BuildOptions(out=tmp_path / "out"))
    out = tmp_path / "out"
    assert tree(tmp_path / "static") == sources  # sources untouched
    assert len((out / "img/photo.jpg").read_bytes()) < 0.95 * len(GOOD["img/photo.jpg"])
    assert images.image_size(out / "img/photo.jpg") == (320, 480)
    assert (out / "img/anim.gif").read_bytes() == GOOD["img/anim.gif"]
    assert (out / "img/logo.svg").read_bytes() == GOOD["img/logo.svg"]
    photo_variants = (f"img/photo{PHOTO_EXT}",)
    assert result.images.variants["img/photo.jpg"] == photo_variants
    for name in photo_variants:
        assert decoded((out / name).read_bytes()).size == (320, 480)
    assert result.images.files == 3 and result.images.optimized == 2 and result.images.processed == 3
    assert result.images.bytes_after < result.images.bytes_before
    assert result.warnings == []


def test_build_twice_gives_identical_bytes_and_does_no_image_work_the_second_time(make_project, tmp_path: Path):
    project = make_project(static=GOOD)
    out = tmp_path / "out"
    build(project, BuildOptions(out=out))
    before, stamps = tree(out), mtimes(out)
    second = build(project, BuildOptions(out=out))
    assert second.images.processed == 0 and second.copied == 0 and second.images.written == 0
    assert tree(out) == before and mtimes(out) == stamps
    # a cold build elsewhere, with its own cache, gives the same bytes: the encoders are deterministic
    cold = build(make_project(static=GOOD, cache_dir=str(tmp_path / "cache2")), BuildOptions(out=tmp_path / "out2", jobs=1))
    assert cold.images.processed == 3 and tree(tmp_path / "out2") == before


@pytest.mark.parametrize(("suffix", "make", "words"), BROKEN)
def test_a_broken_image_is_a_warning_naming_it_and_the_build_goes_on(make_project, tmp_path: Path, suffix: str, make, words: str):
    bad = make()
    name = f"img/broken{suffix}"
    project = make_project(static={**GOOD, name: bad})
    sources = tree(tmp_path / "static")
    result = build(project, BuildOptions(out=tmp_path / "out", jobs=2))
    (warning,) = result.warnings
    assert warning.path == name and words in warning.message
    assert (tmp_path / "out" / name).read_bytes() == bad  # copied as it is
    assert result.images.optimized == 2 and (tmp_path / f"out/img/photo{PHOTO_EXT}").is_file()
    assert tree(tmp_path / "static") == sources


def test_a_variant_name_taken_by_a_source_or_shared_by_two_images_is_skipped_with_a_warning(make_project, tmp_path: Path):
    mine = encode(photo(seed=9), PHOTO_EXT[1:].upper())
    still_gif = encode(photo(seed=4).quantize(64), "GIF")  # a still GIF gets a lossless WebP, like a PNG
    static = {"a/photo.jpg": camera_jpeg(), f"a/photo{PHOTO_EXT}": mine, "b/pic.gif": still_gif, "b/pic.png": palette_png()}
    result = build(make_project(static=static), BuildOptions(out=tmp_path / "out"))
    out = tmp_path / "out"
    assert (out / f"a/photo{PHOTO_EXT}").read_bytes() == mine  # the source's own file, never overwritten
    assert not (out / "b/pic.webp").exists()
    messages = {(w.path, w.message) for w in result.warnings}
    assert ("a/photo.jpg", f"no {PHOTO_EXT} variant: a/photo{PHOTO_EXT} is a source file") in messages
    assert ("b/pic.gif", "no .webp variant: b/pic.webp would also be the variant of b/pic.png") in messages
    assert "b/pic.gif" not in result.images.variants and "a/photo.jpg" not in result.images.variants


def test_images_false_copies_images_as_they_are(make_project, tmp_path: Path):
    project = make_project(static=GOOD, images=False)
    result = build(project, BuildOptions(out=tmp_path / "out"))
    assert {k: v for k, v in tree(tmp_path / "out").items() if k.startswith("img/")} == tree(tmp_path / "static")
    assert result.images.files == 0


def test_build_options_images_false_wins_over_the_config(make_project, tmp_path: Path):
    build(make_project(static=GOOD), BuildOptions(out=tmp_path / "out", images=False))
    assert {k: v for k, v in tree(tmp_path / "out").items() if k.startswith("img/")} == tree(tmp_path / "static")


def test_a_stale_variant_is_removed_when_its_image_changes(make_project, tmp_path: Path):
    out = tmp_path / "out"
    build(make_project(static={"img/photo.jpg": camera_jpeg()}), BuildOptions(out=out))
    assert (out / f"img/photo{PHOTO_EXT}").is_file()
    small = encode(photo(), "JPEG", quality=30)  # not re-encoded: under 95 % is out of reach
    result = build(make_project(static={"img/photo.jpg": small}), BuildOptions(out=out))
    assert (out / "img/photo.jpg").read_bytes() == small
    for name in ("img/photo.webp", "img/photo.avif"):
        assert (out / name).is_file() == (name in result.images.variants.get("img/photo.jpg", ()))


@pytest.mark.parametrize("value", [0, 101, True, "82", 82.5])
def test_image_quality_must_be_a_whole_number_from_1_to_100(make_project, value: object):
    with pytest.raises(ConfigError, match="image_quality"):
        make_project(image_quality=value)


def test_image_quality_changes_the_cache_key_and_the_bytes(make_project, tmp_path: Path):
    build(make_project(static=GOOD), BuildOptions(out=tmp_path / "a"))
    result = build(make_project(static=GOOD, image_quality=60), BuildOptions(out=tmp_path / "b"))
    assert result.images.processed == 3
    assert len((tmp_path / "b/img/photo.jpg").read_bytes()) < len((tmp_path / "a/img/photo.jpg").read_bytes())
