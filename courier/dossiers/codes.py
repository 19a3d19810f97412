"""UPU S10 tracking codes: 2 letters, 8 random digits, a check digit, the country code."""

import re
import secrets

S10_PATTERN = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")
WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
SERVICE_PREFIX = "HS"  # hồ sơ
COUNTRY = "VN"


def check_digit(serial: str) -> int:
    """The S10 check digit of an 8-digit serial (weights 8 6 4 2 3 5 9 7, mod 11)."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("an S10 serial is exactly 8 digits")
    r = 11 - sum(int(d) * w for d, w in zip(serial, WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(r, r)


def new_tracking_code() -> str:
    """A fresh code with an unpredictable serial (collisions are retried by the caller)."""
    serial = f"{secrets.randbelow(10**8):08d}"
    return f"{SERVICE_PREFIX}{serial}{check_digit(serial)}{COUNTRY}"


def is_valid(code: str) -> bool:
    """True when the code has the S10 shape and a correct check digit."""
    code = code.strip().upper()
    return bool(S10_PATTERN.match(code)) and check_digit(code[2:10]) == int(code[10])


def normalise(code: str) -> str:
    """Upper-case, no spaces: how codes are stored."""
    return code.replace(" ", "").strip().upper()
