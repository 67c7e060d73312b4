#!/usr/bin/env python
"""Image optimization: bytes saved and time per megapixel, the quality sweep, peak memory on 50 MP.

    python bench/bench_images.py            # tables for the example's images and generated photos
    python bench/bench_images.py --sweep    # the JPEG/WebP/AVIF quality sweep behind image_quality
    python bench/bench_images.py --append   # also append the tables to bench/RESULTS.md ("## Images")

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
import resource
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, features

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assetopt import images  # noqa: E402

GEN = REPO / "static_src" / "img" / "gen"


def photo(width: int, height: int, seed: int = 1) -> Image.Image:
    """A photo-like RGB image: gradients, soft shapes and noise, deterministic for ``seed``."""
    rnd = random.Random(seed)
    bands = []
    for c in range(3):
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


def ssim(a: Image.Image, b: Image.Image, block: int = 8) -> float:
    """Mean SSIM over non-overlapping 8x8 luminance blocks (no Gaussian window: "SSIM-ish")."""
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
            ss += ssim(im, back)
        k = len(decoded)
        lines.append(f"| {fmt} | {q} | {size / 1024:.0f} | {100 * size / total:.0f} % | {ps / k:.2f} | {ss / k:.4f} |")
    return "\n".join(lines)


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
    return (f"50 MP JPEG (8660 x 5774, {int(size) / 1e6:.1f} MB, error={error}), {what}: peak RSS {int(peak) / 1024:.0f} MB "
            f"({(int(peak) - int(base)) / 1024:.0f} MB over the {int(base) / 1024:.0f} MB before decoding), {float(s):.1f} s, "
            f"JPEG {int(after) / 1e6:.1f} MB, variants kept (bytes) {rest}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--append", action="store_true")
    parser.add_argument("--quality", type=int, default=images.DEFAULT_QUALITY)
    parser.add_argument("--no-50mp", action="store_true")
    args = parser.parse_args()
    example = example_set()
    if args.sweep:
        print(sweep(example))
        return
    notes = []
    if not args.no_50mp:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            notes = [peak_memory_50mp(Path(tmp), False), peak_memory_50mp(Path(tmp), True)]
    rows = [("example static_src/img/gen", measure(example, args.quality)), ("generated photos 0.5-12 MP + one PNG", measure(generated_set(), args.quality))]
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
