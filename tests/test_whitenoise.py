"""The collectstatic output is served as intended by whitenoise's middleware: the precompressed
sibling for the encoding the browser accepts (the bytes on disk), hashed names cached forever, the
modern image formats with their MIME types. nginx's gzip_static/brotli_static read the same files."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import pytest
from example_site import REPO, deploy_example

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("whitenoise") is None
        or not (REPO / "static_src" / "vendor").is_dir()
        or not (REPO / "static_src" / "img" / "gen").is_dir(),
        reason="needs whitenoise and the example's generated files (`python example/prepare.py`)",
    ),
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root, run, _ = deploy_example(tmp_path_factory.mktemp("whitenoise"), frozenset({"bundles", "images"}))
    return root, json.loads(run("tests/example_whitenoise.py"))


def test_bundles_are_served_from_their_precompressed_siblings_and_cached_forever(served: tuple[Path, dict]) -> None:
    root, responses = served
    bundles = [u for u in responses if u.startswith("/static/assetopt/") and u.endswith((".css", ".js"))]
    assert len(bundles) >= 2, sorted(responses)
    for url in bundles:
        file = root / url.removeprefix("/static/")
        br, gz, plain = responses[url]["br"], responses[url]["gzip"], responses[url]["plain"]
        assert br[:2] == [200, "br"] and br[4] == _sha(file.with_name(file.name + ".br")), url
        assert gz[:2] == [200, "gzip"] and gz[4] == _sha(file.with_name(file.name + ".gz")), url
        assert plain[:2] == [200, ""] and plain[4] == _sha(file), url
        assert "immutable" in br[2] and "max-age=315360000" in br[2], (url, br[2])


def test_every_static_url_of_the_page_is_served_and_hashed_names_are_immutable(served: tuple[Path, dict]) -> None:
    root, responses = served
    urls = [u for u in responses if u.startswith("/static/")]
    assert len(urls) > 20
    assert {u: r["plain"][0] for u, r in responses.items() if u.startswith("/static/") and r["plain"][0] != 200} == {}
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    hashed = set(manifest.values())
    for url in urls:
        name = url.removeprefix("/static/")
        assert name in hashed, f"{name} is not a hashed name from staticfiles.json"
        assert "immutable" in responses[url]["plain"][2], url


def test_modern_image_formats_are_served_with_their_mime_types(served: tuple[Path, dict]) -> None:
    _, responses = served
    page = responses["__page__"]["html"][0]
    assert "<picture>" in page and 'type="image/avif"' in page or 'type="image/webp"' in page
    types = {u.rsplit(".", 1)[-1]: r["plain"][3] for u, r in responses.items() if u.endswith((".avif", ".webp", ".jpg", ".png"))}
    assert types.get("avif", "image/avif") == "image/avif" and types.get("webp", "image/webp") == "image/webp"
    assert types["jpg"] == "image/jpeg" and types["png"] == "image/png"
    assert "avif" in types or "webp" in types
    # Images are never precompressed: the brotli request gets the image itself.
    for url, r in responses.items():
        if url.endswith((".avif", ".webp", ".jpg", ".png")):
            assert r["br"][1] == "" and r["br"][4] == r["plain"][4], url
