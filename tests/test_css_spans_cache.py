"""``io.css_spans.cached_inert_spans``: the comment/string spans collectstatic's url() rewriting asks
for, kept in the build cache by content (a no-change collectstatic tokenizes no stylesheet again)."""

from __future__ import annotations

from pathlib import Path

from assetopt.io.cache import ContentCache
from assetopt.io.css_spans import cached_inert_spans
from assetopt.text.css import inert_spans

CSS = '/* url(old.png) */ .a { background: url("a.png") } .b::after { content: "see url(x.png)" } @import "c.css";\n'


def test_a_miss_computes_a_hit_reads_and_both_equal_inert_spans(tmp_path: Path):
    cache = ContentCache(tmp_path / "cache")
    expected = inert_spans(CSS)
    assert len(expected) == 2  # the comment and the content string; not url("a.png"), not the @import's
    assert cached_inert_spans(CSS, cache) == expected and cache.misses == 1
    assert cached_inert_spans(CSS, ContentCache(tmp_path / "cache")) == expected
    assert list((tmp_path / "cache" / "inert-spans-1").rglob("*"))


def test_a_damaged_entry_is_computed_again(tmp_path: Path):
    cache = ContentCache(tmp_path / "cache")
    cached_inert_spans(CSS, cache)
    (entry,) = [p for p in (tmp_path / "cache" / "inert-spans-1").rglob("*") if p.is_file()]
    entry.write_bytes(entry.read_bytes()[:-3])
    assert cached_inert_spans(CSS, ContentCache(tmp_path / "cache")) == inert_spans(CSS)


def test_without_a_cache_dir_it_still_answers(tmp_path: Path):
    assert cached_inert_spans(CSS, ContentCache(None)) == inert_spans(CSS)
