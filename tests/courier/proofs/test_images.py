"""Pillow normalisation of proofs: upright, metadata gone, bounded, and refusals that store nothing."""

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms, ImageDraw, PngImagePlugin

from courier.proofs.images import ImageRefused, normalise_photo, normalise_signature
from courier.settings import Settings
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


_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
_XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>GPSLatitude 10,58.8N</rdf:RDF></x:xmpmeta>'
_GPS = {1: "N", 2: (10.0, 58.0, 48.0), 3: "E", 4: (106.0, 39.0, 18.0)}


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0110] = "PhoneCam 12"
    exif[0x8825] = _GPS
    return exif


def _loaded_jpeg() -> bytes:
    """A JPEG carrying an ICC profile, XMP, a comment and EXIF with GPS."""
    out = io.BytesIO()
    Image.open(io.BytesIO(photo_jpeg())).save(
        out, "JPEG", exif=_exif(), icc_profile=_ICC, xmp=_XMP, comment=b"MarkerComment"
    )
    return out.getvalue()


def _loaded_png(image: Image.Image) -> bytes:
    """A PNG carrying an ICC profile, text chunks (one of them XMP) and EXIF with GPS."""
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "MarkerComment")
    text.add_itxt("Description", "Chữ ký MarkerText")
    text.add_itxt("XML:com.adobe.xmp", _XMP.decode())
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=text, icc_profile=_ICC, exif=_exif())
    return out.getvalue()


def _assert_bare(source: bytes, result: bytes) -> None:
    """The source carried every kind of metadata; the result carries none of it."""
    before = Image.open(io.BytesIO(source))
    assert before.getexif().get_ifd(0x8825)
    assert before.info.get("icc_profile") == _ICC
    assert {"xmp", "XML:com.adobe.xmp"} & set(before.info)
    after = Image.open(io.BytesIO(result))
    assert len(after.getexif()) == 0
    assert not {"exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp"} & set(after.info)
    assert not {"Comment", "Description"} & set(after.info)
    for marker in (b"PhoneCam", b"Marker", b"xmpmeta", b"ICC_PROFILE", b"iCCP", b"eXIf"):
        assert marker not in result, marker


def test_every_piece_of_metadata_is_removed_from_a_jpeg_photo() -> None:
    """GPS, camera model, ICC profile, XMP and the comment do not survive."""
    source = _loaded_jpeg()
    assert Image.open(io.BytesIO(source)).info["comment"] == b"MarkerComment"
    _assert_bare(source, normalise_photo(io.BytesIO(source)).data)


def test_every_piece_of_metadata_is_removed_from_a_png_photo() -> None:
    """Text chunks, XMP, ICC profile and EXIF GPS of a PNG do not survive."""
    source = _loaded_png(Image.open(io.BytesIO(photo_jpeg())))
    assert Image.open(io.BytesIO(source)).info["Comment"] == "MarkerComment"
    _assert_bare(source, normalise_photo(io.BytesIO(source)).data)


@pytest.mark.parametrize("mode", ["RGBA", "RGB", "L"])
def test_every_piece_of_metadata_is_removed_from_a_signature(mode: str) -> None:
    """A signature PNG (transparent, or ink on white) keeps its ink only: no ICC, text or EXIF."""
    pad = Image.open(io.BytesIO(signature_png()))
    if mode != "RGBA":
        pad = Image.alpha_composite(Image.new("RGBA", pad.size, "white"), pad).convert(mode)
    source = _loaded_png(pad)
    _assert_bare(source, normalise_signature(io.BytesIO(source)).data)


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


def test_a_png_one_row_over_the_configured_limit_is_refused() -> None:
    """PNG is decoded whole: one row over the full-decode limit is refused before decoding."""
    limit = Settings().photo_max_pixels_full_decode
    side = 5000
    at_limit = bomb_png(side, limit // side)
    with pytest.raises(ImageRefused, match="damaged"):  # allowed: only then found truncated
        normalise_photo(io.BytesIO(at_limit), max_pixels_full_decode=limit)
    over = bomb_png(side, limit // side + 1)
    with pytest.raises(ImageRefused, match=f"at most {limit:,}"):
        normalise_photo(io.BytesIO(over), max_pixels_full_decode=limit)


def test_jpeg_may_have_more_pixels_than_formats_decoded_whole() -> None:
    """A 3 MP photo passes as JPEG (draft-decoded) and is refused as PNG under a 2 MP bound."""
    image = Image.linear_gradient("L").resize((2000, 1500)).convert("RGB")
    limits = {"max_pixels": 4_000_000, "max_pixels_full_decode": 2_000_000}
    for fmt, accepted in (("JPEG", True), ("PNG", False), ("WEBP", False)):
        out = io.BytesIO()
        image.save(out, fmt)
        if accepted:
            assert normalise_photo(io.BytesIO(out.getvalue()), **limits).width == 2000
        else:
            with pytest.raises(ImageRefused, match="at most 2,000,000"):
                normalise_photo(io.BytesIO(out.getvalue()), **limits)


def test_a_blank_signature_is_refused() -> None:
    """An empty pad is not a signature."""
    out = io.BytesIO()
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(out, "PNG")
    with pytest.raises(ImageRefused, match="blank"):
        normalise_signature(io.BytesIO(out.getvalue()))
