"""Deterministic, realistic demo bookings for a day in the demo province."""

import math
import random
from dataclasses import dataclass
from datetime import date

from courier.demo.data import (
    DISTRICT_TITLES,
    POPULATION_AREAS,
    PROCEDURES,
    PROVINCE_BOUNDS,
    PROVINCE_NAME_VI,
    PopulationArea,
)
from courier.dossiers.models import ResultReturn, Slot


@dataclass(frozen=True, slots=True)
class BookingSpec:
    """A pickup a citizen would book: who, where, which procedure, when, how the result returns."""

    applicant_name: str
    phone: str
    address_text: str
    lat: float
    lon: float
    procedure_code: str
    preferred_on: date
    slot: Slot
    result_return: ResultReturn


# --------------------------------------------------------------------------- tables

# family names with their rough share of the population
FAMILY_NAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Huỳnh", 5), ("Hoàng", 3),
    ("Phan", 4), ("Vũ", 2), ("Võ", 4), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
    ("Ngô", 1), ("Dương", 1), ("Lý", 1), ("Trương", 2), ("Lâm", 1), ("Đinh", 1), ("Mai", 1),
)  # fmt: skip
MALE_MIDDLE_NAMES = ("Văn", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Hoàng", "Gia")
FEMALE_MIDDLE_NAMES = ("Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Phương", "Bảo", "Hồng")
MALE_GIVEN_NAMES = (
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khang", "Long", "Minh", "Nam", "Phúc",
    "Quang", "Sơn", "Tài", "Thắng", "Trung", "Tuấn", "Việt", "Huy", "Khoa", "Lộc", "Đạt",
)  # fmt: skip
FEMALE_GIVEN_NAMES = (
    "Anh", "Châu", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung",
    "Phương", "Quyên", "Thảo", "Trang", "Tuyết", "Vy", "Yến", "Nhi", "Hân", "Trâm",
)  # fmt: skip

# Viettel 03x/09x, Vinaphone 08x/09x, MobiFone 07x/09x; 089 is left out because only part
# of its range is allocated
MOBILE_PREFIXES = (
    "090", "091", "093", "094", "096", "097", "098", "032", "033", "034", "035", "036", "037",
    "038", "039", "070", "076", "077", "078", "079", "081", "082", "083", "084", "085", "086",
    "088",
)  # fmt: skip

# how often each field is booked: civil status and judicial records lead, land is rarer
FIELD_BOOKING_WEIGHTS: dict[str, float] = {
    "civil_status": 26,
    "judicial_records": 16,
    "attestation": 11,
    "residence": 10,
    "social_insurance": 10,
    "business": 8,
    "transport": 7,
    "land": 6,
    "construction": 2,
    "education": 2,
    "labour": 2,
}

MORNING_SHARE = 0.6
POST_RETURN_SHARE = 0.7
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_AT_EQUATOR = 111.320

# --------------------------------------------------------------------------- generation


def generate_bookings(on: date, count: int, seed: int) -> list[BookingSpec]:
    """`count` bookings preferring day `on`, the same list for the same seed."""
    rng = random.Random(seed)
    area_weights = [area.weight for area in POPULATION_AREAS]
    codes = [p.code for p in PROCEDURES]
    code_weights = _procedure_weights()
    bookings = []
    for _ in range(count):
        area = rng.choices(POPULATION_AREAS, area_weights)[0]
        lat, lon = _place(rng, area)
        bookings.append(
            BookingSpec(
                applicant_name=_full_name(rng),
                phone=_mobile_phone(rng),
                address_text=_address(rng, area),
                lat=lat,
                lon=lon,
                procedure_code=rng.choices(codes, code_weights)[0],
                preferred_on=on,
                slot=Slot.MORNING if rng.random() < MORNING_SHARE else Slot.AFTERNOON,
                result_return=(
                    ResultReturn.POST if rng.random() < POST_RETURN_SHARE else ResultReturn.CENTER
                ),
            )
        )
    return bookings


def _procedure_weights() -> list[float]:
    """Each procedure's share: its field's weight split evenly among the field's procedures."""
    per_field: dict[str, int] = {}
    for procedure in PROCEDURES:
        per_field[procedure.field] = per_field.get(procedure.field, 0) + 1
    return [FIELD_BOOKING_WEIGHTS[p.field] / per_field[p.field] for p in PROCEDURES]


def _place(rng: random.Random, area: PopulationArea) -> tuple[float, float]:
    """A point around the area's center, denser near it, always inside the province."""
    south, west, north, east = PROVINCE_BOUNDS
    km_per_degree_lon = KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(area.lat))
    sigma_km = area.radius_km / 2
    for _ in range(20):
        lat = area.lat + rng.gauss(0, sigma_km) / KM_PER_DEGREE_LAT
        lon = area.lon + rng.gauss(0, sigma_km) / km_per_degree_lon
        if south <= lat <= north and west <= lon <= east:
            return round(lat, 6), round(lon, 6)
    return area.lat, area.lon


def _full_name(rng: random.Random) -> str:
    """A Vietnamese full name: family, one or two middle names, given name."""
    family = rng.choices([n for n, _ in FAMILY_NAMES], [w for _, w in FAMILY_NAMES])[0]
    female = rng.random() < 0.5
    middles = FEMALE_MIDDLE_NAMES if female else MALE_MIDDLE_NAMES
    given = rng.choice(FEMALE_GIVEN_NAMES if female else MALE_GIVEN_NAMES)
    middle = rng.choice(middles)
    if rng.random() < 0.2:
        second = rng.choice(middles)
        if second != middle:
            middle = f"{middle} {second}"
    return f"{family} {middle} {given}"


def _mobile_phone(rng: random.Random) -> str:
    """A ten-digit Vietnamese mobile number."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"


def _address(rng: random.Random, area: PopulationArea) -> str:
    """House number, street, ward, district and province, as written on an envelope."""
    number = str(rng.randint(1, 450))
    if rng.random() < 0.3:
        number += f"/{rng.randint(1, 60)}"
    elif rng.random() < 0.1:
        number += rng.choice("ABC")
    street = _street_label(rng.choice(area.streets))
    ward = rng.choice(area.wards)
    return f"{number} {street}, {ward}, {DISTRICT_TITLES[area.district]}, {PROVINCE_NAME_VI}"


def _street_label(street: str) -> str:
    """A street as written after the house number: "Đường X" except highways and boulevards."""
    if street.startswith(("Quốc lộ", "Đại lộ", "Xa lộ", "Đường")):
        return street
    return f"Đường {street}"
