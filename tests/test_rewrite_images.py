"""The images transform: lazy below the fold, fetchpriority on the LCP candidate, width/height from the
file; inserted after the last attribute, nothing else touched; opaque tags skipped and reported."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from PIL import Image
from templates_we_have import template_params

from assetopt.audit.run import find_pages
from assetopt.errors import ConfigError
from assetopt.images import image_size, image_sizes
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.edits import Edit, TransformResult, apply_edits
from assetopt.rewrite.images import plan_images
from assetopt.templates.fold import image_roles
from assetopt.templates.model import Template, parse_template
from assetopt.templates.tags import StartTag

REPO = Path(__file__).resolve().parent.parent

LAZY = ' loading="lazy" decoding="async"'


def _img_starts(template: Template) -> list[int]:
    return [i.start for i in template.items if isinstance(i, StartTag) and i.name == "img"]


def make_ctx(
    template: Template,
    roles: Mapping[int, str] | None = None,
    sizes: Mapping[str, tuple[int, int]] | None = None,
    selectors: tuple[str, ...] = (),
) -> RewriteContext:
    """A context whose roles are given by image index (0 = the template's first <img>)."""
    starts = _img_starts(template)
    keyed = {(template.name, starts[i]): role for i, role in (roles or {}).items()}
    return RewriteContext(image_roles=keyed, image_sizes=dict(sizes or {}), eager_selectors=selectors)


def rewrite(
    source: str,
    roles: Mapping[int, str] | None = None,
    sizes: Mapping[str, tuple[int, int]] | None = None,
    selectors: tuple[str, ...] = (),
    name: str = "page.html",
) -> tuple[str, TransformResult]:
    template = parse_template(name, source)
    result = plan_images(template, make_ctx(template, roles, sizes, selectors))
    return apply_edits(source, result.edits), result


def strip_insertions(output: str, edits: Sequence[Edit]) -> str:
    """``output`` with every inserted text taken out again (each checked to be where it was put)."""
    parts: list[str] = []
    pos = shift = 0
    for e in sorted(edits, key=lambda e: e.start):  # stable: same order as apply_edits at one offset
        assert e.start == e.end, f"not an insertion: {e}"
        at = e.start + shift
        assert output[at : at + len(e.text)] == e.text
        parts.append(output[pos:at])
        pos = at + len(e.text)
        shift += len(e.text)
    parts.append(output[pos:])
    return "".join(parts)


def assert_rewrites(
    source: str,
    expected: str,
    roles: Mapping[int, str] | None = None,
    sizes: Mapping[str, tuple[int, int]] | None = None,
    selectors: tuple[str, ...] = (),
) -> TransformResult:
    out, result = rewrite(source, roles, sizes, selectors)
    assert out == expected
    assert strip_insertions(out, result.edits) == source
    # idempotence: the same images (by index) with the same roles ask for nothing more
    again, second = rewrite(out, roles, sizes, selectors)
    assert second.edits == ()
    assert again == out
    return result


ROLE_CASES = [
    pytest.param(
        '<main><img src="a.png" alt=""></main>',
        {0: "below"},
        f'<main><img src="a.png" alt=""{LAZY}></main>',
        id="below_fold_img_gets_lazy_and_async",
    ),
    pytest.param(
        '<main><img src="a.png" alt=""></main>',
        {},
        '<main><img src="a.png" alt=""></main>',
        id="unrendered_template_img_is_left_eager",
    ),
    pytest.param(
        '<nav class="top"><a href="/"><img src="/static/logo.png" alt=""></a></nav>',
        {},
        '<nav class="top"><a href="/"><img src="/static/logo.png" alt=""></a></nav>',
        id="chrome_img_in_nav_untouched",
    ),
    pytest.param(
        '<header><div><img src="logo.png"></div></header>\n<img src="b.png">',
        {1: "below"},
        f'<header><div><img src="logo.png"></div></header>\n<img src="b.png"{LAZY}>',
        id="header_is_chrome_until_it_closes",
    ),
    pytest.param(
        '<header{% if dark %} class="dark"{% endif %}><img src="logo.png"></header>',
        {},
        '<header{% if dark %} class="dark"{% endif %}><img src="logo.png"></header>',
        id="opaque_header_still_opens_a_header",
    ),
    pytest.param(
        '<div><img src="logo.png"></div>',
        {0: "chrome"},
        '<div><img src="logo.png"></div>',
        id="chrome_role_from_pages_untouched",
    ),
    pytest.param(
        '<nav><img src="a.png"></nav>',
        {0: "below"},
        f'<nav><img src="a.png"{LAZY}></nav>',
        id="role_from_pages_wins_over_the_template_guess",
    ),
    pytest.param(
        '<section class="hero"><img src="/static/hero.jpg" alt="Hero"></section>',
        {0: "lcp"},
        '<section class="hero"><img src="/static/hero.jpg" alt="Hero" fetchpriority="high"></section>',
        id="lcp_candidate_gets_fetchpriority_never_lazy",
    ),
    pytest.param(
        '<img src="hero.jpg" fetchpriority="auto" decoding="sync">',
        {0: "lcp"},
        '<img src="hero.jpg" fetchpriority="auto" decoding="sync">',
        id="lcp_keeps_its_own_fetchpriority",
    ),
    pytest.param(
        '<img src="a.png" loading="lazy">',
        {0: "below"},
        '<img src="a.png" loading="lazy">',
        id="already_lazy_left_alone",
    ),
    pytest.param(
        '<img src="a.png" loading="eager">',
        {0: "below"},
        '<img src="a.png" loading="eager">',
        id="author_eager_left_alone",
    ),
    pytest.param(
        '<img src="a.png" loading="lazy">',
        {0: "lcp"},
        '<img src="a.png" loading="lazy">',
        id="lcp_with_loading_left_alone_for_fetchpriority",
    ),
    pytest.param(
        '<img src="a.png" decoding="sync">',
        {0: "below"},
        '<img src="a.png" decoding="sync" loading="lazy">',
        id="decoding_added_only_when_absent",
    ),
    pytest.param(
        '<img src="a.png" fetchpriority="high">',
        {},
        '<img src="a.png" fetchpriority="high">',
        id="author_high_priority_is_never_lazy",
    ),
    pytest.param(
        '<img src="a.png" fetchpriority="{% if forloop.first %}high{% else %}low{% endif %}">',
        {0: "below"},
        '<img src="a.png" fetchpriority="{% if forloop.first %}high{% else %}low{% endif %}">',
        id="high_priority_in_one_branch_is_never_lazy",
    ),
    pytest.param(
        '<img src="a.png" fetchpriority="{{ priority }}">',
        {0: "below"},
        '<img src="a.png" fetchpriority="{{ priority }}">',
        id="priority_from_template_code_is_never_lazy",
    ),
    pytest.param(
        '{% blocktrans %}<img src="a.png"> {{ count }} new{% endblocktrans %}',
        {0: "below"},
        '{% blocktrans %}<img src="a.png"> {{ count }} new{% endblocktrans %}',
        id="img_in_blocktrans_untouched_its_text_is_a_msgid",
    ),
    pytest.param(
        '{% comment %}<img src="a.png">{% endcomment %}',
        {},
        '{% comment %}<img src="a.png">{% endcomment %}',
        id="img_in_comment_block_untouched",
    ),
    pytest.param('<!-- <img src="a.png"> -->', {}, '<!-- <img src="a.png"> -->', id="img_in_html_comment_untouched"),
    pytest.param('{# <img src="a.png"> #}', {}, '{# <img src="a.png"> #}', id="img_in_template_comment_untouched"),
    pytest.param(
        '{% verbatim %}<img src="a.png">{% endverbatim %}',
        {},
        '{% verbatim %}<img src="a.png">{% endverbatim %}',
        id="img_in_verbatim_untouched",
    ),
    pytest.param(
        "<script>el.innerHTML = '<img src=\"a.png\">';</script>",
        {},
        "<script>el.innerHTML = '<img src=\"a.png\">';</script>",
        id="img_in_script_text_untouched",
    ),
    pytest.param(
        '<img src="{{ product.image_url }}" alt="{{ product.name }}">',
        {0: "below"},
        f'<img src="{{{{ product.image_url }}}}" alt="{{{{ product.name }}}}"{LAZY}>',
        id="dynamic_src_gets_lazy_without_sizes",
    ),
    pytest.param(
        '<img src="a.png" alt="" />',
        {0: "below"},
        f'<img src="a.png" alt=""{LAZY} />',
        id="self_closing_with_space",
    ),
    pytest.param('<img src="a.png"/>', {0: "below"}, f'<img src="a.png"{LAZY}/>', id="self_closing_without_space"),
    pytest.param(
        "<img src='a.png' alt='x'>",
        {0: "below"},
        "<img src='a.png' alt='x' loading='lazy' decoding='async'>",
        id="single_quoted_attributes_keep_their_quotes",
    ),
    pytest.param("<img src=a.png alt=x>", {0: "below"}, f"<img src=a.png alt=x{LAZY}>", id="unquoted_attributes"),
    pytest.param("<img src=a.png hidden>", {0: "below"}, f"<img src=a.png hidden{LAZY}>", id="valueless_last_attribute"),
    pytest.param("<img>", {0: "below"}, "<img>", id="no_src_fetches_nothing"),
    pytest.param('<img src="data:image/gif;base64,R0lGOD">', {0: "below"}, '<img src="data:image/gif;base64,R0lGOD">', id="data_uri_fetches_nothing"),
    pytest.param('<img src="data:image/png;base64,iVBO">', {0: "lcp"}, '<img src="data:image/png;base64,iVBO">', id="data_uri_never_prioritised"),
    pytest.param('<IMG SRC="a.png">', {0: "below"}, f'<IMG SRC="a.png"{LAZY}>', id="upper_case_tag"),
    pytest.param(
        '<img\n    src="a.png"\n    alt="x"\n>',
        {0: "below"},
        f'<img\n    src="a.png"\n    alt="x"{LAZY}\n>',
        id="multi_line_tag",
    ),
    pytest.param(
        '<main>\r\n  <img src="a.png">\r\n</main>\r\n',
        {0: "below"},
        f'<main>\r\n  <img src="a.png"{LAZY}>\r\n</main>\r\n',
        id="crlf_file",
    ),
    pytest.param('\ufeff<img src="a.png">\n', {0: "below"}, f'\ufeff<img src="a.png"{LAZY}>\n', id="bom_file"),
    pytest.param(
        '<p>صورة المنتج</p><img src="a.png" alt="صورة"><p>انتهى</p>',
        {0: "below"},
        f'<p>صورة المنتج</p><img src="a.png" alt="صورة"{LAZY}><p>انتهى</p>',
        id="arabic_text_around_the_edit",
    ),
    pytest.param(
        '<iframe src="https://maps.example/embed" title="Map"></iframe>',
        {},
        '<iframe src="https://maps.example/embed" title="Map" loading="lazy"></iframe>',
        id="iframe_gets_lazy",
    ),
    pytest.param(
        '<iframe src="{% url \'map\' %}" loading="eager"></iframe>',
        {},
        '<iframe src="{% url \'map\' %}" loading="eager"></iframe>',
        id="iframe_with_loading_left_alone",
    ),
    pytest.param(
        '<img src="hero.jpg"><img src="a.png"><img src="b.png" loading="lazy"><nav><img src="c.png"></nav>',
        {0: "lcp", 1: "below", 2: "below", 3: "chrome"},
        f'<img src="hero.jpg" fetchpriority="high"><img src="a.png"{LAZY}><img src="b.png" loading="lazy"><nav><img src="c.png"></nav>',
        id="each_image_by_its_role",
    ),
]


@pytest.mark.parametrize("source, roles, expected", ROLE_CASES)
def test_loading_attributes(source: str, roles: dict[int, str], expected: str) -> None:
    assert_rewrites(source, expected, roles)


def test_reasons_are_one_line_and_say_why() -> None:
    _, result = rewrite('<img src="hero.jpg"><img src="a.png"><div><img src="b.png"></div><iframe src="x"></iframe>', {0: "lcp", 1: "below"})
    assert [(e.text, e.reason) for e in result.edits] == [
        (' fetchpriority="high"', "LCP candidate: fetchpriority=high"),
        (LAZY, "lazy: below the fold"),
        (' loading="lazy"', "lazy: iframe"),
    ]
    assert all(e.kind == "images" and "\n" not in e.reason for e in result.edits)


def test_opaque_img_is_untouched_and_reported() -> None:
    source = '<p>x</p>\n<img {% if x %}src="a.png"{% endif %} alt="">\n<iframe {{ attrs }}></iframe>'
    out, result = rewrite(source, sizes={"a.png": (10, 10)})
    assert out == source
    assert [(s.kind, s.path, s.lineno, s.reason) for s in result.skips] == [
        ("images", "page.html", 2, "<img> not rewritten: {% if %} between attributes"),
        ("images", "page.html", 3, "<iframe> not rewritten: {{ attrs }} between attributes"),
    ]


def test_img_inside_blocktrans_is_reported() -> None:
    source = '{% load i18n %}\n{% blocktranslate trimmed %}\n<img src="a.png"> {{ n }} new\n{% endblocktranslate %}<img src="b.png">'
    out, result = rewrite(source, {0: "below", 1: "below"})
    assert (
        out
        == f'{{% load i18n %}}\n{{% blocktranslate trimmed %}}\n<img src="a.png"> {{{{ n }}}} new\n{{% endblocktranslate %}}<img src="b.png"{LAZY}>'
    )
    assert [(s.lineno, s.reason) for s in result.skips] == [
        (3, "<img> not rewritten: inside {% blocktrans %}, its text is a translation's message id"),
        (4, "size unknown: src is relative (b.png)"),
    ]


EAGER_CASES = [
    pytest.param(
        '<div class="hero"><img class="hero__img" src="a.png"></div><img src="b.png">',
        (".hero__img",),
        f'<div class="hero"><img class="hero__img" src="a.png"></div><img src="b.png"{LAZY}>',
        id="class_selector",
    ),
    pytest.param(
        '<div class="hero">\r\n  <img src="a.png">\r\n</div>\r\n<img src="b.png">',
        (".hero > img",),
        f'<div class="hero">\r\n  <img src="a.png">\r\n</div>\r\n<img src="b.png"{LAZY}>',
        id="child_selector_in_crlf_file",
    ),
    pytest.param(
        '\ufeff{% load static %}<p>صورة</p>\n<img id="{{ id }}" data-eager src="{% static \'a.png\' %}"><img src="b.png">',
        ("img[data-eager]",),
        f'\ufeff{{% load static %}}<p>صورة</p>\n<img id="{{{{ id }}}}" data-eager src="{{% static \'a.png\' %}}"><img src="b.png"{LAZY}>',
        id="attribute_selector_after_template_code_and_bom",
    ),
    pytest.param(
        '<img src="a.png"><iframe class="keep" src="x"></iframe>',
        ("iframe.keep", "img"),
        '<img src="a.png"><iframe class="keep" src="x"></iframe>',
        id="several_selectors_and_iframes",
    ),
    pytest.param(
        '<img src="a.png"><div class="{% if a %}hero{% endif %}"><img src="b.png"></div>',
        (".hero img",),
        # the class may be there: keep the image eager (eager is never wrong, lazy can be)
        f'<img src="a.png"{LAZY}><div class="{{% if a %}}hero{{% endif %}}"><img src="b.png"></div>',
        id="conditional_class_matches_and_keeps_eager",
    ),
]


@pytest.mark.parametrize("source, selectors, expected", EAGER_CASES)
def test_eager_selectors_keep_images_eager(source: str, selectors: tuple[str, ...], expected: str) -> None:
    roles = dict.fromkeys(range(len(_img_starts(parse_template("page.html", source)))), "below")
    assert_rewrites(source, expected, roles, selectors=selectors)


def test_eager_selector_turns_lcp_into_chrome() -> None:
    assert_rewrites('<img class="logo" src="a.png">', '<img class="logo" src="a.png">', {0: "lcp"}, selectors=(".logo",))


def test_bad_eager_selector_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="eager_selectors: 'img\\[' is not a CSS selector"):
        rewrite('<img src="a.png">', selectors=("img[",))


HERO = {"img/gen/hero.jpg": (1600, 600)}

SIZE_CASES = [
    pytest.param(
        '<img src="{% static \'img/gen/hero.jpg\' %}" alt="">',
        {0: "lcp"},
        '<img src="{% static \'img/gen/hero.jpg\' %}" alt="" width="1600" height="600" fetchpriority="high">',
        ["size from img/gen/hero.jpg: 1600x600", "LCP candidate: fetchpriority=high"],
        [],
        id="both_missing_added_before_fetchpriority",
    ),
    pytest.param(
        '<img src="/static/img/gen/hero.jpg">',
        {0: "below"},
        f'<img src="/static/img/gen/hero.jpg" width="1600" height="600"{LAZY}>',
        ["size from img/gen/hero.jpg: 1600x600", "lazy: below the fold"],
        [],
        id="literal_static_url_and_lazy",
    ),
    pytest.param(
        "<img src='{{ STATIC_URL }}img/gen/hero.jpg'>",
        {0: "chrome"},
        "<img src='{{ STATIC_URL }}img/gen/hero.jpg' width='1600' height='600'>",
        ["size from img/gen/hero.jpg: 1600x600"],
        [],
        id="static_url_prefix_single_quotes",
    ),
    pytest.param(
        '<img src="/static/img/gen/hero.jpg" width="800">',
        {0: "chrome"},
        '<img src="/static/img/gen/hero.jpg" width="800" height="300">',
        ["size from img/gen/hero.jpg: 1600x600, height in proportion to width=800"],
        [],
        id="width_present_height_keeps_ratio",
    ),
    pytest.param(
        '<img height="100" src="/static/img/gen/hero.jpg">',
        {0: "chrome"},
        '<img height="100" src="/static/img/gen/hero.jpg" width="267">',
        ["size from img/gen/hero.jpg: 1600x600, width in proportion to height=100"],
        [],
        id="height_present_width_rounded",
    ),
    pytest.param(
        '<img src="/static/img/gen/hero.jpg" width="1600" height="600">',
        {0: "chrome"},
        '<img src="/static/img/gen/hero.jpg" width="1600" height="600">',
        [],
        [],
        id="both_present_nothing_to_do",
    ),
    pytest.param(
        '<img src="/static/img/gen/hero.jpg" width="50%">',
        {0: "below"},
        f'<img src="/static/img/gen/hero.jpg" width="50%"{LAZY}>',
        ["lazy: below the fold"],
        ['height not added: width="50%" is not a plain number of pixels'],
        id="percent_width_left_alone",
    ),
    pytest.param(
        '<img src="/static/img/gen/hero.jpg" width="800px">',
        {0: "chrome"},
        '<img src="/static/img/gen/hero.jpg" width="800px">',
        [],
        ['height not added: width="800px" is not a plain number of pixels'],
        id="width_with_unit_left_alone",
    ),
    pytest.param(
        '<img src="/static/img/gen/hero.jpg" height="{{ h }}">',
        {0: "chrome"},
        '<img src="/static/img/gen/hero.jpg" height="{{ h }}">',
        [],
        ['width not added: height="{{ h }}" is not a plain number of pixels'],
        id="height_with_template_code_left_alone",
    ),
    pytest.param(
        '<img src="/static/img/gen/hero.jpg" width>',
        {0: "chrome"},
        '<img src="/static/img/gen/hero.jpg" width>',
        [],
        ["height not added: width is not a plain number of pixels"],
        id="valueless_width_left_alone",
    ),
    pytest.param(
        '<img src="{{ product.image_url }}">',
        {0: "chrome"},
        '<img src="{{ product.image_url }}">',
        [],
        ["size unknown: src is computed at run time ({{ product.image_url }})"],
        id="dynamic_src_size_unknown",
    ),
    pytest.param(
        '<img src="https://cdn.example.com/hero.jpg">',
        {0: "chrome"},
        '<img src="https://cdn.example.com/hero.jpg">',
        [],
        ["size unknown: src is external (https://cdn.example.com/hero.jpg)"],
        id="external_src_size_unknown",
    ),
    pytest.param(
        '<img src="/static/img/missing.png">',
        {0: "chrome"},
        '<img src="/static/img/missing.png">',
        [],
        ["size unknown: img/missing.png is missing, not an image, or an SVG without width/height (no intrinsic size)"],
        id="missing_file_size_unknown",
    ),
    pytest.param(
        '<img alt="">',
        {0: "chrome"},
        '<img alt="">',
        [],
        ["size unknown: no src"],
        id="no_src_size_unknown",
    ),
    pytest.param(
        "<img src=\"{% if LANGUAGE_BIDI %}{% static 'img/gen/hero.rtl.jpg' %}{% else %}{% static 'img/gen/hero.jpg' %}{% endif %}\">",
        {0: "chrome"},
        "<img src=\"{% if LANGUAGE_BIDI %}{% static 'img/gen/hero.rtl.jpg' %}{% else %}{% static 'img/gen/hero.jpg' %}{% endif %}\">",
        [],
        ["size unknown: src is one of 2 files (img/gen/hero.rtl.jpg, img/gen/hero.jpg)"],
        id="two_static_variants_size_unknown",
    ),
    pytest.param(
        '<img src="/static/img/gen/hero.jpg" srcset="/static/img/gen/hero-800.jpg 800w, /static/img/gen/hero.jpg 1600w" sizes="100vw">',
        {0: "chrome"},
        '<img src="/static/img/gen/hero.jpg" srcset="/static/img/gen/hero-800.jpg 800w, /static/img/gen/hero.jpg 1600w" sizes="100vw">',
        [],
        ["size not added: srcset/sizes choose the displayed size, not src"],
        id="srcset_with_widths_size_not_added",
    ),
    pytest.param(
        '<img src="/static/img/gen/hero.jpg" srcset="/static/img/gen/hero@2x.jpg 2x">',
        {0: "chrome"},
        '<img src="/static/img/gen/hero.jpg" srcset="/static/img/gen/hero@2x.jpg 2x" width="1600" height="600">',
        ["size from img/gen/hero.jpg: 1600x600"],
        [],
        id="srcset_with_densities_keeps_src_size",
    ),
    pytest.param(
        '<picture><source srcset="/static/img/gen/hero-tall.jpg" media="(max-width: 600px)"><img src="/static/img/gen/hero.jpg"></picture>',
        {0: "below"},
        f'<picture><source srcset="/static/img/gen/hero-tall.jpg" media="(max-width: 600px)"><img src="/static/img/gen/hero.jpg"{LAZY}></picture>',
        ["lazy: below the fold"],
        ["size not added: inside <picture>, where a <source> may have another size"],
        id="picture_gets_lazy_but_no_size",
    ),
]


@pytest.mark.parametrize("source, roles, expected, reasons, skips", SIZE_CASES)
def test_width_and_height(source: str, roles: dict[int, str], expected: str, reasons: list[str], skips: list[str]) -> None:
    result = assert_rewrites(source, expected, roles, HERO)
    assert [e.reason for e in result.edits] == reasons
    assert [s.reason for s in result.skips] == skips


@pytest.fixture
def static_images(tmp_path: Path) -> dict[str, Path]:
    """Real image files made with Pillow: a landscape hero, a photo stored turned (EXIF 6), an SVG."""
    root = tmp_path / "static"
    (root / "img" / "gen").mkdir(parents=True)
    Image.new("RGB", (1600, 600), (30, 60, 90)).save(root / "img" / "gen" / "hero.jpg", "JPEG")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored 400x300, shown rotated: 300x400
    Image.new("RGB", (400, 300), (90, 60, 30)).save(root / "img" / "gen" / "portrait.jpg", "JPEG", exif=exif)
    (root / "img" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40"/>', encoding="utf-8")
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def test_sizes_read_from_real_files(static_images: dict[str, Path]) -> None:
    sizes = image_sizes(static_images)
    assert sizes == {"img/gen/hero.jpg": (1600, 600), "img/gen/portrait.jpg": (300, 400), "img/logo.svg": (160, 40)}
    assert image_size(static_images["img/gen/portrait.jpg"]) == (300, 400)
    source = (
        '{% load static %}<nav><img src="{% static \'img/logo.svg\' %}" alt=""></nav>\n'
        '<img src="{% static \'img/gen/hero.jpg\' %}" alt="">\n'
        '<img src="{% static \'img/gen/portrait.jpg\' %}" alt="" width="150">\n'
        '<img src="{% static \'img/gen/portrait.jpg\' %}" alt="">\n'
    )
    expected = (
        '{% load static %}<nav><img src="{% static \'img/logo.svg\' %}" alt="" width="160" height="40"></nav>\n'
        '<img src="{% static \'img/gen/hero.jpg\' %}" alt="" width="1600" height="600" fetchpriority="high">\n'
        f'<img src="{{% static \'img/gen/portrait.jpg\' %}}" alt="" width="150" height="200"{LAZY}>\n'
        f'<img src="{{% static \'img/gen/portrait.jpg\' %}}" alt="" width="300" height="400"{LAZY}>\n'
    )
    assert_rewrites(source, expected, {0: "chrome", 1: "lcp", 2: "below", 3: "below"}, sizes)


def test_bytes_outside_the_edits_are_unchanged_in_an_arabic_crlf_bom_file() -> None:
    source = '\ufeff{% load static %}\r\n<h1>المنتجات</h1>\r\n<img src="{% static \'img/gen/hero.jpg\' %}" alt="صورة">\r\n<p>نهاية</p>\r\n'
    out, result = rewrite(source, {0: "below"}, HERO)
    (insert_at,) = {e.start for e in result.edits}
    inserted = "".join(e.text for e in result.edits)
    assert inserted == f' width="1600" height="600"{LAZY}'
    before, after = source.encode("utf-8"), out.encode("utf-8")
    cut = len(source[:insert_at].encode("utf-8"))
    assert after[:cut] == before[:cut]  # the BOM, the CRLFs and the Arabic before the tag's end
    assert after[cut + len(inserted.encode("utf-8")) :] == before[cut:]
    assert out[insert_at - len('alt="صورة"') : insert_at] == 'alt="صورة"'


def test_roles_from_pages_of_a_project(make_project: object) -> None:
    """End to end through ``fold.image_roles``: the page's first content image is the LCP candidate,
    the rest are lazy, the navbar logo stays eager, a partial no page includes is left eager."""
    project = make_project(  # type: ignore[operator]
        templates={
            "base.html": '<!doctype html><html><body><header><img src="/static/logo.png"></header>{% block content %}{% endblock %}</body></html>',
            "home.html": '{% extends "base.html" %}{% block content %}<img src="/static/hero.jpg">{% include "card.html" %}{% endblock %}',
            "card.html": '<div class="card"><img src="/static/card.jpg"></div>',
            "orphan.html": '<div><img src="/static/orphan.jpg"></div>',
        }
    )
    pages, problems = find_pages(project)
    assert problems == []
    roles: dict[tuple[str, int], str] = {}
    for page in pages:
        for key, role in image_roles(page).items():
            roles.setdefault(key, role)
    ctx = RewriteContext(image_roles=roles)
    outputs = {}
    for name in ("base.html", "home.html", "card.html", "orphan.html"):
        template = project.load(name)
        outputs[name] = apply_edits(template.source, plan_images(template, ctx).edits)
    assert outputs == {
        "base.html": '<!doctype html><html><body><header><img src="/static/logo.png"></header>{% block content %}{% endblock %}</body></html>',
        "home.html": '{% extends "base.html" %}{% block content %}<img src="/static/hero.jpg" fetchpriority="high">{% include "card.html" %}{% endblock %}',
        "card.html": f'<div class="card"><img src="/static/card.jpg"{LAZY}></div>',
        "orphan.html": '<div><img src="/static/orphan.jpg"></div>',  # no page: the fold is unknown
    }


@pytest.mark.parametrize("root, path", template_params(with_root=True))
def test_invariants_on_every_template(root: Path, path: Path) -> None:
    """With no roles and no sizes: the output parses, re-planning gives no edits, and the only
    changed bytes are the inserted attributes, each inside an <img>/<iframe> start tag."""
    name = path.relative_to(root).as_posix()
    source = path.read_text(encoding="utf-8")
    template = parse_template(name, source)
    result = plan_images(template, RewriteContext())
    out = apply_edits(source, result.edits)
    assert strip_insertions(out, result.edits) == source
    tags = [i for i in template.items if isinstance(i, StartTag) and i.name in ("img", "iframe")]
    for e in result.edits:
        assert any(t.start < e.start < t.end for t in tags), e
        assert e.text.startswith(" ") and "{" not in e.text and "<" not in e.text and ">" not in e.text
    again = parse_template(name, out)
    assert plan_images(again, RewriteContext()).edits == ()
    assert [(t.name, t.lineno) for t in again.items if isinstance(t, StartTag)] == [
        (t.name, t.lineno) for t in template.items if isinstance(t, StartTag)
    ]


def test_opaque_img_with_static_src_is_wrapped_in_picture_and_reported() -> None:
    """The team-avatar shape: template code between the attributes leaves the tag opaque (no loading
    or size attributes are added), but {% picture %} works on the rendered <img>, so it is wrapped."""
    from dataclasses import replace

    source = '{% for m in team %}<img src="{% static m.avatar %}" alt=""{% if forloop.counter > 3 %} loading="lazy"{% endif %}>{% endfor %}'
    template = parse_template("page.html", source)
    result = plan_images(template, replace(make_ctx(template, None, None, ()), pictures=True))
    img_end = source.index("{% endfor %}")
    assert apply_edits(source, result.edits) == source[:19] + "{% picture %}" + source[19:img_end] + "{% endpicture %}" + source[img_end:]
    assert [s.reason for s in result.skips] == ["<img> wrapped in {% picture %} only, no loading/size attributes: {% if %} between attributes"]
    assert result.loads == ("assetopt",)
