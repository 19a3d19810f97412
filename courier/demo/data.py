"""Demo province (Binh Duong, Vietnam) as plain typed data: sites, procedures, couriers, accounts.

Geography is rounded (see docs `demo-province.md`): good enough to place sites and generate
bookings, not for navigation. Money is in whole đồng; times are local wall-clock times.
"""

from dataclasses import dataclass, replace
from datetime import time
from typing import Literal

from courier.enums import Role, SiteKind

# --------------------------------------------------------------------------- shapes


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Two sessions on open weekdays, plus (optionally) a Saturday morning session."""

    morning: tuple[time, time]
    afternoon: tuple[time, time]
    weekdays: frozenset[int]  # ISO weekdays open all day, 1 = Monday
    saturday_morning: bool


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """A site of the administrative network or a post office acting as a courier depot."""

    code: str
    kind: SiteKind
    name_vi: str
    name_en: str
    district: str  # short district-level name, a key of DISTRICT_TITLES
    address: str
    lat: float
    lon: float
    parent_code: str | None
    hours: OpeningHours


@dataclass(frozen=True, slots=True)
class DocumentSpec:
    """A document a procedure requires."""

    name_vi: str
    name_en: str
    form: Literal["original", "copy"]
    copies: int


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A field (lĩnh vực) procedures are grouped by."""

    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True, slots=True)
class ProcedureSpec:
    """An administrative procedure, where it is received, what it costs and needs."""

    code: str
    field: str  # a FieldSpec code
    name_vi: str
    name_en: str
    receiving_kind: SiteKind  # PROVINCIAL_CENTER or BRANCH
    fee_vnd: int
    processing_days: int  # working days
    documents: tuple[DocumentSpec, ...]


@dataclass(frozen=True, slots=True)
class CourierSpec:
    """A postal courier with a home post office, a daily shift and a capacity in dossiers."""

    code: str
    full_name: str
    phone: str
    home_post_office_code: str
    shift_start: time
    shift_end: time
    capacity: int
    vehicle: str
    speed_kmh: float


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """A documented demo login."""

    username: str
    password: str
    role: Role
    full_name: str
    site_code: str | None
    courier_code: str | None


@dataclass(frozen=True, slots=True)
class PopulationArea:
    """Where people live: a weighted disc with the wards and streets found there."""

    district: str  # a key of DISTRICT_TITLES
    lat: float
    lon: float
    radius_km: float
    weight: int
    wards: tuple[str, ...]
    streets: tuple[str, ...]


# --------------------------------------------------------------------------- geography

PROVINCE_NAME_VI = "Bình Dương"
PROVINCE_NAME_EN = "Binh Duong"
PROVINCE_BOUNDS = (10.85, 106.33, 11.50, 106.98)  # south, west, north, east

DISTRICT_TITLES: dict[str, str] = {
    "Thủ Dầu Một": "Thành phố Thủ Dầu Một",
    "Thuận An": "Thành phố Thuận An",
    "Dĩ An": "Thành phố Dĩ An",
    "Tân Uyên": "Thành phố Tân Uyên",
    "Bến Cát": "Thành phố Bến Cát",
    "Bàu Bàng": "Huyện Bàu Bàng",
    "Bắc Tân Uyên": "Huyện Bắc Tân Uyên",
    "Phú Giáo": "Huyện Phú Giáo",
    "Dầu Tiếng": "Huyện Dầu Tiếng",
}
SOUTHERN_DISTRICTS = frozenset({"Thủ Dầu Một", "Thuận An", "Dĩ An"})

# --------------------------------------------------------------------------- opening hours

MORNING_SESSION = (time(7, 30), time(11, 30))
AFTERNOON_SESSION = (time(13, 0), time(17, 0))
MONDAY_TO_FRIDAY = frozenset({1, 2, 3, 4, 5})

OFFICE_HOURS = OpeningHours(MORNING_SESSION, AFTERNOON_SESSION, MONDAY_TO_FRIDAY, False)
OFFICE_HOURS_WITH_SATURDAY = replace(OFFICE_HOURS, saturday_morning=True)
# post offices open longer and all day Saturday
POST_OFFICE_HOURS = OpeningHours(
    (time(7, 0), time(11, 30)), (time(13, 0), time(18, 0)), frozenset({1, 2, 3, 4, 5, 6}), False
)

# --------------------------------------------------------------------------- sites

CENTER_CODE = "BD-TTHC"


def _branch(
    code: str, district: str, town_en: str, address: str, lat: float, lon: float, saturday: bool
) -> SiteSpec:
    hours = OFFICE_HOURS_WITH_SATURDAY if saturday else OFFICE_HOURS
    name_vi, name_en = f"Chi nhánh {district}", f"{town_en} Branch"
    return SiteSpec(
        code, SiteKind.BRANCH, name_vi, name_en, district, address, lat, lon, CENTER_CODE, hours
    )


def _reception_point(
    code: str,
    ward: str,
    ward_en: str,
    branch: str,
    district: str,
    address: str,
    lat: float,
    lon: float,
) -> SiteSpec:
    name_vi, name_en = f"Điểm tiếp nhận {ward}", f"{ward_en} Reception Point"
    kind = SiteKind.RECEPTION_POINT
    return SiteSpec(code, kind, name_vi, name_en, district, address, lat, lon, branch, OFFICE_HOURS)


def _post_office(
    code: str, district: str, town_en: str, number: int, address: str, lat: float, lon: float
) -> SiteSpec:
    name_vi, name_en = f"Bưu cục {district} {number}", f"{town_en} Post Office {number}"
    kind, hours = SiteKind.POST_OFFICE, POST_OFFICE_HOURS
    return SiteSpec(code, kind, name_vi, name_en, district, address, lat, lon, None, hours)


CENTER = SiteSpec(
    CENTER_CODE,
    SiteKind.PROVINCIAL_CENTER,
    "Trung tâm Phục vụ hành chính công tỉnh Bình Dương",
    "Binh Duong Provincial Public Administration Service Center",
    "Thủ Dầu Một",
    "Tầng 1, Tháp A, Trung tâm Hành chính tập trung tỉnh, đường Lê Lợi, phường Hòa Phú, "
    "Thành phố Thủ Dầu Một, Bình Dương",
    11.053,
    106.668,
    None,
    OFFICE_HOURS_WITH_SATURDAY,
)

# fmt: off
BRANCHES: tuple[SiteSpec, ...] = (
    _branch("BD-TDM", "Thủ Dầu Một", "Thu Dau Mot",
            "Số 1 Quang Trung, phường Phú Cường, Thành phố Thủ Dầu Một, Bình Dương",
            10.980, 106.652, True),
    _branch("BD-TA", "Thuận An", "Thuan An",
            "Đường Nguyễn Văn Tiết, phường Lái Thiêu, Thành phố Thuận An, Bình Dương",
            10.905, 106.700, True),
    _branch("BD-DA", "Dĩ An", "Di An",
            "Đường Nguyễn An Ninh, phường Dĩ An, Thành phố Dĩ An, Bình Dương",
            10.907, 106.769, True),
    _branch("BD-TU", "Tân Uyên", "Tan Uyen",
            "Đường ĐT746, phường Uyên Hưng, Thành phố Tân Uyên, Bình Dương",
            11.066, 106.795, False),
    _branch("BD-BC", "Bến Cát", "Ben Cat",
            "Đường 30 Tháng 4, phường Mỹ Phước, Thành phố Bến Cát, Bình Dương",
            11.154, 106.594, False),
    _branch("BD-BB", "Bàu Bàng", "Bau Bang",
            "Quốc lộ 13, thị trấn Lai Uyên, huyện Bàu Bàng, Bình Dương",
            11.260, 106.630, False),
    _branch("BD-BTU", "Bắc Tân Uyên", "Bac Tan Uyen",
            "Đường ĐT746, thị trấn Tân Thành, huyện Bắc Tân Uyên, Bình Dương",
            11.142, 106.847, False),
    _branch("BD-PG", "Phú Giáo", "Phu Giao",
            "Đường Độc Lập, thị trấn Phước Vĩnh, huyện Phú Giáo, Bình Dương",
            11.292, 106.798, False),
    _branch("BD-DT", "Dầu Tiếng", "Dau Tieng",
            "Đường 13 Tháng 3, thị trấn Dầu Tiếng, huyện Dầu Tiếng, Bình Dương",
            11.280, 106.365, False),
)

RECEPTION_POINTS: tuple[SiteSpec, ...] = (
    _reception_point("BD-RP-PHUHOA", "phường Phú Hòa", "Phu Hoa Ward", "BD-TDM", "Thủ Dầu Một",
                     "Đường Lê Hồng Phong, phường Phú Hòa, Thành phố Thủ Dầu Một",
                     10.988, 106.678),
    _reception_point("BD-RP-HIEPTHANH", "phường Hiệp Thành", "Hiep Thanh Ward", "BD-TDM",
                     "Thủ Dầu Một",
                     "Đường Lê Thị Trung, phường Hiệp Thành, Thành phố Thủ Dầu Một",
                     10.999, 106.661),
    _reception_point("BD-RP-TUONGBINHHIEP", "phường Tương Bình Hiệp", "Tuong Binh Hiep Ward",
                     "BD-TDM", "Thủ Dầu Một",
                     "Đường Lê Chí Dân, phường Tương Bình Hiệp, Thành phố Thủ Dầu Một",
                     11.028, 106.632),
    _reception_point("BD-RP-THUANGIAO", "phường Thuận Giao", "Thuan Giao Ward", "BD-TA",
                     "Thuận An", "Đường Thủ Khoa Huân, phường Thuận Giao, Thành phố Thuận An",
                     10.956, 106.716),
    _reception_point("BD-RP-ANPHU", "phường An Phú", "An Phu Ward", "BD-TA", "Thuận An",
                     "Đường ĐT743, phường An Phú, Thành phố Thuận An", 10.936, 106.738),
    _reception_point("BD-RP-BINHHOA", "phường Bình Hòa", "Binh Hoa Ward", "BD-TA", "Thuận An",
                     "Đường Bình Hòa 12, phường Bình Hòa, Thành phố Thuận An", 10.904, 106.727),
    _reception_point("BD-RP-TANDONGHIEP", "phường Tân Đông Hiệp", "Tan Dong Hiep Ward", "BD-DA",
                     "Dĩ An", "Đường ĐT743, phường Tân Đông Hiệp, Thành phố Dĩ An",
                     10.925, 106.765),
    _reception_point("BD-RP-DONGHOA", "phường Đông Hòa", "Dong Hoa Ward", "BD-DA", "Dĩ An",
                     "Đường Trần Hưng Đạo, phường Đông Hòa, Thành phố Dĩ An", 10.892, 106.790),
    _reception_point("BD-RP-TANBINH", "phường Tân Bình", "Tan Binh Ward", "BD-DA", "Dĩ An",
                     "Đường ĐT743, phường Tân Bình, Thành phố Dĩ An", 10.944, 106.772),
    _reception_point("BD-RP-TANPHUOCKHANH", "phường Tân Phước Khánh", "Tan Phuoc Khanh Ward",
                     "BD-TU", "Tân Uyên",
                     "Đường ĐT747B, phường Tân Phước Khánh, Thành phố Tân Uyên", 11.000, 106.727),
    _reception_point("BD-RP-KHANHBINH", "phường Khánh Bình", "Khanh Binh Ward", "BD-TU",
                     "Tân Uyên", "Đường ĐT746, phường Khánh Bình, Thành phố Tân Uyên",
                     11.058, 106.752),
    _reception_point("BD-RP-THOIHOA", "phường Thới Hòa", "Thoi Hoa Ward", "BD-BC", "Bến Cát",
                     "Quốc lộ 13, phường Thới Hòa, Thành phố Bến Cát", 11.102, 106.619),
    _reception_point("BD-RP-CHANHPHUHOA", "phường Chánh Phú Hòa", "Chanh Phu Hoa Ward", "BD-BC",
                     "Bến Cát", "Đường ĐT741, phường Chánh Phú Hòa, Thành phố Bến Cát",
                     11.162, 106.678),
    _reception_point("BD-RP-LAIHUNG", "xã Lai Hưng", "Lai Hung Commune", "BD-BB", "Bàu Bàng",
                     "Quốc lộ 13, xã Lai Hưng, huyện Bàu Bàng", 11.212, 106.611),
    _reception_point("BD-RP-THUONGTAN", "xã Thường Tân", "Thuong Tan Commune", "BD-BTU",
                     "Bắc Tân Uyên", "Đường ĐT746, xã Thường Tân, huyện Bắc Tân Uyên",
                     11.105, 106.878),
    _reception_point("BD-RP-ANBINH", "xã An Bình", "An Binh Commune", "BD-PG", "Phú Giáo",
                     "Đường ĐT741, xã An Bình, huyện Phú Giáo", 11.348, 106.732),
    _reception_point("BD-RP-MINHHOA", "xã Minh Hòa", "Minh Hoa Commune", "BD-DT", "Dầu Tiếng",
                     "Đường ĐT749A, xã Minh Hòa, huyện Dầu Tiếng", 11.441, 106.421),
    _reception_point("BD-RP-THANHTUYEN", "xã Thanh Tuyền", "Thanh Tuyen Commune", "BD-DT",
                     "Dầu Tiếng", "Đường ĐT748, xã Thanh Tuyền, huyện Dầu Tiếng",
                     11.168, 106.472),
)

POST_OFFICES: tuple[SiteSpec, ...] = (
    _post_office("BD-PO-TDM-1", "Thủ Dầu Một", "Thu Dau Mot", 1,
                 "324 Đại lộ Bình Dương, phường Phú Cường, Thành phố Thủ Dầu Một",
                 10.983, 106.655),
    _post_office("BD-PO-TDM-2", "Thủ Dầu Một", "Thu Dau Mot", 2,
                 "15 Đường Phú Lợi, phường Phú Hòa, Thành phố Thủ Dầu Một", 10.994, 106.682),
    _post_office("BD-PO-TDM-3", "Thủ Dầu Một", "Thu Dau Mot", 3,
                 "Đường Huỳnh Văn Lũy, phường Phú Mỹ, Thành phố Thủ Dầu Một", 11.040, 106.670),
    _post_office("BD-PO-TA-1", "Thuận An", "Thuan An", 1,
                 "8 Đường Nguyễn Văn Tiết, phường Lái Thiêu, Thành phố Thuận An",
                 10.908, 106.702),
    _post_office("BD-PO-TA-2", "Thuận An", "Thuan An", 2,
                 "Đường Thủ Khoa Huân, phường Thuận Giao, Thành phố Thuận An", 10.952, 106.722),
    _post_office("BD-PO-TA-3", "Thuận An", "Thuan An", 3,
                 "Đường ĐT743, phường Bình Chuẩn, Thành phố Thuận An", 10.972, 106.744),
    _post_office("BD-PO-DA-1", "Dĩ An", "Di An", 1,
                 "Đường Nguyễn An Ninh, phường Dĩ An, Thành phố Dĩ An", 10.910, 106.771),
    _post_office("BD-PO-DA-2", "Dĩ An", "Di An", 2,
                 "Đường Trần Hưng Đạo, phường Đông Hòa, Thành phố Dĩ An", 10.893, 106.796),
    _post_office("BD-PO-DA-3", "Dĩ An", "Di An", 3,
                 "Đường ĐT743, phường Tân Đông Hiệp, Thành phố Dĩ An", 10.932, 106.760),
    _post_office("BD-PO-TU-1", "Tân Uyên", "Tan Uyen", 1,
                 "Đường ĐT746, phường Uyên Hưng, Thành phố Tân Uyên", 11.068, 106.798),
    _post_office("BD-PO-BC-1", "Bến Cát", "Ben Cat", 1,
                 "Đường 30 Tháng 4, phường Mỹ Phước, Thành phố Bến Cát", 11.151, 106.597),
    _post_office("BD-PO-BB-1", "Bàu Bàng", "Bau Bang", 1,
                 "Quốc lộ 13, thị trấn Lai Uyên, huyện Bàu Bàng", 11.263, 106.632),
    _post_office("BD-PO-BTU-1", "Bắc Tân Uyên", "Bac Tan Uyen", 1,
                 "Đường ĐT746, thị trấn Tân Thành, huyện Bắc Tân Uyên", 11.145, 106.844),
    _post_office("BD-PO-PG-1", "Phú Giáo", "Phu Giao", 1,
                 "Đường Độc Lập, thị trấn Phước Vĩnh, huyện Phú Giáo", 11.295, 106.801),
    _post_office("BD-PO-DT-1", "Dầu Tiếng", "Dau Tieng", 1,
                 "Đường 13 Tháng 3, thị trấn Dầu Tiếng, huyện Dầu Tiếng", 11.283, 106.362),
)
# fmt: on

# parents come before children, so a loader can insert in this order
SITES: tuple[SiteSpec, ...] = (CENTER, *BRANCHES, *RECEPTION_POINTS, *POST_OFFICES)

# --------------------------------------------------------------------------- procedures

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("civil_status", "Hộ tịch", "Civil status"),
    FieldSpec("land", "Đất đai", "Land"),
    FieldSpec("business", "Đăng ký kinh doanh", "Business registration"),
    FieldSpec("social_insurance", "Bảo hiểm xã hội, bảo hiểm y tế", "Social and health insurance"),
    FieldSpec("judicial_records", "Lý lịch tư pháp", "Judicial records"),
    FieldSpec("construction", "Xây dựng", "Construction"),
    FieldSpec("transport", "Giao thông vận tải", "Transport"),
    FieldSpec("labour", "Lao động, việc làm", "Labour and employment"),
    FieldSpec("education", "Giáo dục và đào tạo", "Education and training"),
    FieldSpec("attestation", "Chứng thực", "Attestation"),
    FieldSpec("residence", "Cư trú", "Residence"),
)


def _original(name_vi: str, name_en: str, copies: int = 1) -> DocumentSpec:
    return DocumentSpec(name_vi, name_en, "original", copies)


def _copy(name_vi: str, name_en: str, copies: int = 1) -> DocumentSpec:
    return DocumentSpec(name_vi, name_en, "copy", copies)


ID_CARD = _copy("Căn cước công dân hoặc hộ chiếu", "Citizen identity card or passport")
LAND_CERTIFICATE = _original(
    "Giấy chứng nhận quyền sử dụng đất đã cấp", "Land use right certificate already issued"
)
SOCIAL_INSURANCE_FORM = _original(
    "Tờ khai tham gia, điều chỉnh thông tin BHXH, BHYT (Mẫu TK1-TS)",
    "Social and health insurance enrolment or update form (TK1-TS)",
)
ENTERPRISE_APPLICATION = _original(
    "Giấy đề nghị đăng ký doanh nghiệp", "Enterprise registration application"
)
PHOTO_4X6 = _original("Ảnh màu 4x6 cm, nền trắng", "Colour photo 4x6 cm, white background", 2)

CENTER_KIND, BRANCH_KIND = SiteKind.PROVINCIAL_CENTER, SiteKind.BRANCH

# fmt: off
PROCEDURES: tuple[ProcedureSpec, ...] = (
    # hộ tịch: received at the branch (district People's Committee), mostly free
    ProcedureSpec("HT-01", "civil_status", "Đăng ký khai sinh", "Birth registration",
                  BRANCH_KIND, 0, 1, (
                      _original("Tờ khai đăng ký khai sinh", "Birth registration form"),
                      _original("Giấy chứng sinh", "Birth certificate from the hospital"),
                      ID_CARD,
                  )),
    ProcedureSpec("HT-02", "civil_status", "Đăng ký kết hôn", "Marriage registration",
                  BRANCH_KIND, 0, 1, (
                      _original("Tờ khai đăng ký kết hôn", "Marriage registration form"),
                      _original("Giấy xác nhận tình trạng hôn nhân",
                                "Marital status confirmation"),
                      _copy("Căn cước công dân của hai bên", "Identity cards of both parties", 2),
                  )),
    ProcedureSpec("HT-03", "civil_status", "Đăng ký khai tử", "Death registration",
                  BRANCH_KIND, 0, 1, (
                      _original("Tờ khai đăng ký khai tử", "Death registration form"),
                      _original("Giấy báo tử", "Death notice"),
                      ID_CARD,
                  )),
    ProcedureSpec("HT-04", "civil_status", "Cấp bản sao trích lục hộ tịch",
                  "Copy of a civil status extract", BRANCH_KIND, 8_000, 1, (
                      _original("Tờ khai cấp bản sao trích lục hộ tịch",
                                "Application for a copy of a civil status extract"),
                      ID_CARD,
                  )),
    ProcedureSpec("HT-05", "civil_status", "Cấp Giấy xác nhận tình trạng hôn nhân",
                  "Marital status confirmation", BRANCH_KIND, 15_000, 3, (
                      _original("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
                                "Application for a marital status confirmation"),
                      ID_CARD,
                      _copy("Trích lục ly hôn hoặc giấy chứng tử của vợ/chồng (nếu có)",
                            "Divorce extract or spouse's death certificate (if any)"),
                  )),
    ProcedureSpec("HT-06", "civil_status", "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
                  "Change, correction or completion of civil status information",
                  BRANCH_KIND, 15_000, 3, (
                      _original("Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
                                "Application for a change of civil status information"),
                      _original("Giấy khai sinh", "Birth certificate"),
                      _copy("Giấy tờ chứng minh nội dung cần cải chính",
                            "Evidence for the correction"),
                  )),
    ProcedureSpec("HT-07", "civil_status", "Đăng ký nhận cha, mẹ, con",
                  "Recognition of a parent and child", BRANCH_KIND, 15_000, 3, (
                      _original("Tờ khai đăng ký nhận cha, mẹ, con",
                                "Application for recognition of a parent and child"),
                      _original("Văn bản kết luận giám định ADN hoặc chứng cứ khác",
                                "DNA test conclusion or other evidence"),
                      ID_CARD,
                  )),
    # đất đai: households at the branch of the land registration office, organisations at the center
    ProcedureSpec("DD-01", "land", "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
                  "First-time registration and land use right certificate",
                  BRANCH_KIND, 100_000, 20, (
                      _original("Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu 04/ĐK)",
                                "Land and attached assets registration form (04/ĐK)"),
                      _copy("Giấy tờ về quyền sử dụng đất", "Papers on the land use right"),
                      _original("Mảnh trích đo bản đồ địa chính", "Cadastral survey extract"),
                      _copy("Chứng từ thực hiện nghĩa vụ tài chính",
                            "Receipts for financial obligations"),
                      ID_CARD,
                  )),
    ProcedureSpec("DD-02", "land", "Đăng ký biến động do chuyển nhượng quyền sử dụng đất",
                  "Registration of a land use right transfer", BRANCH_KIND, 50_000, 10, (
                      _original("Đơn đăng ký biến động đất đai (Mẫu 11/ĐK)",
                                "Land change registration form (11/ĐK)"),
                      _original("Hợp đồng chuyển nhượng đã công chứng",
                                "Notarised transfer contract"),
                      LAND_CERTIFICATE,
                      _original("Tờ khai lệ phí trước bạ", "Registration fee declaration", 2),
                      _original("Tờ khai thuế thu nhập cá nhân", "Personal income tax return", 2),
                      ID_CARD,
                  )),
    ProcedureSpec("DD-03", "land", "Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất",
                  "Re-issue of a lost land use right certificate", BRANCH_KIND, 50_000, 10, (
                      _original("Đơn đề nghị cấp lại Giấy chứng nhận (Mẫu 10/ĐK)",
                                "Application for a re-issued certificate (10/ĐK)"),
                      _original("Giấy xác nhận của UBND cấp xã về việc niêm yết thông báo mất",
                                "Commune confirmation that the loss was publicly posted"),
                      ID_CARD,
                  )),
    ProcedureSpec("DD-04", "land", "Đăng ký thế chấp quyền sử dụng đất",
                  "Mortgage registration of a land use right", BRANCH_KIND, 80_000, 3, (
                      _original("Phiếu yêu cầu đăng ký thế chấp", "Mortgage registration request"),
                      _original("Hợp đồng thế chấp đã công chứng", "Notarised mortgage contract"),
                      LAND_CERTIFICATE,
                  )),
    ProcedureSpec("DD-05", "land", "Xóa đăng ký thế chấp quyền sử dụng đất",
                  "Deregistration of a land use right mortgage", BRANCH_KIND, 20_000, 3, (
                      _original("Phiếu yêu cầu xóa đăng ký thế chấp",
                                "Mortgage deregistration request"),
                      _original("Văn bản đồng ý xóa thế chấp của bên nhận thế chấp",
                                "Mortgagee's consent to deregistration"),
                      LAND_CERTIFICATE,
                  )),
    ProcedureSpec("DD-06", "land", "Đăng ký biến động do thừa kế quyền sử dụng đất",
                  "Registration of an inherited land use right", BRANCH_KIND, 50_000, 10, (
                      _original("Đơn đăng ký biến động đất đai (Mẫu 11/ĐK)",
                                "Land change registration form (11/ĐK)"),
                      _original("Văn bản khai nhận di sản thừa kế đã công chứng",
                                "Notarised declaration of inheritance"),
                      LAND_CERTIFICATE,
                      _copy("Giấy chứng tử của người để lại di sản", "Death certificate of the deceased"),
                      ID_CARD,
                  )),
    ProcedureSpec("DD-07", "land", "Đăng ký đất đai lần đầu đối với tổ chức",
                  "First-time land registration by an organisation", CENTER_KIND, 500_000, 20, (
                      _original("Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu 04/ĐK)",
                                "Land and attached assets registration form (04/ĐK)"),
                      _copy("Quyết định giao đất, cho thuê đất", "Land allocation or lease decision"),
                      _original("Mảnh trích đo bản đồ địa chính", "Cadastral survey extract"),
                      _copy("Giấy chứng nhận đăng ký doanh nghiệp",
                            "Enterprise registration certificate"),
                  )),
    # đăng ký kinh doanh: households at the branch, enterprises at the center
    ProcedureSpec("KD-01", "business", "Đăng ký thành lập hộ kinh doanh",
                  "Household business registration", BRANCH_KIND, 100_000, 3, (
                      _original("Giấy đề nghị đăng ký hộ kinh doanh",
                                "Household business registration application"),
                      _copy("Biên bản họp thành viên hộ gia đình",
                            "Minutes of the household members' meeting"),
                      _copy("Hợp đồng thuê địa điểm kinh doanh", "Business premises lease"),
                      ID_CARD,
                  )),
    ProcedureSpec("KD-02", "business", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
                  "Change of household business registration", BRANCH_KIND, 50_000, 3, (
                      _original("Thông báo thay đổi nội dung đăng ký hộ kinh doanh",
                                "Notice of change to the household business registration"),
                      _original("Giấy chứng nhận đăng ký hộ kinh doanh",
                                "Household business registration certificate"),
                      ID_CARD,
                  )),
    ProcedureSpec("KD-03", "business", "Đăng ký thành lập công ty TNHH một thành viên",
                  "Establishment of a single-member limited liability company",
                  CENTER_KIND, 150_000, 3, (
                      ENTERPRISE_APPLICATION,
                      _original("Điều lệ công ty", "Company charter"),
                      _copy("Giấy tờ pháp lý của chủ sở hữu", "Owner's legal identity papers"),
                      _original("Văn bản ủy quyền nộp hồ sơ", "Power of attorney for filing"),
                  )),
    ProcedureSpec("KD-04", "business", "Đăng ký thành lập công ty cổ phần",
                  "Establishment of a joint-stock company", CENTER_KIND, 150_000, 3, (
                      ENTERPRISE_APPLICATION,
                      _original("Điều lệ công ty", "Company charter"),
                      _original("Danh sách cổ đông sáng lập", "List of founding shareholders"),
                      _copy("Giấy tờ pháp lý của các cổ đông sáng lập",
                            "Founding shareholders' legal identity papers", 3),
                  )),
    ProcedureSpec("KD-05", "business", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
                  "Change of enterprise registration content", CENTER_KIND, 150_000, 3, (
                      _original("Thông báo thay đổi nội dung đăng ký doanh nghiệp",
                                "Notice of change to the enterprise registration"),
                      _original("Nghị quyết, quyết định của chủ sở hữu hoặc hội đồng thành viên",
                                "Resolution of the owner or members' council"),
                      ID_CARD,
                  )),
    ProcedureSpec("KD-06", "business", "Thông báo tạm ngừng kinh doanh",
                  "Notice of business suspension", CENTER_KIND, 0, 3, (
                      _original("Thông báo tạm ngừng kinh doanh", "Notice of business suspension"),
                      _original("Nghị quyết, quyết định về việc tạm ngừng kinh doanh",
                                "Resolution to suspend the business"),
                  )),
    # BHXH, BHYT: the district social insurance office, free
    ProcedureSpec("BH-01", "social_insurance", "Cấp lại thẻ bảo hiểm y tế do bị mất, hỏng",
                  "Re-issue of a lost or damaged health insurance card", BRANCH_KIND, 0, 7, (
                      SOCIAL_INSURANCE_FORM,
                      _original("Thẻ bảo hiểm y tế bị hỏng (nếu có)", "Damaged card (if any)"),
                  )),
    ProcedureSpec("BH-02", "social_insurance", "Cấp lại sổ bảo hiểm xã hội",
                  "Re-issue of a social insurance book", BRANCH_KIND, 0, 10, (
                      SOCIAL_INSURANCE_FORM,
                      ID_CARD,
                  )),
    ProcedureSpec("BH-03", "social_insurance", "Giải quyết hưởng bảo hiểm xã hội một lần",
                  "One-time social insurance payment", BRANCH_KIND, 0, 5, (
                      _original("Đơn đề nghị hưởng BHXH một lần (Mẫu 14-HSB)",
                                "Application for a one-time payment (14-HSB)"),
                      _original("Sổ bảo hiểm xã hội", "Social insurance book"),
                      ID_CARD,
                  )),
    ProcedureSpec("BH-04", "social_insurance", "Đăng ký tham gia BHYT hộ gia đình",
                  "Household health insurance enrolment", BRANCH_KIND, 0, 5, (
                      SOCIAL_INSURANCE_FORM,
                      _original("Danh sách thành viên hộ gia đình tham gia BHYT",
                                "List of household members enrolling"),
                  )),
    # lý lịch tư pháp: Department of Justice, at the center
    ProcedureSpec("LL-01", "judicial_records", "Cấp Phiếu lý lịch tư pháp số 1",
                  "Judicial record certificate No. 1", CENTER_KIND, 200_000, 10, (
                      _original("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu 03)",
                                "Judicial record certificate request (form 03)"),
                      ID_CARD,
                      _copy("Giấy tờ chứng minh nơi cư trú", "Proof of residence"),
                  )),
    ProcedureSpec("LL-02", "judicial_records", "Cấp Phiếu lý lịch tư pháp số 2",
                  "Judicial record certificate No. 2", CENTER_KIND, 200_000, 10, (
                      _original("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu 04)",
                                "Judicial record certificate request (form 04)"),
                      ID_CARD,
                  )),
    ProcedureSpec("LL-03", "judicial_records",
                  "Cấp Phiếu lý lịch tư pháp cho sinh viên, người có công với cách mạng",
                  "Judicial record certificate for students and people with merit",
                  CENTER_KIND, 100_000, 10, (
                      _original("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu 03)",
                                "Judicial record certificate request (form 03)"),
                      _copy("Thẻ sinh viên hoặc giấy chứng nhận người có công",
                            "Student card or merit certificate"),
                      ID_CARD,
                  )),
    # xây dựng
    ProcedureSpec("XD-01", "construction", "Cấp giấy phép xây dựng nhà ở riêng lẻ",
                  "Construction permit for a private house", BRANCH_KIND, 75_000, 15, (
                      _original("Đơn đề nghị cấp giấy phép xây dựng (Mẫu 01)",
                                "Construction permit application (form 01)"),
                      _copy("Giấy chứng nhận quyền sử dụng đất", "Land use right certificate"),
                      _original("Bản vẽ thiết kế xây dựng", "Construction drawings", 2),
                  )),
    ProcedureSpec("XD-02", "construction", "Cấp giấy phép xây dựng công trình cấp II, cấp III",
                  "Construction permit for a grade II or III building", CENTER_KIND, 150_000, 20, (
                      _original("Đơn đề nghị cấp giấy phép xây dựng (Mẫu 01)",
                                "Construction permit application (form 01)"),
                      _copy("Giấy tờ chứng minh quyền sử dụng đất", "Proof of the land use right"),
                      _copy("Văn bản thông báo kết quả thẩm định thiết kế",
                            "Design appraisal result"),
                      _original("Bản vẽ thiết kế xây dựng", "Construction drawings", 2),
                  )),
    # giao thông vận tải: Department of Transport, at the center
    ProcedureSpec("GT-01", "transport", "Đổi giấy phép lái xe", "Driving licence exchange",
                  CENTER_KIND, 135_000, 5, (
                      _original("Đơn đề nghị đổi giấy phép lái xe",
                                "Driving licence exchange application"),
                      _original("Giấy khám sức khỏe của người lái xe", "Driver's health certificate"),
                      _copy("Giấy phép lái xe cũ", "Current driving licence"),
                      ID_CARD,
                  )),
    ProcedureSpec("GT-02", "transport", "Cấp lại giấy phép lái xe bị mất",
                  "Re-issue of a lost driving licence", CENTER_KIND, 135_000, 10, (
                      _original("Đơn đề nghị cấp lại giấy phép lái xe",
                                "Driving licence re-issue application"),
                      _original("Giấy khám sức khỏe của người lái xe", "Driver's health certificate"),
                      ID_CARD,
                  )),
    ProcedureSpec("GT-03", "transport", "Đổi giấy phép lái xe do nước ngoài cấp",
                  "Exchange of a foreign driving licence", CENTER_KIND, 135_000, 5, (
                      _original("Đơn đề nghị đổi giấy phép lái xe",
                                "Driving licence exchange application"),
                      _copy("Bản dịch giấy phép lái xe nước ngoài có công chứng",
                            "Notarised translation of the foreign licence"),
                      _copy("Hộ chiếu và thị thực", "Passport and visa"),
                  )),
    # lao động
    ProcedureSpec("LD-01", "labour", "Cấp giấy phép lao động cho người lao động nước ngoài",
                  "Work permit for a foreign worker", CENTER_KIND, 600_000, 5, (
                      _original("Văn bản đề nghị cấp giấy phép lao động (Mẫu 11/PLI)",
                                "Work permit application (form 11/PLI)"),
                      _original("Giấy chứng nhận sức khỏe", "Health certificate"),
                      _original("Phiếu lý lịch tư pháp", "Judicial record certificate"),
                      _copy("Hộ chiếu có chứng thực", "Certified copy of the passport"),
                      _copy("Văn bản chấp thuận nhu cầu sử dụng người lao động nước ngoài",
                            "Approval of the need for foreign workers"),
                      PHOTO_4X6,
                  )),
    ProcedureSpec("LD-02", "labour", "Gia hạn giấy phép lao động",
                  "Extension of a work permit", CENTER_KIND, 450_000, 5, (
                      _original("Văn bản đề nghị gia hạn giấy phép lao động",
                                "Work permit extension application"),
                      _original("Giấy phép lao động còn hiệu lực", "Current work permit"),
                      _original("Giấy chứng nhận sức khỏe", "Health certificate"),
                      PHOTO_4X6,
                  )),
    ProcedureSpec("LD-03", "labour", "Giải quyết hưởng trợ cấp thất nghiệp",
                  "Unemployment benefit", CENTER_KIND, 0, 20, (
                      _original("Đề nghị hưởng trợ cấp thất nghiệp",
                                "Unemployment benefit application"),
                      _copy("Quyết định thôi việc hoặc chấm dứt hợp đồng lao động",
                            "Termination of the employment contract"),
                      _original("Sổ bảo hiểm xã hội", "Social insurance book"),
                  )),
    # giáo dục
    ProcedureSpec("GD-01", "education", "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
                  "Copy of a diploma from the master register", CENTER_KIND, 0, 3, (
                      _original("Đơn đề nghị cấp bản sao văn bằng, chứng chỉ",
                                "Application for a diploma copy"),
                      ID_CARD,
                  )),
    ProcedureSpec("GD-02", "education", "Chỉnh sửa nội dung văn bằng, chứng chỉ",
                  "Correction of a diploma", CENTER_KIND, 0, 5, (
                      _original("Đơn đề nghị chỉnh sửa văn bằng, chứng chỉ",
                                "Application for a diploma correction"),
                      _original("Văn bằng, chứng chỉ đề nghị chỉnh sửa", "The diploma to correct"),
                      _copy("Giấy tờ làm căn cứ chỉnh sửa", "Evidence for the correction"),
                  )),
    # chứng thực: fees per page or per signature as in the national fee schedule
    ProcedureSpec("CT-01", "attestation", "Chứng thực bản sao từ bản chính",
                  "Certified copy from the original", BRANCH_KIND, 2_000, 1, (
                      _original("Bản chính giấy tờ cần chứng thực", "The original to copy"),
                      _copy("Bản sao cần chứng thực", "The copies to certify"),
                  )),
    ProcedureSpec("CT-02", "attestation", "Chứng thực chữ ký", "Signature attestation",
                  BRANCH_KIND, 10_000, 1, (
                      _original("Giấy tờ, văn bản cần chứng thực chữ ký",
                                "The document bearing the signature"),
                      ID_CARD,
                  )),
    ProcedureSpec("CT-03", "attestation", "Chứng thực hợp đồng, giao dịch liên quan đến động sản",
                  "Attestation of a contract on movable property", BRANCH_KIND, 50_000, 2, (
                      _original("Dự thảo hợp đồng, giao dịch", "Draft contract", 3),
                      _copy("Giấy tờ chứng minh quyền sở hữu tài sản", "Proof of ownership"),
                      _copy("Căn cước công dân của các bên", "Identity cards of the parties", 2),
                  )),
    # cư trú
    ProcedureSpec("CU-01", "residence", "Đăng ký thường trú", "Permanent residence registration",
                  BRANCH_KIND, 20_000, 7, (
                      _original("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)",
                                "Residence information change form (CT01)"),
                      _copy("Giấy tờ chứng minh chỗ ở hợp pháp", "Proof of lawful accommodation"),
                      _original("Văn bản đồng ý của chủ hộ", "Householder's consent"),
                  )),
    ProcedureSpec("CU-02", "residence", "Đăng ký tạm trú", "Temporary residence registration",
                  BRANCH_KIND, 15_000, 3, (
                      _original("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)",
                                "Residence information change form (CT01)"),
                      _copy("Hợp đồng thuê nhà", "Rental contract"),
                  )),
    ProcedureSpec("CU-03", "residence", "Xác nhận thông tin về cư trú",
                  "Confirmation of residence information", BRANCH_KIND, 0, 3, (
                      _original("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)",
                                "Residence information change form (CT01)"),
                      ID_CARD,
                  )),
)
# fmt: on

# --------------------------------------------------------------------------- couriers

EARLY_SHIFT = (time(7, 30), time(16, 30))
LATE_SHIFT = (time(8, 0), time(17, 0))
TOWN_SPEED_KMH, SUBURB_SPEED_KMH, RURAL_SPEED_KMH = 27.0, 32.0, 38.0


def _courier(
    code: str,
    full_name: str,
    phone: str,
    post_office: str,
    shift: tuple[time, time],
    capacity: int,
    speed_kmh: float,
) -> CourierSpec:
    start, end = shift
    return CourierSpec(
        code, full_name, phone, post_office, start, end, capacity, "motorbike", speed_kmh
    )


# roughly in proportion to population: most couriers in the dense south
# fmt: off
COURIERS: tuple[CourierSpec, ...] = (
    _courier("BD-CR-TDM-01", "Nguyễn Văn Hùng", "0913456781", "BD-PO-TDM-1", EARLY_SHIFT, 35, 27.0),
    _courier("BD-CR-TDM-02", "Trần Thị Mai", "0384125690", "BD-PO-TDM-1", LATE_SHIFT, 30, 26.0),
    _courier("BD-CR-TDM-03", "Lê Minh Tuấn", "0978203415", "BD-PO-TDM-1", EARLY_SHIFT, 35, 28.0),
    _courier("BD-CR-TDM-04", "Phạm Quốc Bảo", "0703918264", "BD-PO-TDM-2", LATE_SHIFT, 30, 27.0),
    _courier("BD-CR-TDM-05", "Võ Thị Ngọc Hân", "0856712093", "BD-PO-TDM-2", EARLY_SHIFT, 25, 25.0),
    _courier("BD-CR-TDM-06", "Huỳnh Thanh Sơn", "0935610278", "BD-PO-TDM-3", EARLY_SHIFT, 30, 30.0),
    _courier("BD-CR-TA-01", "Đặng Văn Lộc", "0988341027", "BD-PO-TA-1", EARLY_SHIFT, 40, 27.0),
    _courier("BD-CR-TA-02", "Bùi Thị Thu Trang", "0362480159", "BD-PO-TA-1", LATE_SHIFT, 30, 26.0),
    _courier("BD-CR-TA-03", "Nguyễn Hoàng Phúc", "0909127364", "BD-PO-TA-1", EARLY_SHIFT, 35, 28.0),
    _courier("BD-CR-TA-04", "Phan Văn Tài", "0773045128", "BD-PO-TA-2", EARLY_SHIFT, 35, 27.0),
    _courier("BD-CR-TA-05", "Trương Thị Kim Ngân", "0832597410", "BD-PO-TA-2", LATE_SHIFT, 25, 25.0),
    _courier("BD-CR-TA-06", "Lý Minh Khang", "0947186203", "BD-PO-TA-3", LATE_SHIFT, 30, 28.0),
    _courier("BD-CR-DA-01", "Đỗ Văn Thắng", "0966274105", "BD-PO-DA-1", EARLY_SHIFT, 40, 27.0),
    _courier("BD-CR-DA-02", "Hồ Thị Thanh Tâm", "0397561024", "BD-PO-DA-1", LATE_SHIFT, 30, 25.0),
    _courier("BD-CR-DA-03", "Ngô Quang Huy", "0918630742", "BD-PO-DA-1", EARLY_SHIFT, 35, 28.0),
    _courier("BD-CR-DA-04", "Dương Văn Nam", "0789204516", "BD-PO-DA-2", EARLY_SHIFT, 35, 27.0),
    _courier("BD-CR-DA-05", "Lâm Thị Bích Phượng", "0868135207", "BD-PO-DA-2", LATE_SHIFT, 25, 25.0),
    _courier("BD-CR-DA-06", "Võ Đức Thịnh", "0352907618", "BD-PO-DA-3", LATE_SHIFT, 30, 28.0),
    _courier("BD-CR-TU-01", "Trần Văn Dũng", "0903652817", "BD-PO-TU-1", EARLY_SHIFT, 30, 32.0),
    _courier("BD-CR-TU-02", "Nguyễn Thị Hồng Nhung", "0335842096", "BD-PO-TU-1", LATE_SHIFT, 25, 30.0),
    _courier("BD-CR-BC-01", "Lê Văn Phước", "0976518340", "BD-PO-BC-1", EARLY_SHIFT, 30, 33.0),
    _courier("BD-CR-BC-02", "Phạm Thị Yến", "0708362195", "BD-PO-BC-1", LATE_SHIFT, 25, 32.0),
    _courier("BD-CR-BB-01", "Mai Văn Cường", "0829471053", "BD-PO-BB-1", EARLY_SHIFT, 25, 38.0),
    _courier("BD-CR-BTU-01", "Huỳnh Văn Toàn", "0943720581", "BD-PO-BTU-1", EARLY_SHIFT, 20, 37.0),
    _courier("BD-CR-PG-01", "Nguyễn Văn Hậu", "0387209146", "BD-PO-PG-1", EARLY_SHIFT, 20, 40.0),
    _courier("BD-CR-DT-01", "Trần Minh Trí", "0912847630", "BD-PO-DT-1", EARLY_SHIFT, 20, 38.0),
)
# fmt: on

# --------------------------------------------------------------------------- accounts

COURIER_PASSWORD = "demo-courier-2026"

# documented demo logins, never for a real deployment
# fmt: off
STAFF_ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec("admin", "demo-admin-2026", Role.ADMIN, "Quản trị hệ thống", None, None),
    AccountSpec("dispatch.tdm", "demo-dispatch-2026", Role.DISPATCHER, "Nguyễn Thị Thu Hà",
                "BD-PO-TDM-1", None),
    AccountSpec("dispatch.da", "demo-dispatch-2026", Role.DISPATCHER, "Lê Quốc Việt",
                "BD-PO-DA-1", None),
    AccountSpec("center.tthc", "demo-center-2026", Role.CENTER_STAFF, "Phạm Thị Lan Anh",
                CENTER_CODE, None),
    AccountSpec("center.thuanan", "demo-center-2026", Role.CENTER_STAFF, "Trần Văn Khoa",
                "BD-TA", None),
    AccountSpec("citizen.an", "demo-citizen-2026", Role.CITIZEN, "Nguyễn Văn An", None, None),
    AccountSpec("enterprise.minhphat", "demo-enterprise-2026", Role.ENTERPRISE,
                "Đỗ Thị Hoài Thương (Công ty TNHH Minh Phát)", None, None),
)
# fmt: on

COURIER_ACCOUNTS: tuple[AccountSpec, ...] = tuple(
    AccountSpec(
        c.code.lower(), COURIER_PASSWORD, Role.COURIER, c.full_name, c.home_post_office_code, c.code
    )
    for c in COURIERS
)

# one counter clerk for every other branch, so each center's dashboard can be tried
BRANCH_STAFF_ACCOUNTS: tuple[AccountSpec, ...] = tuple(
    AccountSpec(
        f"center.{b.code.removeprefix('BD-').lower()}",
        "demo-center-2026",
        Role.CENTER_STAFF,
        f"Cán bộ một cửa {b.name_vi}",
        b.code,
        None,
    )
    for b in BRANCHES
    if b.code != "BD-TA"
)

ACCOUNTS: tuple[AccountSpec, ...] = STAFF_ACCOUNTS + BRANCH_STAFF_ACCOUNTS + COURIER_ACCOUNTS

# --------------------------------------------------------------------------- population

# where bookings come from; weights sum to 100 and the three southern cities carry ~70
# fmt: off
POPULATION_AREAS: tuple[PopulationArea, ...] = (
    PopulationArea("Thủ Dầu Một", 10.985, 106.665, 3.5, 15,
                   ("Phường Phú Cường", "Phường Phú Hòa", "Phường Hiệp Thành",
                    "Phường Chánh Nghĩa", "Phường Phú Lợi", "Phường Phú Thọ"),
                   ("Đại lộ Bình Dương", "Cách Mạng Tháng Tám", "Yersin", "Phú Lợi",
                    "Lê Hồng Phong", "Ngô Quyền", "Bạch Đằng", "Trần Văn Ơn", "Lê Thị Trung")),
    PopulationArea("Thủ Dầu Một", 11.040, 106.650, 3.0, 6,
                   ("Phường Tương Bình Hiệp", "Phường Hòa Phú", "Phường Phú Mỹ",
                    "Phường Phú Tân", "Phường Định Hòa"),
                   ("Lê Lợi", "Huỳnh Văn Lũy", "Đồng Cây Viết", "Lê Chí Dân", "Nguyễn Chí Thanh")),
    PopulationArea("Thuận An", 10.908, 106.712, 3.0, 13,
                   ("Phường Lái Thiêu", "Phường Bình Hòa", "Phường Vĩnh Phú", "Phường An Thạnh"),
                   ("Quốc lộ 13", "Nguyễn Văn Tiết", "Phan Đình Phùng", "Gia Long",
                    "Châu Văn Tiếp", "Đỗ Hữu Vị", "Bình Hòa 12")),
    PopulationArea("Thuận An", 10.952, 106.732, 3.5, 14,
                   ("Phường Thuận Giao", "Phường An Phú", "Phường Bình Chuẩn",
                    "Phường Bình Nhâm"),
                   ("Thủ Khoa Huân", "ĐT743", "Bình Chuẩn 62", "Hòa Lân", "An Phú 18",
                    "Mỹ Phước - Tân Vạn")),
    PopulationArea("Dĩ An", 10.905, 106.775, 4.0, 22,
                   ("Phường Dĩ An", "Phường Đông Hòa", "Phường Tân Bình", "Phường Tân Đông Hiệp",
                    "Phường Bình An", "Phường An Bình", "Phường Bình Thắng"),
                   ("Nguyễn An Ninh", "Trần Hưng Đạo", "Lý Thường Kiệt", "Nguyễn Tri Phương",
                    "Truông Tre", "Trần Quang Khải", "Xa lộ Hà Nội", "Đường số 9")),
    PopulationArea("Tân Uyên", 11.035, 106.765, 5.0, 9,
                   ("Phường Uyên Hưng", "Phường Tân Phước Khánh", "Phường Khánh Bình",
                    "Phường Thái Hòa", "Phường Tân Hiệp"),
                   ("ĐT746", "ĐT747", "ĐT742", "Tân Phước Khánh 28", "Khánh Bình 60")),
    PopulationArea("Bến Cát", 11.140, 106.605, 5.0, 9,
                   ("Phường Mỹ Phước", "Phường Thới Hòa", "Phường Chánh Phú Hòa",
                    "Phường Tân Định", "Phường Hòa Lợi"),
                   ("Quốc lộ 13", "NE8", "30 Tháng 4", "Hùng Vương", "ĐT741", "D1")),
    PopulationArea("Bàu Bàng", 11.250, 106.625, 6.0, 4,
                   ("Thị trấn Lai Uyên", "Xã Lai Hưng", "Xã Long Nguyên", "Xã Trừ Văn Thố"),
                   ("Quốc lộ 13", "ĐT750", "ĐT749C", "Đường số 7")),
    PopulationArea("Bắc Tân Uyên", 11.150, 106.840, 6.0, 3,
                   ("Thị trấn Tân Thành", "Xã Tân Bình", "Xã Thường Tân", "Xã Đất Cuốc"),
                   ("ĐT746", "ĐT741", "ĐH411")),
    PopulationArea("Phú Giáo", 11.290, 106.790, 7.0, 3,
                   ("Thị trấn Phước Vĩnh", "Xã An Bình", "Xã Vĩnh Hòa", "Xã Tân Hiệp"),
                   ("Độc Lập", "ĐT741", "Trần Quang Diệu", "ĐT741B")),
    PopulationArea("Dầu Tiếng", 11.275, 106.385, 7.0, 2,
                   ("Thị trấn Dầu Tiếng", "Xã Minh Hòa", "Xã Thanh An", "Xã Định Hiệp"),
                   ("13 Tháng 3", "ĐT744", "ĐT749A", "ĐT750")),
)
# fmt: on
