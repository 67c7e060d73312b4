"""An Arabic/English ``django-admin startproject`` site, run through the pipeline as its user would:
LANGUAGES en + ar, LocaleMiddleware, i18n_patterns, the admin on, a base.html that picks Bootstrap's
RTL file and adds an rtl.css under ``{% if LANGUAGE_BIDI %}``, an Arabic template name. ``manage.py
assetopt rewrite --write``, collectstatic with assetopt's storage, then pages in /en/ and /ar/ with
Django's test client: each direction links its own bundle, holding its files in source order."""

from __future__ import annotations

import json
import re

from startproject_site import Site, make_site

I18N = """
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ar", "العربية")]
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1, "django.middleware.locale.LocaleMiddleware")
TEMPLATES[0]["OPTIONS"]["context_processors"].append("django.template.context_processors.i18n")
ASSETOPT = {"PAGES": ["/en/", "/ar/"]}
"""
URLS = """from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import path
from django.views.generic import TemplateView

urlpatterns = i18n_patterns(
    path("admin/", admin.site.urls),
    path("", TemplateView.as_view(template_name="home.html")),
    path("منتجات/", TemplateView.as_view(template_name="متجر/منتجات.html"), name="products"),
)
"""
BASE = """<!DOCTYPE html>
{% load i18n static %}
<html lang="{{ LANGUAGE_CODE }}" dir="{% if LANGUAGE_BIDI %}rtl{% else %}ltr{% endif %}">
<head>
  <meta charset="utf-8">
  <title>{% block title %}{% translate "Home" %}{% endblock %}</title>
  <link rel="stylesheet" href="{% if LANGUAGE_BIDI %}{% static 'css/bootstrap.rtl.css' %}{% else %}{% static 'css/bootstrap.css' %}{% endif %}">
  <link rel="stylesheet" href="{% if LANGUAGE_BIDI %}{% static 'css/site.rtl.css' %}{% else %}{% static 'css/site.css' %}{% endif %}">
</head>
<body>
  <img src="{% static 'img/logo.png' %}" alt="{% translate 'Home' %}">
  {% block content %}{% endblock %}
</body>
</html>
"""
PRODUCTS = """{% extends "base.html" %}
{% block content %}<h1>منتجات</h1>{% endblock %}
"""
CSS = {
    "css/bootstrap.css": ".x { margin-left: 1px; }\n",
    "css/bootstrap.rtl.css": ".x { margin-right: 1px; }\n",
    "css/site.css": ".site { float: left; }\n",
    "css/site.rtl.css": ".site { float: right; }\n",
    "css/rtl.css": "body { direction: rtl; }\n",
}
# Pages with DEBUG off (bundles and hashed names served), logged in for the admin's changelist
RENDER = """
import json
from django.contrib.auth.models import User
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
user = User.objects.filter(username="admin").first() or User.objects.create_superuser("admin", "a@example.com", "pw")
out = {}
with override_settings(DEBUG=False):
    for url in sys.argv[1:]:
        c = Client()
        if url.startswith("+"):
            c.force_login(user)
        r = c.get(url.removeprefix("+"))
        out[url] = [r.status_code, r.content.decode()]
print(json.dumps(out))
"""
URLS_TO_RENDER = ("/en/", "/ar/", "/ar/منتجات/", "/en/admin/login/", "/ar/admin/login/", "+/ar/admin/auth/user/")


def _site(tmp_path) -> Site:
    site = make_site(tmp_path, I18N)
    (site.root / "mysite" / "urls.py").write_text(URLS)
    (site.root / "templates" / "base.html").write_text(BASE)
    (site.root / "templates" / "متجر").mkdir()
    (site.root / "templates" / "متجر" / "منتجات.html").write_text(PRODUCTS)
    # the site's rtl.css after the run, as Django admin's base.html has it
    base = (site.root / "templates" / "base.html").read_text()
    base = base.replace("</head>", '  {% if LANGUAGE_BIDI %}<link rel="stylesheet" href="{% static \'css/rtl.css\' %}">{% endif %}\n</head>')
    (site.root / "templates" / "base.html").write_text(base)
    for name, text in CSS.items():
        (site.root / "static" / name).write_text(text)
    site.manage("migrate", "-v0", check=True)
    return site


def _stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', html)


def test_an_arabic_english_site_links_each_directions_bundle_and_keeps_rtl_css_after_base(tmp_path) -> None:
    site = _site(tmp_path)
    site.manage("assetopt", "rewrite", "--write", check=True)
    base = (site.root / "templates" / "base.html").read_text()
    assert base.count("{% bundle") == 1 and "{% endbundle %}\n  {% if LANGUAGE_BIDI %}<link" in base  # rtl.css stays after the run
    site.manage("collectstatic", "--noinput", check=True)
    manifest = json.loads((site.root / "staticfiles" / "assetopt-manifest.json").read_text())
    # two variants, one per direction: not also Bootstrap's RTL file with the LTR site.css and the reverse
    assert sorted(b["sources"] for b in manifest["bundles"].values() if b["kind"] == "css") == [
        ["css/bootstrap.css", "css/site.css"],
        ["css/bootstrap.rtl.css", "css/site.rtl.css"],
    ]

    pages = json.loads(site.python(RENDER, *URLS_TO_RENDER))
    assert {u: s for u, (s, _) in pages.items()} == dict.fromkeys(URLS_TO_RENDER, 200)
    root = site.root / "staticfiles"
    for url, direction, rules in (
        ("/en/", "ltr", ".x{margin-left:1px}.site{float:left}"),
        ("/ar/", "rtl", ".x{margin-right:1px}.site{float:right}"),
        ("/ar/منتجات/", "rtl", ".x{margin-right:1px}.site{float:right}"),
    ):
        html = pages[url][1]
        assert f'dir="{direction}"' in html
        sheets = _stylesheets(html)
        assert (root / sheets[0]).read_text() == rules, url
        # the RTL page adds rtl.css after the bundle, the LTR page does not
        assert [re.sub(r"\.[0-9a-f]{12}\.css$", ".css", s) for s in sheets[1:]] == (["css/rtl.css"] if direction == "rtl" else []), url
    assert 'alt="الرئيسية"' in pages["/ar/"][1] and 'alt="Home"' in pages["/en/"][1]  # {% translate %} in the rewritten <img>

    # Django's admin (its templates, read only): rtl.css after base.css, only in Arabic
    for url in ("/ar/admin/login/", "+/ar/admin/auth/user/", "/en/admin/login/"):
        sheets = [re.sub(r"\.[0-9a-f]{12}\.css$", ".css", s) for s in _stylesheets(pages[url][1])]
        assert sheets[0] == "admin/css/base.css", url
        if url.startswith(("/ar/", "+/ar/")):
            assert sheets.index("admin/css/rtl.css") > 0 and sheets.index("admin/css/responsive_rtl.css") > sheets.index("admin/css/responsive.css")
        else:
            assert "admin/css/rtl.css" not in sheets


# the pages the browser checks render, given as URL names (ASSETOPT["PAGES"], --url)
PAGES = """
import json
from pathlib import Path
from assetopt.browser.snapshots import render_django_pages
from assetopt.errors import AssetoptError
pages = render_django_pages("mysite.settings", Path("."), sys.argv[1:-1])
out = {path: [page["spec"], page["status"], 'dir="rtl"' in page["html"]] for path, page in pages.items()}
try:
    render_django_pages("mysite.settings", Path("."), [sys.argv[-1]])
except AssetoptError as exc:
    out["error"] = str(exc)
print(json.dumps(out))
"""


def test_a_url_name_names_its_page_in_the_language_after_the_at(tmp_path) -> None:
    """A URL name was reversed in LANGUAGE_CODE only: on an i18n_patterns site every page given by name
    was the English one, so the browser checks and the critical CSS never saw a right-to-left page."""
    site = _site(tmp_path)
    got = json.loads(site.python(PAGES, "products", "products@ar", "admin:login@ar", "products@fr"))
    escaped = "%D9%85%D9%86%D8%AA%D8%AC%D8%A7%D8%AA"  # منتجات, as reverse() gives it
    assert got.pop("error") == (
        "rendering the pages with Django (mysite.settings): --url 'products@fr': cannot reverse the URL name 'products@fr': Reverse for 'products@fr' not found."
        " 'products@fr' is not a valid view function or pattern name. ('fr' after @ is not a language of LANGUAGES: en, ar)"
    )
    assert got == {
        f"/en/{escaped}/": ["products", 200, False],
        f"/ar/{escaped}/": ["products@ar", 200, True],
        "/ar/admin/login/": ["admin:login@ar", 200, True],
    }
