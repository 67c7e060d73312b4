"""io/pool.cached_map: the one cached, largest-first, process-pool map every per-file step uses."""

from __future__ import annotations

import pytest

from assetopt.io.cache import ContentCache
from assetopt.io.pool import Task, cached_map

STEP = "test-step-1"


def _upper(arg: bytes) -> bytes:
    return arg.upper()


def _fails_on_boom(arg: bytes) -> bytes:
    if arg == b"boom":
        raise RuntimeError("boom")
    return arg.upper()


def _tasks(*args: bytes) -> list[Task[bytes]]:
    return [Task(f"k-{a.decode()}", a, len(a)) for a in args]


@pytest.mark.parametrize("jobs", [1, 2], ids=["in_process", "pool"])
def test_misses_run_once_and_a_second_call_is_all_hits(tmp_path, jobs):
    cache = ContentCache(tmp_path)
    tasks = _tasks(b"alpha", b"beta", b"gamma", b"alpha")
    first, computed = cached_map(_upper, tasks, cache, STEP, jobs=jobs)
    assert first == {"k-alpha": b"ALPHA", "k-beta": b"BETA", "k-gamma": b"GAMMA"}
    assert computed == 3  # the duplicate key ran once
    again, computed = cached_map(_upper, tasks, cache, STEP, jobs=jobs)
    assert (again, computed) == (first, 0)


@pytest.mark.parametrize("jobs", [1, 2], ids=["in_process", "pool"])
def test_each_result_is_cached_as_it_completes_so_a_failed_run_keeps_its_progress(tmp_path, jobs):
    cache = ContentCache(tmp_path)
    # largest first: the three long inputs run before the short "boom" that stops the run
    tasks = _tasks(b"aaaaaaaaaa", b"bbbbbbbbb", b"cccccccc", b"boom")
    with pytest.raises(RuntimeError):
        cached_map(_fails_on_boom, tasks, cache, STEP, jobs=jobs)
    assert {t.key for t in tasks if cache.get(STEP, t.key) is not None} == {"k-aaaaaaaaaa", "k-bbbbbbbbb", "k-cccccccc"}


def test_a_payload_valid_rejects_is_a_miss_and_keep_decides_what_is_cached(tmp_path):
    cache = ContentCache(tmp_path)
    cache.put(STEP, "k-alpha", b"stale format")
    out, computed = cached_map(_upper, _tasks(b"alpha", b"beta"), cache, STEP, jobs=1, valid=lambda p: p.isupper(), keep=lambda p: p != b"BETA")
    assert (out, computed) == ({"k-alpha": b"ALPHA", "k-beta": b"BETA"}, 2)
    assert cache.get(STEP, "k-alpha") == b"ALPHA"
    assert cache.get(STEP, "k-beta") is None


def test_without_a_cache_dir_everything_is_computed(tmp_path):
    out, computed = cached_map(_upper, _tasks(b"x", b"y"), ContentCache(None), STEP, jobs=2)
    assert (out, computed) == ({"k-x": b"X", "k-y": b"Y"}, 2)
