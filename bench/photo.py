"""The courier app's photo downscale (api/static/courier/photo.js) on a 12 MP photo, timed in Chromium.

Serves the app on a fresh SQLite database, opens a page of it in the system Chromium (driven by
Playwright), hands it a 4000×3000 camera-like JPEG made with Pillow, and times `downscale()` in
the page with DevTools' CPU throttling at 1× and 4× (Lighthouse's mid-range phone). Prints the
median of the runs, the output's size and dimensions. `--alternatives` also times other ways to
scale (a full decode drawn on a canvas, an <img>, lower resize qualities) and compares each
result with Pillow's Lanczos downscale of the same photo (PSNR, dB).

    .venv/bin/python -m bench.photo --runs 7 [--alternatives]
"""

from __future__ import annotations

import argparse
import base64
import io
import math
import os
import random
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageStat

from bench.load import service_env
from bench.servers import HOST, Server, free_port, start, stop

CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PHOTO_PATH = "/bench-photo.jpg"  # answered by Playwright, never reaches the app
RATES = (1, 4)

# each alternative: an async function (blob) -> {blob, width, height}; `downscale` is photo.js
ALTERNATIVES = {
    "photo.js (resize on decode, OffscreenCanvas)": "(b) => downscale(b)",
    "full decode, canvas drawImage (smoothing high)": """async (b) => {
        const full = await createImageBitmap(b, {imageOrientation: 'from-image'});
        const s = Math.min(1, 2000 / Math.max(full.width, full.height));
        const c = document.createElement('canvas');
        c.width = Math.round(full.width * s); c.height = Math.round(full.height * s);
        const g = c.getContext('2d'); g.imageSmoothingQuality = 'high';
        g.drawImage(full, 0, 0, c.width, c.height); full.close();
        const blob = await new Promise((ok) => c.toBlob(ok, 'image/jpeg', 0.85));
        return {blob, width: c.width, height: c.height};
    }""",
    "<img> decode, canvas drawImage (smoothing high)": """async (b) => {
        const url = URL.createObjectURL(b); const img = new Image(); img.src = url;
        await img.decode(); URL.revokeObjectURL(url);
        const s = Math.min(1, 2000 / Math.max(img.naturalWidth, img.naturalHeight));
        const c = new OffscreenCanvas(Math.round(img.naturalWidth * s),
                                      Math.round(img.naturalHeight * s));
        const g = c.getContext('2d'); g.imageSmoothingQuality = 'high';
        g.drawImage(img, 0, 0, c.width, c.height);
        const blob = await c.convertToBlob({type: 'image/jpeg', quality: 0.85});
        return {blob, width: c.width, height: c.height};
    }""",
    "resize on decode, quality medium": "(b) => viaResize(b, 'medium')",
    "resize on decode, quality low": "(b) => viaResize(b, 'low')",
}
HELPERS = """() => {
window.viaResize = async (b, resizeQuality) => {
  const bm = await createImageBitmap(b, {imageOrientation: 'from-image', resizeWidth: 2000,
                                         resizeHeight: 1500, resizeQuality});
  const c = new OffscreenCanvas(bm.width, bm.height);
  c.getContext('2d').drawImage(bm, 0, 0); bm.close();
  return {blob: await c.convertToBlob({type: 'image/jpeg', quality: 0.85}), width: c.width,
          height: c.height};
};
}"""
LOAD = """async (path) => {
  window.benchBytes = await (await fetch(path)).arrayBuffer();
  window.downscale = (await import('/static/courier/photo.js')).downscale;
}"""
TIMED = """async ([how, keep]) => {
  const scale = eval(how);
  const photo = new Blob([benchBytes.slice(0)], {type: 'image/jpeg'});
  const started = performance.now();
  const out = await scale(photo);
  const ms = performance.now() - started;
  if (!keep) return {ms};
  const data = new Uint8Array(await out.blob.arrayBuffer());
  let text = '';
  for (let i = 0; i < data.length; i += 0x8000) text += String.fromCharCode(...data.subarray(i, i + 0x8000));
  return {ms, width: out.width, height: out.height, jpeg: btoa(text)};
}"""


def camera_photo(width: int = 4000, height: int = 3000, seed: int = 7) -> bytes:
    """A JPEG like a phone camera's: soft gradients, shapes, sensor noise, EXIF; about 4 MB."""
    rnd = random.Random(seed)
    vertical = Image.linear_gradient("L").resize((width, height))
    across = vertical.transpose(Image.Transpose.ROTATE_90).resize((width, height))
    image = Image.merge("RGB", (vertical, across, ImageChops.invert(vertical)))
    draw = ImageDraw.Draw(image)
    for _ in range(80):
        x, y = rnd.randrange(width), rnd.randrange(height)
        box = (x, y, x + rnd.randrange(50, 900), y + rnd.randrange(50, 900))
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        (draw.ellipse if rnd.random() < 0.5 else draw.rectangle)(box, fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(2))
    noise = Image.effect_noise((width, height), 8)
    image = ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), 1, -128)
    exif = Image.Exif()
    exif.update({0x010F: "Bench", 0x0110: "Phone 12MP", 0x0112: 1})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def text_chart(width: int = 4032, height: int = 3024) -> bytes:
    """Small print and fine slanted lines at a phone's 4032×3024: where a poor resize aliases."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=22)
    for y in range(0, height, 30):
        draw.text((10, y), "Niêm phong số 0012345 HS123456785VN  " * 6, fill="black", font=font)
    for x in range(0, width, 7):
        draw.line((x, 0, x + 300, height), fill=(200, 0, 0), width=1)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def psnr(a: Image.Image, b: Image.Image) -> float:
    """Peak signal-to-noise ratio of two images of one size (dB; higher is closer)."""
    squares = ImageStat.Stat(ImageChops.difference(a, b).convert("L")).rms[0] ** 2
    return math.inf if squares == 0 else 10 * math.log10(255**2 / squares)


@contextmanager
def serving(work: Path) -> Iterator[str]:
    """`courier serve` on an empty migrated SQLite database; yields its base URL."""
    from tests.conftest import migrate

    url = f"sqlite:///{work / 'bench.sqlite3'}"
    migrate(url)
    port = free_port()
    command = [str(Path(sys.executable).parent / "courier"), "serve", "--host", HOST]
    server = Server(
        "service",
        [*command, "--port", str(port)],
        service_env(url, work),
        port,
        work / "service.log",
        "/healthz",
    )
    start(server)
    try:
        yield f"http://{HOST}:{port}"
    finally:
        stop(server)


def measure(base: str, photo: bytes, runs: int, alternatives: bool) -> list[dict[str, Any]]:
    """Each way to scale, at each CPU slowdown: times (ms), output size and dimensions.

    The ways take turns run by run, so a busy moment of the machine does not favour one."""
    from playwright.sync_api import Route, sync_playwright

    chosen = ALTERNATIVES if alternatives else dict(list(ALTERNATIVES.items())[:1])
    rows = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()

        def answer(route: Route) -> None:
            route.fulfill(body=photo, content_type="image/jpeg")

        page.route(f"{base}{PHOTO_PATH}", answer)
        page.goto(f"{base}/healthz")
        page.evaluate(LOAD, PHOTO_PATH)
        page.evaluate(HELPERS)
        cdp = page.context.new_cdp_session(page)
        for rate in RATES:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
            times: dict[str, list[float]] = {name: [] for name in chosen}
            last: dict[str, dict[str, Any]] = {}
            for run in range(runs):
                for name, how in chosen.items():
                    last[name] = page.evaluate(TIMED, [how, run == runs - 1])
                    times[name].append(last[name]["ms"])
            rows += [row(name, rate, times[name], last[name], photo) for name in chosen]
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        browser.close()
    return rows


def row(
    name: str, rate: int, times: list[float], got: dict[str, Any], photo: bytes
) -> dict[str, Any]:
    """One line of the table: the median time, and the output compared with Pillow's."""
    jpeg = base64.b64decode(got["jpeg"])
    scaled = Image.open(io.BytesIO(jpeg)).convert("RGB")
    lanczos = (
        Image.open(io.BytesIO(photo)).convert("RGB").resize(scaled.size, Image.Resampling.LANCZOS)
    )
    return {
        "how": name,
        "rate": rate,
        "median_ms": statistics.median(times),
        "times": times,
        "bytes": len(jpeg),
        "size": f"{got['width']}×{got['height']}",
        "psnr": psnr(scaled, lanczos),
    }


def main() -> None:
    """Make the photo, serve, time, print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--alternatives", action="store_true")
    args = parser.parse_args()
    photo = camera_photo()
    with tempfile.TemporaryDirectory(prefix="photo-bench-") as tmp, serving(Path(tmp)) as base:
        rows = measure(base, photo, args.runs, args.alternatives)
        chart = measure(base, text_chart(), 1, args.alternatives)
    detail = {r["how"]: r["psnr"] for r in chart}
    print(f"input: 4000×3000 JPEG, {len(photo) / 1e6:.2f} MB; median of {args.runs} runs")
    print(
        "| how | CPU slowdown | median (ms) | output | output (KB) | PSNR vs Lanczos (dB): "
        "photo, text chart 4032×3024 |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['how']} | {r['rate']}× | {r['median_ms']:.0f} | {r['size']} "
            f"| {r['bytes'] / 1000:.0f} | {r['psnr']:.1f}, {detail[r['how']]:.1f} |"
        )


if __name__ == "__main__":
    main()
