"""Width copies from ``sizes``: the slot a ``sizes`` gives at a viewport, the copies it asks for at
Lighthouse's screens (slot x DPR, up to 16 px), and a real build making them beside the configured
``image_widths`` for a ``{% picture %}`` image (and again from the cache when nothing changed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from photos import jpeg, photo

from assetopt.build import BuildOptions, build
from assetopt.build.manifest import MANIFEST_NAME, load_manifest
from assetopt.build.picture_widths import candidate_widths, picture_widths, slot_at

AVATAR = "(max-width: 600px) 96px, (max-width: 768px) 16vw, 120px"


@pytest.mark.parametrize(
    ("sizes", "viewport", "slot"),
    [
        pytest.param(AVATAR, 412, 96.0, id="first_band"),
        pytest.param(AVATAR, 700, 112.0, id="vw_band"),  # 16 % of 700
        pytest.param(AVATAR, 1350, 120.0, id="default"),
        pytest.param("50vw", 412, 206.0, id="vw_only"),
        pytest.param("(min-width: 800px) 300px, 100vw", 412, 412.0, id="min_width_not_met"),
        pytest.param("(min-width: 800px) 300px, 100vw", 1350, 300.0, id="min_width_met"),
        pytest.param("calc(100vw - 2rem)", 412, None, id="calc_is_not_read"),
        pytest.param("(orientation: landscape) 50vw, 100vw", 412, None, id="other_conditions_are_not_read"),
        pytest.param("(max-width: 600px) 96px", 1350, None, id="no_entry_applies"),
        pytest.param("", 412, None, id="empty"),
    ],
)
def test_the_slot_a_sizes_gives_at_a_viewport(sizes: str, viewport: int, slot: float | None):
    assert slot_at(sizes, viewport) == slot


@pytest.mark.parametrize(
    ("sizes", "configured", "widths"),
    [
        # phone: 96 x 1.75 = 168 -> 176; desktop: 96 -> 96
        pytest.param("96px", (480, 960, 1440), (96, 176), id="avatar"),
        # phone: 92 % of 412 = 379.04 x 1.75 = 663.3 -> 672; desktop: 244 -> 256
        pytest.param("(max-width: 600px) 92vw, 244px", (480, 960, 1440), (256, 672), id="product_photo"),
        # phone: 270 x 1.75 = 472.5 -> 480, which the configured 480 covers; desktop: 270 -> 272
        pytest.param("270px", (480,), (272,), id="covered_by_a_configured_width"),
        pytest.param("calc(100vw - 2rem)", (480,), (), id="unreadable_asks_for_nothing"),
    ],
)
def test_the_copies_a_sizes_asks_for(sizes: str, configured: tuple[int, ...], widths: tuple[int, ...]):
    assert candidate_widths(sizes, configured) == widths


PAGE = """{% load static assetopt %}
{% picture %}<img src="{% static 'img/a.jpg' %}" alt="" sizes="300px">{% endpicture %}
<img src="{% static 'img/b.jpg' %}" alt="" sizes="96px">
{% picture %}<img src="{% static 'img/logo.svg' %}" alt="" sizes="96px">{% endpicture %}
{% picture %}<img src="{% static product.image %}" alt="" sizes="96px">{% endpicture %}
"""


def test_picture_widths_reads_the_picture_images_with_a_literal_raster_src(make_project):
    project = make_project(templates={"page.html": PAGE, "plain.html": "<p>no pictures</p>"})
    # 300 x 1.75 = 525 -> 528 (480 does not cover it, 960 is more than 10 % wider); 300 -> 304
    assert picture_widths(project) == {"img/a.jpg": (304, 528)}


def test_the_build_makes_the_copies_sizes_ask_for_and_reuses_them_from_the_cache(make_project, tmp_path: Path):
    static = {"img/a.jpg": jpeg(photo(800, 600, seed=3)), "img/b.jpg": jpeg(photo(800, 600, seed=4))}
    project = make_project(templates={"page.html": PAGE}, static=static)
    out = tmp_path / "out"
    first = build(project, BuildOptions(out=out))
    manifest = load_manifest(out / MANIFEST_NAME)
    assert sorted(c.width for c in manifest.images["img/a.jpg"].candidates["image/jpeg"]) == [304, 480, 528, 800]
    assert sorted(c.width for c in manifest.images["img/b.jpg"].candidates["image/jpeg"]) == [480, 800]  # not in a {% picture %}
    assert (out / "img/a.304w.jpg").is_file() and (out / "img/a.528w.jpg").is_file()
    assert first.images.processed == 2
    again = build(project, BuildOptions(out=out))
    assert again.images.processed == 0 and again.images.removed == []
