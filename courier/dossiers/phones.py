"""Vietnamese mobile numbers: parsed, checked and stored in E.164."""

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType


class InvalidPhone(ValueError):
    """Not a Vietnamese mobile number."""


def normalise_mobile(raw: str) -> str:
    """'0912 345 678', '+84912345678', '84-912-345-678' → '+84912345678'; else InvalidPhone."""
    text = raw.strip()
    if text.startswith("84") and not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "VN")
    except NumberParseException as exc:
        raise InvalidPhone("not a phone number") from exc
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid Vietnamese phone number")
    if phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        raise InvalidPhone("not a Vietnamese mobile number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def last_digits(phone: str, count: int = 4) -> str:
    """The last digits a citizen types to prove they know the dossier."""
    return phone[-count:]


def national(phone: str) -> str:
    """A stored E.164 mobile as Vietnamese people write it: '+84912345678' → '0912 345 678'."""
    digits = "0" + phone.removeprefix("+84") if phone.startswith("+84") else phone
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}" if len(digits) == 10 else digits
