"""The before/after browser table names each page once: template and URL."""

from __future__ import annotations

from assetopt.verify.measures import BrowserEntry, BrowserMeasure
from assetopt.verify.tables import baseline_table, browser_table


def _entry(url: str) -> BrowserEntry:
    m = BrowserMeasure(url=url, request_count=3)
    return BrowserEntry(url=url, before=m, after=m, diff=None)


def test_two_urls_of_one_template_each_show_their_url_once() -> None:
    # browser.check names the second page of a template "template (url)"; the table adds the URL itself.
    table = browser_table({"dash.html": _entry("/ar/"), "dash.html (/en/)": _entry("/en/")})
    rows = [line.split("|")[1].strip() for line in table.splitlines()[2:]]
    assert rows == ["dash.html (/ar/)", "dash.html (/en/)"]


def test_figures_print_the_same_whatever_language_django_has_active() -> None:
    """Tables are pasted into pull requests: an Arabic page's row prints ASCII digits and a '.' like an
    English one, even inside an active Arabic translation with Django's localisation on (which gives
    the Arabic dashboard's own figures as ``315162,47``)."""
    import django_settings
    from django.test.utils import override_settings
    from django.utils import formats, translation

    from assetopt.verify.measures import BaselinePage, BrowserBaseline, ScreenshotDiff

    django_settings.configure()
    before = BrowserMeasure(url="/ar/", request_count=1315, load_ms=315162.47, lcp_ms=2512.5, cls=0.1234, images={"img-eager": 27})
    after = BrowserMeasure(url="/ar/", request_count=13, load_ms=1457.5, lcp_ms=980.49, cls=0.0)
    pages = {"dash.html": BrowserEntry(url="/ar/", before=before, after=after, diff=ScreenshotDiff(fraction=0.012345, image=None))}
    page = BaselinePage(spec="/ar/", url="/ar/", template="dash.html", measure=before)
    baseline = BrowserBaseline(settings="erp.settings", pythonpath=None, user=None, base_url=None, chromium="156", served="", pages=(page,))
    tables = {}
    for language in ("en", "ar"):
        with override_settings(USE_THOUSAND_SEPARATOR=True), translation.override(language):
            localised = formats.number_format(315162.47, 2, use_l10n=True)
            tables[language] = (browser_table(pages), baseline_table(baseline))
        assert localised == {"en": "315,162.47", "ar": "315162,47"}[language]  # Django's localisation was on
    assert tables["ar"] == tables["en"]
    row = tables["ar"][0].splitlines()[2]
    assert row == "| dash.html (/ar/) | 1315 → 13 | 27/0/0 → 0/0/0 | 315162 → 1458 | - | 1.23% | ok |"
    assert tables["ar"][1].splitlines()[2] == "| dash.html (/ar/) | 1315 | 0 | 0 | 27/0/0 | 0 | 315162 | - | 2512 | 0.123 | 0 | 0 |"
