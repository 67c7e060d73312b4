"""Renders that leave the project's database as they found it.

The render children (``render_child``, ``cache_child``) log users in with the test client and
request pages with the project's own settings, so its own database: ``force_login`` writes a
session row and the user's ``last_login``, and a view may write too (a "last seen", a counter).
assetopt only looks; it must never change a project's data (``optimize`` says "sources untouched",
and the settings may name a shared or production database). Every render runs inside one
transaction on the default database that is rolled back at the end. A view that opens its own
transactions gets savepoints inside it; another database alias is not wrapped (connecting to it
could fail where the pages never use it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["rolled_back"]


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the ``with`` block in a transaction of the default database, rolled back on leaving it."""
    from django.db import DEFAULT_DB_ALIAS, connections, transaction

    if (
        DEFAULT_DB_ALIAS not in connections.settings
        or not connections.settings[DEFAULT_DB_ALIAS].get("ENGINE")
        or connections.settings[DEFAULT_DB_ALIAS]["ENGINE"].endswith(".dummy")
    ):
        yield  # no database configured: nothing to protect
        return
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        try:
            yield
        finally:
            transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
