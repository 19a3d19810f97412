"""The courier app's own modules in real Chromium: tracking codes, the photo downscale, the scanner.

They are loaded on a page of the served app (the home page), as the app loads them. The scanner
reads a fake camera: a Chromium of its own, launched with a video file (MJPEG made with Pillow)
as its camera, shared by the module's scanner tests.
"""

import base64
import io
import itertools
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
import segno
from PIL import Image, ImageDraw, ImageOps
from playwright.sync_api import Browser, Page, Playwright, Route

from courier.dossiers.codes import check_digit, is_valid
from courier.planning.sheets import code128
from tests import services
from tests.faults.serving import Served
from tests.web.conftest import CHROMIUM

RED, BLUE = (220, 20, 20), (20, 20, 220)
LOADS = """async () => {
  window.codes = await import('/static/courier/codes.js');
  window.photo = await import('/static/courier/photo.js');
  window.scan = await import('/static/courier/scan.js');
}"""


def valid_code(serial: str) -> str:
    """The S10 code of an 8-digit serial."""
    return f"HS{serial}{check_digit(serial)}VN"


def vendor(package: str, file: str) -> str:
    """The URL the app serves an npm file at (its installed version, as api.web mounts it)."""
    manifest = services.ROOT / "node_modules" / package / "package.json"
    return f"/vendor/{package}@{json.loads(manifest.read_text())['version']}/{file}"


SCANNER = {
    "barcodeModuleUrl": vendor("barcode-detector", "ponyfill.js"),
    "wasmUrl": vendor("zxing-wasm", "zxing_reader.wasm"),
}


def watch(page: Page) -> list[str]:
    """Script errors and console errors of the page, collected as they happen."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    return problems


@pytest.fixture
def app_page(browser: Browser, servers: dict[str, Served]) -> Iterator[Page]:
    """The home page of the served app with the three modules imported; no console errors."""
    context = browser.new_context(base_url=servers["sqlite"].base)
    page = context.new_page()
    problems = watch(page)
    page.goto("/")
    page.evaluate(LOADS)
    yield page
    context.close()
    assert not problems, problems


def test_code_from_reads_qr_urls_and_bare_codes(app_page: Page) -> None:
    """A slip's QR (tracking URL) and a sheet's Code 128 (bare code) give the upper-case code;
    anything else gives null."""
    code = valid_code("12345678")
    wrong = code[:10] + str((int(code[10]) + 1) % 10) + code[11:]
    cases = {
        code: code,
        f"  {code.lower()} \n": code,
        f"https://dichvu.example.vn/track/{code}": code,
        f"http://127.0.0.1:8000/track/{code.lower()}": code,
        f" HTTPS://dichvu.example.vn/track/{code}/ ": code,
        wrong: None,
        f"https://dichvu.example.vn/track/{wrong}": None,
        f"https://dichvu.example.vn/other/{code}": None,
        f"{code}X": None,
        code[:10]: None,
        "": None,
    }
    got = app_page.evaluate("cases => cases.map(c => codes.codeFrom(c))", list(cases))
    assert dict(zip(cases, got, strict=True)) == cases


def test_the_check_digit_agrees_with_the_server(app_page: Page) -> None:
    """isValidCode and courier.dossiers.codes.is_valid agree on right and wrong check digits."""
    rnd = random.Random(11)
    candidates = [f"HS{rnd.randrange(10**8):08d}{rnd.randrange(10)}VN" for _ in range(300)]
    expected = [is_valid(c) for c in candidates]
    assert 10 < sum(expected) < 290  # both kinds are tried
    assert app_page.evaluate("cs => cs.map(c => codes.isValidCode(c))", candidates) == expected


def jpeg(image: Image.Image, exif: Image.Exif | None = None) -> bytes:
    """The image as a JPEG file's bytes."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif or Image.Exif())
    return out.getvalue()


def downscale(page: Page, data: bytes) -> tuple[Image.Image, dict[str, Any]]:
    """photo.js's downscale of the file in the page: the JPEG it made, and what it said."""
    got = page.evaluate(
        """async (b64) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const out = await photo.downscale(new File([bytes], 'p.jpg', {type: 'image/jpeg'}));
          const back = new Uint8Array(await out.blob.arrayBuffer());
          let text = '';
          for (const byte of back) text += String.fromCharCode(byte);
          return {type: out.blob.type, width: out.width, height: out.height, jpeg: btoa(text)};
        }""",
        base64.b64encode(data).decode(),
    )
    image = Image.open(io.BytesIO(base64.b64decode(got.pop("jpeg"))))
    assert image.format == "JPEG"
    assert got["type"] == "image/jpeg"
    return image, got


def quadrants(width: int, height: int) -> Image.Image:
    """Red left half, blue right half, a black block at the top left: which way up is visible."""
    image = Image.new("RGB", (width, height), RED)
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 2, 0, width, height), fill=BLUE)
    draw.rectangle((0, 0, width // 8, height // 8), fill=(0, 0, 0))
    return image


def near(pixel: Any, colour: Any) -> bool:
    """Within JPEG's error of the colour."""
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))


def test_a_12_megapixel_photo_is_scaled_to_2000_pixels(app_page: Page) -> None:
    """4000×3000 becomes a 2000×1500 JPEG with the same picture."""
    image, said = downscale(app_page, jpeg(quadrants(4000, 3000)))
    assert (said["width"], said["height"]) == image.size == (2000, 1500)
    assert near(image.getpixel((500, 750)), RED)
    assert near(image.getpixel((1500, 750)), BLUE)
    assert near(image.getpixel((100, 100)), (0, 0, 0))


def test_a_small_photo_is_not_enlarged(app_page: Page) -> None:
    """1000×800 stays 1000×800."""
    image, said = downscale(app_page, jpeg(quadrants(1000, 800)))
    assert (said["width"], said["height"]) == image.size == (1000, 800)


def test_a_portrait_photo_comes_out_upright(app_page: Page) -> None:
    """A phone held upright stores landscape pixels with EXIF orientation 6: the result is
    portrait, turned as the camera showed it, and carries no EXIF any more."""
    stored = quadrants(3000, 2000)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Phone"
    image, said = downscale(app_page, jpeg(stored, exif))
    assert (said["width"], said["height"]) == image.size == (1333, 2000)
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(jpeg(stored, exif))))
    expected = upright.resize(image.size)
    for point in [(1200, 100), (100, 100), (666, 400), (666, 1600)]:
        assert near(image.getpixel(point), expected.getpixel(point)), point
    assert 0x0112 not in image.getexif()


def label_frames(size: tuple[int, int], labels: list[Image.Image], each: int) -> bytes:
    """An MJPEG video (concatenated JPEG frames): each label centred on white for `each` frames."""
    out = io.BytesIO()
    for label in labels:
        frame = Image.new("RGB", size, "white")
        frame.paste(label, ((size[0] - label.width) // 2, (size[1] - label.height) // 2))
        data = jpeg(frame)
        out.write(data * each)
    return out.getvalue()


def qr(text: str) -> Image.Image:
    """A QR code as the slip prints it."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=4)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


SLIP_CODE = valid_code("20261207")
SHEET_CODE = valid_code("31415926")
BAD_CODE = SLIP_CODE[:10] + str((int(SLIP_CODE[10]) + 1) % 10) + SLIP_CODE[11:]


@pytest.fixture(scope="module")
def camera_browser(
    playwright: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """A Chromium whose camera films a slip's QR, a route sheet's Code 128 and a QR whose code
    has a wrong check digit, over and over; camera permission is granted without asking."""
    video = tmp_path_factory.mktemp("camera") / "labels.mjpeg"
    labels = [
        qr(f"https://dichvu.example.vn/track/{SLIP_CODE}"),
        code128(SHEET_CODE),
        qr(f"https://dichvu.example.vn/track/{BAD_CODE}"),
    ]
    video.write_bytes(label_frames((640, 480), labels, each=10))
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    yield chromium
    chromium.close()


@pytest.fixture
def camera_page(camera_browser: Browser, servers: dict[str, Served]) -> Iterator[Page]:
    """The home page in the camera's browser, the modules imported; no console errors."""
    context = camera_browser.new_context(base_url=servers["sqlite"].base)
    context.grant_permissions(["camera"])
    page = context.new_page()
    problems = watch(page)
    page.goto("/courier/")  # the app's pages may compile WebAssembly (CSP)
    page.evaluate(LOADS)
    yield page
    context.close()
    assert not problems, problems


SCAN = """async (options) => {
  window.seen = [];
  const opened = [];
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) => { const s = await getUserMedia(c); opened.push(s); return s; };
  window.opened = opened;
  const video = document.createElement('video');
  document.body.append(video);
  window.scanner = await scan.startScanner(video, {
    ...options, onCode: (code) => seen.push({code, at: performance.now()}),
  });
}"""


def test_the_scanner_reads_a_slip_and_a_route_sheet(camera_page: Page) -> None:
    """Through the camera, a slip's QR gives its code and a sheet's Code 128 its code; a label
    with a wrong check digit is never reported; the same code at most once a second."""
    camera_page.evaluate(SCAN, SCANNER)
    camera_page.wait_for_function(
        "codes => codes.every(c => seen.some(s => s.code === c))",
        arg=[SLIP_CODE, SHEET_CODE],
        timeout=20_000,
    )
    seen = camera_page.evaluate("seen")
    assert {s["code"] for s in seen} == {SLIP_CODE, SHEET_CODE}
    for code in (SLIP_CODE, SHEET_CODE):
        times = [s["at"] for s in seen if s["code"] == code]
        assert all(b - a >= 1000 for a, b in itertools.pairwise(times))
    # the browser has no BarcodeDetector of its own here: the ZXing reader was loaded for it
    assert camera_page.evaluate("!('BarcodeDetector' in window)")
    assert camera_page.evaluate(
        "() => performance.getEntriesByType('resource').some(e => e.name.endsWith('.wasm'))"
    )


def test_stopping_the_scanner_releases_the_camera(camera_page: Page) -> None:
    """After stop() every track of the camera has ended and nothing more is reported."""
    camera_page.evaluate(SCAN, SCANNER)
    camera_page.wait_for_function("() => seen.length > 0", timeout=20_000)
    camera_page.evaluate("scanner.stop()")
    assert camera_page.evaluate(
        "opened.length === 1 && opened[0].getTracks().every(t => t.readyState === 'ended')"
    )
    count = camera_page.evaluate("seen.length")
    camera_page.wait_for_timeout(500)
    assert camera_page.evaluate("seen.length") == count


REFUSAL = """async (options) => {
  try {
    await scan.startScanner(document.createElement('video'), {...options, onCode() {}});
    return null;
  } catch (e) { return {error: e instanceof Error, name: e.name}; }
}"""


def test_a_phone_without_a_camera_is_told_so(app_page: Page) -> None:
    """With no camera at all, startScanner rejects with an Error named NotFoundError, so the
    app can say so and offer typing the code."""
    assert app_page.evaluate(REFUSAL, SCANNER) == {"error": True, "name": "NotFoundError"}


def test_a_refused_camera_is_told_so(camera_browser: Browser, servers: dict[str, Served]) -> None:
    """When the camera is refused (here by the page's permissions policy), startScanner rejects
    with an Error named NotAllowedError, and the barcode reader is not even loaded."""
    context = camera_browser.new_context(base_url=servers["sqlite"].base)
    page = context.new_page()

    def refuse_camera(route: Route) -> None:
        response = route.fetch()
        route.fulfill(
            response=response, headers={**response.headers, "permissions-policy": "camera=()"}
        )

    page.route("**/courier/", refuse_camera)
    page.goto("/courier/")
    page.evaluate(LOADS)
    assert page.evaluate(REFUSAL, SCANNER) == {"error": True, "name": "NotAllowedError"}
    assert not page.evaluate(
        "() => performance.getEntriesByType('resource').some(e => e.name.includes('barcode'))"
    )
    context.close()
