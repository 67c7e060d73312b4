"""Cache fragments that leak one user's data to another, and the verdicts, keys and check that stop it.

A small shop (``tests/data/cache_shop``: per-user orders, addresses, a notification list from a
context processor, private-thread participants, a form with errors, a per-object order page, a
basket whose cart lives in the session and whose order lines are an included template) is
rendered through Django's test client with a real cache backend (LocMemCache, and a real Redis
server where one is installed) and two real users, alice and bob. For each fragment: cached under
the key the old analysis derived, bob is served alice's data; cached under the key derived now (or
refused), he is not; and ``verify --cache`` (``check_cache``) finds the first and passes the second.
The example ERP's rules pass the check with its two users; dropping the user from the navbar rule
fails it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from assetopt.config import CacheFragment, Config, load_config
from assetopt.rewrite.cache import plan_cache
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.edits import apply_edits
from assetopt.templates.cache_keys import vary_problem
from assetopt.templates.model import parse_template
from assetopt.verify.cache_check import check_cache

REPO = Path(__file__).resolve().parent.parent
SHOP = Path(__file__).resolve().parent / "data" / "cache_shop"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


PROFILE = [("alice", "GET", "/profile/", {}), ("bob", "GET", "/profile/", {})]
# (id, template, selector, the old analysis's vary-on, [(user, method, path, data)] x 2, first's text, second's text)
KINDS = [
    (
        "order_history",
        "orders.html",
        "table.orders",
        "",
        [("alice", "GET", "/orders/", {}), ("bob", "GET", "/orders/", {})],
        "olives for Alice",
        "dates for Bob",
    ),
    # the old key was the loop variable: str(order) is "Order" for every order
    (
        "order_row",
        "orders.html",
        "li.row",
        "order",
        [("alice", "GET", "/orders/", {}), ("bob", "GET", "/orders/", {})],
        '<li class="row">A-1001',
        '<li class="row">B-2002',
    ),
    (
        "address_book",
        "addresses.html",
        "ul.addresses",
        "",
        [("alice", "GET", "/addresses/", {}), ("bob", "GET", "/addresses/", {})],
        "12 Palm Street",
        "9 Cedar Road",
    ),
    ("notifications", "home.html", "ul.bell", "", [("alice", "GET", "/", {}), ("bob", "GET", "/", {})], "your olives shipped", "your dates are late"),
    ("participants", "thread.html", "ul.participants", "", [("alice", "GET", "/thread/", {}), ("bob", "GET", "/thread/", {})], "carol", "dave"),
    (
        "order_detail",
        "order_detail.html",
        "section.shipping",
        "",
        [("alice", "GET", "/orders/1/", {}), ("alice", "GET", "/orders/2/", {})],
        "12 Palm Street",
        "9 Cedar Road",
    ),
    # the old analysis traced only {% with %}: view.request.user, a firstof alias, a takes_context tag
    ("view_request_user", "profile.html", "p.viewmail", "", PROFILE, '"viewmail">alice@', '"viewmail">bob@'),
    ("firstof_alias", "profile.html", "p.alias", "", PROFILE, '"alias">alice@', '"alias">bob@'),
    ("takes_context_tag", "profile.html", "p.tagged", "", PROFILE, '"tagged">alice@', None),
    # a loop's object handed to an include: the old key was its str(), "Order" for every order
    ("loop_object_handed", "basket.html", "li.line", "order", [("alice", "GET", "/basket/", {}), ("bob", "GET", "/basket/", {})], "A-1001", "B-2002"),
    (
        "form_errors",
        "pay.html",
        "ul.errors",
        "",
        [("alice", "POST", "/pay/", {"holder": "Alice", "card": "4111"}), ("bob", "GET", "/pay/", {})],
        "Alice: card 4111 was declined",
        None,
    ),
]
IDS = [k[0] for k in KINDS]
REFUSED = {
    "form_errors": "form errors belong to one submission",
    "takes_context_tag": "{% whoami %} at line 4 is a custom tag that may take the context (takes_context=True)",
}


def element(source: str, selector_class: str) -> tuple[int, int]:
    at = source.index(f'class="{selector_class}"')
    start = source.rindex("<", 0, at)
    name = source[start + 1 : source.index(" ", start)]
    return start, source.index(f"</{name}>", start) + len(name) + 3


def naive(source: str, selector: str, name: str, vary: str) -> str:
    """The fragment cached under the key the old analysis derived."""
    start, end = element(source, selector.split(".")[1])
    return "{% load cache %}" + source[:start] + f"{{% cache 600 {name} {vary} %}}" + source[start:end] + "{% endcache %}" + source[end:]


def derived(template: str, source: str, selector: str, name: str) -> tuple[str | None, str]:
    """The fragment cached under the key derived now (a rule without vary), or None and the refusal."""
    result = plan_cache(parse_template(template, source), RewriteContext(cache_rules=(CacheFragment(template, selector, 600, name),)))
    if result.skips:
        return None, result.skips[0].reason
    return "{% load " + " ".join(result.loads) + " %}" + apply_edits(source, result.edits), ""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the shop with its own database (migrated, alice and bob created)."""
    root = tmp_path_factory.mktemp("shop")
    shutil.copytree(SHOP, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    old = os.environ.get("SHOP_DB")
    os.environ["SHOP_DB"] = str(root / "db.sqlite3")
    drive(root, root / "templates", [])
    yield root
    if old is None:
        os.environ.pop("SHOP_DB", None)
    else:
        os.environ["SHOP_DB"] = old


def drive(root: Path, templates: Path, steps: list[tuple[str, str, str, dict[str, str]]], redis: str | None = None) -> list[str]:
    env = {**os.environ, "SHOP_TEMPLATES": str(templates), "SHOP_DB": str(root / "db.sqlite3"), "PYTHONPATH": os.pathsep.join([str(root), str(REPO)])}
    env.pop("SHOP_REDIS", None)
    if redis:
        env["SHOP_REDIS"] = redis
    proc = subprocess.run([sys.executable, str(root / "drive.py")], input=json.dumps(steps), capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on 127.0.0.1, a free port and a temp dir of its own, stopped at the end."""
    if not Path(REDIS_SERVER).is_file():
        pytest.skip("redis-server is not installed (apt-get install redis-server): the Redis leg of the leak tests needs it")
    pytest.importorskip("redis", reason="the redis package (pip install -e '.[test]') is what Django's RedisCache uses")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"redis-server did not start on port {port}")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(params=["locmem", "redis"])
def backend(request: pytest.FixtureRequest) -> str | None:
    """None: the shop's LocMemCache (fresh in each render process); else the URL of a flushed Redis."""
    if request.param == "locmem":
        return None
    url: str = request.getfixturevalue("redis_url")
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


@pytest.mark.parametrize(("kind", "template", "selector", "old_vary", "steps", "first", "second"), KINDS, ids=IDS)
def test_naive_key_serves_the_first_users_data_and_the_derived_key_does_not(
    shop: Path,
    tmp_path: Path,
    backend: str | None,
    kind: str,
    template: str,
    selector: str,
    old_vary: str,
    steps: list,
    first: str,
    second: str | None,
) -> None:
    source = (shop / "templates" / template).read_text(encoding="utf-8")
    uncached = drive(shop, shop / "templates", steps)
    assert first in uncached[0] and first not in uncached[1]  # what each should see

    leaky_dir = tmp_path / "naive"
    shutil.copytree(shop / "templates", leaky_dir)
    (leaky_dir / template).write_text(naive(source, selector, kind, old_vary), encoding="utf-8")
    leaked = drive(shop, leaky_dir, steps, backend)
    assert first in leaked[1], f"{kind}: the naive key did not leak"  # the second request got the first's data
    if second is not None:
        assert second not in leaked[1]

    fixed, refusal = derived(template, source, selector, kind)
    if kind in REFUSED:
        assert fixed is None and REFUSED[kind] in refusal
        return
    assert fixed is not None
    fixed_dir = tmp_path / "fixed"
    shutil.copytree(shop / "templates", fixed_dir)
    (fixed_dir / template).write_text(fixed, encoding="utf-8")
    if backend:
        import redis

        redis.Redis.from_url(backend).flushdb()
    served = [" ".join(html.split()) for html in drive(shop, fixed_dir, steps + steps, backend)]  # round two: from the cache
    expected = [" ".join(html.split()) for html in uncached]
    assert served == expected + expected
    assert first not in served[1] and second in served[1]


CARTS = [("", "GET", "/basket/?add=olives", {}), ("", "GET", "/basket/?add=dates", {})]  # two anonymous visitors


def test_a_session_is_keyed_on_its_key_and_its_content(shop: Path, tmp_path: Path, backend: str | None) -> None:
    """A filter given the whole session (an anonymous visitor's cart badge). The key derived before was
    ``request.session``, whose str() is the SessionStore's address (another request's session may
    reuse it); its key alone is no stand-in: a session the view has just created has none until the
    response saves it, so two new visitors share the part "None" and the second is served the first's
    cart. The key now holds the session's key and its content."""
    source = (shop / "templates" / "basket.html").read_text(encoding="utf-8")
    fixed, refusal = derived("basket.html", source, "p.cart", "cart")
    assert fixed is not None, refusal
    assert "{% cache 600 cart request.user.pk request.session.session_key request.session.items %}" in fixed
    uncached = drive(shop, shop / "templates", CARTS)
    assert '"cart">olives<' in uncached[0] and '"cart">dates<' in uncached[1]

    by_key = tmp_path / "session_key"
    shutil.copytree(shop / "templates", by_key)
    (by_key / "basket.html").write_text(naive(source, "p.cart", "cart", "request.user.pk request.session.session_key"), encoding="utf-8")
    leaked = drive(shop, by_key, CARTS, backend)
    assert '"cart">olives<' in leaked[1], "a new session's key did not leak"  # the second visitor got the first's cart

    if backend:
        import redis

        redis.Redis.from_url(backend).flushdb()
    now = tmp_path / "now"
    shutil.copytree(shop / "templates", now)
    (now / "basket.html").write_text(fixed, encoding="utf-8")
    served = [" ".join(html.split()) for html in drive(shop, now, CARTS + CARTS, backend)]  # round two: from the cache
    assert served == [" ".join(html.split()) for html in uncached + uncached]


CHECKED_URLS = ("home", "orders", "addresses", "thread", "pay", "order_detail:1", "order_detail:2", "profile", "basket")


def shop_config(shop: Path, templates: Path, rules: tuple[CacheFragment, ...] = ()) -> Config:
    return Config(project=shop, templates=(templates,), cache=rules, users=("alice", "bob"))


HTMX_STEPS = [("alice", "GET", "/feed/", {}), ("alice", "GET", "/feed/", {}, {"HX-Request": "true"})]  # the page, then its htmx partial


def test_an_htmx_partial_and_its_page_get_their_own_entries(shop: Path, tmp_path: Path, backend: str | None) -> None:
    """django-htmx's ``request.htmx`` (an HtmxDetails) has no pk: the advice assetopt gave for attributes a
    middleware sets, ``vary = ["request.htmx.pk"]``, keyed the page and its partial on the same empty
    part, and the htmx request was served the whole page. It is refused now, and a fragment testing
    ``{% if request.htmx %}`` is keyed on the HX-Request header."""
    pytest.importorskip("django_htmx", reason="django-htmx (pip install -e '.[test]') sets request.htmx in the shop")
    source = (shop / "templates" / "feed.html").read_text(encoding="utf-8")
    uncached = drive(shop, shop / "templates", HTMX_STEPS)
    assert "the whole page" in uncached[0] and '<ul class="rows">' in uncached[1] and "the whole page" not in uncached[1]

    advised = tmp_path / "advised"
    shutil.copytree(shop / "templates", advised)
    (advised / "feed.html").write_text(naive(source, "div.feed", "feed", "request.user.pk request.htmx.pk"), encoding="utf-8")
    assert "the whole page" in drive(shop, advised, HTMX_STEPS, backend)[1]  # the partial request got the page
    assert "none of the values django-htmx's HtmxDetails gives" in vary_problem("request.htmx.pk")

    fixed, refusal = derived("feed.html", source, "div.feed", "feed")
    assert fixed is not None, refusal
    assert re.search(r"\{% cache 600 feed request\.user\.pk [^%]*request\.headers\.hx_request LANGUAGE_CODE %\}", fixed), fixed
    fixed_dir = tmp_path / "fixed"
    shutil.copytree(shop / "templates", fixed_dir)
    (fixed_dir / "feed.html").write_text(fixed, encoding="utf-8")
    if backend:
        import redis

        redis.Redis.from_url(backend).flushdb()
    served = drive(shop, fixed_dir, HTMX_STEPS + HTMX_STEPS, backend)  # round two: from the cache
    assert [" ".join(h.split()) for h in served] == [" ".join(h.split()) for h in uncached + uncached]


def test_verify_cache_finds_every_naive_key_and_passes_the_derived_ones(shop: Path, tmp_path: Path) -> None:
    leaky_dir = tmp_path / "naive"
    shutil.copytree(shop / "templates", leaky_dir)
    for kind, template, selector, old_vary, *_ in KINDS:
        path = leaky_dir / template
        source = path.read_text(encoding="utf-8").replace("{% load cache %}", "")
        path.write_text(naive(source, selector, kind, old_vary), encoding="utf-8")
    check, _ = check_cache(shop_config(shop, leaky_dir), "shop_settings", shop, ("alice", "bob"), CHECKED_URLS)
    leaks = {leak.name: leak for leak in check.leaks}
    # the form's errors show on a POST only: the render check sees its GET (the static refusal covers it)
    assert set(leaks) == set(IDS) - {"form_errors"}
    history = leaks["order_history"]
    assert (history.template, history.line, history.first, history.second) == ("orders.html", 2, "alice at /orders/", "bob at /orders/")
    assert "olives for Alice" in history.difference and "dates for Bob" in history.difference
    assert leaks["order_row"].key == ("Order",)  # str() of two different orders
    assert {leaks["order_detail"].first, leaks["order_detail"].second} >= {"alice at /orders/1/", "alice at /orders/2/"} or "orders/2/" in leaks[
        "order_detail"
    ].second

    rules = tuple(CacheFragment(t, s, 600, k) for k, t, s, *_ in KINDS)
    check, rewritten = check_cache(shop_config(shop, shop / "templates", rules), "shop_settings", shop, ("alice", "bob"), CHECKED_URLS)
    assert check.leaks == ()
    assert set(check.proven) == set(IDS) - set(REFUSED)
    # in Django mode the tag library is loaded: whoami is known to take the context
    assert any(
        s.reason.endswith(
            "{% whoami %} at line 4 takes the context (takes_context=True, or a tag class of its own): what it reads is not visible here"
        )
        for s in rewritten.skips
    )
    assert [s.reason for s in rewritten.skips if "ul.errors" in s.reason][0].endswith(
        "form errors belong to one submission, which no cache key tells apart"
    )


def test_verify_cache_finds_keys_whose_str_is_not_their_content(shop: Path, tmp_path: Path) -> None:
    """Keys that print an address, a model's __str__, or nothing at all collide in production however
    the check's own renders come out (here every fragment shows the same to everyone, so no two renders
    differ): the values are judged, and each such fragment is a leak naming the part and why."""
    templates = tmp_path / "templates"
    shutil.copytree(shop / "templates", templates)
    (templates / "home.html").write_text(
        "{% load cache %}<html><body>\n"
        "{% cache 600 badge request.session %}<p>hello</p>{% endcache %}\n"
        "{% cache 600 filters request.GET.items %}<p>filters</p>{% endcache %}\n"
        "{% cache 600 who user %}<p>hi</p>{% endcache %}\n"
        "{% cache 600 mine request.user.groups.all %}<p>groups</p>{% endcache %}\n"
        "{% for n in notifications %}{% cache 600 row n.pk %}<i></i>{% endcache %}{% endfor %}\n"
        "{% for n in notifications %}{% cache 600 handed n n.pk %}<b></b>{% endcache %}{% endfor %}\n"
        "{% cache 600 good request.user.pk request.session.session_key request.session.items request.GET.urlencode %}<p>ok</p>{% endcache %}\n"
        "</body></html>\n",
        encoding="utf-8",
    )
    check, _ = check_cache(shop_config(shop, templates), "shop_settings", shop, ("alice", "bob"), ("home",))
    leaks = {leak.name: leak.describe() for leak in check.leaks}
    assert set(leaks) == {"badge", "filters", "who", "mine", "row"}, leaks
    assert "its key part request.session is a SessionStore: its str() is its memory address, which another request may reuse" in leaks["badge"]
    assert "request.GET.items is a generator: its str() is its memory address" in leaks["filters"]
    assert "user is a model instance (User): its str() is its __str__, which two objects may share; key on its pk" in leaks["who"]
    assert "request.user.groups.all is a QuerySet: its str() lists at most 20 items" in leaks["mine"]
    assert "n.pk resolves to nothing: every render gets the same empty key part" in leaks["row"]
    assert leaks["badge"].startswith("home.html:2: {% cache %} badge leaks: its key part request.session is a SessionStore")
    assert re.search(
        r"may get the same key \(key \[<django\.contrib\.sessions\.backends\.db\.SessionStore object at 0x[0-9a-f]+>\] for alice at /\)$",
        leaks["badge"],
    )
    assert {"handed", "good"} <= set(check.proven)


def test_verify_cache_renders_pages_with_the_query_strings_given(shop: Path) -> None:
    """A view that filters by the query string: the template cannot see that the output depends on it,
    so a rule whose vary names the user only serves one search's hits for another. Rendered without a
    query the check has nothing to compare; ``--url`` paths with two query strings show the leak, and
    the key derived without a declared vary (per user and full path) passes."""
    urls = ("/search/?q=olives", "/search/?q=dates")
    uncached = drive(shop, shop / "templates", [("alice", "GET", u, {}) for u in urls])
    assert "olives for Alice" in uncached[0] and "nothing found" in uncached[1]
    per_user = (CacheFragment("search.html", "ul.hits", 600, "hits", vary=("request.user.pk",)),)
    check, _ = check_cache(shop_config(shop, shop / "templates", per_user), "shop_settings", shop, ("alice", "bob"), urls)
    assert [(leak.name, leak.first, leak.second) for leak in check.leaks] == [("hits", "alice at /search/?q=olives", "alice at /search/?q=dates")]
    derived_key = (CacheFragment("search.html", "ul.hits", 600, "hits"),)
    check, _ = check_cache(shop_config(shop, shop / "templates", derived_key), "shop_settings", shop, ("alice", "bob"), urls)
    assert check.leaks == () and check.proven == ("hits",)


def test_verify_cache_with_one_user_is_not_a_proof(shop: Path) -> None:
    rules = (CacheFragment("orders.html", "table.orders", 600, "order_history"),)
    check, _ = check_cache(shop_config(shop, shop / "templates", rules), "shop_settings", shop, ("alice",), ("orders",))
    assert check.failed and check.leaks == () and check.proven == ()
    assert check.not_proven == (
        ("order_history", "seen by 1 signed-in user(s): give at least two users (--user, [tool.assetopt] users, ASSETOPT['USERS'])"),
    )


# -- the example ERP -------------------------------------------------------------------------------------

needs_example = pytest.mark.skipif(not (REPO / "example" / "db.sqlite3").is_file(), reason="run `python example/prepare.py` first")


@needs_example
def test_example_fragments_pass_the_leak_check_with_two_users() -> None:
    config = load_config(REPO)
    check, _ = check_cache(config, "erp.settings", REPO / "example", config.users, ("core:dashboard",))
    assert config.users == ("demo", "clerk")
    assert (check.leaks, check.not_proven, set(check.proven)) == ((), (), {"navbar_notifications", "dashboard_charts"})


@needs_example
def test_example_navbar_rule_without_the_user_fails_the_leak_check() -> None:
    config = load_config(REPO)
    config = replace(config, cache=tuple(replace(r, vary=()) if r.name == "navbar_notifications" else r for r in config.cache))
    check, _ = check_cache(config, "erp.settings", REPO / "example", config.users, ("core:dashboard",))
    [leak] = check.leaks
    assert (leak.template, leak.name, leak.first, leak.second) == ("partials/navbar.html", "navbar_notifications", "demo at /en/", "clerk at /en/")
    assert leak.key == ("en",)
    assert "notifications-count>4<" in leak.difference and "notifications-count>1<" in leak.difference
    assert check.passed == {"dashboard_charts"}


def test_django_mode_reads_the_context_processors_and_which_tags_take_the_context(shop: Path) -> None:
    from assetopt.verify.cache_check import cache_facts

    facts = cache_facts(shop_config(shop, shop / "templates"), "shop_settings", shop)
    assert facts.processors["notifications"] == "shop.context.notifications"
    assert facts.processors["user"] == "django.contrib.auth.context_processors.auth"
    assert (facts.tags["whoami"], facts.tags["money"], facts.tags["shout"]) == ("context", "args", "context")
    assert facts.tags["cache"] == "context"  # Django's own tags are classified too (the analysis knows them by name)
    source = (shop / "templates" / "profile.html").read_text(encoding="utf-8")
    template = parse_template("profile.html", source)
    rules = (CacheFragment("profile.html", "p.price", 60, "price"), CacheFragment("profile.html", "p.tagged", 60, "tagged"))
    planned = plan_cache(template, RewriteContext(cache_rules=rules, cache_facts=facts))
    assert [e.text for e in planned.edits][0].startswith("{% cache 60 price %}")  # a simple_tag of its arguments only
    assert [s.reason for s in planned.skips] == [
        '"p.tagged": not cached: {% whoami %} at line 4 takes the context (takes_context=True, or a tag class of its own): what it reads is not visible here'
    ]


def test_verify_cache_expects_fragments_of_templates_of_any_extension(shop: Path, tmp_path: Path) -> None:
    """A ``{% cache %}`` in a ``.txt``, ``.xml`` or ``.djhtml`` template is a fragment like any other: no
    checked page renders these, so each must be reported as not proven, not left out. An excluded
    template is not the project's: its fragment is not expected."""
    templates = tmp_path / "templates"
    shutil.copytree(shop / "templates", templates)
    for name, fragment in [("emails/summary.txt", "email_summary"), ("feeds/latest.xml", "feed_items"), ("widgets/box.djhtml", "box_body")]:
        (templates / name).parent.mkdir(parents=True, exist_ok=True)
        (templates / name).write_text(f"{{% load cache %}}{{% cache 600 {fragment} %}}{{{{ user.username }}}}{{% endcache %}}\n", encoding="utf-8")
    (templates / "drafts").mkdir()
    (templates / "drafts" / "old.txt").write_text("{% load cache %}{% cache 600 draft_only %}x{% endcache %}\n", encoding="utf-8")
    config = replace(shop_config(shop, templates), exclude=("drafts/*",))
    check, _ = check_cache(config, "shop_settings", shop, ("alice", "bob"), ("orders",))
    not_rendered = {name for name, why in check.not_proven if why == "no page rendered it: pass --url of a page that shows it"}
    assert not_rendered == {"email_summary", "feed_items", "box_body"}
