#!/usr/bin/env python
"""Image optimization: bytes saved and time per megapixel, the quality sweep, peak memory on 50 MP.

    python bench/bench_images.py            # tables for the example's images and generated photos
    python bench/bench_images.py --sweep    # the JPEG/WebP/AVIF quality sweep behind image_quality
    python bench/bench_images.py --match    # the WebP/AVIF qualities that score like the JPEG (SSIM)
    python bench/bench_images.py --append   # also append the tables to bench/RESULTS.md ("## Images")
    python bench/bench_images.py --widths   # the srcset step: its cost, and bytes fetched per slot width
    python bench/bench_images.py --effort   # WebP method / AVIF speed / PNG zlib level: bytes, SSIM, CPU s/MP

Generated images are photo-like (smooth gradients, blurred shapes, sensor-like noise), saved as a
camera would (JPEG quality 92) or as a PNG screenshot would be: flat colours would flatter the numbers.
Each timing is one run in this process (no cache); the 50 MP memory figure is measured in a child
process with ``resource.getrusage`` so nothing else in this process counts.
"""

from __future__ import annotations

import argparse
import io
import math
import platform
import random
import subprocess
import sys
import time
from array import array
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageMath, features

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assetopt import images  # noqa: E402

GEN = REPO / "static_src" / "img" / "gen"


def photo(width: int, height: int, seed: int = 1) -> Image.Image:
    """A photo-like RGB image: gradients, soft shapes and noise, deterministic for ``seed``."""
    rnd = random.Random(seed)
    bands = []
    for _ in range(3):
        g = Image.linear_gradient("L").rotate(rnd.randrange(360), resample=Image.Resampling.BILINEAR, expand=False)
        bands.append(g.resize((width, height), Image.Resampling.BILINEAR))
    im = Image.merge("RGB", bands)
    draw = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = rnd.randrange(width), rnd.randrange(height)
        r = rnd.randrange(max(2, min(width, height) // 12), max(3, min(width, height) // 3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randrange(256) for _ in range(3)))
    im = im.filter(ImageFilter.GaussianBlur(max(1, min(width, height) // 150)))
    noise = Image.merge("RGB", [Image.effect_noise((width, height), 18) for _ in range(3)])
    return ImageChops.add(im, noise, scale=1.0, offset=-128)


def encoded(im: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    im.save(out, format=fmt, **params)
    return out.getvalue()


def generated_set() -> list[tuple[str, bytes]]:
    files = []
    for mp, (w, h) in [(0.5, (866, 577)), (2, (1732, 1155)), (5, (2739, 1826)), (12, (4243, 2828))]:
        im = photo(w, h, seed=int(mp * 10))
        files.append((f"photo-{mp:g}MP.jpg", encoded(im, "JPEG", quality=92)))
    files.append(("photo-2MP.png", encoded(photo(1732, 1155, seed=7), "PNG")))
    return files


def example_set() -> list[tuple[str, bytes]]:
    if not GEN.is_dir():
        sys.exit("run `python example/prepare.py` first (it generates static_src/img/gen/)")
    return [(p.name, p.read_bytes()) for p in sorted(GEN.iterdir()) if p.suffix.lower() in images.OPTIMIZABLE]


def measure(files: list[tuple[str, bytes]], quality: int) -> dict[str, float]:
    before = after = webp = avif = 0
    pixels = 0
    seconds = 0.0
    for name, data in files:
        t = time.perf_counter()
        result, variants = images.optimize_with_variants(data, Path(name).suffix, quality=quality)
        seconds += time.perf_counter() - t
        assert result.error is None, (name, result.error)
        w, h = result.size or (0, 0)
        pixels += w * h
        before += len(data)
        after += len(result.data)
        webp += len(variants.get(".webp", result.data))
        avif += len(variants.get(".avif", variants.get(".webp", result.data)))
    mp = pixels / 1e6
    return {"files": len(files), "mp": mp, "before": before, "after": after, "webp": webp, "avif": avif, "s": seconds, "s_per_mp": seconds / mp}


def table(rows: list[tuple[str, dict[str, float]]], quality: int) -> str:
    lines = [
        f"| set (image_quality = {quality}) | files | MP | original KB | optimized KB | saved | WebP-or-best KB | AVIF-or-best KB | s | s/MP |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        saved = 100 * (1 - r["after"] / r["before"])
        lines.append(
            f"| {name} | {r['files']:.0f} | {r['mp']:.1f} | {r['before'] / 1024:.0f} | {r['after'] / 1024:.0f} | {saved:.1f} % "
            f"| {r['webp'] / 1024:.0f} | {r['avif'] / 1024:.0f} | {r['s']:.2f} | {r['s_per_mp']:.3f} |"
        )
    return "\n".join(lines)


# --- quality sweep -----------------------------------------------------------------------------------


def psnr(a: Image.Image, b: Image.Image) -> float:
    """PSNR over luminance (dB)."""
    hist = ImageChops.difference(a.convert("L"), b.convert("L")).histogram()
    mse = sum(n * i * i for i, n in enumerate(hist)) / (a.width * a.height)
    return 99.0 if mse == 0 else 10 * math.log10(255 * 255 / mse)


def ssim_blocks(a: Image.Image, b: Image.Image, block: int = 8) -> float:
    """Mean SSIM over non-overlapping 8x8 luminance blocks, in plain Python: slow, obviously right.
    The oracle ``ssim`` is tested against (tests/test_variant_quality.py); use ``ssim`` for real sizes."""
    la, lb = a.convert("L"), b.convert("L")
    w, h = la.size
    pa, pb = la.tobytes(), lb.tobytes()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    total, count = 0.0, 0
    n = block * block
    for by in range(0, h - block + 1, block):
        for bx in range(0, w - block + 1, block):
            xs = [pa[(by + r) * w + bx + c] for r in range(block) for c in range(block)]
            ys = [pb[(by + r) * w + bx + c] for r in range(block) for c in range(block)]
            mx, my = sum(xs) / n, sum(ys) / n
            vx = sum((x - mx) ** 2 for x in xs) / n
            vy = sum((y - my) ** 2 for y in ys) / n
            cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / n
            total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
            count += 1
    return total / count


def _block_ssim(x: Image.Image, y: Image.Image, block: int) -> tuple[float, int]:
    """Sum and count of per-block SSIM over the non-overlapping ``block``-square blocks of two "F"
    images, all in Pillow's C code: block means by ``reduce`` (a box average, in float), products by
    ``ImageMath``. Same numbers as ``ssim_blocks`` (float32 rounding aside), about 100x faster."""
    w, h = (x.width // block) * block, (x.height // block) * block
    if w == 0 or h == 0:
        return 0.0, 0
    x, y = x.crop((0, 0, w, h)), y.crop((0, 0, w, h))
    mul = ImageMath.lambda_eval
    mx, my = x.reduce(block), y.reduce(block)
    xx = mul(lambda e: e["x"] * e["x"], x=x).reduce(block)
    yy = mul(lambda e: e["y"] * e["y"], y=y).reduce(block)
    xy = mul(lambda e: e["x"] * e["y"], x=x, y=y).reduce(block)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    scores = mul(
        lambda e: (
            ((e["mx"] * e["my"] * 2 + c1) * ((e["xy"] - e["mx"] * e["my"]) * 2 + c2))
            / ((e["mx"] * e["mx"] + e["my"] * e["my"] + c1) * ((e["xx"] - e["mx"] * e["mx"]) + (e["yy"] - e["my"] * e["my"]) + c2))
        ),
        mx=mx,
        my=my,
        xx=xx,
        yy=yy,
        xy=xy,
    )
    return float(sum(array("f", scores.tobytes()))), scores.width * scores.height  # "F" pixels are native float32


def ssim(a: Image.Image, b: Image.Image, block: int = 8, step: int = 4) -> float:
    """Mean SSIM over 8x8 luminance windows every ``step`` pixels (windows overlap by half, so a
    block edge artifact cannot hide between windows); no Gaussian weighting. Luminance only: what
    the eye resolves best and where JPEG, WebP and AVIF all keep full resolution.

    ``step=block`` is exactly ``ssim_blocks``. Pillow only (no numpy: not a dependency here)."""
    fa, fb = a.convert("L").convert("F"), b.convert("L").convert("F")
    total, count = 0.0, 0
    for dy in range(0, block, step):
        for dx in range(0, block, step):
            box = (dx, dy, fa.width, fa.height)
            s, n = _block_ssim(fa.crop(box), fb.crop(box), block)
            total, count = total + s, count + n
    return total / count


def sweep(files: list[tuple[str, bytes]]) -> str:
    """Bytes vs quality for JPEG (what the build ships), WebP and AVIF, measured against the decoded
    source. Only the example's JPEGs (the PNGs are re-encoded losslessly)."""
    jpegs = [(n, d) for n, d in files if n.endswith(".jpg")]
    decoded = []
    for _, data in jpegs:
        with Image.open(io.BytesIO(data)) as im:
            decoded.append(im.convert("RGB"))
    total = sum(len(d) for _, d in jpegs)
    lines = ["| encoder | quality | KB | of source | PSNR-Y dB | SSIM-ish |", "|---|---:|---:|---:|---:|---:|"]
    grid = [("JPEG", q) for q in (70, 75, 78, 80, 82, 85, 88, 90)]
    grid += [("WEBP", q) for q in (75, 82, 88)]
    if features.check("avif"):
        grid += [("AVIF", q) for q in (50, 55, 60, 65, 70)]
    for fmt, q in grid:
        size, ps, ss = 0, 0.0, 0.0
        for im in decoded:
            params: dict[str, object] = {"quality": q}
            if fmt == "JPEG":
                params.update(optimize=True, progressive=True)
            if fmt == "AVIF":
                params.update(speed=8, max_threads=1)
            data = encoded(im, fmt, **params)
            size += len(data)
            with Image.open(io.BytesIO(data)) as back:
                back = back.convert("RGB")
            ps += psnr(im, back)
            ss += ssim(im, back, step=8)  # non-overlapping 8x8 blocks, as RESULTS.md's table was measured
        k = len(decoded)
        lines.append(f"| {fmt} | {q} | {size / 1024:.0f} | {100 * size / total:.0f} % | {ps / k:.2f} | {ss / k:.4f} |")
    return "\n".join(lines)


# --- matching the variants to the JPEG (images._WEBP_QUALITY / _AVIF_QUALITY) --------------------------

MATCH_WEBP = (82, 85, 88, 89, 90, 91, 92, 94)
MATCH_AVIF = (60, 65, 70, 74, 75, 76, 77, 78, 80)


def _jpeg_as_built(data: bytes, quality: int) -> bytes:
    """The JPEG the build ships at ``quality`` (images._jpeg's settings), even when it would not be
    kept: the quality bar is the encoder's, not the 95 % rule's."""
    with Image.open(io.BytesIO(data)) as im:
        return encoded(im, "JPEG", quality=quality, optimize=True, progressive=True, subsampling="keep")


def _variant(im: Image.Image, fmt: str, quality: int) -> bytes:
    if fmt == "WEBP":
        return encoded(im, "WEBP", quality=quality, method=images._WEBP_METHOD)  # images._variants' settings
    return encoded(im, "AVIF", quality=quality, speed=images._AVIF_SPEED, max_threads=1)


def _decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGB")


def match(sets: list[tuple[str, list[tuple[str, bytes]]]], jpeg_quality: int) -> tuple[str, dict[str, int]]:
    """For each set of JPEG sources: the JPEG at ``jpeg_quality`` as the build encodes it, then WebP and
    AVIF over a grid of qualities, each scored by ``ssim`` against the decoded source (what the variant
    replaces in the browser). The pick per format is the lowest quality whose mean SSIM reaches the
    JPEG's on every set and whose worst image is no worse than the JPEG's worst image minus 0.002."""
    lines = ["| set | encoder | quality | KB | of JPEG | mean SSIM | worst-image SSIM - JPEG's |", "|---|---|---:|---:|---:|---:|---:|"]
    ok: dict[tuple[str, int], bool] = {}
    for set_name, files in sets:
        sources = [(n, d, _decoded(d)) for n, d in files if n.lower().endswith((".jpg", ".jpeg"))]
        jpegs = [_jpeg_as_built(d, jpeg_quality) for _, d, _ in sources]
        jpeg_scores = [ssim(im, _decoded(j)) for (_, _, im), j in zip(sources, jpegs)]
        jpeg_kb = sum(map(len, jpegs)) / 1024
        jmean = sum(jpeg_scores) / len(jpeg_scores)
        lines.append(f"| {set_name} ({len(sources)} JPEGs) | JPEG | {jpeg_quality} | {jpeg_kb:.0f} | 100 % | {jmean:.4f} | 0 |")
        grid = [("WEBP", q) for q in MATCH_WEBP] + ([("AVIF", q) for q in MATCH_AVIF] if features.check("avif") else [])
        for fmt, q in grid:
            blobs = [_variant(im, fmt, q) for _, _, im in sources]
            scores = [ssim(im, _decoded(b)) for (_, _, im), b in zip(sources, blobs)]
            mean = sum(scores) / len(scores)
            worst = min(s - j for s, j in zip(scores, jpeg_scores))
            ok[(fmt, q)] = ok.get((fmt, q), True) and mean >= jmean and worst >= -0.002
            kb = sum(map(len, blobs)) / 1024
            lines.append(f"| {set_name} | {fmt} | {q} | {kb:.0f} | {100 * kb / jpeg_kb:.0f} % | {mean:.4f} | {worst:+.4f} |")
    picks = {}
    for fmt, grid_q in (("WEBP", MATCH_WEBP), ("AVIF", MATCH_AVIF)):
        good = [q for q in grid_q if ok.get((fmt, q))]
        if good:
            picks[fmt] = min(good)
    return "\n".join(lines), picks


# --- encoder effort: WebP method, AVIF speed, PNG zlib level (images._WEBP_METHOD, _AVIF_SPEED ...) ---------

EFFORT_WEBP = (0, 1, 2, 3, 4, 5, 6)  # libwebp method: 0 fastest, 6 smallest
EFFORT_AVIF = (6, 7, 8, 9, 10)  # libavif (aom) speed: 10 fastest
EFFORT_PNG = (1, 3, 6, 9)  # zlib compress_level; and Pillow's optimize=True (level 9 and more), the full-size PNG's setting
EFFORT_WEBP_LOSSLESS = ((0, 0), (1, 10), (2, 25), (3, 50), (4, 50), (6, 100))  # (method, quality): libwebp's -z 0..9 ladder, roughly


def _cpu_encode(im: Image.Image, fmt: str, **params: object) -> tuple[bytes, float]:
    """The bytes and the CPU seconds of one encode (AVIF on one thread: what the build's workers do)."""
    t = time.process_time()
    data = encoded(im, fmt, **params)
    return data, time.process_time() - t


def _lossy_params(fmt: str, effort: int, quality: int) -> dict[str, object]:
    if fmt == "WEBP":
        return {"quality": quality, "method": effort}
    return {"quality": quality, "speed": effort, "max_threads": 1}


def effort(sets: list[tuple[str, list[tuple[str, bytes]]]], jpeg_quality: int) -> tuple[str, str, dict[str, int]]:
    """Lossy: for each WebP method / AVIF speed, the lowest quality that scores like the JPEG at
    ``jpeg_quality`` (``match``'s rule: mean SSIM >= the JPEG's on every set, no image more than 0.002
    below its JPEG), found by stepping from the build's quality; its bytes (of the JPEG's) and CPU
    seconds per megapixel. Lossless (the PNG sources): PNG zlib levels and WebP lossless method/effort,
    bytes (of the source) and CPU seconds per megapixel."""
    lossy_sets = []
    for set_name, files in sets:
        sources = [_decoded(d) for n, d in files if n.lower().endswith((".jpg", ".jpeg"))]
        jpegs = [_jpeg_as_built(d, jpeg_quality) for n, d in files if n.lower().endswith((".jpg", ".jpeg"))]
        scores = [ssim(im, _decoded(j)) for im, j in zip(sources, jpegs)]
        lossy_sets.append((set_name, sources, sum(map(len, jpegs)), scores))
    cache: dict[tuple[str, int, int], list[tuple[int, float, float]]] = {}  # per set: bytes, mean SSIM, worst vs JPEG

    def run(fmt: str, eff: int, q: int) -> bool:
        if (fmt, eff, q) not in cache:
            rows = []
            for _, sources, _, jscores in lossy_sets:
                blobs = [_cpu_encode(im, fmt, **_lossy_params(fmt, eff, q)) for im in sources]
                got = [ssim(im, _decoded(b)) for im, (b, _) in zip(sources, blobs)]
                rows.append((sum(len(b) for b, _ in blobs), sum(s for _, s in blobs), sum(got) / len(got), min(g - j for g, j in zip(got, jscores))))
            cache[(fmt, eff, q)] = rows
        return all(mean >= sum(js) / len(js) and worst >= -0.002 for (_, _, mean, worst), (_, _, _, js) in zip(cache[(fmt, eff, q)], lossy_sets))

    grids = [("WEBP", EFFORT_WEBP, _matched_now("WEBP", jpeg_quality))]
    if features.check("avif"):
        grids.append(("AVIF", EFFORT_AVIF, _matched_now("AVIF", jpeg_quality)))
    lines = [
        "| encoder | effort | matched quality | " + " | ".join(f"{n}: of JPEG, mean SSIM, worst vs JPEG, CPU s/MP" for n, *_ in lossy_sets) + " |"
    ]
    lines.append("|---|---:|---:|" + "---:|" * len(lossy_sets))
    picks: dict[str, int] = {}
    for fmt, grid, start in grids:
        scored: list[tuple[int, float, float]] = []  # effort, bytes of the JPEG on the example (first) set, CPU s/MP summed over sets
        for eff in grid:
            q = start
            if run(fmt, eff, q):
                while q > 1 and run(fmt, eff, q - 1):
                    q -= 1
            else:
                while q < 100 and not run(fmt, eff, q):
                    q += 1
            cells = []
            cpu_per_mp = 0.0
            for (_, sources, jpeg_bytes, _), (size, cpu, mean, worst) in zip(lossy_sets, cache[(fmt, eff, q)]):
                mp = sum(im.width * im.height for im in sources) / 1e6
                cells.append(f"{100 * size / jpeg_bytes:.0f} %, {mean:.4f}, {worst:+.4f}, {cpu / mp:.3f}")
                cpu_per_mp += cpu / mp
            lines.append(f"| {fmt} | {eff} | {q} | " + " | ".join(cells) + " |")
            scored.append((eff, cache[(fmt, eff, q)][0][0] / lossy_sets[0][2], cpu_per_mp))
        picks[fmt] = _pick_effort(fmt, scored)
    lossless = _lossless_effort(sets)
    return "\n".join(lines), lossless, picks


def _pick_effort(fmt: str, scored: list[tuple[int, float, float]]) -> int:
    """The effort to use: among those whose bytes (at their matched quality) are within 2 points of
    the fewest any effort reaches, and under the JPEG's (a bigger variant is never kept), the least
    CPU; CPU within 5 % of that is noise on a shared machine, so the most thorough of those (WebP's
    highest method, AVIF's lowest speed)."""
    fewest = min(b for _, b, _ in scored)
    small = [(e, c) for e, b, c in scored if b <= fewest + 0.02 and b < 1.0]
    cheapest = min(c for _, c in small)
    near = [e for e, c in small if c <= 1.05 * cheapest]
    return max(near) if fmt == "WEBP" else min(near)


def _matched_now(fmt: str, jpeg_quality: int) -> int:
    return images._matched(jpeg_quality, images._WEBP_QUALITY_OFFSET if fmt == "WEBP" else images._AVIF_QUALITY_OFFSET)


def _lossless_effort(sets: list[tuple[str, list[tuple[str, bytes]]]]) -> str:
    grid: list[tuple[str, str, dict[str, object]]] = [(f"PNG zlib {lv}", "PNG", {"compress_level": lv}) for lv in EFFORT_PNG]
    grid.append(("PNG optimize", "PNG", {"optimize": True}))
    grid += [(f"WebP lossless m{m} q{q}", "WEBP", {"lossless": True, "method": m, "quality": q}) for m, q in EFFORT_WEBP_LOSSLESS]
    pngs = [(set_name, [(n, d, _png_pixels(d)) for n, d in files if n.lower().endswith(".png")]) for set_name, files in sets]
    pngs = [(s, f) for s, f in pngs if f]
    lines = ["| encoder | " + " | ".join(f"{s} ({len(f)} PNGs): of source, CPU s/MP, smallest of the grid" for s, f in pngs) + " |"]
    lines.append("|---|" + "---:|" * len(pngs))
    sizes: dict[tuple[str, str, str], tuple[int, float]] = {}
    for label, fmt, params in grid:
        for set_name, files in pngs:
            size, cpu = 0, 0.0
            for name, _, im in files:
                blob, s = _cpu_encode(im, fmt, **params)
                size += len(blob)
                cpu += s
                sizes[(label, set_name, name)] = (len(blob), s)
            sizes[(label, set_name, "")] = (size, cpu)
    for label, _, _ in grid:
        cells = []
        for set_name, files in pngs:
            size, cpu = sizes[(label, set_name, "")]
            source = sum(len(d) for _, d, _ in files)
            mp = sum(im.width * im.height for _, _, im in files) / 1e6
            smallest = sum(1 for n, _, _ in files if sizes[(label, set_name, n)][0] == min(sizes[(lb, set_name, n)][0] for lb, _, _ in grid))
            cells.append(f"{100 * size / source:.0f} %, {cpu / mp:.3f}, {smallest}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _png_pixels(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return im.convert("RGBA" if "A" in im.mode or "transparency" in im.info else "RGB") if im.mode not in ("RGB", "RGBA") else im.copy()


# --- peak memory on 50 MP -------------------------------------------------------------------------------

_CHILD = r"""
import resource, sys, time
sys.path.insert(0, sys.argv[1])
data = open(sys.argv[2], "rb").read()
from assetopt import images
from PIL import Image
Image.init()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
result, variants = images.optimize_with_variants(data, ".jpg", quality=82, variants=sys.argv[3] == "1")
s = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(base, peak, s, result.error, result.kept, len(data), len(result.data), {k: len(v) for k, v in variants.items()})
"""


_MAKE_50MP = r"""
import sys
sys.path.insert(0, sys.argv[1] + "/bench")
import bench_images
open(sys.argv[2], "wb").write(bench_images.encoded(bench_images.photo(8660, 5774, seed=50), "JPEG", quality=92))
"""


def peak_memory_50mp(tmp: Path, variants: bool) -> str:
    """Run before anything else: Linux carries ru_maxrss across fork+exec, so the measuring child must
    be started by a process that never held big images (the 50 MP file is made in a child too)."""
    path = tmp / "photo-50MP.jpg"
    if not path.exists():
        subprocess.run([sys.executable, "-c", _MAKE_50MP, str(REPO), str(path)], check=True)
    out = subprocess.run([sys.executable, "-c", _CHILD, str(REPO), str(path), "1" if variants else "0"], capture_output=True, text=True, check=True)
    base, peak, s, error, kept, size, after, rest = out.stdout.strip().split(" ", 7)
    what = "optimize + WebP/AVIF variants" if variants else "optimize only"
    return (
        f"50 MP JPEG (8660 x 5774, {int(size) / 1e6:.1f} MB, error={error}), {what}: peak RSS {int(peak) / 1024:.0f} MB "
        f"({(int(peak) - int(base)) / 1024:.0f} MB over the {int(base) / 1024:.0f} MB before decoding), {float(s):.1f} s, "
        f"JPEG {int(after) / 1e6:.1f} MB, variants kept (bytes) {rest}"
    )


# --- responsive widths (srcset) ---------------------------------------------------------------------


def _picked(found: images.Responsive, suffix: str, slot: int) -> tuple[int, int]:
    """(bytes with widths, bytes without) a browser that shows AVIF fetches for a ``slot``-px-wide
    picture at 1x from the ``<picture>`` ``{% picture %}`` prints: at each width the smallest file of
    any format (its AVIF ``<source>`` lists that), the narrowest at least ``slot`` wide."""
    width = found.display[0] if found.display else 0
    best = {width: min(len(b) for b in (found.result.data, *found.variants.values()))}
    for w, copies in found.widths.items():
        best[w] = min(len(b) for b in copies.values())
    fits = [best[w] for w in sorted(best) if w >= slot] or [best[max(best)]]
    return fits[0], best[width]


def measure_widths(files: list[tuple[str, bytes]], quality: int, widths: tuple[int, ...]) -> dict[str, float]:
    """CPU seconds (``time.process_time``) without and with widths, copies per format, bytes per slot."""
    row = {"files": len(files), "s_plain": 0.0, "s_widths": 0.0, "copies": 0, "copies .webp": 0, "copies .avif": 0}
    for slot in (480, 960):
        row[f"with_{slot}"] = row[f"without_{slot}"] = 0
    for name, data in files:
        suffix = Path(name).suffix.lower()
        t = time.process_time()
        images.optimize_responsive(data, suffix, quality=quality)
        row["s_plain"] += time.process_time() - t
        t = time.process_time()
        found = images.optimize_responsive(data, suffix, quality=quality, widths=widths)
        row["s_widths"] += time.process_time() - t
        row["copies"] += sum(len(c) for c in found.widths.values())
        for modern in (".webp", ".avif"):
            row[f"copies {modern}"] += sum(modern in c for c in found.widths.values())
        for slot in (480, 960):
            with_, without = _picked(found, suffix, slot)
            row[f"with_{slot}"] += with_
            row[f"without_{slot}"] += without
    return row


def widths_table(rows: list[tuple[str, dict[str, float]]], widths: tuple[int, ...]) -> str:
    lines = [
        f"| set (image_widths = {list(widths)}) | files | copies written (WebP, AVIF) | CPU s without widths | CPU s with "
        "| KB fetched, 480 px slot: full size -> srcset | 960 px slot |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['files']:.0f} | {r['copies']:.0f} ({r['copies .webp']:.0f}, {r['copies .avif']:.0f}) | {r['s_plain']:.2f} | {r['s_widths']:.2f} "
            f"| {r['without_480'] / 1024:.0f} -> {r['with_480'] / 1024:.0f} | {r['without_960'] / 1024:.0f} -> {r['with_960'] / 1024:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--match", action="store_true", help="WebP/AVIF qualities that score like the JPEG (SSIM)")
    parser.add_argument("--append", action="store_true")
    parser.add_argument("--quality", type=int, default=images.DEFAULT_QUALITY)
    parser.add_argument("--no-50mp", action="store_true")
    parser.add_argument("--widths", action="store_true", help="the srcset step: its cost and the bytes a 480/960 px slot fetches")
    parser.add_argument("--webp-widths", action="store_true", help="with --widths: also make lossy WebP copies of JPEGs (the old way)")
    parser.add_argument("--effort", action="store_true", help="WebP method / AVIF speed / PNG zlib level: bytes, SSIM, CPU s per MP")
    args = parser.parse_args()
    example = example_set()
    if args.widths:
        widths = (480, 960, 1440)
        if args.webp_widths:
            from assetopt.imaging import resize

            resize._LOSSY_WIDTH_FORMATS = frozenset({".webp", ".avif"})
        print(
            widths_table(
                [
                    ("example static_src/img/gen", measure_widths(example, args.quality, widths)),
                    ("generated photos 0.5-12 MP + one PNG", measure_widths(generated_set(), args.quality, widths)),
                ],
                widths,
            )
        )
        return
    if args.sweep:
        print(sweep(example))
        return
    if args.effort:
        photos = [(n, d) for n, d in generated_set() if not n.startswith("photo-12")]
        lossy, lossless, picks = effort([("example static_src/img/gen", example), ("generated photos 0.5-5 MP", photos)], args.quality)
        print(lossy, lossless, f"effort per lossy format (least CPU at the SSIM target and within 2 points of the fewest bytes): {picks}", sep="\n\n")
        return
    if args.match:
        photos = [(n, d) for n, d in generated_set() if n.endswith(".jpg") and not n.startswith("photo-12")]
        text, picks = match([("example static_src/img/gen", example), ("generated photos 0.5-5 MP", photos)], args.quality)
        print(text)
        print("picks:", picks)
        return
    notes = []
    if not args.no_50mp:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            notes = [peak_memory_50mp(Path(tmp), False), peak_memory_50mp(Path(tmp), True)]
    rows = [
        ("example static_src/img/gen", measure(example, args.quality)),
        ("generated photos 0.5-12 MP + one PNG", measure(generated_set(), args.quality)),
    ]
    text = table(rows, args.quality)
    print(text)
    for n in notes:
        print(n)
    if args.append:
        machine = f"{platform.python_version()}, Pillow {Image.__version__} (libjpeg-turbo {features.version('jpg')}, libwebp {features.version('webp')}, libavif {features.version('avif')})"
        with (REPO / "bench" / "RESULTS.md").open("a") as f:
            f.write(f"\n\n## Images\n\n`python bench/bench_images.py` on one core of the 2-core machine, Python {machine}.\n\n{text}\n\n")
            f.write("".join(f"- {n}\n" for n in notes))


if __name__ == "__main__":
    main()
