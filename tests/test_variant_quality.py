"""WebP/AVIF variants must not look worse than the JPEG they stand in for (SSIM against the source).

The qualities in ``images._WEBP_QUALITY_OFFSET``/``_AVIF_QUALITY_OFFSET`` were chosen with
``bench/bench_images.py --match`` (bench/RESULTS.md); these tests hold them there on photo-like images
made like the example's (gradients, soft shapes, film grain, saved as JPEG 90), and check the SSIM the
bench uses against a plain-Python oracle.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest
from photos import jpeg, photo
from PIL import Image, features

from assetopt import images

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_images", REPO / "bench" / "bench_images.py")
assert _spec is not None and _spec.loader is not None
bench_images = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_images)
ssim, ssim_blocks = bench_images.ssim, bench_images.ssim_blocks

EPSILON = 0.005  # SSIM below the JPEG's by less than this is not a visible difference


def grainy_photo(width: int = 640, height: int = 400, seed: int = 1) -> bytes:
    """A photo as example/prepare.py makes them: gradient, soft shapes, blurred grain; JPEG 90."""
    return jpeg(photo(width, height, seed=seed, shapes=10, min_radius=20, blur=6, noise=None, grain=0.09), quality=90)


def decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGB")


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    im.save(out, format=fmt, **params)
    return out.getvalue()


# --- the metric -----------------------------------------------------------------------------------


def test_fast_ssim_equals_the_plain_python_oracle_on_non_overlapping_blocks():
    source = decoded(grainy_photo(200, 136, seed=4))
    lossy = decoded(encode(source, "JPEG", quality=40))
    assert ssim(source, lossy, step=8) == pytest.approx(ssim_blocks(source, lossy), abs=1e-5)
    assert ssim(source, source) == pytest.approx(1.0, abs=1e-9)


def test_ssim_orders_qualities():
    source = decoded(grainy_photo(320, 200, seed=5))
    scores = [ssim(source, decoded(encode(source, "JPEG", quality=q))) for q in (20, 50, 90)]
    assert scores == sorted(scores) and scores[0] < 0.95 < scores[2]


# --- the chosen qualities ---------------------------------------------------------------------------

FORMATS = [pytest.param("WEBP", images._WEBP_QUALITY_OFFSET, {"method": images._WEBP_METHOD}, id="webp")]
if features.check("avif"):
    FORMATS.append(pytest.param("AVIF", images._AVIF_QUALITY_OFFSET, {"speed": images._AVIF_SPEED, "max_threads": 1}, id="avif"))


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(("fmt", "offset", "params"), FORMATS)
def test_variant_at_the_build_quality_is_not_visibly_worse_than_the_jpeg(fmt: str, offset: int, params: dict, seed: int):
    """Encoded at the quality the build uses, kept or not: the constants themselves are held."""
    source = grainy_photo(seed=seed)
    pixels = decoded(source)
    jpeg = images.optimize_image(source, ".jpg", quality=images.DEFAULT_QUALITY)
    assert jpeg.kept  # the JPEG the page would otherwise get is a re-encode at DEFAULT_QUALITY
    jpeg_score = ssim(pixels, decoded(jpeg.data))
    variant = encode(pixels, fmt, quality=images._matched(images.DEFAULT_QUALITY, offset), **params)
    assert ssim(pixels, decoded(variant)) >= jpeg_score - EPSILON


def test_every_variant_the_build_keeps_is_not_visibly_worse_than_the_jpeg():
    kept = 0
    for seed in (1, 2, 3):
        source = grainy_photo(seed=seed)
        pixels = decoded(source)
        jpeg_score = ssim(pixels, decoded(images.optimize_image(source, ".jpg").data))
        for suffix, data in images.modern_variants(source, ".jpg").items():
            kept += 1
            assert ssim(pixels, decoded(data)) >= jpeg_score - EPSILON, (seed, suffix)
    if features.check("avif"):
        assert kept >= 3  # AVIF at matched quality still beats the JPEG's bytes on these photos
