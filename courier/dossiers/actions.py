"""What center staff, couriers and citizens do to a dossier outside handovers."""

import hmac
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier import access
from courier.actors import PUBLIC_CITIZEN, Actor
from courier.calendar import (
    add_working_days,
    beyond_horizon,
    is_working_day,
    local_today,
    next_working_day,
)
from courier.db import utcnow
from courier.dossiers import codes, jobs
from courier.dossiers import service as dossiers
from courier.dossiers.booking import check_day
from courier.dossiers.models import Dossier, DossierStatus, ResultReturn, Slot
from courier.dossiers.phones import last_digits
from courier.dossiers.states import Event
from courier.enums import Role
from courier.errors import DossierNotFound, FieldProblem, InvalidInput, PermissionDenied
from courier.lockout import service as lockout
from courier.proofs.kinds import PostponementReason
from courier.proofs.models import Postponement
from courier.settings import Settings
from courier.text import mark

# a catalogue id: the API answers it in the caller's language
NO_SUCH_DOSSIER = mark("No dossier has this tracking code and phone number.")
# the refused new result date: the first day it may be is the working day after the floor
AFTER_DUE_ON = mark("please choose a working day after %(day)s, the current result date")
AFTER_TODAY = mark("please choose a working day after today, %(day)s")
CARRIER_ONLY = mark("Only the courier carrying the dossier may mark its departure.")
RECEIVING_CENTER_ONLY = mark("Only the dossier's receiving center may do this.")
CENTER_STAFF_ONLY = mark("Only center staff may do this.")
# a result date moves at most this far: a year, the longest a procedure may be extended
POSTPONE_DAYS_AHEAD = 366
# what an unknown code is compared against: no suffix of 4 digits matches it
_NO_DIGITS = "----"


def start_processing(session: Session, code: str, actor: Actor) -> Dossier:
    """The receiving center starts working on the dossier."""
    dossier = _for_receiving_site(session, code, actor)
    dossiers.apply_event(
        session, dossier, Event.START_PROCESSING, actor, site_id=dossier.receiving_site_id
    )
    return dossier


def mark_result_ready(
    session: Session,
    code: str,
    actor: Actor,
    settings: Settings,
    *,
    result_return: ResultReturn | None = None,
) -> Dossier:
    """The result is ready; when the citizen chose the post, the return job pair is created.

    `result_return` records how the citizen now asks for it (post or counter), if they changed.
    """
    dossier = _for_receiving_site(session, code, actor)
    if result_return is not None:
        dossier.result_return = result_return
    dossiers.apply_event(
        session, dossier, Event.RESULT_READY, actor, site_id=dossier.receiving_site_id
    )
    if dossier.result_return is ResultReturn.POST:
        jobs.create_return_pair(session, dossier, settings, ready_at=utcnow())
    return dossier


def postpone_result(
    session: Session,
    code: str,
    actor: Actor,
    settings: Settings,
    *,
    new_due_on: date,
    reason: PostponementReason,
    note: str = "",
) -> Dossier:
    """The receiving center moves the result date to a later working day, and says why."""
    dossier = _for_receiving_site(session, code, actor)
    today = local_today(utcnow(), settings.zone)
    if too_far := beyond_horizon("new_due_on", new_due_on, today, POSTPONE_DAYS_AHEAD):
        raise InvalidInput(too_far)
    if new_due_on < earliest_new_due_on(dossier.due_on, today) or not is_working_day(new_due_on):
        floor = max(filter(None, (dossier.due_on, today)))
        message = AFTER_DUE_ON if floor == dossier.due_on else AFTER_TODAY
        # dd/mm/yyyy in both languages, as the pages write dates
        day = {"day": f"{floor:%d/%m/%Y}"}
        raise InvalidInput([FieldProblem(("new_due_on",), message, "day_too_early", day)])
    old = dossier.due_on
    dossiers.apply_event(
        session,
        dossier,
        Event.POSTPONE,
        actor,
        site_id=dossier.receiving_site_id,
        reason=reason.value,
        due_on=new_due_on,
    )
    dossier.due_on = new_due_on
    session.add(
        Postponement(
            dossier_id=dossier.id,
            old_due_on=old,
            new_due_on=new_due_on,
            reason=reason.value,
            note=note,
            recorded_by_id=actor.id if actor.kind == "user" else None,
        )
    )
    session.flush()
    return dossier


def earliest_new_due_on(due_on: date | None, today: date) -> date:
    """The first date `postpone_result` accepts: the working day after the current result date
    (or after today, when that is later)."""
    return next_working_day(max(filter(None, (due_on, today))))


def set_due_date(dossier: Dossier, settings: Settings) -> None:
    """On receipt at the center: the result is due after the procedure's processing days."""
    today = local_today(utcnow(), settings.zone)
    dossier.due_on = add_working_days(today, dossier.procedure.processing_days)


def depart(session: Session, code: str, actor: Actor) -> Dossier:
    """The courier carrying the dossier leaves for the center (or for the citizen with the result)."""
    dossier = dossiers.get_visible(session, code, actor, lock=True)
    if not (
        actor.is_admin
        or (actor.courier_id and access.is_held_by_courier(dossier, actor.courier_id))
    ):
        raise PermissionDenied(CARRIER_ONLY)
    outbound = dossier.status is DossierStatus.RESULT_PICKED_UP
    dossiers.apply_event(
        session, dossier, Event.OUT_FOR_DELIVERY if outbound else Event.DEPART, actor
    )
    return dossier


def _for_receiving_site(session: Session, code: str, actor: Actor) -> Dossier:
    dossier = dossiers.get_visible(session, code, actor, lock=True)
    if not access.acts_for_site(actor, dossier.receiving_site_id):
        raise PermissionDenied(RECEIVING_CENTER_ONLY)
    if actor.kind == "user" and not (actor.is_admin or actor.has_role(Role.CENTER_STAFF)):
        raise PermissionDenied(CENTER_STAFF_ONLY)
    return dossier


def find_public(session: Session, code: str, phone_last4: str, *, lock: bool = False) -> Dossier:
    """The dossier for someone who knows its code and the phone's last 4 digits; else not found.

    An unknown code and a wrong suffix take the same path, so their answers take the same time:
    one indexed read of the code's phone (a code of the wrong shape too) answering one row either
    way, one constant-time comparison (against digits no suffix matches when there is no
    dossier); the dossier is loaded only once the digits match.
    """
    normal = codes.normalise(code)[:40]
    # an aggregate answers one row whether the code exists or not (codes are unique)
    of_code = select(func.max(Dossier.applicant_phone)).where(Dossier.tracking_code == normal)
    phone = session.scalar(of_code)
    expected = last_digits(phone) if phone is not None else _NO_DIGITS
    if not hmac.compare_digest(expected.encode(), phone_last4.strip().encode()) or phone is None:
        raise DossierNotFound(NO_SUCH_DOSSIER)
    dossier = dossiers.find_by_code(session, normal, lock=lock)
    if dossier is None:  # deleted between the two reads
        raise DossierNotFound(NO_SUCH_DOSSIER)
    return dossier


TRACK_LOCKED = mark(
    "Too many wrong tries for this tracking code or from your connection, so looking it up is "
    "paused to keep the citizen's data safe. Please try again in %(wait)s."
)


def prove_public(session: Session, code: str, phone_last4: str, *, client: str) -> Dossier:
    """`find_public`, counted against guessing (`courier.lockout`): `LockedOut` whatever the
    digits while the code is locked for this client or for everyone, and for wrong ones while
    the client is; a wrong suffix (or an unknown code: they must read alike) is counted, which
    the caller must commit."""
    guard = lockout.Guard("track", "code:" + codes.normalise(code)[:40], client, TRACK_LOCKED)
    return lockout.guarded(
        session,
        guard,
        lambda: find_public(session, code, phone_last4),
        fails_on=DossierNotFound,
    )


def cancel_public(session: Session, code: str, phone_last4: str) -> Dossier:
    """The citizen cancels before pickup."""
    dossier = find_public(session, code, phone_last4, lock=True)
    dossiers.apply_event(session, dossier, Event.CANCEL, PUBLIC_CITIZEN)
    jobs.cancel_open_jobs(session, dossier)
    return dossier


def reschedule_public(
    session: Session, code: str, phone_last4: str, settings: Settings, *, on: date, slot: Slot
) -> Dossier:
    """The citizen moves the pickup to another working day or slot, before pickup."""
    dossier = find_public(session, code, phone_last4, lock=True)
    problems = check_day(on, slot, settings, utcnow(), dossier.receiving_site)
    if problems:
        raise InvalidInput(problems)
    dossiers.apply_event(session, dossier, Event.RESCHEDULE, PUBLIC_CITIZEN)
    dossier.preferred_on, dossier.slot = on, slot
    dossier.due_on = None
    jobs.reschedule_inbound(session, dossier, settings)
    return dossier
