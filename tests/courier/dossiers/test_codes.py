"""UPU S10 tracking codes."""

import itertools

import pytest

from courier.dossiers import codes


def test_check_digit_of_the_known_vector() -> None:
    """Serial 47312482 has check digit 9 (the UPU S10 example)."""
    assert codes.check_digit("47312482") == 9


@pytest.mark.parametrize(("serial", "digit"), [("00000000", 5), ("00000001", 4), ("00000004", 5)])
def test_check_digit_special_remainders(serial: str, digit: int) -> None:
    """11 - r gives 10 → 0 and 11 → 5."""
    assert codes.check_digit(serial) == digit


@pytest.mark.parametrize("serial", ["1234567", "123456789", "1234567a"])
def test_check_digit_refuses_a_serial_that_is_not_8_digits(serial: str) -> None:
    """Only 8-digit serials have a check digit."""
    with pytest.raises(ValueError, match="8 digits"):
        codes.check_digit(serial)


def test_new_codes_are_valid_s10_and_not_sequential() -> None:
    """Fresh codes have the HS…VN shape, a valid check digit, and serials that vary widely."""
    made = [codes.new_tracking_code() for _ in range(200)]
    assert all(codes.S10_PATTERN.match(c) and codes.is_valid(c) for c in made)
    assert all(c.startswith("HS") and c.endswith("VN") for c in made)
    serials = sorted(int(c[2:10]) for c in made)
    assert len(set(serials)) == len(serials)
    assert max(b - a for a, b in itertools.pairwise(serials)) > 1000


@pytest.mark.parametrize("code", ["HS473124829VN", "hs473124829vn", " HS473124829VN "])
def test_is_valid_accepts_the_code_in_any_case(code: str) -> None:
    """Case and surrounding spaces do not matter."""
    assert codes.is_valid(code)


@pytest.mark.parametrize("code", ["HS473124828VN", "HS47312482VN", "1S473124829VN", "HS473124829V"])
def test_is_valid_refuses_a_wrong_digit_or_shape(code: str) -> None:
    """A typo in the check digit or the shape is caught."""
    assert not codes.is_valid(code)
