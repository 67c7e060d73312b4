"""``assetopt rewrite --settings MODULE`` on real small projects: the settings module names only the apps
its templates need (no auth, sessions, contenttypes, no CACHES). The cache facts (context processors,
which tags take the context) come from a child process; where they cannot be gathered the rewrite still
runs, with the safe analysis of no settings, and says why on one line; a settings module that cannot be
imported is a usage error naming it."""

from __future__ import annotations

from pathlib import Path

import pytest
from mini_project import mini_settings, run_in

_TEMPLATE = """{% load money %}<html><body>
<nav class="menu"><a href="/">Home</a> <span class="price">{% money 5 %}</span></nav>
</body></html>
"""
_PYPROJECT = """[tool.assetopt]
templates = ["templates"]
rewrite = ["cache"]

[[tool.assetopt.cache]]
template = "page.html"
selector = "nav.menu"
timeout = 300
name = "menu"
"""
_MONEY = """from django import template

register = template.Library()


@register.simple_tag
def money(amount):
    return f"{amount:.2f} EUR"
"""


@pytest.fixture
def mini(tmp_path: Path, write_tree) -> Path:
    """A real small project: templates/page.html, the app ``shop`` with a ``simple_tag`` library, and
    a minimal ``mini_settings.py``."""
    write_tree(
        tmp_path,
        {
            "pyproject.toml": _PYPROJECT,
            "templates/page.html": _TEMPLATE,
            "shop/__init__.py": "",
            "shop/templatetags/__init__.py": "",
            "shop/templatetags/money.py": _MONEY,
            "mini_settings.py": mini_settings(),
        },
    )
    return tmp_path


def run(cwd: Path, *args: str):
    return run_in(cwd, "rewrite", *args)


def test_rewrite_with_minimal_settings_reads_the_tag_libraries(mini: Path) -> None:
    result = run(mini, "--settings", "mini_settings")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and 'File "' not in result.output
    # {% money %} is a simple_tag of its arguments only: known from the settings, the fragment is cached
    assert '+{% load money cache %}<html><body>\n+{% cache 300 menu %}\n <nav class="menu">' in result.output
    assert "</nav>\n+{% endcache %}\n" in result.output
    assert "warning" not in result.output


def test_rewrite_without_settings_refuses_the_custom_tag(mini: Path) -> None:
    """What the safe default looks like: without the settings, {% money %} may take the context."""
    result = run(mini, "--explain")
    assert result.exit_code == 0, result.output
    assert "nothing to rewrite" in result.output
    assert "{% money %} at line 2 is a custom tag that may take the context" in result.output


def test_rewrite_when_the_facts_cannot_be_gathered_degrades_with_one_line(mini: Path, write_tree) -> None:
    write_tree(
        mini,
        {
            "shop/apps.py": 'from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = "shop"\n\n'
            '    def ready(self):\n        raise RuntimeError("SHOP_API_KEY is not set")\n',
            "mini_settings.py": mini_settings('["shop.apps.ShopConfig"]'),
        },
    )
    result = run(mini, "--settings", "mini_settings", "--explain")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and 'File "' not in result.output
    [line] = [line for line in result.output.splitlines() if "mini_settings" in line]
    assert line.startswith("warning: ")
    assert "RuntimeError: SHOP_API_KEY is not set" in line
    # the safe default: planned as without settings, so the fragment with the custom tag is not cached
    assert "+{% cache" not in result.output and "nothing to rewrite" in result.output
    assert "{% money %} at line 2 is a custom tag that may take the context" in result.output


@pytest.mark.parametrize(
    ("module", "files", "error"),
    [
        pytest.param("nosuch_settings", {}, "ModuleNotFoundError: No module named 'nosuch_settings'", id="missing_module"),
        pytest.param(
            "mini_settings",
            {"mini_settings.py": mini_settings(extra='import os\nDATABASE_URL = os.environ["MINI_DATABASE_URL"]\n')},
            "KeyError: 'MINI_DATABASE_URL'",
            id="settings_raise_on_import",
        ),
    ],
)
def test_rewrite_with_settings_that_cannot_be_imported_is_a_usage_error(
    mini: Path, write_tree, module: str, files: dict[str, str], error: str
) -> None:
    write_tree(mini, files)
    result = run(mini, "--settings", module)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and 'File "' not in result.output
    [line] = [line for line in result.output.splitlines() if line.strip()]
    assert line.startswith(f"error: --settings {module}: cannot import the settings module from {mini}")
    assert error in line
    assert "pass a settings module importable from the project dir" in line
