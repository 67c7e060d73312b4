"""What the browser tests on running sites share: static sites served on 127.0.0.1 and
`audit`/`verify --browser --base-url` run through the command line on a one-page template folder."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from click.testing import CliRunner

from assetopt.browser.server import serve
from assetopt.cli import cli


def run(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@contextmanager
def serve_sites(folders: Mapping[str, Path]) -> Iterator[dict[str, str]]:
    """Each folder served as a site of its own: name -> base URL, for the block's length."""
    with ExitStack() as stack:
        yield {name: stack.enter_context(serve({"/": folder})) for name, folder in folders.items()}


def audit_site(base_url: str, *extra: str):
    """``audit --browser`` of /index.html on the site at ``base_url`` into before.json."""
    return run(
        "audit", "--templates", "templates", "--browser", "--base-url", base_url, "--url", "/index.html", "--json", "before.json", "-q", *extra
    )


def verify_site(base_url: str, *extra: str):
    """``verify --browser`` of the site at ``base_url`` against before.json, into v.json."""
    return run("verify", "--templates", "templates", "--baseline", "before.json", "--browser", "--base-url", base_url, "--json", "v.json", *extra)
