#!/usr/bin/env python
"""Prepare the example ERP site: vendor libraries, generated images, translations, database.

    python example/prepare.py

Everything it makes is git-ignored and can be made again. Running it twice is safe: a file is
written only when its content would change, and the demo user is created once. Output is
deterministic (seeded images, sorted catalogues), so audit figures match between machines.

Bootstrap has no installable wheel, so it comes from `npm pack bootstrap@5.3.8`; that is the
only network access, and it is skipped when Bootstrap is already in place. The other vendor
files come from the XStatic wheels installed with the project.
"""

from __future__ import annotations

import importlib
import math
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

EXAMPLE_DIR = Path(__file__).resolve().parent
REPO_ROOT = EXAMPLE_DIR.parent
VENDOR_DIR = REPO_ROOT / "static_src" / "vendor"
GEN_DIR = REPO_ROOT / "static_src" / "img" / "gen"
LOCALE_DIR = EXAMPLE_DIR / "locale"

BOOTSTRAP_VERSION = "5.3.8"

# (xstatic module, pip distribution, [(glob under the package's BASE_DIR, folder under vendor/)])
XSTATIC_FILES = [
    ("jquery", "XStatic-jQuery", [("jquery.js", "jquery")]),
    (
        "select2",
        "XStatic-Select2",
        [
            ("select2.css", "select2/css"),
            ("select2.full.js", "select2/js"),
            ("i18n/ar.js", "select2/js/i18n"),
        ],
    ),
    (
        "font_awesome",
        "XStatic-Font-Awesome",
        [
            ("css/all.css", "fontawesome/css"),
            ("webfonts/*", "fontawesome/webfonts"),
        ],
    ),
    (
        "datatables",
        "XStatic-DataTables",
        [
            ("css/jquery.dataTables.css", "datatables/css"),
            ("images/*.png", "datatables/images"),
            ("js/jquery.dataTables.js", "datatables/js"),
        ],
    ),
]

# Archive member -> path under vendor/. The source maps come along so that the files'
# sourceMappingURL comments point at something (ManifestStaticFilesStorage fails otherwise).
BOOTSTRAP_FILES = {
    f"package/dist/{name}": f"bootstrap/{name}"
    for name in (
        "css/bootstrap.css",
        "css/bootstrap.css.map",
        "css/bootstrap.rtl.css",
        "css/bootstrap.rtl.css.map",
        "js/bootstrap.bundle.js",
        "js/bootstrap.bundle.js.map",
    )
}


class PrepareError(Exception):
    """A step cannot run; the message says what to do about it."""


@dataclass
class Tally:
    written: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        total = self.written + self.unchanged
        files = "file" if total == 1 else "files"
        return f"{total} {files} ({self.written} written, {self.unchanged} unchanged)"


def write_if_changed(path: Path, data: bytes, tally: Tally) -> None:
    if path.is_file() and path.read_bytes() == data:
        tally.unchanged += 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)  # a run killed half-way never leaves a truncated file behind
    tally.written += 1


# ---------------------------------------------------------------------------------------------
# Vendor libraries
# ---------------------------------------------------------------------------------------------


def copy_xstatic() -> Tally:
    tally = Tally()
    for module, distribution, patterns in XSTATIC_FILES:
        try:
            base_dir = Path(importlib.import_module(f"xstatic.pkg.{module}").BASE_DIR)
        except ImportError:
            raise PrepareError(f"{distribution} is not installed (run `pip install -e .` or `pip install {distribution}`)") from None
        for pattern, folder in patterns:
            sources = sorted(path for path in base_dir.glob(pattern) if path.is_file())
            if not sources:
                raise PrepareError(f"{distribution}: nothing matches {pattern!r} in {base_dir}")
            for source in sources:
                write_if_changed(VENDOR_DIR / folder / source.name, source.read_bytes(), tally)
    return tally


def bootstrap_is_current() -> bool:
    banner = f"v{BOOTSTRAP_VERSION} (".encode()
    paths = [VENDOR_DIR / path for path in BOOTSTRAP_FILES.values()]
    return all(path.is_file() for path in paths) and all(banner in path.read_bytes()[:300] for path in paths if path.suffix != ".map")


def copy_bootstrap() -> Tally:
    if bootstrap_is_current():
        return Tally(unchanged=len(BOOTSTRAP_FILES))
    npm = shutil.which("npm")
    if npm is None:
        raise PrepareError(
            f"npm is not on PATH. It is needed once, to fetch Bootstrap {BOOTSTRAP_VERSION} "
            f"(`npm pack bootstrap@{BOOTSTRAP_VERSION}`). Install Node.js and run this again."
        )
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [npm, "pack", f"bootstrap@{BOOTSTRAP_VERSION}", "--silent"],
            cwd=tmp,
            capture_output=True,
            text=True,
            check=False,
        )
        tarballs = list(Path(tmp).glob("*.tgz"))
        if result.returncode != 0 or len(tarballs) != 1:
            raise PrepareError(f"`npm pack bootstrap@{BOOTSTRAP_VERSION}` failed:\n{result.stderr.strip()}")
        # Only named regular files are read and written to paths chosen here: nothing in the
        # archive decides where anything lands (no extractall, no member paths on disk).
        with tarfile.open(tarballs[0], "r:gz") as archive:
            for member_name, target in BOOTSTRAP_FILES.items():
                problem = f"bootstrap-{BOOTSTRAP_VERSION}.tgz: {member_name}"
                try:
                    member = archive.getmember(member_name)
                except KeyError:
                    raise PrepareError(f"{problem} is missing") from None
                extracted = archive.extractfile(member) if member.isfile() else None
                if extracted is None:
                    raise PrepareError(f"{problem} is not a regular file")
                write_if_changed(VENDOR_DIR / target, extracted.read(), tally)
    return tally


# ---------------------------------------------------------------------------------------------
# Images: photo-like (gradients, soft shapes and grain), so that they compress like photos do
# ---------------------------------------------------------------------------------------------

RGB = tuple[int, int, int]


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB, angle: float) -> Image.Image:
    across = Image.linear_gradient("L").rotate(90).resize(size)
    down = Image.linear_gradient("L").resize(size)
    weight = math.cos(math.radians(angle))
    mask = Image.blend(down, across, 1 - abs(weight))
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _soft_shapes(image: Image.Image, rng: random.Random, count: int, palette: list[RGB]) -> Image.Image:
    width, height = image.size
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(count):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        rx, ry = rng.uniform(0.05, 0.3) * width, rng.uniform(0.05, 0.3) * height
        fill = (*rng.choice(palette), rng.randint(60, 150))
        draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=fill)
    layer = layer.filter(ImageFilter.GaussianBlur(min(width, height) / 14))
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _grain(image: Image.Image, rng: random.Random, strength: float = 0.09) -> Image.Image:
    noise = Image.frombytes("L", image.size, rng.randbytes(image.width * image.height))
    noise = noise.filter(ImageFilter.GaussianBlur(0.6))
    return Image.blend(image, Image.merge("RGB", (noise, noise, noise)), strength)


def _hero(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A warehouse skyline at dawn."""
    image = _gradient(size, (38, 62, 98), (236, 170, 108), angle=0)
    image = _soft_shapes(image, rng, 6, [(255, 214, 150), (250, 180, 120), (120, 140, 170)])
    draw = ImageDraw.Draw(image)
    width, height = size
    x = 0
    while x < width:
        building = rng.randint(80, 260)
        top = height - rng.randint(int(height * 0.18), int(height * 0.42))
        shade = rng.randint(18, 40)
        draw.rectangle((x, top, x + building, height), fill=(shade, shade + 12, shade + 18))
        x += building + rng.randint(0, 30)
    return _grain(image.filter(ImageFilter.GaussianBlur(1.2)), rng)


def _product(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """An object on a studio backdrop."""
    backdrop = rng.choice([(232, 236, 235), (244, 238, 226), (226, 232, 240)])
    image = _gradient(size, backdrop, tuple(c - 40 for c in backdrop), angle=rng.uniform(0, 60))
    width, height = size
    draw = ImageDraw.Draw(image)
    colour = tuple(rng.randint(30, 220) for _ in range(3))
    half_width = width * rng.choice((0.12, 0.2, 0.28))  # a bottle, a box or a chair
    box = (width / 2 - half_width, height * rng.uniform(0.15, 0.3), width / 2 + half_width, height * rng.uniform(0.7, 0.8))
    draw.ellipse((box[0], box[3] - height * 0.04, box[2], box[3] + height * 0.06), fill=(90, 90, 90))
    radius = min(width, height) * rng.choice((0.02, 0.06, 0.12))
    draw.rounded_rectangle(box, radius=radius, fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(min(width, height) / 160))
    image = _soft_shapes(image, rng, 4, [(255, 255, 255), colour])
    return _grain(image, rng, strength=0.07)


def _warehouse(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Racks in a warehouse aisle."""
    image = _gradient(size, (200, 205, 210), (120, 110, 95), angle=0)
    draw = ImageDraw.Draw(image)
    width, height = size
    for column in range(0, width, width // 8):
        for shelf in range(int(height * 0.15), int(height * 0.85), height // 7):
            colour = rng.choice([(184, 120, 52), (160, 150, 130), (90, 110, 140), (200, 170, 110)])
            box = (column + 6, shelf, column + width // 8 - 6, shelf + height // 9)
            draw.rectangle(box, fill=colour)
        draw.rectangle((column, int(height * 0.1), column + 5, height), fill=(30, 70, 140))
    image = _soft_shapes(image.filter(ImageFilter.GaussianBlur(2)), rng, 5, [(255, 250, 235)])
    return _grain(image, rng)


def _chart(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A bar chart exported as a picture, the way a reporting tool would."""
    image = _gradient(size, (255, 255, 255), (238, 243, 242), angle=0)
    draw = ImageDraw.Draw(image)
    width, height = size
    left, bottom = 60, height - 40
    for step in range(5):
        y = bottom - step * (bottom - 30) // 4
        draw.line((left, y, width - 20, y), fill=(215, 222, 220), width=1)
    bars = 12
    slot = (width - left - 30) / bars
    for index in range(bars):
        value = rng.uniform(0.25, 0.95) * (bottom - 40)
        x = left + index * slot + slot * 0.2
        colour = (15, 118, 110) if index % 3 else (200, 150, 62)
        draw.rectangle((x, bottom - value, x + slot * 0.6, bottom), fill=colour)
    return _grain(image, rng, strength=0.04)


def _pattern(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A tile of eight-pointed stars, transparent between the lines."""
    tile = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    width, height = size
    c, r = width / 2, width / 3.2
    ink = (0, 0, 0, 20)
    square = [(c - r, c - r), (c + r, c - r), (c + r, c + r), (c - r, c + r)]
    diamond = [(c, c - r * 1.41), (c + r * 1.41, c), (c, c + r * 1.41), (c - r * 1.41, c)]
    draw.polygon(square, outline=ink, width=2)
    draw.polygon(diamond, outline=ink, width=2)
    for x, y in [(0, 0), (width, 0), (0, height), (width, height)]:
        draw.line((x, y, c, c), fill=(0, 0, 0, 8), width=1)
    return tile


# (file name, size, painter); product sizes vary like uploads from different cameras do.
_PRODUCT_SIZES = [(1200, 900), (800, 600), (1024, 768), (1600, 1200), (640, 480), (900, 900)]
Painter = Callable[[random.Random, tuple[int, int]], Image.Image]
IMAGES: list[tuple[str, tuple[int, int], Painter]] = [
    ("hero.jpg", (1600, 600), _hero),
    *[(f"product-{n:02d}.jpg", _PRODUCT_SIZES[n % len(_PRODUCT_SIZES)], _product) for n in range(1, 15)],
    *[(f"product-{n:02d}.png", (720, 720), _product) for n in range(15, 19)],
    *[(f"warehouse-{n}.jpg", (1280, 720), _warehouse) for n in range(1, 5)],
    ("chart-sales.png", (900, 420), _chart),
    ("chart-stock.png", (900, 420), _chart),
    ("bg-pattern.png", (96, 96), _pattern),
]


def generate_images() -> Tally:
    tally = Tally()
    for name, size, paint in IMAGES:
        image = paint(random.Random(name), size)  # one seed per file: adding one changes no other
        buffer = BytesIO()
        if name.endswith(".jpg"):
            image.save(buffer, "JPEG", quality=90)
        else:
            image.save(buffer, "PNG")
        write_if_changed(GEN_DIR / name, buffer.getvalue(), tally)
    return tally


# ---------------------------------------------------------------------------------------------
# Translations: .po -> .mo without the gettext tools
# ---------------------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_PO_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"(.*)"\s*$')


def parse_po(text: str, path: Path) -> dict[str, str]:
    """The catalogue a .po file holds, keyed as in a .mo file; fuzzy and empty entries skipped."""
    catalogue: dict[str, str] = {}
    entry: dict[str, str] = {}
    fuzzy = False
    field = ""

    def finish() -> None:
        # msgstr, or msgstr[0] ... msgstr[5] in plural order (msgstr[10] would sort before [2]).
        forms = [key for key in entry if key.startswith("msgstr")]
        forms.sort(key=lambda key: int(key[7:-1] or 0))
        translations = [entry[key] for key in forms]
        if "msgid" in entry and not fuzzy and any(translations):
            key = entry["msgid"]
            if "msgid_plural" in entry:
                key += "\0" + entry["msgid_plural"]
            if "msgctxt" in entry:
                key = entry["msgctxt"] + "\x04" + key
            catalogue[key] = "\0".join(translations)

    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or (line.startswith("#") and not line.startswith("#,")):
            continue
        if line.startswith("#,"):
            finish()
            entry, fuzzy, field = {}, "fuzzy" in line, ""
            continue
        match = _PO_LINE.match(line)
        if match is None:
            raise PrepareError(f"{path}:{lineno}: cannot read {line!r}")
        keyword, value = match.groups()
        value = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), value)
        if keyword is None:
            if not field:
                raise PrepareError(f"{path}:{lineno}: string continues nothing")
            entry[field] += value
            continue
        if keyword in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in entry):
            finish()
            entry, fuzzy = {}, False
        field = keyword
        entry[field] = value
    finish()
    return catalogue


def write_mo(catalogue: dict[str, str]) -> bytes:
    """GNU .mo bytes: header, the two string tables, then the strings (no hash table)."""
    keys = sorted(catalogue)
    ids = [key.encode() for key in keys]
    strs = [catalogue[key].encode() for key in keys]
    count = len(keys)
    start = 7 * 4 + 16 * count
    offsets, blob = [], b""
    for data in ids + strs:
        offsets.append((len(data), start + len(blob)))
        blob += data + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, 28, 28 + 8 * count, 0, start)
    tables = b"".join(struct.pack("<2I", length, offset) for length, offset in offsets)
    return header + tables + blob


def compile_translations() -> Tally:
    tally = Tally()
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        catalogue = parse_po(po.read_text(encoding="utf-8"), po)
        write_if_changed(po.with_suffix(".mo"), write_mo(catalogue), tally)
    return tally


# ---------------------------------------------------------------------------------------------
# Database and demo user
# ---------------------------------------------------------------------------------------------


def prepare_database() -> str:
    sys.path.insert(0, str(EXAMPLE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    before = len(recorder.applied_migrations()) if recorder.has_table() else 0
    call_command("migrate", interactive=False, verbosity=0)
    applied = len(recorder.applied_migrations()) - before

    user_model = get_user_model()
    made = []
    if not user_model.objects.filter(username="demo").exists():
        user = user_model.objects.create_user("demo", "demo@erp.example", "demo", first_name="Demo", last_name="Manager", is_staff=True)
        # Enough for the navbar's and settings page's `perms` checks to show their extra items.
        user.user_permissions.add(*Permission.objects.filter(content_type__app_label="auth", codename__in=["view_user", "view_group"]))
        made.append("demo / demo")
    # A second user, not staff: `assetopt verify --cache` renders every page as both (and as an
    # anonymous visitor) to prove no cached fragment serves one user's data to the other.
    if not user_model.objects.filter(username="clerk").exists():
        user_model.objects.create_user("clerk", "clerk@erp.example", "clerk", first_name="Sara", last_name="Clerk")
        made.append("clerk / clerk")
    return f"{applied} migrations applied; " + (f"user(s) created: {', '.join(made)}" if made else "users demo and clerk already there")


def main() -> int:
    steps: list[tuple[str, Callable[[], object]]] = [
        ("vendor, XStatic", copy_xstatic),
        (f"vendor, Bootstrap {BOOTSTRAP_VERSION}", copy_bootstrap),
        ("images", generate_images),
        ("translations", compile_translations),
        ("database", prepare_database),
    ]
    for label, step in steps:
        try:
            outcome = step()
        except PrepareError as error:
            print(f"prepare.py: {label}: {error}", file=sys.stderr)
            return 1
        print(f"{label:<24} {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
