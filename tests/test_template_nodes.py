"""Nodes with a body carry the tokens of their tags (``nodes.Delimiters``): exact slices, and over every
template we have, each node's tags are its own, balanced, and hold its children."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from templates_we_have import template_params

from assetopt.errors import TemplateError
from assetopt.templates.model import Template, parse_template
from assetopt.templates.nodes import BlockNode, BodyNode, ContainerNode, Element, ForNode, IfNode, Node


def _slices(template: Template, node: BodyNode) -> tuple[str, list[str], str]:
    d, src = node.delimiters, template.source
    return src[d.open.start : d.open.end], [src[t.start : t.end] for t in d.middles], src[d.close.start : d.close.end]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "a{% if x %}b{% elif y %}c{% else %}d{% endif %}e",
            [("if", "{% if x %}", ["{% elif y %}", "{% else %}"], "{% endif %}")],
            id="if_elif_else",
        ),
        pytest.param(
            "{% for a in b %}<li>{{ a }}</li>{% empty %}none{% endfor %}",
            [("for", "{% for a in b %}", ["{% empty %}"], "{% endfor %}")],
            id="for_empty",
        ),
        pytest.param(
            "{% block main %}{% with n=1 %}{% if n %}x{%endif%}{% endwith %}{% endblock main %}",
            [
                ("block", "{% block main %}", [], "{% endblock main %}"),
                ("with", "{% with n=1 %}", [], "{% endwith %}"),
                ("if", "{% if n %}", [], "{%endif%}"),
            ],
            id="nested_in_source_order",
        ),
        pytest.param(
            '<a class="{% if x %}on{% else %}off{% endif %}">{% for i in l %}{% endfor %}</a>',
            [("for", "{% for i in l %}", [], "{% endfor %}")],
            id="code_in_an_attribute_value_is_not_a_node",
        ),
        pytest.param(
            "{% comment %}{% if x %}{% endcomment %}{% verbatim %}{% for %}{% endverbatim %}",
            [],
            id="comment_and_verbatim_bodies_are_not_nodes",
        ),
        pytest.param(
            "{% if a %}{% for x in xs %}{% else %}{% endfor %}{% endif %}",
            [("if", "{% if a %}", [], "{% endif %}"), ("for", "{% for x in xs %}", [], "{% endfor %}")],
            id="else_divides_an_if_only",
        ),
    ],
)
def test_body_nodes_carry_their_exact_tags(source: str, expected: list[tuple[str, str, list[str], str]]) -> None:
    template = parse_template("t.html", source)
    assert [(n.kind, *_slices(template, n)) for n in template.bodies] == expected


def test_holds_and_first_body_of_a_loop() -> None:
    source = "{% for a in b %}ONE{% empty %}TWO{% endfor %}"
    template = parse_template("t.html", source)
    (loop,) = template.bodies
    d = loop.delimiters
    one, two = source.index("ONE"), source.index("TWO")
    assert d.holds(one, one + 3) and d.holds(one, one + 3, first_body=True)
    assert d.holds(two, two + 3) and not d.holds(two, two + 3, first_body=True)
    assert not d.holds(0, 3)  # the opening tag is not in the body
    assert d.within(0, len(source)) and not d.within(1, len(source))


def test_code_skips_comments_and_verbatim_and_code_from_starts_at_an_offset() -> None:
    source = "{{ a }}{# c #}{% comment %}{{ b }}{% endcomment %}{% if d %}{% verbatim %}{{ e }}{% endverbatim %}{% endif %}"
    template = parse_template("t.html", source)
    assert [source[t.start : t.end] for t in template.code] == ["{{ a }}", "{% if d %}", "{% endif %}"]
    at = source.index("{% if d %}")
    assert [source[t.start : t.end] for t in template.code_from(at - 1)] == ["{% if d %}", "{% endif %}"]
    assert template.code_from(len(source)) == ()


def test_in_tag_is_true_inside_start_tags_only() -> None:
    source = '<a href="{{ url }}">{{ text }}</a><img {% if x %}alt=""{% endif %}>'
    template = parse_template("t.html", source)
    assert template.in_tag(source.index("{{ url }}"))
    assert not template.in_tag(source.index("{{ text }}"))
    assert template.in_tag(source.index("{% if x %}"))  # an opaque tag is still a tag
    assert not template.in_tag(source.index("</a>"))


# --- invariants over every template we have -------------------------------------------------------

_TAG_RE = re.compile(r"\{%-?\s*(\w+)")


def _children(node: Node) -> list[Node]:
    if isinstance(node, (BlockNode, ContainerNode)):
        return list(node.children)
    if isinstance(node, IfNode):
        return [c for _, branch in node.branches for c in branch]
    if isinstance(node, ForNode):
        return [*node.children, *node.empty]
    return []


def _check(template: Template, node: Node, outer: BodyNode | None) -> None:
    if isinstance(node, Element):
        if outer is not None:  # a raw text body (<title>{% block %}...) starts where its first code does
            d = outer.delimiters
            assert d.open.start <= node.item.start < d.close.start, (template.path, node.item)
        return
    if not isinstance(node, (BlockNode, IfNode, ForNode, ContainerNode)):
        return
    d, src = node.delimiters, template.source
    opener = _TAG_RE.match(src, d.open.start)
    closer = _TAG_RE.match(src, d.close.start)
    assert opener is not None and opener.group(1) == node.kind, (template.path, d.open)
    assert closer is not None and closer.group(1) == "end" + node.kind, (template.path, d.close)
    assert d.open.lineno == node.lineno
    starts = [t.start for t in d.tokens]
    assert starts == sorted(starts) and d.open.end <= d.close.start
    # Between its tags, the node's own kind opens and closes as often (in code Django runs).
    inner = [t.tag_name for t in template.code if d.open.end <= t.start < d.close.start]
    assert inner.count(node.kind) <= inner.count("end" + node.kind), (template.path, node.lineno)
    if outer is not None:
        assert outer.delimiters.holds(d.open.start, d.close.end), (template.path, node.lineno)
    for child in _children(node):
        _check(template, child, node)


@pytest.mark.parametrize("path", template_params())
def test_every_node_with_a_body_has_its_own_tags_and_holds_its_children(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    try:
        template = parse_template(path.name, source, str(path))
    except TemplateError:
        pytest.skip("not a template we can parse")
    for node in template.nodes:
        _check(template, node, None)
    assert [n.delimiters.open.start for n in template.bodies] == sorted(n.delimiters.open.start for n in template.bodies)
