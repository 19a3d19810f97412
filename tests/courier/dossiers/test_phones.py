"""Vietnamese mobile numbers."""

import pytest

from courier.dossiers.phones import InvalidPhone, last_digits, normalise_mobile


@pytest.mark.parametrize(
    "raw",
    [
        "0912 345 678",
        "0912345678",
        "+84912345678",
        "84912345678",
        "84-912-345-678",
        "+84 912 345 678",
    ],
)
def test_mobile_formats_normalise_to_e164(raw: str) -> None:
    """The ways citizens write a mobile all become +84912345678."""
    assert normalise_mobile(raw) == "+84912345678"


@pytest.mark.parametrize(
    "raw",
    [
        "0274 3822 222",  # Binh Duong landline
        "12345",
        "not a phone",
        "",
        "+1 202 555 0101",  # a foreign mobile
        "0912 345 67",  # one digit short
    ],
)
def test_non_mobile_or_garbage_is_refused(raw: str) -> None:
    """Landlines, foreign numbers and garbage raise InvalidPhone."""
    with pytest.raises(InvalidPhone):
        normalise_mobile(raw)


def test_last_digits_are_the_tracking_proof() -> None:
    """The tracking page asks for the last 4 digits."""
    assert last_digits("+84912345678") == "5678"
