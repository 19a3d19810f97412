"""Out-of-range input is a 422 saying what to do, never a 500: ids past what the columns hold,
NaN and infinities, days and times centuries away, a token naming no number."""

import json
import math
import typing
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from api.schemas.handovers import HandoverIn
from courier.db import MAX_ID
from courier.settings import Settings
from tests.api.center_staff import as_staff, post_receive, receive_form
from tests.api.test_center_report_pages import staff_cookie
from tests.builders import (
    STAFF_TDM,
    book,
    booking_body,
    booking_day,
    courier_id,
    handover_body,
    headers_for,
    pick_up,
    post_handover,
)

HUGE = 2**63
CALENDAR_ENDS = (date.min, date.max)
UTC7 = timezone(timedelta(hours=7))
# the first moment at +07:00 is before the calendar's start in UTC, the last at -07:00 past its end
TIME_ENDS = (
    datetime(1, 1, 1, tzinfo=UTC7),
    datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-7))),
)
PARAMETER_KINDS = ("path_params", "query_params", "header_params", "cookie_params", "body_params")
# bodies a route reads by hand (a multipart form's JSON field) rather than through a parameter
HAND_PARSED: list[type[BaseModel]] = [HandoverIn]


def _accepts(annotation: Any, metadata: list[Any], value: object) -> bool:
    adapter = TypeAdapter(typing.Annotated[(annotation, *metadata)] if metadata else annotation)
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def _kinds(annotation: Any) -> set[Any]:
    """The plain types an annotation may hold (`int | None` → {int, NoneType})."""
    args = typing.get_args(annotation)
    return set().union(*map(_kinds, args)) if args else {annotation}


def _model_holes(model: type[BaseModel], where: str, seen: set[type]) -> Iterator[str]:
    if model in seen:
        return
    seen.add(model)
    for name, field in model.model_fields.items():
        place = f"{where}.{name}"
        for kind in _kinds(field.annotation):
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                yield from _model_holes(kind, place, seen)
        yield from _holes(field.annotation, field.metadata, place)


def _holes(annotation: Any, metadata: list[Any], place: str) -> Iterator[str]:
    kinds = _kinds(annotation)
    if int in kinds and (
        _accepts(annotation, metadata, HUGE) or _accepts(annotation, metadata, MAX_ID + 1)
    ):
        yield f"{place}: a number past {MAX_ID}"
    if float in kinds and _accepts(annotation, metadata, math.nan):
        yield f"{place}: NaN"
    if date in kinds and any(_accepts(annotation, metadata, day) for day in CALENDAR_ENDS):
        yield f"{place}: a day at the calendar's ends"
    if datetime in kinds and any(_accepts(annotation, metadata, at) for at in TIME_ENDS):
        yield f"{place}: a time at the calendar's ends"


def _dependant_holes(dependant: Dependant, where: str) -> Iterator[str]:
    for kind in PARAMETER_KINDS:
        for param in getattr(dependant, kind):
            info = param.field_info
            if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
                yield from _model_holes(info.annotation, f"{where} {param.name}", set())
            else:
                yield from _holes(info.annotation, info.metadata, f"{where} {param.name}")
    for sub in dependant.dependencies:
        yield from _dependant_holes(sub, where)


def _routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            found.append((f"{','.join(sorted(route.methods))} {context.path}", route))
    return found


def test_no_route_takes_an_unbounded_number(app: FastAPI) -> None:
    """Every number a route reads (path, query, header, form, JSON body, the pages' forms
    included) refuses 2^63 and one past the largest id; every decimal refuses NaN; every day
    refuses the first and the last of the calendar (date arithmetic past them fails), and every
    time the first and the last moment (their conversion to UTC fails)."""
    routes = _routes(app)
    holes = [hole for where, route in routes for hole in _dependant_holes(route.dependant, where)]
    holes += [hole for model in HAND_PARSED for hole in _model_holes(model, model.__name__, set())]
    assert holes == []
    id_paths = [where for where, route in routes if "_id}" in where]
    assert len(id_paths) >= 25  # the walk did reach the routers and the pages


def test_huge_ids_in_paths_and_bodies_are_422(client: TestClient, session: Session) -> None:
    """The finding: ids of 2^63 answered 500. Now 422, in a path and in a JSON body."""
    admin = headers_for(session, "admin")
    answers = [
        client.get(f"/api/v1/handovers/{HUGE}", headers=admin),
        client.get(f"/api/v1/jobs/{MAX_ID + 1}", headers=admin),
        client.get(f"/api/v1/plans/{HUGE}/progress", headers=admin),
        client.post("/api/v1/jobs/1/assign", json={"courier_id": HUGE}, headers=admin),
        client.post("/api/v1/plans/1/moves", json={"job_id": HUGE, "courier_id": 1}, headers=admin),
    ]
    assert [a.status_code for a in answers] == [422] * 5
    assert "hãy nhập một số không lớn hơn 2147483647" in answers[0].json()["detail"][0]["msg"]


def test_a_huge_party_id_in_a_handover_is_422(client: TestClient, session: Session) -> None:
    """The handover's JSON form field is checked the same way."""
    code = book(client)["tracking_code"]
    body = handover_body({"kind": "citizen"}, {"kind": "courier", "id": HUGE}, [code])
    answer = post_handover(client, body, headers_for(session, "bd-cr-tdm-01"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "handover", "receiver", "id"]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_a_coordinate_that_is_no_number_is_422(client: TestClient, number: str) -> None:
    """NaN and infinities in JSON are refused as "please enter a number", not as a range."""
    raw = json.dumps(booking_body()).replace('"lat": 10.981', f'"lat": {number}')
    answer = client.post(
        "/api/v1/bookings", content=raw, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] == "finite_number"
    assert "hãy nhập một số" in answer.json()["detail"][0]["msg"]


def test_a_booking_far_ahead_is_422(client: TestClient) -> None:
    """The finding: a booking in 2099 was accepted, one in 9999 was a 500. Past the booking
    horizon (60 days) is 422 saying so; past the years the service can mean, 422 naming them."""
    far = client.post("/api/v1/bookings", json=booking_body(preferred_on="2099-01-05"))
    assert far.status_code == 422
    assert far.json()["detail"][0]["type"] == "day_too_far"
    assert "tối đa 60 ngày" in far.json()["detail"][0]["msg"]
    end = client.post("/api/v1/bookings", json=booking_body(preferred_on="9999-12-31"))
    assert end.status_code == 422
    assert end.json()["detail"][0]["type"] == "day_out_of_range"
    assert "2000-01-01 đến 2099-12-31" in end.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("day", "kind"), [("2099-01-05", "day_too_far"), ("9999-12-31", "day_out_of_range")]
)
def test_a_reschedule_far_ahead_is_422(client: TestClient, day: str, kind: str) -> None:
    """The citizen's reschedule has the booking's horizon."""
    code = book(client)["tracking_code"]
    body = {"phone": "5678", "preferred_on": day, "slot": "morning"}
    answer = client.post(f"/api/v1/track/{code}/reschedule", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] == kind


@pytest.mark.parametrize(
    ("day", "kind"), [("2099-01-05", "day_too_far"), ("9999-12-31", "day_out_of_range")]
)
def test_a_postponement_far_ahead_is_422(
    client: TestClient, session: Session, day: str, kind: str
) -> None:
    """A result date moves at most a year ahead (366 days)."""
    code = book(client)["tracking_code"]
    body = {"new_due_on": day, "reason": "additional_verification"}
    staff = headers_for(session, STAFF_TDM)
    answer = client.post(f"/api/v1/dossiers/{code}/postpone", json=body, headers=staff)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] == kind


@pytest.mark.parametrize(
    ("day", "kind"), [("2099-01-05", "day_too_far"), ("9999-12-31", "day_out_of_range")]
)
def test_a_plan_far_ahead_is_422(client: TestClient, session: Session, day: str, kind: str) -> None:
    """A plan is built for a day at most a month ahead (one for 9999 was queued)."""
    dispatcher = headers_for(session, "dispatch.tdm")
    answer = client.post("/api/v1/plans", json={"service_on": day}, headers=dispatcher)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] == kind


@pytest.mark.parametrize(
    "claims",
    [{"sub": "abc"}, {"sub": str(HUGE)}, {"sub": "1", "sid": "x"}, {"sub": "1", "sid": HUGE}],
    ids=["sub-text", "sub-huge", "sid-text", "sid-huge"],
)
def test_a_token_naming_no_id_is_401(
    client: TestClient, settings: Settings, claims: dict[str, object]
) -> None:
    """A signed token whose `sub` (or device `sid`) is no id is refused like a forged one."""
    token = jwt.encode({**claims, "exp": 4_000_000_000}, settings.secret_key, algorithm="HS256")
    answer = client.get("/api/v1/jobs", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def _date_queries(route: APIRoute) -> list[tuple[str, str]]:
    """(alias, path) of the route's date query parameters."""
    return [
        (param.alias, route.path)
        for param in route.dependant.query_params
        if date in _kinds(param.field_info.annotation)
    ]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_at_the_calendars_ends_is_never_a_500(
    app: FastAPI, client: TestClient, session: Session, day: str
) -> None:
    """Every GET that takes a day in its query (API, and pages as an admin signed in to them)
    answers the first and the last day of the calendar without a 500."""
    client.cookies.update(staff_cookie(session, "admin"))
    admin = headers_for(session, "admin")
    asked = {}
    for where, route in _routes(app):
        names = [alias for alias, _ in _date_queries(route)]
        if not names or "GET" not in route.methods or "{" in where:
            continue
        path = where.split(" ", 1)[1]
        asked[path] = client.get(path, params=dict.fromkeys(names, day), headers=admin).status_code
    assert len(asked) >= 5
    assert {path: status for path, status in asked.items() if status >= 500} == {}


def test_a_handover_time_at_the_calendars_ends_is_422(client: TestClient, session: Session) -> None:
    """The finding: a handover's `device_at` of 0001-01-01T00:00+07:00 answered 500 (storing it
    in UTC runs before the calendar's start). Now 422 naming the years, nothing recorded."""
    code = book(client)["tracking_code"]
    cid = courier_id(session, "BD-CR-TDM-01")
    body = handover_body({"kind": "citizen"}, {"kind": "courier", "id": cid}, [code])
    body["device_at"] = TIME_ENDS[0].isoformat()
    answer = post_handover(client, body, headers_for(session, "bd-cr-tdm-01"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] == "day_out_of_range"
    assert "2000-01-01 đến 2099-12-31" in answer.json()["detail"][0]["msg"]


@pytest.mark.parametrize("at", [end.isoformat() for end in TIME_ENDS])
def test_the_counters_clock_at_the_calendars_ends_is_422(
    client: TestClient, session: Session, at: str
) -> None:
    """The counter page's form sends the tablet's time: one at the calendar's ends is refused
    with the page's own sentence (Vietnamese first), and no handover is recorded."""
    code = book(client)["tracking_code"]
    cid, _ = pick_up(client, session, code)
    as_staff(client, session, STAFF_TDM)
    answer = post_receive(client, receive_form(cid, [code], device_at=at))
    assert answer.status_code == 422, answer.text
    assert "thời gian không đọc được" in answer.json()["detail"]


def test_a_re_plan_from_after_the_plans_day_is_422(client: TestClient, session: Session) -> None:
    """A re-plan `at` the calendar's start is refused by the schema, one after the plan's day
    (nothing of the day is left) by the plan; neither queues a plan."""
    book(client)
    day = booking_day()
    dispatcher = headers_for(session, "dispatch.tdm")
    made = client.post("/api/v1/plans", json={"service_on": day.isoformat()}, headers=dispatcher)
    assert made.status_code == 202, made.text
    url = f"/api/v1/plans/{made.json()['id']}/replan"
    for at in (TIME_ENDS[0], datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC7)):
        answer = client.post(url, json={"at": at.isoformat()}, headers=dispatcher)
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"][0]["loc"][-1] == "at"
    assert "trước ngày của kế hoạch, " + day.isoformat() in answer.json()["detail"][0]["msg"]
    plans = client.get("/api/v1/plans", params={"date": day.isoformat()}, headers=dispatcher)
    assert len(plans.json()) == 1


@pytest.mark.parametrize("path", ["/center/report", "/center/report.pdf"])
@pytest.mark.parametrize(
    "asked",
    [
        {"month": "9999-12"},
        {"month": "0001-01"},
        {"from": "9999-12-31", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-01"},
    ],
    ids=["month-9999", "month-0001", "days-9999", "days-0001"],
)
def test_a_report_at_the_calendars_ends_is_422(
    client: TestClient, session: Session, path: str, asked: dict[str, str]
) -> None:
    """The finding: the report page and its PDF answered 500 for the month 9999-12 and for the
    days 9999-12-31 or 0001-01-01. Now the page, 422, says which years it covers (in Vietnamese)."""
    client.cookies.update(staff_cookie(session, "admin"))
    answer = client.get(path, params=asked)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "2000-01-01 đến 2099-12-31" in answer.text
