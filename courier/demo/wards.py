"""The demo province's wards, communes and townships, with approximate centres.

Bình Dương's 91 commune-level units in its nine district-level units (before the 2025 merger
of provinces). Centres are rounded to about a kilometre: choosing a ward places a pickup point
the courier corrects on the spot, not a point to navigate to.
"""

from dataclasses import dataclass
from typing import Literal

from courier.text import unaccented

Kind = Literal["ward", "commune", "township"]
KIND_VI: dict[Kind, str] = {"ward": "Phường", "commune": "Xã", "township": "Thị trấn"}
KIND_EN: dict[Kind, str] = {"ward": "Ward", "commune": "Commune", "township": "Township"}


@dataclass(frozen=True, slots=True)
class WardSpec:
    """A ward, commune or township and the district-level unit it belongs to."""

    code: str
    name_vi: str
    name_en: str
    district_vi: str
    district_en: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class _District:
    short: str  # e.g. "TDM"
    name_vi: str
    name_en: str
    units: tuple[tuple[Kind, str, float, float], ...]


# fmt: off
_DISTRICTS: tuple[_District, ...] = (
    _District("TDM", "Thành phố Thủ Dầu Một", "Thu Dau Mot City", (
        ("ward", "Chánh Mỹ", 10.985, 106.630), ("ward", "Chánh Nghĩa", 10.968, 106.660),
        ("ward", "Định Hòa", 11.030, 106.660), ("ward", "Hiệp An", 11.020, 106.620),
        ("ward", "Hiệp Thành", 10.997, 106.660), ("ward", "Hòa Phú", 11.060, 106.665),
        ("ward", "Phú Cường", 10.980, 106.652), ("ward", "Phú Hòa", 10.988, 106.678),
        ("ward", "Phú Lợi", 10.995, 106.690), ("ward", "Phú Mỹ", 11.020, 106.680),
        ("ward", "Phú Tân", 11.045, 106.690), ("ward", "Phú Thọ", 10.968, 106.672),
        ("ward", "Tân An", 11.035, 106.605), ("ward", "Tương Bình Hiệp", 11.028, 106.632),
    )),
    _District("TA", "Thành phố Thuận An", "Thuan An City", (
        ("ward", "An Phú", 10.936, 106.738), ("ward", "An Thạnh", 10.940, 106.690),
        ("ward", "Bình Chuẩn", 10.972, 106.744), ("ward", "Bình Hòa", 10.904, 106.727),
        ("ward", "Bình Nhâm", 10.925, 106.695), ("ward", "Hưng Định", 10.933, 106.677),
        ("ward", "Lái Thiêu", 10.905, 106.700), ("ward", "Thuận Giao", 10.956, 106.716),
        ("ward", "Vĩnh Phú", 10.880, 106.705), ("commune", "An Sơn", 10.955, 106.665),
    )),
    _District("DA", "Thành phố Dĩ An", "Di An City", (
        ("ward", "An Bình", 10.875, 106.750), ("ward", "Bình An", 10.890, 106.760),
        ("ward", "Bình Thắng", 10.885, 106.800), ("ward", "Dĩ An", 10.907, 106.769),
        ("ward", "Đông Hòa", 10.892, 106.790), ("ward", "Tân Bình", 10.944, 106.772),
        ("ward", "Tân Đông Hiệp", 10.925, 106.765),
    )),
    _District("TU", "Thành phố Tân Uyên", "Tan Uyen City", (
        ("ward", "Hội Nghĩa", 11.110, 106.760), ("ward", "Khánh Bình", 11.058, 106.752),
        ("ward", "Phú Chánh", 11.040, 106.720), ("ward", "Tân Hiệp", 11.080, 106.770),
        ("ward", "Tân Phước Khánh", 11.000, 106.727), ("ward", "Tân Vĩnh Hiệp", 11.020, 106.730),
        ("ward", "Thái Hòa", 10.990, 106.745), ("ward", "Thạnh Phước", 10.995, 106.775),
        ("ward", "Uyên Hưng", 11.066, 106.795), ("ward", "Vĩnh Tân", 11.075, 106.705),
        ("commune", "Bạch Đằng", 11.045, 106.830), ("commune", "Thạnh Hội", 11.010, 106.805),
    )),
    _District("BC", "Thành phố Bến Cát", "Ben Cat City", (
        ("ward", "Chánh Phú Hòa", 11.162, 106.678), ("ward", "Hòa Lợi", 11.085, 106.650),
        ("ward", "Mỹ Phước", 11.154, 106.594), ("ward", "Tân Định", 11.130, 106.640),
        ("ward", "Thới Hòa", 11.102, 106.619), ("commune", "An Điền", 11.130, 106.560),
        ("commune", "An Tây", 11.110, 106.530), ("commune", "Phú An", 11.075, 106.585),
    )),
    _District("BB", "Huyện Bàu Bàng", "Bau Bang District", (
        ("township", "Lai Uyên", 11.260, 106.630), ("commune", "Cây Trường II", 11.330, 106.570),
        ("commune", "Hưng Hòa", 11.295, 106.665), ("commune", "Lai Hưng", 11.212, 106.611),
        ("commune", "Long Nguyên", 11.230, 106.560), ("commune", "Tân Hưng", 11.270, 106.690),
        ("commune", "Trừ Văn Thố", 11.320, 106.610),
    )),
    _District("BTU", "Huyện Bắc Tân Uyên", "Bac Tan Uyen District", (
        ("township", "Tân Thành", 11.142, 106.847), ("township", "Tân Bình", 11.130, 106.800),
        ("commune", "Bình Mỹ", 11.100, 106.770), ("commune", "Đất Cuốc", 11.160, 106.820),
        ("commune", "Hiếu Liêm", 11.180, 106.920), ("commune", "Lạc An", 11.140, 106.900),
        ("commune", "Tân Định", 11.200, 106.860), ("commune", "Tân Lập", 11.200, 106.790),
        ("commune", "Tân Mỹ", 11.090, 106.840), ("commune", "Thường Tân", 11.105, 106.878),
    )),
    _District("PG", "Huyện Phú Giáo", "Phu Giao District", (
        ("township", "Phước Vĩnh", 11.292, 106.798), ("commune", "An Bình", 11.348, 106.732),
        ("commune", "An Linh", 11.390, 106.730), ("commune", "An Long", 11.330, 106.700),
        ("commune", "An Thái", 11.420, 106.770), ("commune", "Phước Hòa", 11.230, 106.750),
        ("commune", "Phước Sang", 11.380, 106.780), ("commune", "Tam Lập", 11.330, 106.880),
        ("commune", "Tân Hiệp", 11.300, 106.850), ("commune", "Tân Long", 11.260, 106.720),
        ("commune", "Vĩnh Hòa", 11.260, 106.800),
    )),
    _District("DT", "Huyện Dầu Tiếng", "Dau Tieng District", (
        ("township", "Dầu Tiếng", 11.280, 106.365), ("commune", "An Lập", 11.230, 106.460),
        ("commune", "Định An", 11.330, 106.380), ("commune", "Định Hiệp", 11.360, 106.400),
        ("commune", "Định Thành", 11.320, 106.420), ("commune", "Long Hòa", 11.310, 106.500),
        ("commune", "Long Tân", 11.250, 106.520), ("commune", "Minh Hòa", 11.441, 106.421),
        ("commune", "Minh Tân", 11.380, 106.430), ("commune", "Minh Thạnh", 11.420, 106.470),
        ("commune", "Thanh An", 11.240, 106.400), ("commune", "Thanh Tuyền", 11.168, 106.472),
    )),
)
# fmt: on


def _slug(name: str) -> str:
    return unaccented(name).upper().replace(" ", "-")


def _specs() -> tuple[WardSpec, ...]:
    return tuple(
        WardSpec(
            code=f"BD-{district.short}-{_slug(name)}",
            name_vi=f"{KIND_VI[kind]} {name}",
            name_en=f"{unaccented(name)} {KIND_EN[kind]}",
            district_vi=district.name_vi,
            district_en=district.name_en,
            lat=lat,
            lon=lon,
        )
        for district in _DISTRICTS
        for kind, name, lat, lon in district.units
    )


WARDS: tuple[WardSpec, ...] = _specs()
