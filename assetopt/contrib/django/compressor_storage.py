"""``COMPRESS_STORAGE = "assetopt.contrib.django.compressor_storage.UnchangedFileStorage"``: compressor's
file storage that leaves a file alone when it already holds the same bytes.

Offline compression re-saves every output file on each run (``forced=True``), so every
``collectstatic`` would touch ``CACHE/`` even with nothing changed; with this storage a second run
rewrites no file (its names are content hashes, so same name almost always means same bytes, and the
bytes are compared anyway). Imported only when configured: it imports compressor.
"""

from __future__ import annotations

from typing import Any

from compressor.storage import CompressorFileStorage

__all__ = ["UnchangedFileStorage"]


class UnchangedFileStorage(CompressorFileStorage):
    def save(self, name: str, content: Any, max_length: int | None = None) -> str:
        if self.exists(name):
            content.seek(0)
            data = content.read()
            with self.open(name, "rb") as fh:
                if fh.read() == (data.encode("utf-8") if isinstance(data, str) else data):
                    return name
            content.seek(0)
        return str(super().save(name, content))
