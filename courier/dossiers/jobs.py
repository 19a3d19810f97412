"""Courier jobs: the pickup→delivery pairs a dossier needs, assignment, attempts and re-queueing."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from courier import access, calendar
from courier.actors import Actor
from courier.catalogue import service as catalogue
from courier.catalogue.models import Site
from courier.db import utcnow
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier, Job, JobAttempt, JobKind, JobStatus, Leg, Slot
from courier.dossiers.states import Event
from courier.enums import Role
from courier.errors import (
    Conflict,
    FieldProblem,
    InvalidInput,
    JobNotFound,
    PermissionDenied,
)
from courier.fleet.models import Courier
from courier.idempotency import fingerprint, insert_once, stored_key
from courier.settings import Settings
from courier.text import mark

# catalogue ids: the API answers them in the caller's language
NO_JOB = mark("No job %(id)s.")
NO_ACTIVE_COURIER = mark("No active courier %(id)s.")
OWN_COURIERS = mark("A dispatcher assigns jobs only to couriers of their own post office.")
NOT_OPEN = mark("Job %(id)s is no longer open; only open jobs can be assigned.")
COURIER_AT_STOP = mark("Only the courier at the stop records a failed attempt.")
NOT_ASSIGNED = mark(
    "Job %(id)s is not assigned now; only an assigned job records a failed attempt."
)

CITIZEN_SERVICE_S = 300
# a dossier alone at a counter: ten minutes. The plan counts the wait at the counter once per
# visit (its setup) and each dossier's check and signature apart, so twenty dossiers handed in
# together take 8 + 20 x 2 minutes, not 200 (courier.planning.problem)
COUNTER_SERVICE_S = 600
COUNTER_SETUP_S = 480
RETURN_DELIVERY_WORKING_DAYS = 3
_OPEN = (JobStatus.PENDING, JobStatus.ASSIGNED)


class FailureReason(StrEnum):
    """Why a stop could not be served."""

    NOT_HOME = "not_home"
    WRONG_ADDRESS = "wrong_address"
    DOCUMENTS_INCOMPLETE = "documents_incomplete"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    SITE_CLOSED = "site_closed"
    OTHER = "other"


def inbound_windows(
    dossier: Dossier, settings: Settings
) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """The pickup window (the chosen slot) and the delivery window (until the site next closes)."""
    start, end = calendar.slot_window(dossier.preferred_on, dossier.slot, settings.zone)
    site = dossier.receiving_site
    last_day = catalogue.next_open_day(site, dossier.preferred_on)
    return (start, end), (start, catalogue.closing_time(site, last_day, settings.zone))


Window = tuple[datetime, datetime]


def _at_citizen(dossier: Dossier, window: Window) -> dict[str, Any]:
    return {
        "address_text": dossier.address_text,
        "lat": dossier.lat,
        "lon": dossier.lon,
        "window_start": window[0],
        "window_end": window[1],
        "service_s": CITIZEN_SERVICE_S,
    }


def _at_site(site: Site, window: Window) -> dict[str, Any]:
    return {
        "site_id": site.id,
        "address_text": site.address,
        "lat": site.lat,
        "lon": site.lon,
        "window_start": window[0],
        "window_end": window[1],
        "service_s": COUNTER_SERVICE_S,
    }


def _add_pair(
    session: Session, dossier: Dossier, leg: Leg, pickup: dict[str, Any], delivery: dict[str, Any]
) -> tuple[Job, Job]:
    jobs = tuple(
        Job(dossier=dossier, leg=leg, kind=kind, status=JobStatus.PENDING, **stop)
        for kind, stop in ((JobKind.PICKUP, pickup), (JobKind.DELIVERY, delivery))
    )
    session.add_all(jobs)
    session.flush()
    return jobs[0], jobs[1]


def create_inbound_pair(session: Session, dossier: Dossier, settings: Settings) -> tuple[Job, Job]:
    """The pickup at the citizen and the delivery at the receiving site, as one pair."""
    pickup_window, delivery_window = inbound_windows(dossier, settings)
    return _add_pair(
        session,
        dossier,
        Leg.INBOUND,
        _at_citizen(dossier, pickup_window),
        _at_site(dossier.receiving_site, delivery_window),
    )


def create_return_pair(
    session: Session, dossier: Dossier, settings: Settings, *, ready_at: datetime
) -> tuple[Job, Job]:
    """The result's pickup at the center and its delivery to the citizen."""
    site = dossier.receiving_site
    ready_on = ready_at.astimezone(settings.zone).date()
    pickup_end = catalogue.closing_time(
        site, catalogue.next_open_day(site, ready_on), settings.zone
    )
    # a result made ready after hours can only leave when the counter opens again
    start = catalogue.next_opening(site, ready_at, settings.zone)
    leaves_on = start.astimezone(settings.zone).date()
    last_day = calendar.add_working_days(leaves_on, RETURN_DELIVERY_WORKING_DAYS)
    _, delivery_end = calendar.slot_window(last_day, Slot.AFTERNOON, settings.zone)
    return _add_pair(
        session,
        dossier,
        Leg.RETURN,
        _at_site(site, (start, pickup_end)),
        _at_citizen(dossier, (start, delivery_end)),
    )


def window_on(job: Job, slot: Slot, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The job's window as it stands on a day: a result brought to the citizen comes in the slot
    they chose at booking, whatever span of days its job allows; any other job keeps its window."""
    if (job.leg, job.kind) != (Leg.RETURN, JobKind.DELIVERY) or job.site_id is not None:
        return job.window_start, job.window_end
    start, end = calendar.slot_window(day, slot, zone)
    return max(start, job.window_start), min(end, job.window_end)


def hold_overnight(
    session: Session, dossier: Dossier, office: Site, settings: Settings, *, at: datetime
) -> tuple[Job, Job] | None:
    """A dossier left at a post office on its way in: the courier's delivery ends there, and the
    relay leg, from the office to the center when both are open on a later working day, is queued
    (again, after a second night). None when no delivery to a center is left (nothing to relay).
    """
    delivery = open_job(session, dossier, Leg.INBOUND, JobKind.DELIVERY)
    delivery = delivery or open_job(session, dossier, Leg.RELAY, JobKind.DELIVERY)
    if delivery is None:
        return None
    zone = settings.zone
    tomorrow = calendar.next_working_day(calendar.local_today(at, zone))
    start = catalogue.next_opening(office, calendar.at(tomorrow, time(0), zone), zone)
    day = start.astimezone(zone).date()
    center = dossier.receiving_site
    last = day if catalogue.is_open_on(center, day) else catalogue.next_open_day(center, day)
    collect = _at_site(office, (start, catalogue.closing_time(office, day, zone)))
    bring = _at_site(center, (start, catalogue.closing_time(center, last, zone)))
    if delivery.leg is Leg.INBOUND:
        mark_done(delivery)
        return _add_pair(session, dossier, Leg.RELAY, collect, bring)
    pickup, delivery = pair_of(session, delivery)
    for job, fields in ((pickup, collect), (delivery, bring)):
        for name, value in fields.items():
            setattr(job, name, value)
        job.status, job.courier_id = JobStatus.PENDING, None
    return pickup, delivery


def pair_of(session: Session, job: Job) -> list[Job]:
    """Both jobs of the job's pair (same dossier and leg), pickup first."""
    query = (
        select(Job)
        .where(Job.dossier_id == job.dossier_id, Job.leg == job.leg)
        .order_by(Job.kind.desc())
    )
    return list(session.scalars(query).all())


def open_job(session: Session, dossier: Dossier, leg: Leg, kind: JobKind) -> Job | None:
    """The dossier's job of that leg and kind, if it is still to be done."""
    query = select(Job).where(
        Job.dossier_id == dossier.id,
        Job.leg == leg,
        Job.kind == kind,
        Job.status.in_([JobStatus.PENDING, JobStatus.ASSIGNED]),
    )
    return session.scalars(query).one_or_none()


def get_visible_job(session: Session, job_id: int, actor: Actor) -> Job:
    """The job if the actor may see it, else `JobNotFound`."""
    job = session.get(Job, job_id)
    if job is None or not access.can_view_job(session, actor, job):
        raise JobNotFound(NO_JOB, params={"id": job_id})
    return job


LIST_LIMIT = 2000


def list_jobs(
    session: Session,
    actor: Actor,
    *,
    status: JobStatus | None = None,
    on: date | None = None,
    settings: Settings,
) -> list[Job]:
    """Jobs the actor may see: a courier's own, a dispatcher's post office's, or all for admins.

    A courier account bound to no courier record has no job (not the unassigned ones).
    """
    query = select(Job).order_by(Job.window_start, Job.id)
    if actor.has_role(Role.COURIER):
        if actor.courier_id is None:
            return []
        query = query.where(Job.courier_id == actor.courier_id)
    else:
        office = access.office_scope(actor)
        if office is not None:
            query = query.join(Dossier).where(Dossier.post_office_id == office)
    if status is not None:
        query = query.where(Job.status == status)
    if on is not None:
        start = calendar.at(on, datetime.min.time(), settings.zone)
        query = query.where(Job.window_start >= start, Job.window_start < start + timedelta(days=1))
    return list(session.scalars(query.limit(LIST_LIMIT)).all())


def follow_couriers(session: Session, jobs: Iterable[Job]) -> None:
    """The dossier of each job given to a courier is served from now on by the courier's office."""
    courier_of = {j.dossier_id: j.courier_id for j in jobs if j.courier_id is not None}
    if not courier_of:
        return
    query = select(Courier.id, Courier.home_post_office_id)
    rows = session.execute(query.where(Courier.id.in_(courier_of.values()))).all()
    office_of: dict[int, int] = dict(rows)
    by_office: dict[int, list[int]] = {}
    for dossier_id, courier_id in courier_of.items():
        by_office.setdefault(office_of[courier_id], []).append(dossier_id)
    # a plain UPDATE: not a new version of the dossier, so a handover in flight is not refused
    for office, dossier_ids in by_office.items():
        session.execute(
            update(Dossier)
            .where(Dossier.id.in_(dossier_ids), Dossier.post_office_id.is_distinct_from(office))
            .values(post_office_id=office)
        )


def assign_pair(session: Session, job_id: int, courier_id: int, actor: Actor) -> list[Job]:
    """Give both jobs of the pair to a courier: a dispatcher's own job to one of their couriers."""
    office = access.office_scope(actor)
    job = get_visible_job(session, job_id, actor)
    courier = session.get(Courier, courier_id)
    if courier is None or not courier.active:
        raise Conflict(NO_ACTIVE_COURIER, params={"id": courier_id})
    if office is not None and courier.home_post_office_id != office:
        raise PermissionDenied(OWN_COURIERS)
    if job.status not in _OPEN:
        raise Conflict(NOT_OPEN, params={"id": job_id})
    # a pair whose pickup is done (a re-queued delivery) is assigned by its open end
    pair = [j for j in pair_of(session, job) if j.status in _OPEN]
    for j in pair:
        j.courier_id, j.status = courier.id, JobStatus.ASSIGNED
    session.flush()
    follow_couriers(session, pair)
    return pair


def mark_done(job: Job | None, status: JobStatus = JobStatus.DONE) -> None:
    """Close a job that a handover has served (or made pointless, with `FAILED`)."""
    if job is not None:
        job.status = status


@dataclass(frozen=True, slots=True)
class AttemptRequest:
    """A failed attempt as the phone sends it; the idempotency key makes a retry safe."""

    reason: FailureReason
    note: str = ""
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    device_at: datetime | None = None
    idempotency_key: str | None = None

    def digest(self, job_id: int, actor: Actor) -> str:
        """A fingerprint of what was sent, for which stop and by whom: tells a retry from reuse."""
        body = {**asdict(self), "job_id": job_id, "actor": [actor.kind, actor.id]}
        body["device_at"] = self.device_at.isoformat() if self.device_at else None
        return fingerprint(body)


NOTE_REQUIRED = mark("please say what happened: a note is required with the reason «other»")
FUTURE = mark(
    "this time is ahead of the server's clock by more than %(seconds)s seconds: "
    "check the phone's date and time"
)
BEFORE_WINDOW = mark("the stop's window opens at %(time)s; an attempt before it does not count")
KEY_REUSED = mark("this key was already used for a different attempt: send a new key")
KEY_RACED = mark("another request took this key at the same moment: send the attempt again")


def ahead_of_clock(
    device_at: datetime, settings: Settings, loc: tuple[str | int, ...]
) -> FieldProblem | None:
    """A problem when the phone's capture time is later than now, beyond the skew allowed."""
    if device_at <= utcnow() + timedelta(seconds=settings.clock_skew_seconds):
        return None
    return FieldProblem(
        loc, FUTURE, "device_at_future", params={"seconds": settings.clock_skew_seconds}
    )


def record_failed_attempt(
    session: Session, job_id: int, actor: Actor, settings: Settings, request: AttemptRequest
) -> tuple[Job, JobAttempt, bool]:
    """Record a failed stop; re-queue its pair for the next working day, or give up at the limit.

    Returns (job, attempt, created): a retry with the same key and body answers the first attempt.
    """
    digest = request.digest(job_id, actor)
    mine = _replayed(session, request, digest, actor)
    if mine is not None:  # the pair went back to the queue: the job is no longer the courier's
        return session.get_one(Job, job_id), mine, False
    job = get_visible_job(session, job_id, actor)
    if not (actor.is_admin or actor.has_role(Role.COURIER)):
        raise PermissionDenied(COURIER_AT_STOP)
    if actor.has_role(Role.COURIER) and job.courier_id != actor.courier_id:
        raise JobNotFound(NO_JOB, params={"id": job_id})
    _check_attempt(job, request, settings)
    if job.status is not JobStatus.ASSIGNED:
        raise Conflict(NOT_ASSIGNED, params={"id": job_id})
    for _ in range(3):  # the key taken meanwhile: by the same request, or by another courier's
        key = _stored_key(session, request, actor)
        attempt = _insert_attempt(session, job, request, digest, key)
        if attempt is not None:
            _fail(session, job, actor, request.reason, settings)
            return job, attempt, True
        replayed = _replayed(session, request, digest, actor)
        if replayed is not None:
            return job, replayed, False
    raise Conflict(KEY_RACED, code="idempotency_key_busy")


def _by_key(session: Session, key: str) -> JobAttempt | None:
    return session.scalar(select(JobAttempt).where(JobAttempt.idempotency_key == key))


def _stored_key(session: Session, request: AttemptRequest, actor: Actor) -> str | None:
    """The key as this courier's attempts store it: their own when another courier's attempt
    holds it as sent (that one is none of their business)."""

    def taken_by_other(sent: str) -> bool:
        holder = _by_key(session, sent)
        return holder is not None and not _holds(holder, actor)

    key = request.idempotency_key
    return None if key is None else stored_key(key, actor, taken_by_other)


def _holds(attempt: JobAttempt, actor: Actor) -> bool:
    """The actor may know of the attempt: an admin, or the courier whose stop it was."""
    courier = actor.courier_id if actor.has_role(Role.COURIER) else None
    return actor.is_admin or (courier is not None and attempt.courier_id == courier)


def _replayed(
    session: Session, request: AttemptRequest, digest: str, actor: Actor
) -> JobAttempt | None:
    """The caller's attempt recorded with the request's key; `InvalidInput` if the key came with
    another body (their own other attempt: another courier's key is new to them)."""
    key = _stored_key(session, request, actor)
    found = _by_key(session, key) if key is not None else None
    if found is not None and found.request_digest != digest:
        raise InvalidInput(
            [FieldProblem(("idempotency_key",), KEY_REUSED, "idempotency_key_reused")]
        )
    return found


def _check_attempt(job: Job, request: AttemptRequest, settings: Settings) -> None:
    """A note with «other»; a capture time neither ahead of the clock nor before the window."""
    problems = []
    if request.reason is FailureReason.OTHER and not request.note.strip():
        problems.append(FieldProblem(("note",), NOTE_REQUIRED, "missing"))
    if request.device_at is not None:
        ahead = ahead_of_clock(request.device_at, settings, ("device_at",))
        if ahead is not None:
            problems.append(ahead)
        elif request.device_at < job.window_start:
            opens = job.window_start.astimezone(settings.zone).strftime("%H:%M")
            problems.append(
                FieldProblem(("device_at",), BEFORE_WINDOW, "before_window", {"time": opens})
            )
    if problems:
        raise InvalidInput(problems)


def _insert_attempt(
    session: Session, job: Job, request: AttemptRequest, digest: str, key: str | None
) -> JobAttempt | None:
    """Insert the attempt; None when a concurrent request took its key first."""
    attempt = JobAttempt(
        job_id=job.id,
        courier_id=job.courier_id,
        reason=request.reason.value,
        note=request.note,
        lat=request.lat,
        lon=request.lon,
        accuracy_m=request.accuracy_m,
        device_at=request.device_at,
        idempotency_key=key,
        request_digest=digest if key else None,
    )
    if key is None:  # no key: nothing to collide with
        session.add(attempt)
        session.flush()
        return attempt
    return attempt if insert_once(session, attempt) else None


def _fail(
    session: Session, job: Job, actor: Actor, reason: FailureReason, settings: Settings
) -> None:
    """Count the attempt and move the dossier and its jobs on."""
    job.attempts += 1
    dossier = dossiers.get_visible(session, job.dossier.tracking_code, actor, lock=True)
    if job.site_id is not None:
        _fail_counter_stop(session, dossier, job, actor, reason, settings)
    elif job.attempts < settings.max_attempts:
        _fail_citizen_stop(session, dossier, job, actor, reason, exhausted=False)
        requeue_pair(session, job, settings)
    else:
        _fail_citizen_stop(session, dossier, job, actor, reason, exhausted=True)
        if job.kind is JobKind.PICKUP:
            for j in pair_of(session, job):
                j.status = JobStatus.CANCELLED
        else:
            job.status = JobStatus.FAILED  # the courier now brings the result back to the center
    session.flush()


def _fail_counter_stop(
    session: Session,
    dossier: Dossier,
    job: Job,
    actor: Actor,
    reason: FailureReason,
    settings: Settings,
) -> None:
    # A counter stop has no attempt limit: a dossier on its way in must still reach the center,
    # and a result at the center must still go out; the dispatcher sees the attempts.
    dossiers.apply_event(
        session, dossier, Event.COUNTER_FAIL, actor, site_id=job.site_id, reason=reason.value
    )
    holder = job.courier_id if job.kind is JobKind.DELIVERY else None
    requeue_pair(session, job, settings)
    if holder is not None:  # the courier still carries the dossier: the stop stays theirs
        job.courier_id, job.status = holder, JobStatus.ASSIGNED


def _fail_citizen_stop(
    session: Session,
    dossier: Dossier,
    job: Job,
    actor: Actor,
    reason: FailureReason,
    *,
    exhausted: bool,
) -> None:
    if job.kind is JobKind.PICKUP:
        dossiers.apply_event(session, dossier, Event.PICKUP_FAIL, actor, reason=reason.value)
        if exhausted:
            dossiers.apply_event(session, dossier, Event.PICKUP_ABANDON, actor, reason=reason.value)
    else:
        dossiers.apply_event(session, dossier, Event.DELIVERY_FAIL, actor, reason=reason.value)


def requeue_pair(session: Session, job: Job, settings: Settings) -> None:
    """Put the pair back in the queue, unassigned, moved to the next working day."""
    today = calendar.local_today(utcnow(), settings.zone)
    for j in pair_of(session, job):
        if j.status is JobStatus.DONE:
            continue
        j.status, j.courier_id = JobStatus.PENDING, None
        shift = calendar.next_working_day(today) - j.window_start.astimezone(settings.zone).date()
        if shift.days > 0:
            j.window_start += shift
            j.window_end += shift


def reschedule_inbound(session: Session, dossier: Dossier, settings: Settings) -> None:
    """Move the open inbound pair to the dossier's (new) preferred day and slot, unassigned."""
    (p_start, p_end), (d_start, d_end) = inbound_windows(dossier, settings)
    for j in session.scalars(
        select(Job).where(Job.dossier_id == dossier.id, Job.leg == Leg.INBOUND)
    ):
        j.status, j.courier_id = JobStatus.PENDING, None
        if j.kind is JobKind.PICKUP:
            j.window_start, j.window_end = p_start, p_end
        else:
            j.window_start, j.window_end = d_start, d_end


def cancel_open_jobs(session: Session, dossier: Dossier) -> None:
    """Cancel every job of the dossier that is not done."""
    for j in session.scalars(select(Job).where(Job.dossier_id == dossier.id)):
        if j.status in (JobStatus.PENDING, JobStatus.ASSIGNED):
            j.status = JobStatus.CANCELLED
