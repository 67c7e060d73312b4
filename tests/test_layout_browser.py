"""The layout pass on a small real Django project in a temp dir: Django renders the page from the probe
copy, Chromium loads it at the mobile and desktop screens and reports each template tag's widths (its
CSS says what they must be), the first screen and the LCP element; the rewrite turns that into
``sizes`` and roles; a second pass with nothing changed comes from the cache."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from browser_support import needs_chromium
from click.testing import CliRunner
from PIL import Image

from assetopt.browser.layout import measure_layout
from assetopt.cli import cli
from assetopt.config import load_config
from assetopt.io.project import Project
from assetopt.rewrite.context import context_from_config
from assetopt.rewrite.layout_facts import VIEWPORTS, layout_role
from assetopt.rewrite.project import plan_project
from assetopt.templates.fold import BELOW, CHROME, LCP

pytestmark = needs_chromium

SETTINGS = """\
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "test"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "layurls"
INSTALLED_APPS = ["django.contrib.staticfiles", "assetopt.contrib.django"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [BASE_DIR / "templates"]}]
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
"""
URLS = """\
from django.urls import path
from django.views.generic import TemplateView
urlpatterns = [path("", TemplateView.as_view(template_name="page.html", extra_context={"team": ["a", "b", "c"]}))]
"""
BASE = """{% load static %}<!DOCTYPE html>
<html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="{% static 'css/site.css' %}"></head>
<body>{% block content %}{% endblock %}</body></html>
"""
PAGE = """{% extends "base.html" %}{% load static %}{% block content %}
<img src="{% static 'img/hero.png' %}" alt="hero" class="hero">
<div class="team">{% for m in team %}{% include "avatar.html" %}{% endfor %}</div>
<div class="spacer"></div>
<img src="{% static 'img/photo.png' %}" alt="photo" class="half">
<img src="{% static 'img/photo.png' %}" alt="hidden" class="hidden">
{% endblock %}
"""
AVATAR = """{% load static %}<img src="{% static 'img/avatar.png' %}" alt="" class="avatar">"""
# Every width follows from this sheet: the hero fills the viewport, an avatar is 96 px wide below
# 768 px and 120 px from there, the photo half the viewport, far below the first screen.
CSS = """html { scrollbar-width: none; } body { margin: 0; }
.hero { display: block; width: 100%; height: auto; }
.avatar { display: inline-block; width: 96px; height: 96px; }
@media (min-width: 768px) { .avatar { width: 120px; height: 120px; } }
.spacer { height: 3000px; }
.half { display: block; width: 50%; height: auto; }
.hidden { display: none; }
"""


def _png(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("laysite")
    files: dict[str, str | bytes] = {
        "layset.py": SETTINGS,
        "layurls.py": URLS,
        "templates/base.html": BASE,
        "templates/page.html": PAGE,
        "templates/avatar.html": AVATAR,
        "static/css/site.css": CSS,
        "static/img/hero.png": _png((1600, 600), (200, 40, 40)),
        "static/img/avatar.png": _png((256, 256), (40, 200, 40)),
        "static/img/photo.png": _png((1200, 800), (40, 40, 200)),
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def _config(root: Path):
    return load_config(root, {"templates": (str(root / "templates"),), "static": (str(root / "static"),), "images": True}, cwd=root)


def test_the_layout_pass_measures_each_template_tag_and_the_rewrite_writes_its_sizes_and_roles(site: Path):
    config = _config(site)
    said: list[str] = []
    layout = measure_layout(config, settings_module="layset", pythonpath=site, urls=["/"], progress=said.append)
    (page,) = layout.pages
    assert page.template == "page.html"
    page_src, avatar_src = (site / "templates/page.html").read_text(), (site / "templates/avatar.html").read_text()
    hero = page.images[("page.html", page_src.index("<img src=\"{% static 'img/hero.png' %}\""))]
    avatar = page.images[("avatar.html", avatar_src.index("<img"))]
    half = page.images[("page.html", page_src.index('alt="photo"') - len("<img src=\"{% static 'img/photo.png' %}\" "))]
    hidden = page.images[("page.html", page_src.index('alt="hidden"') - len("<img src=\"{% static 'img/photo.png' %}\" "))]
    assert dict(hero.widths) == {v: float(v) for v in VIEWPORTS}
    assert dict(avatar.widths) == {v: 96.0 if v < 768 else 120.0 for v in VIEWPORTS}
    assert dict(half.widths) == {v: v / 2 for v in VIEWPORTS}
    assert dict(hidden.widths) == {v: 0.0 for v in VIEWPORTS}
    assert avatar.copies == 3 and hero.copies == 1
    assert hero.lcp == {"mobile", "desktop"} and not avatar.lcp and not half.lcp
    assert avatar.first_screen == avatar.shown == {"mobile", "desktop"}
    assert half.shown == {"mobile", "desktop"} and not half.first_screen
    assert not hidden.shown
    assert [layout_role(i)[0] for i in (hero, avatar, half, hidden)] == [LCP, CHROME, BELOW, BELOW]

    project = Project(config)
    result = plan_project(project, replace(context_from_config(config), layout=layout), compile_check=False)
    after = {c.name: c.after for c in result.changes}
    assert 'alt="hero" class="hero" width="1600" height="600" fetchpriority="high" sizes="100vw">{% endpicture %}' in after["page.html"]
    assert 'alt="photo" class="half" width="1200" height="800" loading="lazy" decoding="async" sizes="50vw">{% endpicture %}' in after["page.html"]
    # 96 px up to 600, 120 px from 768, and between them the larger share: 96/600 = 16 %, 120/768 = 15.6 %.
    # The rules alone make the avatar lazy (a loop after the hero); the layout keeps it eager, and says so
    # in the markup (loading="eager") so a later run without the layout does not lazy-load it.
    assert (
        'class="avatar" width="256" height="256" loading="eager" sizes="(max-width: 600px) 96px, (max-width: 768px) 16vw, 120px">'
        in after["avatar.html"]
    )
    assert 'alt="hidden" class="hidden" width="1200" height="800" loading="lazy" decoding="async">' in after["page.html"]  # never shown: no sizes

    said.clear()
    assert measure_layout(config, settings_module="layset", pythonpath=site, urls=["/"], progress=said.append) == layout
    assert any("reused from the cache" in s for s in said), said


def test_rewrite_browser_writes_the_measured_layout_into_the_templates_and_a_plain_check_agrees(site: Path, tmp_path: Path, monkeypatch):
    root = tmp_path / "site"
    shutil.copytree(site, root, ignore=shutil.ignore_patterns(".assetopt-cache", "__pycache__"))
    # A badge beside the hero: in the first screen at both screens, not the LCP element. The rules alone make
    # it lazy now, and once the hero carries fetchpriority="high" (no longer a content image to them) the
    # LCP candidate: a plain run after the layout's would prioritise it unless the markup says eager.
    hero = '<img src="{% static \'img/hero.png\' %}" alt="hero" class="hero">'
    badge = '<img src="{% static \'img/avatar.png\' %}" alt="badge" class="badge">'
    (root / "templates/page.html").write_text(PAGE.replace(hero, hero + "\n" + badge), encoding="utf-8")
    with (root / "static/css/site.css").open("a", encoding="utf-8") as css:
        css.write(".badge { display: block; width: 48px; height: 48px; }\n")
    (root / "pyproject.toml").write_text(
        '[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\nimages = true\nsettings = "layset"\nurls = ["/"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(root)
    runner = CliRunner()
    # Without --browser the rules decide: the avatars (a loop after the hero) would be lazy, and no sizes are written.
    plain = runner.invoke(cli, ["rewrite"], catch_exceptions=False)
    assert plain.exit_code == 0, plain.output
    assert "avatar.html:1: images: lazy: below the fold" in plain.output and "sizes=" not in plain.output
    assert "page.html:3: images: lazy: below the fold" in plain.output  # the badge

    wrote = runner.invoke(cli, ["rewrite", "--write", "--browser"], catch_exceptions=False)
    assert wrote.exit_code == 0, wrote.output
    assert "layout: 5 <img> tag(s) measured on 1 page(s)" in wrote.output and "sizes written on 4" in wrote.output
    avatar, page = (root / "templates/avatar.html").read_text(), (root / "templates/page.html").read_text()
    # the widths the CSS gives them (see CSS above): 96 px, 120 px from 768; the hero the viewport; the photo half of it
    assert avatar == (
        '{% load static assetopt %}{% picture %}<img src="{% static \'img/avatar.png\' %}" alt="" class="avatar" width="256" height="256" '
        'loading="eager" sizes="(max-width: 600px) 96px, (max-width: 768px) 16vw, 120px">{% endpicture %}'
    )
    assert 'class="hero" width="1600" height="600" fetchpriority="high" sizes="100vw">{% endpicture %}' in page
    assert 'class="badge" width="256" height="256" loading="eager" sizes="48px">{% endpicture %}' in page
    assert 'class="half" width="1200" height="800" loading="lazy" decoding="async" sizes="50vw">{% endpicture %}' in page

    # CI: no browser, the templates as written. Nothing is pending, so nothing undoes the layout's verdicts.
    check = runner.invoke(cli, ["rewrite", "--check"], catch_exceptions=False)
    assert check.exit_code == 0, check.output
    assert "nothing to rewrite" in check.output
    # and with the browser again: the layout measured on the written templates asks for nothing more
    again = runner.invoke(cli, ["rewrite", "--check", "--browser"], catch_exceptions=False)
    assert again.exit_code == 0, again.output


def test_rewrite_browser_without_images_or_pages_is_a_usage_error(site: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(site)
    runner = CliRunner()
    args = ["rewrite", "--templates", "templates", "--static", "static", "--browser"]
    no_pages = runner.invoke(cli, [*args, "--settings", "layset"])
    assert no_pages.exit_code == 2 and "--browser needs at least one --url PAGE" in no_pages.output
    no_images = runner.invoke(cli, [*args, "--settings", "layset", "--url", "/", "--only", "bundles"])
    assert no_images.exit_code == 2 and "it needs the images transform" in no_images.output
    with_suggest = runner.invoke(cli, [*args, "--suggest-cache"])
    assert with_suggest.exit_code == 2 and "--browser cannot go with --suggest-cache" in with_suggest.output


def test_a_layout_measured_under_a_files_other_name_is_written_once_under_the_audits_name(site: Path, tmp_path: Path) -> None:
    """Overlapping template dirs (django-machina's templates/machina before templates): the avatar is
    templates/machina/avatar.html, which page.html includes as machina/avatar.html, so Chromium's probe
    marks it by that name; the audit (and the rewrite) call the file avatar.html. Before: avatar.html
    was planned without the layout (no page includes it by that name: only wrapped and sized),
    machina/avatar.html with it: two rewrites of one file. Now the measured roles and widths are the
    file's, written once; the expected markup is the first test's (same page, same CSS)."""
    root = tmp_path / "site"
    shutil.copytree(site, root, ignore=shutil.ignore_patterns(".assetopt-cache", "__pycache__"))
    (root / "templates" / "machina").mkdir()
    (root / "templates" / "avatar.html").rename(root / "templates" / "machina" / "avatar.html")
    (root / "templates" / "page.html").write_text(
        PAGE.replace('{% include "avatar.html" %}', '{% include "machina/avatar.html" %}'), encoding="utf-8"
    )
    dirs = (str(root / "templates" / "machina"), str(root / "templates"))
    config = load_config(root, {"templates": dirs, "static": (str(root / "static"),), "images": True}, cwd=root)
    layout = measure_layout(config, settings_module="layset", pythonpath=root, urls=["/"])
    assert {name for page in layout.pages for name, _ in page.images} == {"page.html", "machina/avatar.html"}
    result = plan_project(Project(config), replace(context_from_config(config), layout=layout), compile_check=False)
    assert sorted(c.name for c in result.changes) == ["avatar.html", "page.html"]
    after = {c.name: c.after for c in result.changes}
    assert (
        'class="avatar" width="256" height="256" loading="eager" sizes="(max-width: 600px) 96px, (max-width: 768px) 16vw, 120px">'
        in after["avatar.html"]
    )
