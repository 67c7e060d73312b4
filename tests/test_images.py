"""images.py: displayed sizes read from headers (EXIF orientation applied), safe SVG reading, None on
anything unreadable, never a write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from assetopt.images import image_size, image_sizes

REPO = Path(__file__).resolve().parent.parent
SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'


def make_image(path: Path, size: tuple[int, int] = (40, 30), fmt: str | None = None, orientation: int | None = None) -> Path:
    im = Image.new("RGB", size, (200, 40, 40))
    kwargs: dict[str, object] = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        kwargs["exif"] = exif
    im.save(path, fmt, **kwargs)
    return path


@pytest.mark.parametrize(
    "name, fmt",
    [
        pytest.param("a.png", "PNG", id="png"),
        pytest.param("a.jpg", "JPEG", id="jpeg"),
        pytest.param("a.gif", "GIF", id="gif"),
        pytest.param("a.webp", "WEBP", id="webp"),
        pytest.param("a.bmp", "BMP", id="bmp"),
        pytest.param("photo.JPG", "JPEG", id="upper_case_suffix"),
        pytest.param("no_suffix", "PNG", id="no_suffix"),
    ],
)
def test_image_size_reads_width_and_height(tmp_path: Path, name: str, fmt: str) -> None:
    assert image_size(make_image(tmp_path / name, (40, 30), fmt)) == (40, 30)


@pytest.mark.parametrize(
    "orientation, expected",
    [pytest.param(o, (40, 30), id=f"orientation_{o}_keeps") for o in (1, 2, 3, 4)]
    + [pytest.param(o, (30, 40), id=f"orientation_{o}_swaps") for o in (5, 6, 7, 8)],
)
def test_image_size_applies_exif_orientation(tmp_path: Path, orientation: int, expected: tuple[int, int]) -> None:
    assert image_size(make_image(tmp_path / "a.jpg", (40, 30), "JPEG", orientation)) == expected


@pytest.mark.parametrize("name, fmt", [pytest.param("a.png", "PNG", id="png_exif_chunk"), pytest.param("a.webp", "WEBP", id="webp")])
def test_image_size_applies_exif_orientation_outside_jpeg(tmp_path: Path, name: str, fmt: str) -> None:
    assert image_size(make_image(tmp_path / name, (40, 30), fmt, 6)) == (30, 40)


def test_image_size_ignores_xmp_orientation_which_browsers_ignore(tmp_path: Path) -> None:
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="6"/></rdf:RDF></x:xmpmeta>'
    )
    path = tmp_path / "a.jpg"
    Image.new("RGB", (40, 30)).save(path, "JPEG", xmp=xmp)
    with Image.open(path) as im:
        assert im.getexif().get(0x0112) == 6  # Pillow reads it: the test really has an XMP orientation
    assert image_size(path) == (40, 30)


def test_image_size_never_decodes_pixels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [make_image(tmp_path / "a.png", fmt="PNG", orientation=6), make_image(tmp_path / "a.jpg", fmt="JPEG", orientation=6)]

    def no_load(self: object) -> None:
        raise AssertionError("pixels decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_load)
    assert [image_size(p) for p in paths] == [(30, 40), (30, 40)]


def test_image_size_never_writes_the_file(tmp_path: Path) -> None:
    path = make_image(tmp_path / "a.jpg", fmt="JPEG", orientation=6)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    image_size(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg"]


@pytest.mark.parametrize(
    "max_pixels",
    [pytest.param(100, id="over_twice_the_limit_is_an_error"), pytest.param(1000, id="over_the_limit_is_a_warning")],
)
def test_image_size_refuses_decompression_bombs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_pixels: int) -> None:
    path = make_image(tmp_path / "bomb.png", (40, 30), "PNG")  # 1200 pixels
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", max_pixels)
    assert image_size(path) is None


def _png_bytes(tmp_path: Path) -> bytes:
    return make_image(tmp_path / "src.png", (40, 30), "PNG").read_bytes()


@pytest.mark.parametrize(
    "name, content",
    [
        pytest.param("cut.png", lambda d: d[:20], id="truncated_inside_the_header"),
        pytest.param("cut.png", lambda d: d[:8], id="only_the_signature"),
        pytest.param("text.png", lambda d: b"this is not a picture\n", id="text_file_named_png"),
        pytest.param("page.jpg", lambda d: b"<!doctype html><title>404</title>", id="html_error_page_named_jpg"),
        pytest.param("empty.png", lambda d: b"", id="empty_file"),
        pytest.param("eps.png", lambda d: b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", id="eps_is_not_a_web_image"),
        pytest.param("a.svg", lambda d: d, id="png_named_svg"),
    ],
)
def test_image_size_is_none_for_unreadable_files(tmp_path: Path, name: str, content: object) -> None:
    path = tmp_path / name
    path.write_bytes(content(_png_bytes(tmp_path)))  # type: ignore[operator]
    assert image_size(path) is None


def test_image_size_is_none_for_missing_file_and_directory(tmp_path: Path) -> None:
    (tmp_path / "dir.png").mkdir()
    assert image_size(tmp_path / "missing.png") is None
    assert image_size(tmp_path / "dir.png") is None
    assert image_size(tmp_path / "missing.svg") is None


@pytest.mark.parametrize(
    "svg, expected",
    [
        pytest.param(f'<svg {SVG_NS} width="120" height="40"></svg>', (120, 40), id="width_and_height"),
        pytest.param(f'<svg {SVG_NS} width="120px" height=" 40.4px "/>', (120, 40), id="px_units"),
        pytest.param(f'<?xml version="1.0"?>\n<svg {SVG_NS} viewBox="0 0 64 32.5"/>', None, id="only_viewbox_has_no_intrinsic_size"),
        pytest.param(f'<svg {SVG_NS} viewBox="0,0,10,5" width="100%" height="100%"/>', None, id="percent_is_no_intrinsic_size"),
        pytest.param(f'<svg {SVG_NS} width="100" viewBox="0 0 10 5"/>', (100, 50), id="width_and_viewbox_ratio"),
        pytest.param(f'<svg {SVG_NS} height="100" viewBox="0 0 10 5"/>', (200, 100), id="height_and_viewbox_ratio"),
        pytest.param('<svg width="3" height="4"/>', (3, 4), id="no_namespace"),
        pytest.param(
            '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
            f'<svg {SVG_NS} width="24" height="24"><path d="M0 0h24v24H0z"/></svg>',
            (24, 24),
            id="public_doctype_without_subset_is_allowed",
        ),
        pytest.param(
            f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY w "10">]><svg {SVG_NS} width="&w;" height="20"/>',
            None,
            id="doctype_with_entity",
        ),
        pytest.param(
            '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            f'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg {SVG_NS} width="10" height="20"><text>&c;</text></svg>',
            None,
            id="billion_laughs",
        ),
        pytest.param(
            f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg {SVG_NS} width="10" height="20">&x;</svg>',
            None,
            id="external_entity",
        ),
        pytest.param(f'<!DOCTYPE svg [<!ELEMENT svg ANY>]><svg {SVG_NS} width="10" height="20"/>', None, id="internal_subset_without_entity"),
        pytest.param(f'<svg {SVG_NS} width="&w;" height="20"/>', None, id="undefined_entity"),
        pytest.param(f'<svg {SVG_NS} width="10em" height="2em"/>', None, id="relative_units"),
        pytest.param(f'<svg {SVG_NS} width="0" height="20"/>', None, id="zero_width"),
        pytest.param(f'<svg {SVG_NS} width="1e400" height="20"/>', None, id="infinite_width"),
        pytest.param(f'<svg {SVG_NS} viewBox="0 0 10"/>', None, id="broken_viewbox"),
        pytest.param(f"<svg {SVG_NS}/>", None, id="no_size_at_all"),
        pytest.param('<html xmlns="http://www.w3.org/1999/xhtml" width="10" height="10"/>', None, id="not_svg_root"),
        pytest.param("this is not xml", None, id="not_xml"),
        pytest.param("", None, id="empty"),
    ],
)
def test_svg_size(tmp_path: Path, svg: str, expected: tuple[int, int] | None) -> None:
    path = tmp_path / "a.svg"
    path.write_text(svg, encoding="utf-8")
    assert image_size(path) == expected


def test_svg_size_reads_utf16_and_upper_case_suffix(tmp_path: Path) -> None:
    path = tmp_path / "icon.SVG"
    path.write_bytes(f'<?xml version="1.0" encoding="UTF-16"?><svg {SVG_NS} width="7" height="8"/>'.encode("utf-16"))
    assert image_size(path) == (7, 8)


def test_image_sizes_keeps_only_readable_files(tmp_path: Path) -> None:
    files = {
        "img/a.png": make_image(tmp_path / "a.png", (40, 30), "PNG"),
        "img/turned.jpg": make_image(tmp_path / "turned.jpg", (40, 30), "JPEG", 8),
        "img/logo.svg": tmp_path / "logo.svg",
        "img/broken.png": tmp_path / "broken.png",
        "img/missing.png": tmp_path / "missing.png",
    }
    (tmp_path / "logo.svg").write_text(f'<svg {SVG_NS} width="160" height="40" viewBox="0 0 160 40"/>', encoding="utf-8")
    (tmp_path / "broken.png").write_text("oops", encoding="utf-8")
    assert image_sizes(files) == {"img/a.png": (40, 30), "img/turned.jpg": (30, 40), "img/logo.svg": (160, 40)}


def test_pillow_is_imported_only_by_images_and_its_helpers() -> None:
    importing = sorted(
        p.relative_to(REPO).as_posix()
        for p in (REPO / "assetopt").rglob("*.py")
        if re.search(r"^\s*(from PIL\b|import PIL\b)", p.read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert importing and all(p == "assetopt/images.py" or p.startswith("assetopt/imaging/") for p in importing), importing


def test_importing_the_image_api_or_the_build_does_not_load_pillow() -> None:
    import subprocess
    import sys

    code = "import sys, assetopt.images, assetopt.build, assetopt.cli; print('PIL' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "False"
