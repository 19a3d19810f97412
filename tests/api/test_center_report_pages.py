"""The report page and its PDF, on June 2026 of the statistics tests (figures known by
construction): a clerk reads their own center with the API's numbers, a bad period is said
clearly, the default is the last full month, and the PDF is an A4 document of the same figures.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from api import signin
from api.main import create_app
from courier.accounts.models import User
from courier.reports import figures
from tests.builders import headers_for
from tests.conftest import joined_sessions, rolled_back, suite_settings
from tests.courier.stats.test_site_stats import EXTRA, WORLD
from tests.courier.stats.world import Life, make_dossier

JUNE = {"month": "2026-06"}
VI = {"Accept-Language": "vi"}
EN = {"Accept-Language": "en"}


def make_world(session: Session) -> None:
    """The statistics tests' June, failed attempts and postponement included."""
    for name, life in WORLD.items():
        steps = list(life.steps)
        if name in EXTRA:
            position, step = EXTRA[name]
            steps.insert(position, step)
        make_dossier(session, Life(life.site, life.preferred_on, life.slot, steps, life.due_on))


def staff_cookie(session: Session, username: str) -> dict[str, str]:
    """The staff screens' session cookie of an account, as signing in sets it."""
    user_id = session.scalar(select(User.id).where(User.username == username))
    assert user_id is not None, username
    answer = Response()
    signin.sign_in(answer, suite_settings(), user_id, signin.STAFF_COOKIE)
    value = answer.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    return {signin.STAFF_COOKIE: value}


@contextmanager
def served_world(engine: Engine) -> Iterator[tuple[TestClient, Session]]:
    """The world, served, on a connection rolled back at the end."""
    with (
        rolled_back(engine) as conn,
        joined_sessions(conn) as made,
        TestClient(create_app(suite_settings(), made)) as client,
        made() as session,
    ):
        make_world(session)
        session.commit()
        yield client, session


@pytest.fixture(scope="module")
def reports(engine: Engine) -> Iterator[tuple[TestClient, Session]]:
    """The world, served, for the module."""
    with served_world(engine) as served:
        yield served


def _get(
    reports: tuple[TestClient, Session], who: str, path: str, params: dict[str, str], lang: str
) -> tuple[int, str, bytes]:
    client, session = reports
    client.cookies.clear()
    client.cookies.update(staff_cookie(session, who))
    answer = client.get(path, params=params, headers=VI if lang == "vi" else EN)
    client.cookies.clear()
    return answer.status_code, answer.headers.get("content-type", ""), answer.content


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def test_a_clerk_reads_the_figures_the_api_gives(reports: tuple[TestClient, Session]) -> None:
    """BD-TDM's June on its clerk's page: the counts, each leg as 'x of y' with its rate, the
    failures in words and the days per stage, equal to GET /stats/sites/BD-TDM."""
    client, session = reports
    api = client.get(
        "/api/v1/stats/sites/BD-TDM",
        params={"from": "2026-06-01", "to": "2026-06-30"},
        headers=headers_for(session, "center.tdm"),
    ).json()
    status, _, html = _get(reports, "center.tdm", "/center/report", JUNE, "en")
    assert status == 200
    text = _text(html)
    assert "Report: Thu Dau Mot Branch" in text
    assert "From 01/06/2026 to 30/06/2026" in text
    assert re.search(rf'id="count-received">{api["received"]}<', html.decode())
    assert re.search(rf'id="count-returned">{api["returned"]}<', html.decode())
    for leg in ("pickup", "arrival", "return_by_due", "end_to_end"):
        figures = api[leg]
        row = re.search(rf'data-leg="{leg}">(.*?)</tr>', html.decode(), re.S)
        assert row is not None
        assert f"{figures['on_time']} of {figures['total']}" in row.group(1)
    assert "End to end (all three on time) 40% (2 of 5)" in text
    assert "Counter closed" in text
    assert "Refused" in text
    assert "Average days per stage" in text


def test_the_page_speaks_vietnamese(reports: tuple[TestClient, Session]) -> None:
    """The same page in Vietnamese: its title, rates with a comma, and 'x trên y'."""
    status, _, html = _get(reports, "center.tdm", "/center/report", JUNE, "vi")
    assert status == 200
    text = _text(html)
    assert "Báo cáo: Chi nhánh Thủ Dầu Một" in text
    assert "40 % (2 trên 5)" in text


def test_another_centers_code_is_refused_like_an_unknown_one(
    reports: tuple[TestClient, Session],
) -> None:
    """BD-TA asked by BD-TDM's clerk answers exactly as a code that does not exist: 404."""
    other = _get(reports, "center.tdm", "/center/report", {"site": "BD-TA", **JUNE}, "en")
    unknown = _get(reports, "center.tdm", "/center/report", {"site": "XX-NONE", **JUNE}, "en")
    assert other[0] == unknown[0] == 404
    assert other[2].replace(b"BD-TA", b"?") == unknown[2].replace(b"XX-NONE", b"?")
    assert b"Thuan An" not in other[2]
    assert _get(reports, "center.tdm", "/center/report.pdf", {"site": "BD-TA"}, "en")[0] == 404


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-06-30", "to": "2026-06-01"}, "the period ends before it begins"),
        ({"from": "2025-01-01", "to": "2026-06-01"}, "a period covers at most 366 days"),
        ({"from": "2026-06-01"}, "Give both dates of the period, as YYYY-MM-DD."),
        ({"month": "2026-13"}, "Choose a month as YYYY-MM."),
    ],
)
def test_a_bad_period_is_said_clearly(
    reports: tuple[TestClient, Session], params: dict[str, str], message: str
) -> None:
    """A reversed, too long, half-given or impossible period: 422, the reason, the form, no figures."""
    status, _, html = _get(reports, "center.tdm", "/center/report", params, "en")
    assert status == 422
    assert message in _text(html)
    assert b'role="alert"' in html
    assert b'id="r-month"' in html
    assert b'id="report"' not in html


def test_without_a_period_the_last_full_month(reports: tuple[TestClient, Session]) -> None:
    """A center head opens the report on the last complete month (Vietnam time)."""
    status, _, html = _get(reports, "center.tdm", "/center/report", {}, "en")
    today = datetime.now(suite_settings().zone).date()
    last = today.replace(day=1) - timedelta(days=1)
    assert status == 200
    assert f"From 01/{last:%m/%Y} to {last:%d/%m/%Y}" in _text(html)


def test_dates_give_a_daily_trend_that_adds_up(reports: tuple[TestClient, Session]) -> None:
    """From 9 to 18 June: ten days in the trend's table whose received add up to the count."""
    params = {"from": "2026-06-09", "to": "2026-06-18"}
    status, _, html = _get(reports, "center.tdm", "/center/report", params, "en")
    assert status == 200
    table = re.search(r'id="table-trend">.*?<tbody>(.*?)</tbody>', html.decode(), re.S)
    assert table is not None
    rows = re.findall(r"<tr><th[^>]*>([^<]*)</th><td>(\d+)</td><td>(\d+)</td></tr>", table.group(1))
    assert [r[0] for r in rows][:2] == ["09/06/2026", "10/06/2026"]
    assert len(rows) == 10
    received = re.search(r'id="count-received">(\d+)<', html.decode())
    assert received is not None
    assert sum(int(r[1]) for r in rows) == int(received.group(1)) == 4


def test_an_admin_sets_every_center_side_by_side(reports: tuple[TestClient, Session]) -> None:
    """No center chosen: one row per center (28) and the total; BD-TDM's row has its counts."""
    status, _, html = _get(reports, "admin", "/center/report", JUNE, "en")
    assert status == 200
    body = html.decode()
    table = re.search(r'id="table-centers">.*?<tbody>(.*?)</tbody>', body, re.S)
    assert table is not None
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    assert len(rows) == 28
    tdm = next(r for r in rows if ">BD-TDM<" in r)
    assert re.findall(r"<td>([^<]*)</td>", tdm)[:2] == ["5", "5"]
    assert "All centers" in _text(html)
    chosen = _get(reports, "admin", "/center/report", {"site": "BD-TA", **JUNE}, "en")
    assert chosen[0] == 200
    assert "Report: Thuan An Branch" in _text(chosen[2])


def test_the_pdf_is_an_a4_document(reports: tuple[TestClient, Session]) -> None:
    """GET /center/report.pdf: a PDF of one A4 page or more, named after the center and period."""
    client, session = reports
    client.cookies.update(staff_cookie(session, "center.tdm"))
    answer = client.get("/center/report.pdf", params=JUNE, headers=VI)
    client.cookies.clear()
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert "report-BD-TDM-2026-06-01-2026-06-30.pdf" in answer.headers["content-disposition"]
    assert answer.headers["cache-control"] == "private, no-store"
    assert answer.content.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox \[ ?0 0 ([\d.]+) ([\d.]+) ?\]", answer.content)
    assert boxes
    assert all(abs(float(w) - 595.2) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes)


def test_a_period_is_kept_when_the_date_is_today(reports: tuple[TestClient, Session]) -> None:
    """'This month so far' is offered as a month link, and the month's form keeps the month."""
    _, _, html = _get(reports, "center.tdm", "/center/report", JUNE, "en")
    this_month = datetime.now(suite_settings().zone).strftime("%Y-%m")
    assert f"/center/report?month={this_month}".encode() in html
    assert b'value="2026-06"' in html


@pytest.mark.parametrize(
    ("today", "month", "last"),
    [
        (date(2026, 12, 8), "2026-12", date(2026, 12, 8)),  # this month so far
        (date(2026, 12, 31), "2026-12", date(2026, 12, 31)),
        (date(2026, 12, 8), "2026-11", date(2026, 11, 30)),  # a past month, whole
        (date(2026, 12, 8), "2027-01", date(2027, 1, 31)),  # a month to come, whole
    ],
)
def test_this_month_ends_today(today: date, month: str, last: date) -> None:
    """A month's period ends today while it runs, not on its last day to come."""
    span = figures.asked_period(month, "", "", today, suite_settings())
    assert (span.from_on, span.to_on) == (date.fromisoformat(f"{month}-01"), last)


def test_this_month_so_far_is_said_up_to_today(reports: tuple[TestClient, Session]) -> None:
    """The page of the month running says 'From the 1st to today' (Vietnam date)."""
    today = datetime.now(suite_settings().zone).date()
    month = {"month": today.strftime("%Y-%m")}
    _, _, html = _get(reports, "center.tdm", "/center/report", month, "vi")
    first, shown = today.replace(day=1).strftime("%d/%m/%Y"), today.strftime("%d/%m/%Y")
    assert f"Từ {first} đến {shown}" in _text(html)
