"""The dispatcher's live day shows each courier's stops with or without a plan (issue 12 point 9),
the jobs no courier has, and windows over two days with their dates."""

import html
import re
from datetime import time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import calendar
from courier.db import utcnow
from courier.dossiers.models import Dossier, Job, JobKind, Leg
from courier.settings import Settings
from tests.api.test_dispatch_page_scope import sign_in
from tests.builders import (
    assign,
    book,
    booking_day,
    courier_id,
    find_job,
    headers_for,
    pick_up,
)


def _section(page: str, heading_id: str) -> str:
    found = re.search(rf'aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert found is not None, f"no section {heading_id}"
    return html.unescape(found.group())


def _row(section: str, code: str) -> str:
    found = re.search(rf"<tr[^>]*>\s*<th scope=\"row\"[^>]*>{code}</th>.*?</tr>", section, re.S)
    assert found is not None, f"no row for {code}"
    return found.group()


def _cells(row: str) -> dict[str, str]:
    return {
        label: re.sub(r"<[^>]+>", "", value).strip()
        for label, value in re.findall(r'data-label="([^"]+)"[^>]*>(.*?)</t[dh]>', row, re.S)
    }


def _job(session: Session, code: str, leg: Leg, kind: JobKind) -> Job:
    session.expire_all()
    job = session.scalar(
        select(Job)
        .join(Dossier, Dossier.id == Job.dossier_id)
        .where(Dossier.tracking_code == code, Job.leg == leg, Job.kind == kind)
    )
    assert job is not None
    return job


def test_the_day_without_a_plan_shows_each_couriers_stops_and_the_unassigned(
    client: TestClient, session: Session
) -> None:
    """No plan for the day: a dossier picked up and one only assigned by hand count on their
    courier (done 1, pending 3, all by hand); a third, assigned to no one, is listed as such."""
    picked, assigned, alone = (book(client)["tracking_code"] for _ in range(3))
    pick_up(client, session, picked)
    dispatcher = headers_for(session, "dispatch.tdm")
    job = find_job(client, dispatcher, assigned, "inbound", "pickup")
    assign(client, dispatcher, job, courier_id(session, "BD-CR-TDM-01"))
    sign_in(client, "dispatch.tdm")
    page = client.get(f"/dispatch/?date={booking_day().isoformat()}")
    assert page.status_code == 200
    live = _section(page.text, "h-live")
    cells = _cells(_row(live, "BD-CR-TDM-01"))
    assert cells["Stops"] == "4 (4 by hand)"
    assert (cells["Done"], cells["Failed"], cells["Pending"], cells["Late"]) == ("1", "0", "3", "0")
    unassigned = live[live.index('id="h-unassigned"') :]
    assert alone in unassigned
    assert picked not in unassigned
    assert assigned not in unassigned


def test_a_stop_assigned_by_hand_is_late_after_its_window(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """A pickup assigned by hand whose window ended yesterday at 10:00 and was never made is late
    on yesterday's live day."""
    code = book(client)["tracking_code"]
    dispatcher = headers_for(session, "dispatch.tdm")
    assign(
        client,
        dispatcher,
        find_job(client, dispatcher, code, "inbound", "pickup"),
        courier_id(session, "BD-CR-TDM-01"),
    )
    yesterday = calendar.local_today(utcnow(), settings.zone) - timedelta(days=1)
    job = _job(session, code, Leg.INBOUND, JobKind.PICKUP)
    job.window_start = calendar.at(yesterday, time(8), settings.zone)
    job.window_end = calendar.at(yesterday, time(10), settings.zone)
    session.commit()
    sign_in(client, "dispatch.tdm")
    page = client.get(f"/dispatch/?date={yesterday.isoformat()}")
    cells = _cells(_row(_section(page.text, "h-live"), "BD-CR-TDM-01"))
    assert (cells["Pending"], cells["Late"]) == ("1", "1")


def test_a_window_over_two_days_shows_its_dates(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """A pickup open from 13:30 on the day to 17:00 the next is shown with both dates; one within
    the day with its hours only."""
    over, within = (book(client)["tracking_code"] for _ in range(2))
    day = booking_day()
    job = _job(session, over, Leg.INBOUND, JobKind.PICKUP)
    job.window_start = calendar.at(day, time(13, 30), settings.zone)
    job.window_end = calendar.at(day + timedelta(days=1), time(17), settings.zone)
    session.commit()
    sign_in(client, "dispatch.tdm")
    page = html.unescape(client.get(f"/dispatch/?date={day.isoformat()}").text)
    shown = f"{day:%d/%m} 13:30 – {day + timedelta(days=1):%d/%m} 17:00"
    assert re.search(rf"{over}</td>.*?{re.escape(shown)}", page, re.S), page
    inside = re.search(rf"{within}</td>.*?<td class=\"nowrap\"[^>]*>([^<]*)</td>", page, re.S)
    assert inside is not None
    assert re.fullmatch(r"\d\d:\d\d–\d\d:\d\d", inside.group(1)), inside.group(1)
