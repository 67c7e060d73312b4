"""An exclusive lock between processes that write the same folder (two builds into one ``out``).

``fcntl.flock`` on a lock file: the kernel releases it when the holder exits, however it exits (a
SIGKILL included), so a stale lock file never blocks anyone. The file holds the holder's pid, for the
message of whoever waits. The lock file is never deleted (deleting a flock file races with a waiter
that already opened it). POSIX only, like the rest of the tool's writers.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import AssetoptError

__all__ = ["exclusive", "lock_path_for"]

_POLL = 0.1  # seconds between tries while another process holds the lock


def lock_path_for(folder: Path) -> Path:
    """Where the lock of ``folder`` lives: beside it (``.NAME.assetopt-lock``), so it is not one of the
    files a server publishes from it; inside it when its parent is not writable."""
    folder = folder.resolve()
    beside = folder.parent / f".{folder.name}.assetopt-lock"
    if not folder.parent.exists() or os.access(folder.parent, os.W_OK):
        return beside
    return folder / ".assetopt-lock"


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
    except OSError:
        return "?"


@contextmanager
def exclusive(path: Path, what: str, *, timeout: float, on_wait: Callable[[str], None] = lambda _m: None) -> Iterator[None]:
    """Hold the lock at ``path`` for the ``with`` block. When another process holds it: ``on_wait``
    once ("another build is running ... (pid N); waiting"), then wait up to ``timeout`` seconds and
    raise an ``AssetoptError`` naming that pid."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            on_wait(f"another build is running on {what} (pid {holder}); waiting up to {timeout:g} s for it to finish...")
            deadline = time.monotonic() + timeout
            while True:
                time.sleep(_POLL)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise AssetoptError(
                            f"another build is still running on {what} (pid {_holder(fd)}) after {timeout:g} s",
                            path=str(path),
                            hint="let it finish and run again; the lock goes away with that process",
                        ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
