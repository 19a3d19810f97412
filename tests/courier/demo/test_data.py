"""The demo province data is consistent and matches the published geography."""

import math
import re

import pytest

from courier.demo.data import (
    ACCOUNTS,
    COURIERS,
    FIELDS,
    POPULATION_AREAS,
    PROCEDURES,
    PROVINCE_BOUNDS,
    SITES,
    SOUTHERN_DISTRICTS,
    SiteSpec,
)
from courier.dossiers.phones import normalise_mobile
from courier.enums import Role, SiteKind

# from demo-province.md: town -> (lat, lon) of its branch
BRANCH_COORDINATES = {
    "Thủ Dầu Một": (10.980, 106.652),
    "Thuận An": (10.905, 106.700),
    "Dĩ An": (10.907, 106.769),
    "Tân Uyên": (11.066, 106.795),
    "Bến Cát": (11.154, 106.594),
    "Bàu Bàng": (11.260, 106.630),
    "Bắc Tân Uyên": (11.142, 106.847),
    "Phú Giáo": (11.292, 106.798),
    "Dầu Tiếng": (11.280, 106.365),
}
VN_MOBILE = re.compile(r"^0(3[2-9]|5[689]|7[06-9]|8[1-9]|9\d)\d{7}$")


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def inside_province(lat: float, lon: float) -> bool:
    """Whether a point lies in the province's bounding box."""
    south, west, north, east = PROVINCE_BOUNDS
    return south <= lat <= north and west <= lon <= east


def sites_of(kind: SiteKind) -> list[SiteSpec]:
    """The demo sites of one kind."""
    return [s for s in SITES if s.kind == kind]


@pytest.mark.parametrize(
    "codes",
    [
        [s.code for s in SITES],
        [p.code for p in PROCEDURES],
        [c.code for c in COURIERS],
        [a.username for a in ACCOUNTS],
        [f.code for f in FIELDS],
    ],
    ids=["sites", "procedures", "couriers", "accounts", "fields"],
)
def test_codes_are_unique(codes: list[str]) -> None:
    assert len(codes) == len(set(codes))


def test_every_site_is_inside_the_province() -> None:
    assert [s.code for s in SITES if not inside_province(s.lat, s.lon)] == []


def test_every_population_area_center_is_inside_the_province() -> None:
    assert all(inside_province(a.lat, a.lon) for a in POPULATION_AREAS)


def test_one_provincial_center_and_nine_branches_under_it() -> None:
    (center,) = sites_of(SiteKind.PROVINCIAL_CENTER)
    branches = sites_of(SiteKind.BRANCH)
    assert len(branches) == 9
    assert {b.parent_code for b in branches} == {center.code}


def test_each_branch_is_within_a_kilometre_of_its_published_location() -> None:
    branches = {b.district: b for b in sites_of(SiteKind.BRANCH)}
    assert branches.keys() == BRANCH_COORDINATES.keys()
    for town, published in BRANCH_COORDINATES.items():
        assert km_between((branches[town].lat, branches[town].lon), published) < 1.0, town


def test_each_branch_town_has_a_post_office_within_two_kilometres() -> None:
    offices = sites_of(SiteKind.POST_OFFICE)
    for town, branch in BRANCH_COORDINATES.items():
        nearest = min(km_between((o.lat, o.lon), branch) for o in offices if o.district == town)
        assert nearest < 2.0, town


def test_dense_towns_have_several_post_offices() -> None:
    for town in SOUTHERN_DISTRICTS:
        assert sum(1 for o in sites_of(SiteKind.POST_OFFICE) if o.district == town) >= 2, town


def test_reception_points_hang_off_a_branch() -> None:
    branch_codes = {b.code for b in sites_of(SiteKind.BRANCH)}
    points = sites_of(SiteKind.RECEPTION_POINT)
    assert 12 <= len(points) <= 20
    assert all(p.parent_code in branch_codes for p in points)


def test_parents_are_listed_before_their_children() -> None:
    seen: set[str] = set()
    for site in SITES:
        assert site.parent_code is None or site.parent_code in seen, site.code
        seen.add(site.code)


def test_catalogue_has_enough_procedures_across_fields() -> None:
    assert len(PROCEDURES) >= 30
    assert len({p.field for p in PROCEDURES}) >= 6
    assert {p.field for p in PROCEDURES} <= {f.code for f in FIELDS}


def test_every_procedure_lists_documents_with_a_form_and_copies() -> None:
    for procedure in PROCEDURES:
        assert procedure.documents, procedure.code
        assert all(d.form in ("original", "copy") and d.copies >= 1 for d in procedure.documents)


def test_procedures_are_received_at_a_center_or_branch_with_sane_fees() -> None:
    kinds = {SiteKind.PROVINCIAL_CENTER, SiteKind.BRANCH}
    assert all(p.receiving_kind in kinds for p in PROCEDURES)
    assert all(0 <= p.fee_vnd <= 1_000_000 and p.processing_days >= 1 for p in PROCEDURES)


def test_enough_couriers_each_based_at_an_existing_post_office() -> None:
    offices = {o.code for o in sites_of(SiteKind.POST_OFFICE)}
    assert len(COURIERS) >= 20
    assert all(c.home_post_office_code in offices for c in COURIERS)


def test_couriers_have_valid_phones_shifts_and_capacities() -> None:
    for c in COURIERS:
        assert VN_MOBILE.match(c.phone), c.code
        assert normalise_mobile(c.phone) == "+84" + c.phone[1:]
        assert c.shift_start < c.shift_end
        assert 20 <= c.capacity <= 40
        assert 25 <= c.speed_kmh <= 40


def test_most_couriers_work_in_the_dense_south() -> None:
    district = {o.code: o.district for o in sites_of(SiteKind.POST_OFFICE)}
    south = [c for c in COURIERS if district[c.home_post_office_code] in SOUTHERN_DISTRICTS]
    assert len(south) > len(COURIERS) / 2


def test_every_role_has_a_demo_account() -> None:
    assert {a.role for a in ACCOUNTS} == set(Role)


def test_every_courier_has_a_login_named_after_its_code() -> None:
    logins = {a.courier_code: a.username for a in ACCOUNTS if a.role == Role.COURIER}
    assert logins == {c.code: c.code.lower() for c in COURIERS}


def test_site_bound_accounts_point_at_existing_sites() -> None:
    codes = {s.code for s in SITES}
    assert all(a.site_code in codes for a in ACCOUNTS if a.site_code is not None)
    assert all(
        a.site_code is not None for a in ACCOUNTS if a.role in (Role.DISPATCHER, Role.CENTER_STAFF)
    )
