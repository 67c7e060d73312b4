"""snapshots.render_django_pages on the example: pages by URL path or URL name, as a named user.
No Chromium: Django's test client in a child process only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assetopt.browser.snapshots import render_django_pages
from assetopt.errors import AssetoptError

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "example"

pytestmark = pytest.mark.skipif(not (EXAMPLE / "db.sqlite3").is_file(), reason="run `python example/prepare.py` first")

_CSRF = re.compile(r"\b[A-Za-z0-9]{64}\b")  # masked CSRF tokens: hidden inputs and the X-CSRFToken script


def _render(urls: list[str], user: str | None = None) -> dict:
    return render_django_pages("erp.settings", EXAMPLE, urls, user=user)


def test_a_url_name_renders_like_its_path():
    by_name = _render(["core:dashboard"])
    by_path = _render(["/en/"])
    assert list(by_name) == ["/en/"]  # keyed by the resolved path, in the default language's prefix
    assert by_name["/en/"]["spec"] == "core:dashboard" and by_path["/en/"]["spec"] == "/en/"
    html_name, html_path = (_CSRF.sub("<csrf>", p["/en/"]["html"]) for p in (by_name, by_path))
    assert by_name["/en/"]["status"] == 200 and "<csrf>" in html_name
    assert html_name == html_path


def test_a_url_name_with_arguments():
    pages = _render(["sales:order_create", "inventory:product_detail:P-001"])
    assert list(pages) == ["/en/sales/orders/new/", "/en/inventory/products/P-001/"]
    assert pages["/en/inventory/products/P-001/"]["spec"] == "inventory:product_detail:P-001"


def test_as_a_user_the_navbar_shows_the_user_menu():
    anonymous = _render(["core:dashboard"])["/en/"]["html"]
    demo = _render(["core:dashboard"], user="demo")["/en/"]["html"]
    assert 'class="dropdown user-menu"' not in anonymous and "Sign in" in anonymous
    assert 'class="dropdown user-menu"' in demo
    assert "Demo Manager" in demo and "Sign out" in demo  # user.get_full_name, the logout form
    assert "navbar-login" not in demo


def test_an_unknown_url_name_is_a_clear_error():
    with pytest.raises(AssetoptError) as info:
        _render(["/en/", "core:no_such_page"])
    message = info.value.message
    assert "'core:no_such_page'" in message and "cannot reverse the URL name" in message
    assert "Traceback" not in message


def test_an_unknown_user_is_a_clear_error():
    with pytest.raises(AssetoptError) as info:
        _render(["/en/"], user="nobody-here")
    assert "--user 'nobody-here': no such user" in info.value.message
    assert "Traceback" not in info.value.message


def test_optimize_takes_url_names_and_a_user():
    from click.testing import CliRunner

    from assetopt.cli import browser_args, cli
    from assetopt.config import load_config

    text = CliRunner().invoke(cli, ["optimize", "--help"], terminal_width=200).output
    assert "--user USERNAME" in text and "URL name" in text
    config = load_config(REPO, {}, cwd=REPO)
    assert browser_args(config, None, ("core:dashboard", "/en/"))[2] == ["core:dashboard", "/en/"]


def test_a_project_that_prints_while_loading_still_renders(tmp_path: Path):
    (tmp_path / "noisy_settings.py").write_text('print("loading the noisy settings")\nfrom erp.settings import *  # noqa: F401,F403\n')
    pages = render_django_pages("noisy_settings", [tmp_path, EXAMPLE], ["/en/accounts/login/"])
    assert pages["/en/accounts/login/"]["status"] == 200
