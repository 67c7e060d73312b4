"""The layout pass on a small real Django project in a temp dir: Django renders the page from the probe
copy, Chromium loads it at the mobile and desktop screens and reports each template tag's widths (its
CSS says what they must be), the first screen and the LCP element; the rewrite turns that into
``sizes`` and roles; a second pass with nothing changed comes from the cache."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from browser_support import needs_chromium
from PIL import Image

from assetopt.browser.layout import measure_layout
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
    # 96 px up to 600, 120 px from 768, and between them the larger share: 96/600 = 16 %, 120/768 = 15.6 %
    assert 'class="avatar" width="256" height="256" sizes="(max-width: 600px) 96px, (max-width: 768px) 16vw, 120px">' in after["avatar.html"]
    assert 'alt="hidden" class="hidden" width="1200" height="800" loading="lazy" decoding="async">' in after["page.html"]  # never shown: no sizes

    said.clear()
    assert measure_layout(config, settings_module="layset", pythonpath=site, urls=["/"], progress=said.append) == layout
    assert any("reused from the cache" in s for s in said), said
