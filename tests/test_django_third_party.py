"""The Django side on a ``django-admin startproject`` site, with and without third-party apps other
people wrote (../shared/corpora: django-allauth and django-jazzmin installed as apps, the way a
project vendors them): what ``collectstatic``, ``manage.py check``, ``manage.py assetopt ...`` and
pages rendered by Django's test client did wrong, each test failing before its fix."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from startproject_site import REPO, Site, make_site, tree_hashes


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


def test_the_sites_django_runs_this_checkouts_assetopt(site: Site) -> None:
    """The site's children (manage.py, ``Site.python``) stripped PYTHONPATH, so they imported the
    assetopt the virtualenv had installed: an editable install of another checkout (main), not the
    code under test. Every startproject test of a branch ran main's code."""
    where = site.python("import assetopt, os; print(os.path.dirname(os.path.realpath(assetopt.__file__)))").strip()
    assert Path(where) == (REPO / "assetopt").resolve()


# ---------------------------------------------------------------------------------------------
# manage.py assetopt build into a STATIC_ROOT that a manifest storage serves
# ---------------------------------------------------------------------------------------------

# Render pages with Django's test client (DEBUG off, so the bundles and hashed names are served);
# prints {url: [status, html]} and the assetopt logger's messages.
_RENDER = """
import json, logging
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
messages = []
class Keep(logging.Handler):
    def emit(self, record):
        messages.append(record.getMessage())
logging.getLogger("assetopt").addHandler(Keep())
out = {}
with override_settings(DEBUG=False):
    for url in sys.argv[1:]:
        r = Client().get(url)
        out[url] = [r.status_code, r.content.decode()]
print(json.dumps({"pages": out, "log": messages}))
"""


def _render(site: Site, *urls: str) -> tuple[dict[str, tuple[int, str]], list[str]]:
    got = json.loads(site.python(_RENDER, *urls))
    return {u: (s, h) for u, (s, h) in got["pages"].items()}, got["log"]


def test_build_into_static_root_of_a_manifest_storage_is_refused_and_writes_nothing(site: Site, tmp_path: Path) -> None:
    """After collectstatic (assetopt's manifest storage, as the README sets up), `manage.py assetopt
    build` wrote into STATIC_ROOT: it deleted the bundles staticfiles.json names (the ones the live
    site links) and wrote bundles staticfiles.json does not name, so every {% bundle %} fell back to
    its original tags (with manifest_strict = False: linked files that do not exist, unstyled pages)."""
    site.manage("assetopt", "rewrite", "--write", check=True)
    site.manage("collectstatic", "--noinput", check=True)
    static_root = site.root / "staticfiles"
    before = tree_hashes(static_root)
    pages, _ = _render(site, "/")
    assert pages["/"][0] == 200 and "/static/assetopt/" in pages["/"][1]

    for args in (("build",), ("build", "--out", str(static_root)), ("build", f"--out={static_root / 'assetopt'}")):
        refused = site.manage("assetopt", *args)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert f"build would write into STATIC_ROOT ({static_root.resolve()})" in refused.stderr
        assert "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage) serves through its staticfiles.json" in refused.stderr
        assert "Run `manage.py collectstatic` instead" in refused.stderr and "Nothing was written." in refused.stderr
        assert tree_hashes(static_root) == before
    assert _render(site, "/")[0] == pages  # still the same bundles, still served

    # a build somewhere else is still possible
    elsewhere = tmp_path / "elsewhere"
    done = site.manage("assetopt", "build", "--out", str(elsewhere), "--no-images")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (elsewhere / "assetopt-manifest.json").is_file()
    assert tree_hashes(static_root) == before


def test_the_fallback_after_a_command_line_build_into_static_root_names_collectstatic(site: Site) -> None:
    """The command line knows nothing of Django's storage, so `assetopt build --out STATIC_ROOT` still
    writes there; the bundle tag's warning then said to run `assetopt build`, the very command that
    broke it. It names collectstatic."""
    site.manage("assetopt", "rewrite", "--write", check=True)
    site.manage("collectstatic", "--noinput", check=True)
    cli = subprocess.run(
        [sys.executable, "-m", "assetopt.cli", "build", "--templates", "templates", "--static", "static", "--out", "staticfiles", "--no-images"],
        cwd=site.root,
        env=site.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    pages, log = _render(site, "/")
    assert pages["/"][0] == 200 and "/static/css/a." in pages["/"][1]  # the original tags
    (css,) = [m for m in log if 'base.html:7: {% bundle "css" %} renders its original tags' in m]
    assert "Missing staticfiles manifest entry" in css
    assert "(run collectstatic with the assetopt storage, which builds the bundles and hashes them into staticfiles.json;" in css
    assert "`assetopt build` into STATIC_ROOT does not add them there)" in css


def test_build_into_static_root_without_a_manifest_storage_still_works(tmp_path: Path) -> None:
    site = make_site(tmp_path, 'STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}\n')
    done = site.manage("assetopt", "build", "--no-images")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (site.root / "staticfiles" / "assetopt-manifest.json").is_file()


# ---------------------------------------------------------------------------------------------
# django-allauth and django-jazzmin installed as apps: rewrite, check, collectstatic, render, undo
# ---------------------------------------------------------------------------------------------

APPS = """
INSTALLED_APPS = ["jazzmin"] + INSTALLED_APPS + ["django.contrib.sites", "allauth", "allauth.account"]
SITE_ID = 1
MIDDLEWARE += ["allauth.account.middleware.AccountMiddleware"]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "allauth.account.auth_backends.AuthenticationBackend"]
# jazzmin's admin/base.html has {% static 'vendor/bootswatch' %} (a folder): a strict manifest storage
# raises for it on every admin page, with or without assetopt
STORAGES["staticfiles"] = {"BACKEND": "mysite.storage.Storage"}
"""
STORAGE = """from assetopt.contrib.django.storage import AssetoptManifestStaticFilesStorage


class Storage(AssetoptManifestStaticFilesStorage):
    manifest_strict = False
"""
# a logged-in admin's pages and allauth's (the superuser is made by the render script)
_LOGIN_RENDER = """
import json
from django.contrib.auth.models import User
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
user = User.objects.filter(username="admin").first() or User.objects.create_superuser("admin", "a@example.com", "pw")
out = {}
with override_settings(DEBUG=False):
    for key in sys.argv[1:]:
        c = Client()
        if key.startswith("+"):
            c.force_login(user)
        r = c.get(key.removeprefix("+").format(pk=user.pk))
        out[key] = [r.status_code, r.content.decode()]
print(json.dumps(out))
"""
URLS = (
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/admin/login/",
    "+/admin/",
    "+/admin/auth/user/",
    "+/admin/auth/user/{pk}/change/",
    "+/accounts/email/",
)


def _normal(html: str) -> str:
    """The page without what differs between two requests (CSRF tokens, the clock of a time widget)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'value="\d\d:\d\d:\d\d"', "", html)
    return html


@pytest.mark.corpus
@pytest.mark.skipif(shutil.which("patch") is None, reason="needs GNU patch (apt-get install patch)")
def test_allauth_and_jazzmin_as_apps_render_the_same_pages_after_the_rewrite(corpora: Path, tmp_path: Path) -> None:
    site = make_site(tmp_path, APPS)
    (site.root / "mysite" / "storage.py").write_text(STORAGE)
    with (site.root / "mysite" / "urls.py").open("a") as fh:
        fh.write('from django.urls import include\nurlpatterns += [path("accounts/", include("allauth.urls"))]\n')
    for corpus, package in (("django-allauth", "allauth"), ("django-jazzmin", "jazzmin")):
        shutil.copytree(corpora / corpus / package, site.root / package)
        (info,) = (corpora / corpus).glob("*.dist-info")  # jazzmin reads its own version
        shutil.copytree(info, site.root / info.name)
    site.manage("migrate", "-v0", check=True)
    assert "no issues" in site.manage("check", check=True).stdout
    site.manage("collectstatic", "--noinput", check=True)
    before = json.loads(site.python(_LOGIN_RENDER, *URLS))
    assert {u: s for u, (s, _) in before.items()} == dict.fromkeys(URLS, 200)
    sources = {p: p.read_bytes() for d in ("allauth", "jazzmin", "templates") for p in (site.root / d).rglob("*.html")}

    wrote = site.manage("assetopt", "rewrite", "--write", check=True)
    assert "no issues" in site.manage("check", check=True).stdout
    site.manage("collectstatic", "--noinput", check=True)
    after = json.loads(site.python(_LOGIN_RENDER, *URLS))
    assert {u: s for u, (s, _) in after.items()} == dict.fromkeys(URLS, 200)
    admin = after["+/admin/"][1]
    assert re.search(r'<script src="/static/assetopt/admin-base-[0-9a-f]+\.[0-9a-f]{12}\.js" integrity=', admin)
    # jazzmin's <link ... id="adminlte-css"> is not bundled (the id would be lost): still there, once,
    # and so Font Awesome's stylesheet before it stays alone, unbundled
    assert admin.count('id="adminlte-css"') == 1 == before["+/admin/"][1].count('id="adminlte-css"')
    # every page lists the same stylesheets and scripts it did, or a bundle holding them
    for url in URLS:
        old, new = _normal(before[url][1]), _normal(after[url][1])
        assert re.sub(r"<[^>]*>", "", old).split() == re.sub(r"<[^>]*>", "", new).split(), f"{url}: the text changed"
        for tag in re.findall(r"<(?:link|script)\b[^>]*>", new):
            assert ("/static/assetopt/" in tag) or tag in old, f"{url}: {tag} is new"

    undo = re.search(r"^with GNU patch, while the files are exactly as written: (patch -R -p1 -d .+)$", wrote.stdout, re.M)
    assert undo, wrote.stdout
    done = subprocess.run(undo.group(1), shell=True, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {p: p.read_bytes() for p in sources} == sources


# ---------------------------------------------------------------------------------------------
# {% static 'a folder' %}: a server error on every page under a strict manifest storage
# ---------------------------------------------------------------------------------------------

THEMED = """{% extends "base.html" %}
{% load static %}
{% block content %}<div id="themes" data-base="{% static 'img' %}" data-ok="{% static 'img/' %}"></div>{% endblock %}
"""
THEMED_URL = """
from django.views.generic import TemplateView
urlpatterns += [path("themed/", TemplateView.as_view(template_name="themed.html"))]
"""


def _statuses_with_debug_off(site: Site, *urls: str) -> list[int]:
    """The status code of each URL, requested through Django's test client with DEBUG off (a server
    error is a 500, not an exception): what a visitor of the deployed site gets."""
    return json.loads(
        site.python(
            "import json\nfrom django.test import Client\nfrom django.test.utils import override_settings\n"
            "with override_settings(DEBUG=False):\n"
            "    print(json.dumps([Client(raise_request_exception=False).get(u).status_code for u in sys.argv[1:]]))",
            *urls,
        )
    )


def test_check_deploy_names_a_static_path_that_is_a_folder(site: Site) -> None:
    """django-jazzmin's admin/base.html:36 has data-theme-base="{% static 'vendor/bootswatch' %}", a
    folder: with assetopt's storage (a manifest storage, manifest_strict) every admin page raised
    ValueError, a server error with DEBUG off, and nothing said so before production."""
    (site.root / "templates" / "themed.html").write_text(THEMED)
    with (site.root / "mysite" / "urls.py").open("a") as fh:
        fh.write(THEMED_URL)
    site.manage("collectstatic", "--noinput", check=True)
    served = _statuses_with_debug_off(site, "/", "/themed/")
    assert served == [200, 500]  # what the warning claims

    result = site.manage("check", "--deploy")
    warnings = [line for line in result.stderr.splitlines() + result.stdout.splitlines() if "assetopt.W005" in line]
    assert warnings == [
        "?: (assetopt.W005) templates/themed.html:3: {% static 'img' %} names a folder, not a file:"
        " assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage has no entry for it in staticfiles.json,"
        " so every page that renders it raises ValueError (a server error when DEBUG is off)"
    ]
    # Django's own admin templates (in site-packages, read) hold no such path: nothing else is named


# one page per {% static %} shape; W005 names those that raise whatever exists (not a missing file)
SHAPES = {
    "absolute": ("/img/logo.png", 500, "is absolute (a leading '/')"),
    "dotdot": ("img/../img/logo.png", 500, "is not normalised ('.', '..' or empty segments)"),
    "dotdot_query": ("img/../img/logo.png?v=2", 500, "is not normalised ('.', '..' or empty segments)"),
    "dot": ("./img/logo.png", 500, "is not normalised ('.', '..' or empty segments)"),
    "slashes": ("img//logo.png", 500, "is not normalised ('.', '..' or empty segments)"),
    "backslash": ("img\\logo.png", 500, "is written with '\\' (collectstatic names files with '/')"),
    "outside": ("../manage.py", 500, "points outside the static dirs"),
    "empty": ("", 500, "names no file, only the static root"),
    "missing": ("img/gone.png", 500, None),  # left to the audit: an optional app's template would be a false alarm
    "spaces": (" img/logo.png ", 200, None),  # stripped before the look-up: served here, a 404 with DEBUG on (its own W005 below)
    "normal": ("img/logo.png", 200, None),
}


def test_check_deploy_names_static_paths_that_raise_whatever_exists(site: Site) -> None:
    """Every shape a manifest storage raises on even when the file exists (absolute, '..', '.', '//',
    a backslash, outside the static dirs, empty) is a W005 with the path to write; a missing file is not
    (the audit's). A path with spaces around it is served (Django strips them) and gets the audit's
    static-spaces words instead (with DEBUG on the URL keeps them). Django serves each page: the oracle."""
    urls = "\nfrom django.views.generic import TemplateView\n"
    for name, (path, _, _) in SHAPES.items():
        (site.root / "templates" / f"shape_{name}.html").write_text(
            f"{{% load static %}}<!DOCTYPE html>\n<a href=\"{{% static '{path}' %}}\">x</a>\n"
        )
        urls += f'urlpatterns += [path("shape/{name}/", TemplateView.as_view(template_name="shape_{name}.html"))]\n'
    with (site.root / "mysite" / "urls.py").open("a") as fh:
        fh.write(urls)
    site.manage("collectstatic", "--noinput", check=True)
    served = _statuses_with_debug_off(site, *(f"/shape/{name}/" for name in SHAPES))
    assert dict(zip(SHAPES, served)) == {name: status for name, (_, status, _) in SHAPES.items()}  # what the warnings claim

    result = site.manage("check", "--deploy")
    lines = result.stderr.splitlines() + result.stdout.splitlines()
    expected = [
        f"?: (assetopt.W005) templates/shape_{name}.html:2: {{% static '{path}' %}} {how}:"
        " assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage has no entry for it in staticfiles.json,"
        " so every page that renders it raises ValueError (a server error when DEBUG is off)"
        for name, (path, _, how) in SHAPES.items()
        if how is not None
    ]
    expected.append(
        "?: (assetopt.W005) templates/shape_spaces.html:2: {% static ' img/logo.png ' %} has spaces around its path: it works only with a"
        " manifest storage and DEBUG off (which strips them); with DEBUG on the URL keeps them (/static/ img/logo.png ), and"
        " StaticFilesStorage prints /static/%20img/logo.png%20: a 404 under runserver"
    )
    assert sorted(line for line in lines if "assetopt.W005" in line) == sorted(expected)
    assert "HINT: write {% static 'img/logo.png?v=2' %}, the name collectstatic gives the file" in [line.strip() for line in lines]  # query kept
    hints = [line.strip() for line in lines if line.strip().startswith("HINT: write {% static 'img/logo.png' %}")]
    assert (
        sorted(hints)
        == ["HINT: write {% static 'img/logo.png' %}"] + ["HINT: write {% static 'img/logo.png' %}, the name collectstatic gives the file"] * 5
    ), "\n".join(lines)
