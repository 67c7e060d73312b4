"""Root states (a theme a script puts on <html>/<body> before the first paint) in critical CSS, the pure
parts: which classes and attributes a stylesheet uses as root states, selectors with them relaxed, and
the selection keeping a dark theme's rules for the elements the first screen shows. The real-Chromium
proof (a saved dark preference paints dark at first paint) is in test_critical_css_browser.py."""

from __future__ import annotations

import pytest

from assetopt.build.critical import Observation, probes_of, select_critical
from assetopt.text.css_root_states import relax_root_state, root_states


@pytest.mark.parametrize(
    ("selector_lists", "expected"),
    [
        pytest.param([[":root", "[data-bs-theme=light]"], ["[data-bs-theme=dark]"]], {".dark", "[data-bs-theme"}, id="bootstrap_53_color_modes"),
        pytest.param([["html[data-theme=dark] .card"]], {".dark", "[data-theme"}, id="attribute_on_html"),
        pytest.param([[":root.theme-night"]], {".dark", ".theme-night"}, id="class_on_root"),
        pytest.param([["body.dark-mode"], ["body.sidebar-collapse .nav"]], {".dark", ".dark-mode", ".sidebar-collapse"}, id="adminlte_body_classes"),
        pytest.param([[".a", ".b"], [".modal .btn"], ["div.dark-mode"]], {".dark"}, id="nothing_on_the_root"),
        pytest.param([[".navbar[data-bs-theme=dark]"], ["[data-bs-theme=dark]"]], {".dark"}, id="bootstrap_attribute_never_on_the_root"),
        pytest.param([[":root", ".x .y"]], {".dark"}, id="a_list_with_root_but_a_complex_selector"),
        pytest.param([[":root:not(.x)"]], {".dark"}, id="inside_not_is_no_state"),
    ],
)
def test_root_states_are_what_some_selector_puts_on_the_root_or_body(selector_lists, expected):
    assert root_states(selector_lists) == expected


STATES = frozenset({".dark", ".dark-mode", "[data-bs-theme", "[data-theme"})


@pytest.mark.parametrize(
    ("selector", "relaxed"),
    [
        # Bootstrap 5.3 color modes: the variables rule and the component overrides
        pytest.param("[data-bs-theme=dark]", ":is(html,body)", id="bootstrap_variables"),
        pytest.param("[data-bs-theme=dark] .form-select", ":is(html,body) .form-select", id="bootstrap_descendant"),
        pytest.param(":root[data-bs-theme=dark]", ":root", id="root_pseudo"),
        pytest.param("html[data-theme='dark'] > body", "html > body", id="child_combinator_kept"),
        pytest.param("body.dark-mode .card .title", "body .card .title", id="adminlte_body_class"),
        # Tailwind: the v3 class strategy and v4's @custom-variant dark (&:where(.dark, .dark *))
        pytest.param(".dark .dark\\:bg-base-900", ":is(html,body) .dark\\:bg-base-900", id="tailwind_3"),
        pytest.param(".dark\\:bg-base-900:where(.dark,.dark *)", ".dark\\:bg-base-900", id="tailwind_4"),
        pytest.param(".data-row:where(.dark, .dark *):hover", ".data-row:hover", id="tailwind_4_hover_stays"),
        pytest.param(".tooltip:where(.dark,.dark *):after", ".tooltip:after", id="tailwind_4_pseudo_element"),
        pytest.param(".x:is([data-theme=dark] *)", ".x", id="is_form"),
        # Tailwind 4's child variant (dark:*:border-x) puts the dark condition inside :is()
        pytest.param(":is(.dark\\:\\*\\:border-x:where(.dark,.dark *)>*)", ":is(.dark\\:\\*\\:border-x > *)", id="tailwind_4_child_variant"),
        pytest.param(":where(.dark .x, .y)", ":where(:is(html,body) .x,.y)", id="inside_where"),
        pytest.param(":is(.a, .b) .c", None, id="is_without_states"),
        pytest.param(".\\32 xl\\:grid:where(.dark,.dark *)", ".\\32 xl\\:grid", id="hex_escape_with_its_space"),
        pytest.param("[data-bs-theme=dark] .a:not(.b, .c) > [title='a b']", ":is(html,body) .a:not(.b, .c) > [title='a b']", id="rest_as_written"),
        pytest.param(".dark", ":is(html,body)", id="bare_state"),
        # nothing to relax: not a root state, or not only root states
        pytest.param(".navbar[data-bs-theme=dark]", None, id="theme_on_an_element_is_measured_as_is"),
        pytest.param(".modal .btn", None, id="leading_class_that_is_no_root_state"),
        pytest.param(".dark.sidebar .x", None, id="state_with_another_class"),
        # a :where() that is not the whole dark form: its alternatives are relaxed one by one
        pytest.param(".x:where(.dark, .foo *)", ".x:where(:is(html,body),.foo *)", id="where_with_another_class"),
        pytest.param(".x:where(.dark .y)", ".x:where(:is(html,body) .y)", id="where_with_a_descendant_that_is_no_star"),
        pytest.param("body > .x", None, id="plain_body"),
        pytest.param("html", None, id="plain_html"),
        pytest.param(".a .dark .b", None, id="state_not_leading"),
    ],
)
def test_relax_root_state_takes_root_state_conditions_off(selector, relaxed):
    assert relax_root_state(selector, STATES) == relaxed


# A Bootstrap 5.3-style stylesheet: light variables on :root, dark ones on [data-bs-theme=dark], a card
# styled by both, a modal (not on the first screen) with a dark override too, and a media query for
# visitors whose system is dark.
THEMED = (
    ":root,[data-bs-theme=light]{--bg:#fff;--fg:#222}"
    "[data-bs-theme=dark]{--bg:#111;--fg:#eee;color-scheme:dark}"
    "body{background:var(--bg);color:var(--fg)}"
    ".card{border:1px solid #ccc}"
    "[data-bs-theme=dark] .card{border-color:#444}"
    ".modal{display:none}"
    "[data-bs-theme=dark] .modal{background:#000}"
    ".modal .btn{color:red}"
    "@media (prefers-color-scheme:dark){.card{box-shadow:none}.modal{color:#fff}}"
)


def test_probes_ask_for_the_relaxed_selectors_too():
    probes = probes_of(THEMED)
    assert probes.states == {".dark", "[data-bs-theme"}
    assert probes.selectors == (
        "[data-bs-theme=light]",
        ":is(html,body)",  # relaxed [data-bs-theme=light] and [data-bs-theme=dark]
        "[data-bs-theme=dark]",
        "body",
        ".card",
        "[data-bs-theme=dark] .card",
        ":is(html,body) .card",
        ".modal",
        "[data-bs-theme=dark] .modal",
        ":is(html,body) .modal",
        ".modal .btn",
    )


def test_a_dark_theme_set_on_the_root_keeps_its_rules_for_the_first_screen_and_no_more():
    # what Chromium answers on a light page whose first screen shows body and .card (the modal is
    # elsewhere): the probes matching there, relaxed ones included
    light_page = Observation("/", "mobile", frozenset({":is(html,body)", "body", ".card", ":is(html,body) .card"}))
    result = select_critical(probes_of(THEMED), [light_page])
    assert result.css == (
        ":root,[data-bs-theme=light]{--bg:#fff;--fg:#222}"
        "[data-bs-theme=dark]{--bg:#111;--fg:#eee;color-scheme:dark}"
        "body{background:var(--bg);color:var(--fg)}"
        ".card{border:1px solid #ccc}"
        "[data-bs-theme=dark] .card{border-color:#444}"
        "@media (prefers-color-scheme:dark){.card{box-shadow:none}}"  # the system's dark mode around a kept rule
    )  # no .modal rules: not on the first screen in any theme
    # as algorithm 2 decided (no root state relaxed): the dark variables and the dark card were lost
    probes = probes_of(THEMED)
    before = select_critical(type(probes)(probes.rules, probes.selectors), [light_page])
    assert (
        before.css
        == ":root{--bg:#fff;--fg:#222}body{background:var(--bg);color:var(--fg)}.card{border:1px solid #ccc}@media (prefers-color-scheme:dark){.card{box-shadow:none}}"
    )


def test_tailwind_4_dark_variant_keeps_the_dark_rules_of_first_screen_elements():
    css = (
        ".bg-white{background:#fff}"
        ".dark\\:bg-base-900:where(.dark,.dark *){background:#111}"
        ".dark\\:text-white:where(.dark,.dark *){color:#fff}"
        ".hover\\:bg-x:hover:where(.dark,.dark *){background:red}"
    )
    page = Observation("/", "desktop", frozenset({".bg-white", ".dark\\:bg-base-900"}))
    assert select_critical(probes_of(css), [page]).css == ".bg-white{background:#fff}.dark\\:bg-base-900:where(.dark,.dark *){background:#111}"
