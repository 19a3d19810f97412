"""Erasure of a dossier's personal fields, once the administrative record's retention allows.

A dossier closes when delivered or cancelled (`states.TERMINAL`, at `status_changed_at`); its
personal fields are kept `COURIER_PERSONAL_DATA_RETENTION_DAYS` after that, then replaced by
`MARKER`: the applicant's name, phone and address, its point, its stops' addresses and points
(in the stored problems of the plans that routed them too), its failed visits' notes and
positions, the notes of its postponements, the SMS sent to it. The custody chain hashes none of
them (`courier.proofs.service.content_of`: parties by kind and id, the dossier by code, images
by digest), so it verifies as before. The signatures and photos go earlier, with the proof
retention (the setting keeps it no longer than this one); their digests stay in the chain and
they answer 410. The `privacy.purge` task erases every dossier due, asked for or not.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from courier.dossiers.models import Dossier, Job, JobAttempt
from courier.dossiers.states import TERMINAL
from courier.notifications.models import Notification
from courier.planning import erasure as plans
from courier.privacy.models import ErasureRequest
from courier.proofs.models import Postponement
from courier.settings import Settings

MARKER = "[đã xóa]"
BATCH = 500


@dataclass(frozen=True, slots=True)
class ErasureAnswer:
    """What a citizen's request got: `erased` now (or before), `scheduled` on a day, or `open`
    (the dossier is not closed: erasable `retention_days` after it closes, not before `on`)."""

    state: str
    on: date | None
    retention_days: int


def erasable_at(dossier: Dossier, settings: Settings) -> datetime | None:
    """When retention lets the dossier's personal fields go; None while it is open."""
    if dossier.status not in TERMINAL:
        return None
    return dossier.status_changed_at + timedelta(days=settings.personal_data_retention_days)


def request_erasure(
    session: Session, dossier: Dossier, *, via: str, now: datetime, settings: Settings
) -> ErasureAnswer:
    """Record the citizen's request (once per dossier) and erase now if retention allows."""
    due = erasable_at(dossier, settings)
    days = settings.personal_data_retention_days
    asked = session.scalar(select(ErasureRequest).where(ErasureRequest.dossier_id == dossier.id))
    if asked is None:
        asked = ErasureRequest(dossier_id=dossier.id, requested_at=now, requested_via=via)
        session.add(asked)
    asked.erasable_on = due.astimezone(settings.zone).date() if due else None
    if dossier.erased_at is None and due is not None and due <= now:
        erase(session, dossier, now=now)
    if dossier.erased_at is not None:
        asked.erased_at = asked.erased_at or dossier.erased_at
        return ErasureAnswer("erased", dossier.erased_at.astimezone(settings.zone).date(), days)
    if asked.erasable_on is not None:
        return ErasureAnswer("scheduled", asked.erasable_on, days)
    earliest = (now + timedelta(days=days)).astimezone(settings.zone).date()
    return ErasureAnswer("open", earliest, days)


def erase(session: Session, dossier: Dossier, *, now: datetime) -> None:
    """Replace the dossier's personal fields by the marker; a second call changes nothing."""
    erase_all(session, [dossier], now=now)


def erase_all(session: Session, dossiers: list[Dossier], *, now: datetime) -> None:
    """`erase` for several dossiers, their stops' points in stored plans in one pass."""
    due = [d for d in dossiers if d.erased_at is None]
    if not due:
        return
    stops = list(
        session.scalars(
            select(Job.id).where(Job.dossier_id.in_([d.id for d in due]), Job.site_id.is_(None))
        )
    )
    for dossier in due:
        _erase_fields(session, dossier, now)
    plans.forget_points(
        session,
        stops,
        days_from=min(d.created_at for d in due).date() - timedelta(days=1),
        cut_by=max(d.status_changed_at if d.status in TERMINAL else now for d in due),
    )
    session.flush()


def _erase_fields(session: Session, dossier: Dossier, now: datetime) -> None:
    dossier.applicant_name = MARKER
    dossier.applicant_phone = MARKER
    dossier.address_text = MARKER
    dossier.lat = dossier.lon = 0.0
    dossier.request_digest = None  # a digest of the booking's body, personal fields included
    dossier.erased_at = now
    session.execute(
        update(Job)
        .where(Job.dossier_id == dossier.id, Job.site_id.is_(None))
        .values(address_text=MARKER, lat=0.0, lon=0.0)
    )
    jobs = select(Job.id).where(Job.dossier_id == dossier.id)
    session.execute(
        update(JobAttempt)
        .where(JobAttempt.job_id.in_(jobs))
        .values(note="", lat=None, lon=None, accuracy_m=None)
    )
    session.execute(
        update(Notification)
        .where(Notification.dossier_id == dossier.id)
        .values(recipient=MARKER, body=MARKER)
    )
    session.execute(
        update(Postponement)
        .where(Postponement.dossier_id == dossier.id, Postponement.note != "")
        .values(note=MARKER)
    )
    session.execute(
        update(ErasureRequest)
        .where(ErasureRequest.dossier_id == dossier.id, ErasureRequest.erased_at.is_(None))
        .values(erased_at=now)
    )


def erase_due(session: Session, *, now: datetime, settings: Settings) -> list[str]:
    """Erase up to `BATCH` closed dossiers past retention, oldest first; their codes."""
    cut_off = now - timedelta(days=settings.personal_data_retention_days)
    due = session.scalars(
        select(Dossier)
        .where(
            Dossier.erased_at.is_(None),
            Dossier.status.in_(TERMINAL),
            Dossier.status_changed_at <= cut_off,
        )
        .order_by(Dossier.status_changed_at, Dossier.id)
        .limit(BATCH)
    ).all()
    erase_all(session, list(due), now=now)
    return [d.tracking_code for d in due]
