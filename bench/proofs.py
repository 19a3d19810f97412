"""CPU time, peak memory and stored bytes to process one handover: a signature and two 12 MP photos.

Three measurements, each in a fresh child process so that peak RSS belongs to the run alone:

* `normalise`: what Pillow does to the three uploads (decode, orient, strip, scale, encode);
* `handover`: the whole `POST /api/v1/handovers` of a pickup through the app on a SQLite file:
  multipart parsing, digests, normalisation, state machine, storage, custody chain, signature,
  and the receipt task (PNG + PDF), which runs in-process after the commit;
* `worst_png`: one RGBA PNG at `COURIER_PHOTO_MAX_PIXELS_FULL_DECODE`, the costliest accepted
  photo (PNG, WebP and HEIC cannot be decoded scaled down as JPEG can).

The photos are synthetic 4032x3024 JPEGs at quality 92 with EXIF (orientation 6, GPS): a sheet
of printed text on a textured table with sensor noise, about 2.5 MB each like a phone's. Real
photos compress better than the noise here, so the stored sizes are an upper bound.

    .venv/bin/python bench/proofs.py --runs 5
"""

import argparse
import io
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def phone_photo(seed: int, size: tuple[int, int] = (4032, 3024)) -> bytes:
    """A synthetic 12 MP phone photo of a document on a table, with EXIF orientation and GPS."""
    rng = np.random.default_rng(seed)
    w, h = size
    table = rng.integers(60, 200, (h // 48, w // 48, 3), dtype=np.uint8)
    image = Image.fromarray(table).resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    draw.rectangle((w // 5, h // 6, 4 * w // 5, 5 * h // 6), fill=(244, 243, 238))
    line = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — Độc lập - Tự do - Hạnh phúc — TỜ KHAI "
    for y in range(h // 6 + 40, 5 * h // 6 - 40, 36):
        draw.text((w // 5 + 40, y), line * 3, fill=(25, 25, 30))
    pixels = np.asarray(image).astype(np.int16) + rng.normal(0, 3, (h, w, 3)).astype(np.int16)
    photo = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (10.0, 58.0, 48.0), 3: "E", 4: (106.0, 39.0, 18.0)}
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def signature() -> bytes:
    """A 1200x480 signature-pad PNG."""
    image = Image.new("RGBA", (1200, 480), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(100, 300), (300, 120), (520, 380), (760, 160), (1050, 260)], fill=(0, 0, 80, 255), width=9
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def worst_png(pixels: int) -> bytes:
    """A square RGBA PNG at the full-decode pixel bound: the costliest photo still accepted."""
    side = int(pixels**0.5)
    texture = Image.effect_noise((side // 16, side // 16), 60).resize((side, side))
    image = Image.merge("RGBA", (texture, texture, texture, Image.new("L", (side, side), 255)))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _reset_peak() -> int:
    """Reset the kernel's peak-RSS mark (Linux clear_refs 5); the current RSS in KiB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status("VmRSS")


def _peak_growth_mib(before_kib: int) -> float:
    return (_status("VmHWM") - before_kib) / 1024


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def run_normalise(photos: list[bytes], pad: bytes, queue: Any) -> None:
    """Child: normalise one signature and two photos."""
    from courier.proofs.images import normalise_photo, normalise_signature

    normalise_signature(io.BytesIO(pad))  # warm the codecs once, outside the measurement
    before_rss = _reset_peak()
    start = time.process_time()
    wall = time.perf_counter()
    stored = [normalise_photo(io.BytesIO(p)) for p in photos]
    stored.append(normalise_signature(io.BytesIO(pad)))
    queue.put(
        {
            "cpu_s": time.process_time() - start,
            "wall_s": time.perf_counter() - wall,
            "peak_rss_growth_mib": _peak_growth_mib(before_rss),
            "stored_bytes": [len(s.data) for s in stored],
            "sizes": [(s.width, s.height) for s in stored],
        }
    )


def run_handover(photos: list[bytes], pad: bytes, queue: Any) -> None:
    """Child: one complete pickup handover through the app on a fresh SQLite database."""
    import os

    scratch = tempfile.mkdtemp(prefix="bench-proofs-")
    os.environ.update(
        COURIER_ENVIRONMENT="test",
        COURIER_SECRET_KEY="bench-secret-key-long-enough-for-hs256-signing",
        COURIER_PASSWORD_HASH_PROFILE="cheapest",
        COURIER_DATABASE_URL=f"sqlite:///{scratch}/bench.sqlite3",
        COURIER_MEDIA_DIR=f"{scratch}/media",
        COURIER_SIGNING_KEY_FILE=f"{scratch}/key.pem",
        COURIER_TRACK_RATE_LIMIT="1000/minute",
    )
    from fastapi.testclient import TestClient

    from api.main import create_app
    from courier import runtime
    from courier.demo.load import load_demo
    from tests.builders import assigned_pickup, courier_id, headers_for
    from tests.conftest import migrate

    migrate(os.environ["COURIER_DATABASE_URL"])
    with runtime.unit_of_work() as session:
        load_demo(session)
    with TestClient(create_app()) as client:
        with runtime.session_factory()() as session:
            cid = courier_id(session, "BD-CR-TDM-01")
            dispatcher = headers_for(session, "dispatch.tdm")
            courier = headers_for(session, "bd-cr-tdm-01")
        _, body = assigned_pickup(client, cid=cid, dispatcher=dispatcher, courier=courier)
        files = [("signature", ("s.png", pad, "image/png"))] + [
            ("photos", (f"p{i}.jpg", p, "image/jpeg")) for i, p in enumerate(photos)
        ]
        before_rss = _reset_peak()
        start = time.process_time()
        wall = time.perf_counter()
        response = client.post(
            "/api/v1/handovers",
            data={"handover": json.dumps(body)},
            files=files,
            headers=courier,
        )
        cpu = time.process_time() - start
        elapsed = time.perf_counter() - wall
        peak = _peak_growth_mib(before_rss)
        assert response.status_code == 201, response.text
        recorded = client.get(f"/api/v1/handovers/{response.json()['id']}", headers=courier).json()
    queue.put(
        {
            "cpu_s": cpu,
            "wall_s": elapsed,
            "peak_rss_growth_mib": peak,
            "stored_bytes": [p["size_bytes"] for p in recorded["proofs"]],
            "receipt_rendered_in_request": recorded["receipt_pdf"] is not None,
        }
    )


def measure(target: Any, photos: list[bytes], pad: bytes) -> dict[str, Any]:
    """Run one measurement in a fresh process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=target, args=(photos, pad, queue))
    child.start()
    result: dict[str, Any] = queue.get(timeout=300)
    child.join()
    return result


def main() -> None:
    """Print the median of several runs of each measurement, and one JSON line per run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    photos = [phone_photo(1), phone_photo(2)]
    pad = signature()
    print(
        f"uploads: photos {[len(p) for p in photos]} bytes (4032x3024), signature {len(pad)} bytes"
    )
    for name, target in (("normalise", run_normalise), ("handover", run_handover)):
        runs = [measure(target, photos, pad) for _ in range(args.runs)]
        for run in runs:
            print(json.dumps({"measure": name, **run}))
        cpu = statistics.median(r["cpu_s"] for r in runs)
        rss = statistics.median(r["peak_rss_growth_mib"] for r in runs)
        photo_bytes = max(b for r in runs for b in r["stored_bytes"][:2])
        print(
            f"{name}: median CPU {cpu:.3f} s, median peak RSS growth {rss:.1f} MiB, "
            f"largest stored photo {photo_bytes / 1000:.0f} KB"
        )
    from courier.settings import Settings

    limit = Settings().photo_max_pixels_full_decode
    worst = measure(run_normalise, [worst_png(limit)], pad)
    print(json.dumps({"measure": "worst_png", **worst}))
    print(
        f"worst PNG ({limit:,} px RGBA, decoded whole): CPU {worst['cpu_s']:.3f} s, "
        f"peak RSS growth {worst['peak_rss_growth_mib']:.1f} MiB"
    )


if __name__ == "__main__":
    main()
