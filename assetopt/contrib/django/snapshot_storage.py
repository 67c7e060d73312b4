"""The staticfiles storage snapshots are rendered with: URLs of the folder the snapshot is served from.

A snapshot page is served from a static *folder*: the sources, ``assetopt build``'s output, or a
deployed ``STATIC_ROOT``. ``{% static %}`` must name the file that folder serves under the name the
production storage would use, and the bundle tag's SRI ``integrity`` must match those bytes. A
collectstatic'd ``STATIC_ROOT`` keeps both the plain copy (``assetopt/x.css``, the build's bytes) and
the hashed one (``assetopt/x.<hash>.css``, whose ``url()``s Django rewrote, the bytes the manifest's
integrity was computed from): so when the folder has a ``staticfiles.json``, names go through it,
as production's ``ManifestStaticFilesStorage`` does (even under ``DEBUG``, where Django's would not).
Without one, names are served as they are (``StaticFilesStorage``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.storage import StaticFilesStorage

__all__ = ["SnapshotStaticStorage", "STATICFILES_JSON", "hashed_names"]

STATICFILES_JSON = "staticfiles.json"  # ManifestStaticFilesStorage.manifest_name


def hashed_names(folder: Path) -> dict[str, str] | None:
    """``staticfiles.json``'s ``paths`` in ``folder`` (name -> hashed name); None without one."""
    try:
        data = json.loads((folder / STATICFILES_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    paths = data.get("paths") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in paths.items()} if isinstance(paths, dict) else None


class SnapshotStaticStorage(StaticFilesStorage):
    """``StaticFilesStorage`` over ``location`` whose URLs use the hashed names of its ``staticfiles.json``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._hashed = hashed_names(Path(self.location)) or {}

    def url(self, name: str | None) -> str:
        if name:
            name = self._hashed.get(name.lstrip("/"), name)
        return super().url(name)
