"""``assetopt verify --cache --settings MODULE`` on real small projects whose settings install only the
apps their templates need (no django.contrib.auth, sessions, contenttypes): the pages are rendered as
an anonymous request (no user), and settings with which they cannot be rendered at all give one line
naming the module and the error, exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from mini_project import mini_settings, run_in

_PYPROJECT = """[tool.assetopt]
templates = ["templates"]

[[tool.assetopt.cache]]
template = "page.html"
selector = "nav.menu"
timeout = 300
name = "menu"
"""
_URLS = """from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [path("", TemplateView.as_view(template_name="page.html"), name="home")]
"""
_FAILING_APP = """from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"

    def ready(self):
        raise RuntimeError("SHOP_API_KEY is not set")
"""


def _settings(apps: str = '["shop"]', urls: str = "mini_urls") -> str:
    return mini_settings(apps, f"ROOT_URLCONF = {urls!r}\n")


@pytest.fixture
def mini(tmp_path: Path, write_tree) -> Path:
    """templates/page.html with a menu a cache rule wraps, served at / by ``mini_urls``; the settings
    install the app ``shop`` alone."""
    write_tree(
        tmp_path,
        {
            "pyproject.toml": _PYPROJECT,
            "templates/page.html": '<html><body>\n<nav class="menu"><a href="/">Home</a></nav>\n</body></html>\n',
            "shop/__init__.py": "",
            "mini_urls.py": _URLS,
            "mini_settings.py": _settings(),
        },
    )
    return tmp_path


def run(cwd: Path, *args: str):
    return run_in(cwd, "verify", "--cache", "--settings", "mini_settings", *args)


def test_verify_cache_without_auth_renders_the_pages_as_an_anonymous_request(mini: Path) -> None:
    result = run(mini)
    assert "Traceback" not in result.output and 'File "' not in result.output, result.output
    # rendered (a fragment no page rendered would say so), but one anonymous visitor proves nothing
    assert "not proven: {% cache %} menu: seen by 0 signed-in user(s): the settings do not install django.contrib.auth" in result.output
    assert "no page rendered it" not in result.output and "give at least two users" not in result.output
    assert result.exit_code == 1, result.output


def _only_line(output: str) -> str:
    assert "Traceback" not in output and 'File "' not in output, output
    [line] = [line for line in output.splitlines() if line.strip()]
    return line


def test_verify_cache_without_auth_refuses_a_user_with_one_line(mini: Path) -> None:
    result = run(mini, "--user", "alice")
    assert result.exit_code == 2, result.output
    line = _only_line(result.output)
    assert line.startswith("error: --user 'alice': mini_settings does not install django.contrib.auth"), line
    assert "drop --user" in line


@pytest.mark.parametrize(
    ("files", "error"),
    [
        pytest.param(
            {"shop/apps.py": _FAILING_APP, "mini_settings.py": _settings('["shop.apps.ShopConfig"]')},
            "(RuntimeError: SHOP_API_KEY is not set at shop/apps.py:8)",
            id="an_apps_ready_fails",
        ),
        pytest.param(
            {"broken_urls.py": "from shop.views import home  # no such module\n", "mini_settings.py": _settings(urls="broken_urls")},
            "(ModuleNotFoundError: No module named 'shop.views' at ",
            id="the_urlconf_does_not_import",
        ),
    ],
)
def test_verify_cache_with_settings_that_cannot_render_is_one_line_and_exit_2(mini: Path, write_tree, files: dict[str, str], error: str) -> None:
    write_tree(mini, files)
    result = run(mini)
    assert result.exit_code == 2, result.output
    line = _only_line(result.output)
    assert line.startswith("error: --settings mini_settings: the pages cannot be rendered for the cache check "), line
    assert error in line, line


def test_verify_cache_renders_a_template_a_symlink_leads_to_outside_the_project(
    mini: Path, tmp_path_factory: pytest.TempPathFactory, write_tree
) -> None:
    """templates/page.html is a symlink to a file outside the project (a shared checkout); the app
    ``shop`` has a page.html of its own (APP_DIRS). Django renders the link's target. The check renders
    a copy of the template dirs, which left the link out: Django rendered the app's page.html instead,
    the menu the rule caches was in no render, and the verdict named no fragment to check."""
    shared = tmp_path_factory.mktemp("shared")
    (shared / "page.html").write_text((mini / "templates" / "page.html").read_text())
    (mini / "templates" / "page.html").unlink()
    (mini / "templates" / "page.html").symlink_to(shared / "page.html")
    write_tree(mini, {"shop/templates/page.html": "<html><body><p>the shop app's own page</p></body></html>\n"})
    result = run(mini)
    assert "Traceback" not in result.output, result.output
    # the menu was rendered (seen, by no signed-in user: this project has no accounts)
    assert "not proven: {% cache %} menu: seen by 0 signed-in user(s): the settings do not install django.contrib.auth" in result.output
    assert (
        f"note: templates/page.html is a symlink to {shared / 'page.html'}, outside the project: its {{% cache %}} rule is checked as if applied, "
        "but rewrite --write will not edit that file"
    ) in result.output
    assert (shared / "page.html").read_text() == '<html><body>\n<nav class="menu"><a href="/">Home</a></nav>\n</body></html>\n'  # untouched
    assert result.exit_code == 1, result.output


def test_verify_cache_renders_templates_of_a_symlinked_dir_outside_the_project(
    mini: Path, tmp_path_factory: pytest.TempPathFactory, write_tree
) -> None:
    """The same through a symlinked dir (a monorepo's shared templates): templates/parts -> elsewhere,
    the rule on parts/menu.html, the app shop holding a parts/menu.html of its own without the menu."""
    shared = tmp_path_factory.mktemp("shared") / "parts"
    write_tree(shared, {"menu.html": '<nav class="menu"><a href="/">Home</a></nav>\n'})
    (mini / "templates" / "parts").symlink_to(shared, target_is_directory=True)
    write_tree(
        mini,
        {
            "templates/page.html": '<html><body>\n{% include "parts/menu.html" %}\n</body></html>\n',
            "shop/templates/parts/menu.html": "<p>the shop app's own menu</p>\n",
            "pyproject.toml": _PYPROJECT.replace('template = "page.html"', 'template = "parts/menu.html"'),
        },
    )
    result = run(mini)
    assert "not proven: {% cache %} menu: seen by 0 signed-in user(s): the settings do not install django.contrib.auth" in result.output, (
        result.output
    )
    assert (
        f"note: templates/parts/menu.html is under the symlink templates/parts (to {shared}), so {shared / 'menu.html'}, outside the project: "
        "its {% cache %} rule is checked as if applied, but rewrite --write will not edit that file"
    ) in result.output
    assert result.exit_code == 1, result.output
