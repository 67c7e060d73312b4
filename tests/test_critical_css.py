"""Critical CSS, the pure parts: the rule tree, selector probes, the union and the cap, url() rebasing,
the markup the tag prints and the manifest entry. The browser half is in test_critical_css_browser.py."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import random
import string

import pytest

from assetopt.build.critical import (
    LOADER_HASH,
    LOADER_JS,
    Observation,
    critical_markup,
    csp_hash,
    probes_of,
    rebase_urls,
    select_critical,
    write_critical,
)
from assetopt.build.manifest import Manifest, ManifestBundle, ManifestFile, load_manifest
from assetopt.config import load_config
from assetopt.errors import ConfigError, ManifestError
from assetopt.text.css_rules import critical_text, parse_rules, probe_selector, split_selectors, style_rules


def seen(*matched: str, page: str = "/", viewport: str = "mobile") -> Observation:
    return Observation(page, viewport, frozenset(matched))


def test_parse_rules_keeps_source_text_and_nests_group_rules():
    css = '@charset "UTF-8";a{color:red}/* } */@media (min-width:768px){.b{x:"}"}.c{y:1}}@font-face{font-family:F;src:url(f.woff2)}'
    rules = parse_rules(css)
    assert [(r.kind, r.prelude) for r in rules] == [
        ("statement", '@charset "UTF-8"'),
        ("style", "a"),
        ("group", "@media (min-width:768px)"),
        ("at-block", "@font-face"),
    ]
    media = rules[2]
    assert media.at_name == "media" and media.condition == "(min-width:768px)"
    assert [(r.prelude, r.body, r.path) for r in media.children] == [(".b", 'x:"}"', (2, 0)), (".c", "y:1", (2, 1))]
    assert [r.prelude for r in style_rules(rules)] == ["a", ".b", ".c"]


def test_parse_rules_runs_an_unterminated_block_to_the_end_like_a_browser():
    (rule,) = parse_rules("a{color:red")
    assert (rule.prelude, rule.body) == ("a", "color:red")


@pytest.mark.parametrize(
    ("prelude", "expected"),
    [
        pytest.param("a, b", ("a", "b"), id="two"),
        pytest.param("a:not(.x, .y), b", ("a:not(.x, .y)", "b"), id="comma_in_not"),
        pytest.param('[title="a,b"], c', ('[title="a,b"]', "c"), id="comma_in_string"),
        pytest.param("a", ("a",), id="one"),
    ],
)
def test_split_selectors_splits_on_top_level_commas_only(prelude, expected):
    assert split_selectors(prelude) == expected


@pytest.mark.parametrize(
    ("selector", "probe"),
    [
        pytest.param(".btn", ".btn", id="plain"),
        pytest.param(".btn:hover", ".btn:hover", id="hover_stays_and_matches_nothing_at_first_paint"),
        pytest.param(".icon::before", ".icon", id="pseudo_element_styles_its_element"),
        pytest.param(".icon:after", ".icon", id="legacy_single_colon_after"),
        pytest.param("p::first-line", "p", id="first_line"),
        pytest.param("::selection", False, id="selection_never_critical"),
        pytest.param("::-moz-selection", False, id="moz_selection"),
        pytest.param(":root", True, id="only_pseudo_kept"),
        pytest.param("::-webkit-scrollbar", True, id="only_vendor_pseudo_kept"),
        pytest.param("*::before", True, id="universal"),
        pytest.param("input::-webkit-inner-spin-button", "input", id="vendor_pseudo_element_on_element"),
        pytest.param(".form-control::placeholder", ".form-control", id="placeholder"),
    ],
)
def test_probe_selector_follows_penthouse(selector, probe):
    assert probe_selector(selector) == probe


CSS = (
    ":root{--c:red}"
    "@font-face{font-family:Used;src:url(../f/used.woff2)}"
    "@font-face{font-family:Unused;src:url(../f/unused.woff2)}"
    "@keyframes spin{to{transform:rotate(1turn)}}@keyframes idle{to{opacity:0}}"
    ".top,.bottom{font-family:Used;color:var(--c)}"
    ".top:hover{color:blue}"
    ".spinner{animation:spin 1s}"
    "@media (max-width:600px){.top{padding:0}.bottom{padding:1px}}"
    "@media print{.top{display:none}}"
    ".bottom{margin:0}"
)


def test_select_critical_keeps_matched_selectors_in_order_with_their_media_fonts_and_keyframes():
    result = select_critical(probes_of(CSS), [seen(".top", ".spinner")])
    assert result.css == (
        ":root{--c:red}"
        "@font-face{font-family:Used;src:url(../f/used.woff2)}"
        "@keyframes spin{to{transform:rotate(1turn)}}"
        ".top{font-family:Used;color:var(--c)}"  # .bottom dropped from the selector list
        ".spinner{animation:spin 1s}"
        "@media (max-width:600px){.top{padding:0}}"  # kept for the visitor's browser to evaluate
    )  # no :hover, no @media print, no unused font or keyframes, no .bottom rule
    assert result.reason == "" and result.raw_bytes == len(result.css)


def test_select_critical_is_the_union_over_pages_and_viewports():
    one = select_critical(probes_of(CSS), [seen(".top", viewport="mobile")]).css
    both = select_critical(probes_of(CSS), [seen(".top", viewport="mobile"), seen(".bottom", page="/other/", viewport="desktop")]).css
    assert ".bottom{margin:0}" not in one
    assert ".top,.bottom{font-family:Used;color:var(--c)}" in both and ".bottom{margin:0}" in both
    assert "@media (max-width:600px){.top{padding:0}.bottom{padding:1px}}" in both


def test_select_critical_without_any_page_or_match_says_why():
    assert select_critical(probes_of(".a{x:1}"), []).reason == "no page that uses it was measured"
    assert select_critical(probes_of(".a{x:1}"), [seen(".b")]).reason == "no rule of it styles a first screen"


def test_select_critical_above_the_cap_counts_gzip_bytes_and_says_so():
    rng = random.Random(7)
    rules = "".join(f'.r{i}{{content:"{"".join(rng.choices(string.ascii_letters, k=40))}"}}' for i in range(400))
    probes = probes_of(rules)
    everything = seen(*probes.selectors)
    full = select_critical(probes, [everything], max_bytes=10**6)
    packed = len(gzip.compress(full.css.encode(), 9, mtime=0))
    assert full.gzip_bytes == packed < len(full.css)
    capped = select_critical(probes, [everything], max_bytes=packed - 1)
    assert capped.css == ""
    assert capped.reason == f"its critical CSS is {packed:,} bytes gzip-compressed ({len(full.css):,} raw), above critical_css_max ({packed - 1:,})"


def test_critical_text_keeps_layer_statements_for_the_cascade_order():
    rules = parse_rules("@layer base, app;@layer base{.a{x:1}.b{y:2}}")
    assert critical_text(rules, {(1, 0): {0}}) == "@layer base, app;@layer base{.a{x:1}}"


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        pytest.param("a{background:url(../img/x.png)}", "a{background:url(/static/img/x.png)}", id="relative"),
        pytest.param('a{background:url("../img/x.png")}', 'a{background:url("/static/img/x.png")}', id="quoted"),
        pytest.param("a{background:url(data:image/png;base64,AA)}", "a{background:url(data:image/png;base64,AA)}", id="data_untouched"),
        pytest.param("a{background:url(/abs.png)}", "a{background:url(/abs.png)}", id="absolute_untouched"),
        pytest.param("a{filter:url(#f)}", "a{filter:url(#f)}", id="fragment_untouched"),
        pytest.param("/* url(../no.png) */a{x:1}", "/* url(../no.png) */a{x:1}", id="comment_untouched"),
    ],
)
def test_rebase_urls_points_relative_urls_at_the_bundle_folder(css, expected):
    assert rebase_urls(css, "/static/assetopt/base-1.css") == expected


def test_rebase_urls_on_a_cdn_keeps_the_origin():
    assert rebase_urls("a{b:url(../f.woff2)}", "https://cdn.example.com/s/assetopt/b.css") == "a{b:url(https://cdn.example.com/s/f.woff2)}"


def test_critical_markup_with_a_nonce_puts_it_on_style_and_script_and_loads_without_handlers():
    markup = critical_markup(".a{x:1}", "/static/b.css", "sha384-abc", {"crossorigin": "anonymous"}, "n0nce")
    assert markup == (
        '<style nonce="n0nce">.a{x:1}</style>\n'
        '<link rel="preload" as="style" fetchpriority="low" href="/static/b.css" integrity="sha384-abc" crossorigin="anonymous" nonce="n0nce">\n'
        f'<script nonce="n0nce">{LOADER_JS}</script>\n'
        '<noscript><link rel="stylesheet" href="/static/b.css" integrity="sha384-abc" crossorigin="anonymous" nonce="n0nce"></noscript>'
    )
    assert "onload" not in markup and "onerror" not in markup


def test_critical_markup_without_a_nonce_and_escaping():
    markup = critical_markup('.a::after{content:"</style><b>"}', '/s/b.css?x="1"&y', "sha384-abc", {}, None)
    assert markup.startswith('<style>.a::after{content:"<\\/style><b>"}</style>\n')
    assert 'href="/s/b.css?x=&quot;1&quot;&amp;y"' in markup
    assert ' nonce="' not in markup


def test_the_loader_hash_is_the_csp_hash_of_the_script_text():
    digest = base64.b64encode(hashlib.sha256(LOADER_JS.encode()).digest()).decode()
    assert LOADER_HASH == csp_hash(LOADER_JS) == f"sha256-{digest}"


def _manifest() -> Manifest:
    f = ManifestFile("assetopt/base-1.abc.css", "sha384-x", ("a.css",), 10)
    return Manifest({"k1": ManifestBundle("k1", "css", "all", ("a.css",), (f,), [("base.html", 3)])})


def test_write_critical_records_it_in_the_manifest_and_load_reads_it_back(tmp_path):
    path = tmp_path / "assetopt-manifest.json"
    result = select_critical(probes_of(".a{x:1}.b{y:2}"), [seen(".a")])
    write_critical(_manifest(), path, {"k1": (result, ("/en/",), ("mobile", "desktop"))})
    entry = json.loads(path.read_text())["bundles"]["k1"]["critical"]
    assert entry == {"css": ".a{x:1}", "hash": csp_hash(".a{x:1}"), "pages": ["/en/"], "viewports": ["mobile", "desktop"]}
    loaded = load_manifest(path).bundles["k1"].critical
    assert loaded is not None and loaded.css == ".a{x:1}"
    # and taken out again (a failed first paint): the entry is as a build without a browser writes it
    write_critical(load_manifest(path), path, {"k1": (select_critical(probes_of(".a{x:1}"), []), (), ())})
    assert "critical" not in json.loads(path.read_text())["bundles"]["k1"]
    assert path.read_text() == _manifest().dumps()


def test_write_critical_drops_the_manifests_precompressed_siblings_of_the_old_bytes(tmp_path):
    path = tmp_path / "assetopt-manifest.json"
    path.write_text(_manifest().dumps())
    (tmp_path / "assetopt-manifest.json.br").write_bytes(b"old")
    (tmp_path / "assetopt-manifest.json.gz").write_bytes(b"old")
    result = select_critical(probes_of(".a{x:1}"), [seen(".a")])
    write_critical(load_manifest(path), path, {"k1": (result, ("/",), ("mobile",))})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assetopt-manifest.json"]


def test_a_manifest_with_a_bad_critical_hash_is_a_manifest_error(tmp_path):
    path = tmp_path / "assetopt-manifest.json"
    data = json.loads(_manifest().dumps())
    data["bundles"]["k1"]["critical"] = {"css": ".a{}", "hash": "md5-x", "pages": [], "viewports": []}
    path.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match="critical hash"):
        load_manifest(path)


@pytest.mark.parametrize("value", [-1, 1.5, "14k", True])
def test_critical_css_max_must_be_a_whole_number_of_bytes(tmp_path, value):
    (tmp_path / "assetopt.toml").write_text(f"critical_css_max = {json.dumps(value)}\n")
    with pytest.raises(ConfigError, match="critical_css_max must be a whole number of bytes"):
        load_config(tmp_path, cwd=tmp_path)


def test_critical_css_keys_have_defaults_and_read_from_the_config(tmp_path):
    assert (load_config(tmp_path, cwd=tmp_path).critical_css, load_config(tmp_path, cwd=tmp_path).critical_css_max) == (True, 14336)
    (tmp_path / "assetopt.toml").write_text('critical_css = false\ncritical_css_max = 9000\ncritical_css_urls = ["/ar/"]\n')
    config = load_config(tmp_path, cwd=tmp_path)
    assert (config.critical_css, config.critical_css_max, config.critical_css_urls) == (False, 9000, ("/ar/",))
    assert config.critical_css_states == ()
    (tmp_path / "assetopt.toml").write_text("critical_css_states = [\"localStorage.setItem('theme', 'dark')\"]\n")
    assert load_config(tmp_path, cwd=tmp_path).critical_css_states == ("localStorage.setItem('theme', 'dark')",)
    (tmp_path / "assetopt.toml").write_text("critical_css_states = [1]\n")
    with pytest.raises(ConfigError, match="critical_css_states must be a list of strings"):
        load_config(tmp_path, cwd=tmp_path)


def test_critical_text_keeps_the_property_and_counter_style_rules_kept_rules_name():
    # Tailwind 4 (django-unfold's styles.css): border-style is var(--tw-border-style), whose only value
    # is @property's initial-value in Chromium (the @supports fallback is for browsers without
    # @property); dropping it makes the declaration invalid and every border of the first screen vanish.
    css = (
        '@property --tw-border-style{syntax:"*";inherits:false;initial-value:solid}'
        '@property --tw-unused{syntax:"*";inherits:false;initial-value:0}'
        "@counter-style thumbs{system:cyclic;symbols:x;suffix:' '}"
        "@counter-style unused{system:cyclic;symbols:y}"
        ".border{border-style:var(--tw-border-style);border-width:1px}"
        ".steps{list-style:thumbs}"
        ".other{--tw-unused:1px;list-style-type:unused}"
    )
    result = select_critical(probes_of(css), [seen(".border", ".steps")])
    assert result.css == (
        '@property --tw-border-style{syntax:"*";inherits:false;initial-value:solid}'
        "@counter-style thumbs{system:cyclic;symbols:x;suffix:' '}"
        ".border{border-style:var(--tw-border-style);border-width:1px}"
        ".steps{list-style:thumbs}"
    )
