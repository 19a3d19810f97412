"""What the tracking page shows of a dossier: status, timeline, a failed visit, receipts, custody."""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.dates import format_date
from sqlalchemy.orm import Session

from api import i18n
from api.present.tracking import track_out
from courier import calendar
from courier.db import utcnow
from courier.dossiers import service as dossiers
from courier.dossiers import slots
from courier.dossiers.jobs import FailureReason
from courier.dossiers.models import Dossier, DossierStatus, Job, JobStatus, Slot, TrackingEvent
from courier.dossiers.states import Event, allowed_events
from courier.enums import PartyKind
from courier.handovers import queries as handover_queries
from courier.proofs import verify
from courier.proofs.storage import storage_for
from courier.settings import Settings

log = logging.getLogger(__name__)
mark = i18n.mark

# why a courier's visit failed, as the citizen reads it (the courier picks one reason on the phone)
FAILURE_REASONS: dict[str, str] = {
    FailureReason.NOT_HOME: mark("nobody was at the address when the courier came"),
    FailureReason.WRONG_ADDRESS: mark("the courier could not find the address"),
    FailureReason.DOCUMENTS_INCOMPLETE: mark("the dossier's documents were incomplete"),
    FailureReason.REFUSED: mark("the handover was refused"),
    FailureReason.UNREACHABLE: mark("the courier could not reach you by phone"),
    FailureReason.SITE_CLOSED: mark("the receiving site was closed"),
    FailureReason.OTHER: mark("another reason; the post office will call you"),
}
SLOT_NAMES: dict[Slot, str] = {Slot.MORNING: mark("morning"), Slot.AFTERNOON: mark("afternoon")}
HANDED = mark("Receipt for the dossier you handed to the courier")
RECEIVED = mark("Receipt for the result you received")
CHAIN_OK = mark("The chain of handovers (%(n)s) is digitally signed and checked: unaltered.")
CHAIN_BROKEN = mark(
    "The chain of handovers does NOT verify from handover %(seq)s: tell the center."
)
_FAILURES = (Event.PICKUP_FAIL, Event.DELIVERY_FAIL)
# how the status line looks: a problem to act on, or a dossier that is over without a result
TONES = {
    DossierStatus.PICKUP_FAILED: "status-problem",
    DossierStatus.DELIVERY_FAILED: "status-problem",
    DossierStatus.RETURNED_TO_CENTER: "status-problem",
    DossierStatus.CANCELLED: "status-off",
}
_OPEN = (JobStatus.PENDING, JobStatus.ASSIGNED)


@dataclass(frozen=True, slots=True)
class Attempt:
    """The last failed visit: why, when, and when the courier comes again."""

    reason: str
    at: datetime
    next_window: tuple[datetime, datetime] | None


@dataclass(frozen=True, slots=True)
class ReceiptLink:
    """A receipt of a handover the citizen signed."""

    handover_id: int
    title: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Choice:
    """A day and slot the pickup can move to."""

    value: str
    label: str


def dossier_context(
    session: Session, dossier: Dossier, settings: Settings, lang: str
) -> dict[str, Any]:
    """Everything the dossier's page shows; nothing personal (no name, phone or address)."""
    events = dossiers.timeline(session, dossier)
    track = track_out(dossier, events, lang, settings.zone)
    allowed = allowed_events(dossier.status)
    return {
        "track": track,
        "events": list(reversed(track.events)),
        "slot_name": i18n.gettext(lang, SLOT_NAMES[dossier.slot]),
        "slot_window": calendar.slot_window(dossier.preferred_on, dossier.slot, settings.zone),
        "tone": TONES.get(dossier.status, ""),
        "failure_reasons": {k: i18n.gettext(lang, v) for k, v in FAILURE_REASONS.items()},
        "attempt": last_attempt(dossier, events, lang),
        "receipts": receipts(session, dossier, lang),
        "custody": custody(session, dossier, settings, lang),
        "can_cancel": Event.CANCEL in allowed,
        "can_reschedule": Event.RESCHEDULE in allowed,
    }


def last_attempt(dossier: Dossier, events: list[TrackingEvent], lang: str) -> Attempt | None:
    """While a visit has failed: the reason in words and the next visit's window, if any."""
    if dossier.status not in (DossierStatus.PICKUP_FAILED, DossierStatus.DELIVERY_FAILED):
        return None
    failed = next((e for e in reversed(events) if e.event in _FAILURES), None)
    if failed is None:
        return None
    reason = FAILURE_REASONS.get(failed.reason or "", FAILURE_REASONS[FailureReason.OTHER])
    return Attempt(i18n.gettext(lang, reason), failed.occurred_at, _next_visit(dossier))


def _next_visit(dossier: Dossier) -> tuple[datetime, datetime] | None:
    """The window of the next open stop at the citizen's address (re-queued after a failure)."""
    stops: list[Job] = [j for j in dossier.jobs if j.site_id is None and j.status in _OPEN]
    if not stops:
        return None
    first = min(stops, key=lambda j: j.window_start)
    return first.window_start, first.window_end


def receipts(session: Session, dossier: Dossier, lang: str) -> list[ReceiptLink]:
    """The receipts of the handovers where the citizen handed the dossier or took the result."""
    handed, received = i18n.gettext(lang, HANDED), i18n.gettext(lang, RECEIVED)
    return [
        ReceiptLink(h.id, handed if h.from_kind is PartyKind.CITIZEN else received, h.recorded_at)
        for h, _ in handover_queries.citizen_receipts(session, dossier.id)
    ]


def custody(
    session: Session, dossier: Dossier, settings: Settings, lang: str
) -> tuple[bool, str] | None:
    """The chain's check for the page; a storage outage hides it rather than failing the page."""
    try:
        report = verify.verify_chain(
            session, dossier, storage=storage_for(settings), trust=verify.Trust.of(settings)
        )
    except Exception:
        log.exception("custody check of %s failed", dossier.tracking_code)
        return None
    return custody_line(report, lang)


def custody_line(report: verify.ChainReport, lang: str) -> tuple[bool, str] | None:
    """(verified, sentence) about the signed chain of handovers, once there is one."""
    if not report.links:
        return None
    broken = report.first_broken
    if broken is None:
        return True, i18n.gettext(lang, CHAIN_OK) % {"n": len(report.links)}
    return False, i18n.gettext(lang, CHAIN_BROKEN) % {"seq": broken[0]}


def reschedule_choices(
    dossier: Dossier, settings: Settings, lang: str, now: datetime | None = None
) -> list[Choice]:
    """The slots of the next two weeks still ahead at the dossier's site, the current one aside."""
    offers = slots.available(dossier.receiving_site, settings, now or utcnow())
    current = (dossier.preferred_on, dossier.slot)
    return [choice(o, settings, lang) for o in offers if (o.on, o.slot) != current]


def choice(offer: slots.Offer, settings: Settings, lang: str) -> Choice:
    """One option of the reschedule form: its value and its words."""
    weekday = format_date(offer.on, "EEEE dd/MM/yyyy", locale=lang)
    slot = i18n.gettext(lang, SLOT_NAMES[offer.slot])
    start, end = (i18n.clock(t, settings.zone, lang) for t in (offer.start, offer.end))
    label = f"{weekday}, {slot} ({start}–{end})"
    return Choice(f"{offer.on.isoformat()}|{offer.slot.value}", label)


def parse_choice(value: str) -> tuple[date, Slot] | None:
    """The day and slot of a submitted option, or None when it is not one."""
    day, _, slot = value.partition("|")
    try:
        return date.fromisoformat(day), Slot(slot)
    except ValueError:
        return None
