"""Pillow normalisation of proofs: upright, metadata gone, bounded, and refusals that store nothing."""

import io
import struct
import zlib

import pytest
from PIL import Image, ImageDraw

from courier.proofs.images import ImageRefused, normalise_photo, normalise_signature
from tests.builders import photo_jpeg, signature_png


def _jpeg_with_left_half_red(orientation: int) -> bytes:
    image = Image.new("RGB", (640, 480), (0, 0, 255))
    ImageDraw.Draw(image).rectangle((0, 0, 319, 479), fill=(255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def test_exif_orientation_is_applied() -> None:
    """Orientation 6 (rotate 90° clockwise): the left half becomes the top half, 480x640."""
    result = normalise_photo(io.BytesIO(_jpeg_with_left_half_red(6)))
    image = Image.open(io.BytesIO(result.data))
    assert image.size == (480, 640)
    red, _, blue = image.getpixel((240, 100))
    assert red > 200
    assert blue < 60
    red, _green, blue = image.getpixel((240, 540))
    assert blue > 200
    assert red < 60


def test_every_piece_of_metadata_is_removed() -> None:
    """GPS, camera model, orientation, ICC profile and comments do not survive."""
    source = photo_jpeg()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)  # the upload had GPS
    result = normalise_photo(io.BytesIO(source))
    image = Image.open(io.BytesIO(result.data))
    assert len(image.getexif()) == 0
    assert not {"exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp"} & set(image.info)
    assert b"PhoneCam" not in result.data


def test_photos_are_scaled_to_the_long_side() -> None:
    """A 4000x3000 photo comes out 2000x1500 JPEG."""
    out = io.BytesIO()
    Image.linear_gradient("L").resize((4000, 3000)).convert("RGB").save(out, "PNG")
    result = normalise_photo(io.BytesIO(out.getvalue()))
    assert (result.width, result.height) == (2000, 1500)
    assert result.media_type == "image/jpeg"


def test_even_pure_noise_fits_the_byte_target() -> None:
    """The worst case for JPEG (sensor noise) still fits 300 KB, made smaller if it must."""
    out = io.BytesIO()
    Image.effect_noise((4000, 3000), 40).convert("RGB").save(out, "PNG")
    result = normalise_photo(io.BytesIO(out.getvalue()), target_bytes=300_000)
    assert len(result.data) <= 300_000
    assert max(result.width, result.height) >= 800


def test_png_and_webp_photos_are_accepted() -> None:
    """Phone cameras and galleries give PNG and WebP too; both become JPEG."""
    for fmt in ("PNG", "WEBP"):
        out = io.BytesIO()
        Image.new("RGBA", (300, 200), (10, 200, 10, 128)).save(out, fmt)
        assert normalise_photo(io.BytesIO(out.getvalue())).media_type == "image/jpeg"


def test_heic_photos_are_read_through_the_plugin() -> None:
    """iPhones send HEIC; pillow-heif reads it."""
    out = io.BytesIO()
    try:
        Image.new("RGB", (320, 240), (120, 30, 30)).save(out, "HEIF")
    except (KeyError, OSError) as exc:  # pragma: no cover - a libheif without an encoder
        pytest.skip(f"this libheif cannot encode HEIF: {exc}")
    result = normalise_photo(io.BytesIO(out.getvalue()))
    assert (result.width, result.height) == (320, 240)


def test_signatures_are_trimmed_to_their_ink_in_grayscale() -> None:
    """A 400x160 pad with a stroke in the middle is cut to the stroke, mode L, PNG."""
    result = normalise_signature(io.BytesIO(signature_png()))
    image = Image.open(io.BytesIO(result.data))
    assert image.format == "PNG"
    assert image.mode == "L"
    assert image.width < 400
    assert image.height < 160
    assert image.getextrema()[0] < 100  # ink is kept dark


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"%PDF-1.4 not an image", "not an image"),
        (b"", "not an image"),
        (_jpeg_with_left_half_red(1)[:2000], "damaged"),
    ],
)
def test_what_is_not_an_allowed_image_is_refused(payload: bytes, expected: str) -> None:
    """Text, an empty file and a truncated JPEG are refused with a clear reason."""
    with pytest.raises(ImageRefused, match=expected):
        normalise_photo(io.BytesIO(payload))


def test_a_gif_is_not_an_allowed_photo_and_a_jpeg_is_not_a_signature() -> None:
    """Only the listed types are decoded at all."""
    gif = io.BytesIO()
    Image.new("P", (10, 10)).save(gif, "GIF")
    with pytest.raises(ImageRefused, match="allowed type"):
        normalise_photo(io.BytesIO(gif.getvalue()))
    with pytest.raises(ImageRefused, match="allowed type"):
        normalise_signature(io.BytesIO(photo_jpeg()))


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    """A 900-megapixel header is refused from its header alone."""
    with pytest.raises(ImageRefused, match="pixels"):
        normalise_photo(io.BytesIO(bomb_png()))


def test_a_blank_signature_is_refused() -> None:
    """An empty pad is not a signature."""
    out = io.BytesIO()
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(out, "PNG")
    with pytest.raises(ImageRefused, match="blank"):
        normalise_signature(io.BytesIO(out.getvalue()))
