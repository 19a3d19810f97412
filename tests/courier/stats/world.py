"""A small hand-built world of dossiers whose every tracking event is placed by hand.

Each dossier is written as the services write it (a `Dossier` row and the tracking events of its
life, statuses moved by the state machine, each event added to the daily rollup as
`record_event` adds it), with times chosen so that each statistic is known.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.catalogue.models import Procedure, Site
from courier.dossiers import codes, states
from courier.dossiers.models import (
    Dossier,
    DossierStatus,
    ResultReturn,
    Slot,
    TrackingEvent,
)
from courier.dossiers.states import Event
from courier.enums import PartyKind
from courier.stats import rollup
from tests.builders import HO_CHI_MINH

HANDOVERS = {
    Event.PICK_UP,
    Event.RECEIVE_AT_CENTER,
    Event.RESULT_PICK_UP,
    Event.DELIVER,
    Event.COLLECT_AT_CENTER,
}


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time in Ho Chi Minh City, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HO_CHI_MINH).astimezone(UTC)


@dataclass
class Step:
    """One event of a dossier's life at a local time; `synced` is when the server heard of it."""

    event: Event
    at: datetime
    reason: str | None = None
    synced: datetime | None = None
    due_on: date | None = None


@dataclass
class Life:
    """A dossier of the world: its site, the citizen's slot, its due date and its events."""

    site: str
    preferred_on: date
    slot: Slot
    steps: list[Step] = field(default_factory=list)
    due_on: date | None = None


def make_dossier(session: Session, life: Life, *, rolled_up: bool = True) -> Dossier:
    """Insert the dossier and its tracking events; status and change time as after the last;
    each event added to the daily rollup unless `rolled_up` is false (as a COPY would)."""
    site_id = session.scalar(select(Site.id).where(Site.code == life.site))
    procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == "HT-01"))
    assert site_id is not None
    assert procedure_id is not None
    first = life.steps[0].at
    dossier = Dossier(
        tracking_code=codes.new_tracking_code(),
        procedure_id=procedure_id,
        receiving_site_id=site_id,
        applicant_name="Trần Thị Thống Kê",
        applicant_phone="+84912000000",
        address_text="1 Yersin, Thủ Dầu Một",
        lat=10.98,
        lon=106.65,
        preferred_on=life.preferred_on,
        slot=life.slot,
        result_return=ResultReturn.POST,
        consent_version="test",
        consent_at=first,
        procedure_fee_vnd=0,
        service_fee_vnd=0,
        status=DossierStatus.BOOKED,
        status_changed_at=first,
        holder_kind=PartyKind.CITIZEN,
        due_on=life.due_on,
        created_at=first,
    )
    session.add(dossier)
    session.flush()
    for step in life.steps:
        _record(session, dossier, step, rolled_up)
    session.flush()
    return dossier


def _record(session: Session, dossier: Dossier, step: Step, rolled_up: bool) -> None:
    before = None if step.event is Event.BOOK else dossier.status
    if before is not None:
        dossier.status = states.target(before, step.event)
    occurred = step.synced or step.at
    dossier.status_changed_at = occurred
    event = TrackingEvent(
        dossier_id=dossier.id,
        event=step.event.value,
        code=states.EVENTS[step.event].code,
        from_status=before,
        to_status=dossier.status,
        actor_kind="system",
        reason=step.reason,
        occurred_at=occurred,
        device_at=step.at if step.event in HANDOVERS else None,
        due_on=step.due_on,
    )
    session.add(event)
    session.flush()
    if rolled_up:
        rollup.on_event(session, dossier, event)


def days(start: datetime, end: datetime) -> float:
    """The time between two instants in days."""
    return (end - start) / timedelta(days=1)
