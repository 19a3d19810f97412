"""The citizen's copy on A4 pages: staff reads grouped by Vietnam day, role, site, kind of data
and route, and only the newest groups printed, so the PDF stays a few pages however many reads
pile up; the JSON keeps every read."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from courier.dossiers.models import Dossier
from courier.privacy import export
from courier.privacy.models import AccessLogEntry
from courier.settings import Settings
from tests.builders import book, site_id
from tests.courier.proofs.layout import assert_laid_out, printed

ROUTES = ["GET /api/v1/dossiers/{code}", "GET /center/", "GET /api/v1/dossiers", "GET /dispatch/"]
ROLES = ["admin", "dispatcher"]
START = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


def _dossier(client: TestClient, session: Session) -> Dossier:
    code = book(client)["tracking_code"]
    return session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()


def _read(dossier: Dossier, site: int, at: datetime, route: str, role: str) -> dict[str, object]:
    return {
        "at": at,
        "actor_kind": "user",
        "actor_id": 1,
        "role": role,
        "site_id": site,
        "dossier_id": dossier.id,
        "data": "dossier",
        "endpoint": route,
        "client": "203.0.113.7",
    }


def test_five_thousand_reads_print_on_a_few_pages(client: TestClient, session: Session) -> None:
    """5,000 reads over seven weeks (hundreds of groups): the PDF has at most 8 pages, prints the
    newest group and says how many older lines only the JSON holds; the JSON has all 5,000."""
    settings = Settings()
    dossier = _dossier(client, session)
    site = site_id(session, "BD-PO-TDM-1")
    rows = [
        _read(dossier, site, START + timedelta(minutes=14 * i), ROUTES[i % 4], ROLES[i // 7 % 2])
        for i in range(5000)
    ]
    session.execute(insert(AccessLogEntry), rows)
    copy = export.citizen_copy(session, dossier, settings, "en")
    pdf = export.render_pdf(copy, "en", settings.zone)
    count = re.search(rb"/Count (\d+)", pdf)
    assert len(copy["access_log"]) == 5000
    assert count is not None
    assert int(count[1]) <= 8
    pages = export.copy_pages(copy, "en", settings.zone)
    texts = [line.text for line in pages.lines]
    groups = export.read_groups(copy["access_log"])
    assert sum(g["count"] for g in groups) == 5000
    left_out = len(groups) - export.PDF_READ_LINES
    assert left_out > 0
    assert f"{left_out} older lines are not printed here; the JSON copy holds every read." in texts
    newest = groups[-1]
    assert any(f"day: {newest['day']}" in t and newest["endpoint"] in t for t in texts)


def test_reads_group_by_vietnam_day_role_site_data_and_route(
    client: TestClient, session: Session
) -> None:
    """Three reads by one role through one route in one Vietnam day are one line (3, first and
    last time); 17:00 UTC is the next day in Vietnam, another route or role another line."""
    settings = Settings()
    dossier = _dossier(client, session)
    site = site_id(session, "BD-PO-TDM-1")
    day = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
    rows = [
        _read(dossier, site, day, ROUTES[0], "dispatcher"),
        _read(dossier, site, day + timedelta(hours=2), ROUTES[0], "dispatcher"),
        _read(dossier, site, day + timedelta(hours=15, minutes=59), ROUTES[0], "dispatcher"),
        _read(dossier, site, day + timedelta(hours=16), ROUTES[0], "dispatcher"),
        _read(dossier, site, day + timedelta(hours=3), ROUTES[1], "dispatcher"),
        _read(dossier, site, day + timedelta(hours=4), ROUTES[0], "admin"),
    ]
    session.execute(insert(AccessLogEntry), rows)
    copy = export.citizen_copy(session, dossier, settings, "en")
    groups = export.read_groups(copy["access_log"])
    assert [
        (g["day"], g["role"], g["endpoint"], g["count"], g["first"], g["last"]) for g in groups
    ] == [
        ("2026-03-02", "dispatcher", ROUTES[0], 3, "08:00:00", "23:59:00"),
        ("2026-03-02", "dispatcher", ROUTES[1], 1, "11:00:00", "11:00:00"),
        ("2026-03-02", "admin", ROUTES[0], 1, "12:00:00", "12:00:00"),
        ("2026-03-03", "dispatcher", ROUTES[0], 1, "00:00:00", "00:00:00"),
    ]
    assert all(g["site"] == "BD-PO-TDM-1" and g["data"] == "dossier" for g in groups)


CAPITALS = (
    "SỐ 1234/56A ĐƯỜNG ĐẠI LỘ BÌNH DƯƠNG, KHU PHỐ HÒA LÂN 2, PHƯỜNG THUẬN GIAO, "
    "THÀNH PHỐ THUẬN AN, TỈNH BÌNH DƯƠNG"
)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_long_address_wraps_inside_the_page(
    client: TestClient, session: Session, lang: str
) -> None:
    """An address typed in capitals (120 characters) was cut every 110 characters, wider than the
    page in capitals: it wraps by its drawn width, printed whole, every line inside the margins."""
    assert len(CAPITALS) >= 110
    settings = Settings()
    copy = export.citizen_copy(session, _dossier(client, session), settings, lang)
    copy["dossier"]["address"] = CAPITALS
    pages = export.copy_pages(copy, lang, settings.zone)
    assert_laid_out(pages)
    assert printed(pages, f"address: {CAPITALS}")
