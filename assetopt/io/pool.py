"""The one way assetopt runs per-file work: cached by content, the misses on a process pool, largest first.

Minifying scripts, compressing text, measuring sizes and encoding images all have the same shape: a
pure function of one input whose output depends only on that input (and the settings folded into its
key). ``cached_map`` looks every task up in the ``ContentCache``; the misses run in worker processes,
the largest first (one big file must not wait behind a queue of small ones), and each result is put in
the cache *as it completes*, so a build that is killed keeps what it had finished and the next one
starts from there. Results come back keyed by task, independent of completion order, so outputs stay
deterministic.

Never here: what a payload means (callers encode and decode their own bytes), or which files to read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

from .cache import ContentCache

__all__ = ["Task", "cached_map", "workers_for"]

A = TypeVar("A")


@dataclass(frozen=True)
class Task(Generic[A]):
    key: str  # the cache key: a hash of everything that decides the output
    arg: A  # what ``fn`` receives; picklable (it may cross to a worker process)
    size: int  # input size in bytes: bigger tasks start first


def workers_for(jobs: int | None, tasks: int) -> int:
    """How many worker processes ``tasks`` pieces of work get with ``--jobs`` (None: every core)."""
    return max(1, min(jobs or os.cpu_count() or 1, tasks))


def _always(_payload: bytes) -> bool:
    return True


def cached_map(
    fn: Callable[[A], bytes],
    tasks: Iterable[Task[A]],
    cache: ContentCache,
    step: str,
    *,
    jobs: int | None = None,
    inline_below: int = 0,
    valid: Callable[[bytes], bool] = _always,
    keep: Callable[[bytes], bool] = _always,
    computed: list[Task[A]] | None = None,
) -> tuple[dict[str, bytes], int]:
    """Each task's payload by key, and how many were computed (cache misses).

    A cached payload that ``valid`` rejects is a miss. A computed payload is cached unless ``keep``
    says no (e.g. a failure worth retrying next time); ``computed``, when given, receives each task
    that was computed (the misses: what callers count, e.g. the bytes fed to a compressor). Tasks smaller than ``inline_below`` bytes run
    in this process (a worker costs more than they do); so does everything when one worker is asked
    for or only one task is left for the pool. Duplicate keys run once."""
    results: dict[str, bytes] = {}
    todo: dict[str, Task[A]] = {}
    for task in tasks:
        if task.key in results or task.key in todo:
            continue
        hit = cache.get(step, task.key)
        if hit is not None and valid(hit):
            results[task.key] = hit
        else:
            todo[task.key] = task
    ordered = sorted(todo.values(), key=lambda t: (-t.size, t.key))
    if computed is not None:
        computed.extend(ordered)

    def done(task: Task[A], payload: bytes) -> None:
        results[task.key] = payload
        if keep(payload):
            cache.put(step, task.key, payload)

    heavy = [t for t in ordered if t.size >= inline_below]
    workers = workers_for(jobs, len(heavy))
    if workers < 2 or len(heavy) < 2:
        heavy = []
    pooled = {t.key for t in heavy}
    for task in ordered:
        if task.key not in pooled:
            done(task, fn(task.arg))
    if heavy:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            running: dict[Future[bytes], Task[A]] = {}
            queue = iter(heavy)
            # At most two tasks per worker in flight: the largest stay first in line, and a result is
            # cached as soon as it arrives rather than when the whole batch ends.
            for task in queue:
                running[pool.submit(fn, task.arg)] = task
                if len(running) >= 2 * workers:
                    break
            failure: BaseException | None = None
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = running.pop(future)
                    error = future.exception()
                    if error is not None:
                        # Stop starting work, but keep (and cache) what the other workers finish.
                        failure = failure or error
                        continue
                    done(task, future.result())
                    nxt = None if failure else next(queue, None)
                    if nxt is not None:
                        running[pool.submit(fn, nxt.arg)] = nxt
            if failure is not None:
                raise failure
    return results, len(todo)
