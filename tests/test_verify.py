"""verify: two real audits (before and after) of small projects in temp dirs, compared page by page."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from assetopt.audit.report import to_json
from assetopt.audit.run import run_audit
from assetopt.audit.thresholds import parse_conditions
from assetopt.config import load_config
from assetopt.errors import AssetoptError
from assetopt.io.project import Project
from assetopt.verify.compare import browser_reasons, compare, markdown_table, verdict_to_dict
from assetopt.verify.measures import BrowserMeasure

CSS = "body {\n  color: red;\n}\n\n/* a comment */\n.a {\n  margin: 0;\n}\n" * 20
STATIC = {f"css/{n}.css": CSS for n in "abcde"} | {
    "css/all.css": "body{color:red}.a{margin:0}",
    "img/hero.png": b"h" * 50,
    **{f"img/p{i}.png": b"p" * 50 for i in range(3)},
}

# Five stylesheets in a row (a bundle-run) and three eager images below the fold (img-not-lazy).
HEAVY = """{% load static %}<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{% static 'css/a.css' %}">
<link rel="stylesheet" href="{% static 'css/b.css' %}">
<link rel="stylesheet" href="{% static 'css/c.css' %}">
<link rel="stylesheet" href="{% static 'css/d.css' %}">
<link rel="stylesheet" href="{% static 'css/e.css' %}">
</head><body><img src="{% static 'img/hero.png' %}">
<img src="{% static 'img/p0.png' %}"><img src="{% static 'img/p1.png' %}"><img src="{% static 'img/p2.png' %}">
</body></html>"""
LIGHT = """{% load static %}<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{% static 'css/all.css' %}">
</head><body><img src="{% static 'img/hero.png' %}">
<img src="{% static 'img/p0.png' %}" loading="lazy"><img src="{% static 'img/p1.png' %}" loading="lazy"><img src="{% static 'img/p2.png' %}" loading="lazy">
</body></html>"""
PLAIN = """<!DOCTYPE html><html><head></head><body><p>nothing to load</p></body></html>"""


def audit(root: Path, templates: dict[str, str], write_tree) -> dict:
    tdir = write_tree(root / "templates", templates)
    sdir = write_tree(root / "static", STATIC)
    cfg = load_config(root, {"templates": (str(tdir),), "static": (str(sdir),)}, cwd=root)
    return to_json(run_audit(Project(cfg)), str(root), "/static/")


@pytest.fixture
def audits(tmp_path, write_tree):
    def make(before: dict[str, str], after: dict[str, str]) -> tuple[dict, dict]:
        return audit(tmp_path / "before", before, write_tree), audit(tmp_path / "after", after, write_tree)

    return make


def test_page_that_got_lighter_passes_and_shows_the_drop(audits):
    before, after = audits({"shop.html": HEAVY}, {"shop.html": LIGHT})
    verdict = compare(before, after)
    assert not verdict.failed, verdict.reasons
    (page,) = verdict.pages
    assert page.status == "improved"
    assert (page.before["css"], page.after["css"]) == (5, 1)
    assert (page.before["eager_img"], page.after["eager_img"]) == (4, 1)
    assert page.actionable == {"bundle-run": 1, "img-not-lazy": 3}


def test_page_that_got_heavier_fails_with_a_reason_naming_the_page(audits):
    before, after = audits({"shop.html": LIGHT, "plain.html": PLAIN}, {"shop.html": HEAVY, "plain.html": PLAIN})
    verdict = compare(before, after)
    assert verdict.failed
    assert [d.status for d in verdict.pages] == ["unchanged", "regressed"]
    (reason,) = verdict.reasons
    assert reason.startswith("shop.html: regressed: requests 5 -> 9, css 1 -> 5, blocking 1 -> 5, eager_img 1 -> 4, br ")
    assert "over the 1% tolerance" in reason


def test_page_with_bundle_run_findings_that_did_not_change_did_not_improve(audits):
    before, after = audits({"shop.html": HEAVY}, {"shop.html": HEAVY})
    verdict = compare(before, after)
    assert verdict.failed
    assert verdict.pages[0].status == "not-improved"
    assert verdict.reasons == [
        "shop.html: did not improve: the baseline had 1 bundle-run, 3 img-not-lazy finding(s) "
        "but no request, blocking, eager image or brotli byte count dropped"
    ]


def test_unchanged_page_without_actionable_findings_passes(audits):
    before, after = audits({"plain.html": PLAIN}, {"plain.html": PLAIN})
    verdict = compare(before, after)
    assert not verdict.failed
    assert verdict.pages[0].status == "unchanged"


def test_a_page_missing_on_either_side_is_named(audits):
    before, after = audits({"old.html": PLAIN, "plain.html": PLAIN}, {"new.html": PLAIN, "plain.html": PLAIN})
    verdict = compare(before, after)
    assert verdict.failed
    assert {d.name: d.status for d in verdict.pages} == {"new.html": "missing-before", "old.html": "missing-after", "plain.html": "unchanged"}
    assert verdict.reasons == [
        "new.html: not in the baseline (a new page? write a new baseline with audit --json)",
        "old.html: in the baseline but not in the current audit (renamed, removed or excluded?)",
    ]


def test_require_is_checked_on_the_after_side(audits):
    before, after = audits({"shop.html": HEAVY}, {"shop.html": LIGHT})
    assert not compare(before, after, parse_conditions("css<=1,eager_img<=1")).failed
    verdict = compare(before, after, parse_conditions("css<=2,requests<3"))
    assert verdict.failed
    assert verdict.reasons == ["shop.html: requires requests<3; has requests=5"]
    assert verdict.pages[0].status == "failed-require"


@pytest.mark.parametrize(
    ("growth", "failed"),
    [pytest.param(1.005, False, id="half_percent_is_noise"), pytest.param(1.02, True, id="two_percent_regresses")],
)
def test_brotli_bytes_have_a_one_percent_tolerance(audits, growth, failed):
    before, _ = audits({"plain.html": HEAVY}, {"plain.html": HEAVY})
    after = copy.deepcopy(before)
    page = after["pages"][0]
    page["metrics"]["br"] = before["pages"][0]["metrics"]["br"] * growth
    page["metrics"]["eager_img"] -= 1  # something dropped, so only the bytes can fail it
    verdict = compare(before, after)
    assert verdict.failed is failed
    if failed:
        assert verdict.reasons[0].startswith("plain.html: regressed: br ")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"version": 2}, "the baseline is assetopt.audit version 2; this assetopt reads version 1", id="newer_version"),
        pytest.param({"version": "1"}, "the baseline is assetopt.audit version '1'; this assetopt reads version 1", id="version_as_text"),
        pytest.param({"schema": "lighthouse"}, "the baseline has schema 'lighthouse', expected 'assetopt.audit'", id="other_schema"),
    ],
)
def test_baseline_with_another_schema_or_version_is_a_clear_error(audits, change, message):
    before, after = audits({"plain.html": PLAIN}, {"plain.html": PLAIN})
    with pytest.raises(AssetoptError) as info:
        compare(before | change, after, baseline_path="before.json")
    assert info.value.message == message
    assert str(info.value).startswith(f"before.json: {message} (")
    assert "audit --json" in str(info.value)


def test_baseline_page_without_metrics_is_a_clear_error(audits):
    before, after = audits({"plain.html": PLAIN}, {"plain.html": PLAIN})
    del before["pages"][0]["metrics"]["br"]
    with pytest.raises(AssetoptError, match="the baseline's page plain.html has no metrics br"):
        compare(before, after)


def test_markdown_table_shows_before_and_after_per_page(audits):
    before, after = audits({"shop.html": HEAVY, "gone.html": PLAIN}, {"shop.html": LIGHT})
    table = markdown_table(compare(before, after)).splitlines()
    assert table[0] == "| page | requests | css | js | eager img | blocking | img KB | br KB | br change | status |"
    assert table[1] == "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    assert table[2] == "| gone.html | 0 → - | 0 → - | 0 → - | 0 → - | 0 → - | 0.0 → - | 0.0 → - | - | missing-after |"
    # img KB: four 50-byte PNGs on both sides (0.2 KB), lazy or not: bytes count every image
    assert table[3].startswith("| shop.html | 9 → 5 | 5 → 1 | 0 → 0 | 4 → 1 | 5 → 1 | 0.2 → 0.2 | ")
    assert table[3].endswith(" % | improved |")
    assert table[4].startswith("| **total (1 pages)** | 9 → 5 |")
    assert table[4].endswith("| failed |")


def test_verdict_dict_is_json_and_carries_the_after_findings(audits):
    before, after = audits({"shop.html": HEAVY}, {"shop.html": HEAVY})
    data = verdict_to_dict(compare(before, after))
    json.dumps(data)
    assert (data["schema"], data["version"], data["failed"]) == ("assetopt.verify", 1, True)
    page = data["pages"][0]
    assert {f["code"] for f in page["findings"]} >= {"bundle-run", "img-not-lazy"}
    assert all(f["path"].endswith("shop.html") and f["line"] for f in page["findings"] if f["code"] == "img-not-lazy")


BEFORE = {"console_errors": ["old"], "failed": [], "request_count": 10, "lcp": {"url": "hero.png", "lazy": False}}


@pytest.mark.parametrize(
    ("after", "kwargs", "expected"),
    [
        pytest.param({"console_errors": ["old"], "request_count": 4}, {"diff": 0.001, "claimed_saved": 6}, [], id="clean"),
        pytest.param(
            {"console_errors": ["old", "TypeError: x"]}, {}, ["p: new console error(s) after the change: TypeError: x"], id="new_console_error"
        ),
        pytest.param({"failed": ["404 /static/a.css"]}, {}, ["p: new failed request(s) after the change: 404 /static/a.css"], id="new_404"),
        pytest.param({}, {"diff": 0.05}, ["p: the page looks different: 5.00% of pixels changed (threshold 1.00%)"], id="visual_diff"),
        pytest.param(
            {"lcp": {"url": "hero.png", "lazy": True}},
            {},
            ['p: the LCP image hero.png is lazy-loaded (make it eager, fetchpriority="high")'],
            id="lazy_lcp",
        ),
        pytest.param({"request_count": 8}, {"claimed_saved": 5}, ["p: the audit claims 5 fewer requests but Chromium saw 2"], id="claim_not_seen"),
        pytest.param(
            {"request_count": 9, "images": {"img-lazy": 1}},
            {"claimed_saved": 2},
            [],
            id="a_lazy_image_near_the_fold_fetched_anyway_is_no_missing_saving",
        ),
        pytest.param(
            {"request_count": 9, "images": {"img-lazy": 1}},
            {"claimed_saved": 3},
            ["p: the audit claims 3 fewer requests but Chromium saw 1"],
            id="still_short_beyond_it",
        ),
    ],
)
def test_browser_reasons(after, kwargs, expected):
    assert browser_reasons("p", BrowserMeasure.from_dict(BEFORE), BrowserMeasure.from_dict({"request_count": 10} | after), **kwargs) == expected
