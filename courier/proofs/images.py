"""Normalise uploaded proofs with Pillow: orientation applied, metadata gone, sizes bounded.

Nothing of the upload survives but its pixels: every photo is decoded, turned upright by its EXIF
orientation, converted to sRGB, scaled to at most `max_side` pixels on the long side and encoded
again as a fresh JPEG with no EXIF, XMP, ICC profile or comment. Signatures are cut to the bounding
box of their ink and stored as grayscale PNG.
"""

import hashlib
import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import pillow_heif
from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError

pillow_heif.register_heif_opener()

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
SIGNATURE_FORMATS = ("PNG",)
_SRGB = ImageCms.createProfile("sRGB")
_INK_THRESHOLD = 200  # a pixel darker than this (0-255) on white is ink
_SIGNATURE_MARGIN = 8
_QUALITIES = (80, 72, 64, 56, 50)


class ImageRefused(ValueError):
    """The upload is not an image of an allowed kind, or it is too big to decode safely."""


@dataclass(frozen=True, slots=True)
class StoredImage:
    """A normalised image ready to store: its bytes, type, size and SHA-256."""

    data: bytes
    media_type: str
    width: int
    height: int
    sha256: str

    @classmethod
    def of(cls, data: bytes, media_type: str, size: tuple[int, int]) -> "StoredImage":
        """Wrap encoded bytes with their digest."""
        return cls(data, media_type, size[0], size[1], hashlib.sha256(data).hexdigest())


def normalise_photo(
    raw: BinaryIO,
    *,
    max_side: int = 2000,
    max_pixels: int = 50_000_000,
    max_pixels_full_decode: int = 25_000_000,
    target_bytes: int = 300_000,
) -> StoredImage:
    """A phone photo made upright, stripped of metadata, scaled down and re-encoded as JPEG.

    JPEG may have up to `max_pixels` (libjpeg decodes it scaled down); PNG, WebP and HEIC are
    decoded whole, so they may have up to `max_pixels_full_decode`. The quality steps down from
    80 until the file fits `target_bytes`; below a quality of 50 handwriting blurs, so a photo
    that still does not fit (sensor noise, gravel) is made smaller instead, never below 800 px.
    """
    limits = {"JPEG": max_pixels}
    with _open(raw, PHOTO_FORMATS, max_pixels_full_decode, limits) as image, _decoding():
        if image.format == "JPEG":
            # let libjpeg decode at 1/2, 1/4 or 1/8 scale: far less CPU and memory for 12 MP
            image.draft("RGB", _fit(image.size, max_side))
        rgb = _upright_srgb(image, max_side)
    data = _encode_within(rgb, target_bytes)
    while len(data) > target_bytes and max(rgb.size) > 800:
        rgb = rgb.resize(_fit(rgb.size, int(max(rgb.size) * 0.8)), Image.Resampling.LANCZOS)
        data = _encode_within(rgb, target_bytes)
    return StoredImage.of(data, "image/jpeg", rgb.size)


def _upright_srgb(image: Image.Image, max_side: int) -> Image.Image:
    """Scale down first, then turn upright and map to sRGB: one full-size copy at most."""
    image.load()
    icc = image.info.get("icc_profile")
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    rgb = image if image.mode == "RGB" else _flatten(image).convert("RGB")
    rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    method = _ORIENTATIONS.get(orientation)
    if method is not None:
        rgb = rgb.transpose(method)
    return _pixels_only(_to_srgb(rgb, icc))


_ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _pixels_only(image: Image.Image) -> Image.Image:
    """A fresh image holding the pixels alone: no ICC profile, EXIF, XMP, text or comment."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encode_within(image: Image.Image, target_bytes: int) -> bytes:
    """The best of the quality steps that fits, or the floor's encoding."""
    for quality in _QUALITIES:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
        if out.tell() <= target_bytes:
            break
    return out.getvalue()


def normalise_signature(raw: BinaryIO, *, max_pixels: int = 4_000_000) -> StoredImage:
    """A signature-pad PNG flattened on white, cut to its ink, stored as grayscale PNG."""
    with _open(raw, SIGNATURE_FORMATS, max_pixels, {}) as image, _decoding():
        image.load()
        gray = _flatten(image).convert("L")
    ink = gray.point(lambda v: 255 if v < _INK_THRESHOLD else 0).getbbox()
    if ink is None:
        raise ImageRefused("the signature is blank")
    left, top, right, bottom = ink
    m = _SIGNATURE_MARGIN
    box = (
        max(left - m, 0),
        max(top - m, 0),
        min(right + m, gray.width),
        min(bottom + m, gray.height),
    )
    trimmed = _pixels_only(gray.crop(box))
    out = io.BytesIO()
    trimmed.save(out, "PNG", optimize=True)
    return StoredImage.of(out.getvalue(), "image/png", trimmed.size)


def _open(
    raw: BinaryIO, formats: tuple[str, ...], max_pixels: int, limits: dict[str, int]
) -> Image.Image:
    """Open the header only and refuse what is not allowed before any pixel is decoded.

    `limits` bounds the pixels of some formats differently from `max_pixels`.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(raw, formats=formats)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageRefused("the image has too many pixels to decode safely") from exc
    except UnidentifiedImageError as exc:
        raise ImageRefused(f"not an image of an allowed type ({', '.join(formats)})") from exc
    width, height = image.size
    max_pixels = limits.get(str(image.format), max_pixels)
    if width * height > max_pixels:
        image.close()
        raise ImageRefused(
            f"the image has {width}x{height} pixels; at most {max_pixels:,} are accepted"
        )
    if width == 0 or height == 0:
        image.close()
        raise ImageRefused("the image is empty")
    return image


@contextmanager
def _decoding() -> Iterator[None]:
    """A truncated or corrupt file fails while decoding: say so instead of crashing."""
    try:
        yield
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, ImageRefused):
            raise
        raise ImageRefused(f"the image data is damaged: {exc}") from exc


def _fit(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent parts become white, as on paper (pasted through its alpha: no RGBA copies)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, (0, 0), rgba)
        return white
    return image


def _to_srgb(rgb: Image.Image, icc: bytes | None) -> Image.Image:
    """Map the pixels from the upload's embedded colour profile to sRGB so it can be dropped."""
    if not icc:
        return rgb
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(rgb, source, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError):
        return rgb  # a broken profile: keep the pixels as they are
    return converted if converted is not None else rgb
