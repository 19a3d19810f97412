"""Record a handover: dossiers pass between parties, all of them moved by the state machine or none."""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import access
from courier.actors import Actor
from courier.catalogue.models import Site
from courier.dossiers import jobs
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier, DossierStatus, JobKind, JobStatus, Leg, ResultReturn
from courier.dossiers.states import Event
from courier.enums import PartyKind, Role, SiteKind
from courier.errors import Conflict, DossierNotFound, FieldProblem, InvalidInput, PermissionDenied
from courier.fleet.models import Courier
from courier.handovers.models import Handover, HandoverItem

_CENTER_KINDS = (SiteKind.PROVINCIAL_CENTER, SiteKind.BRANCH, SiteKind.RECEPTION_POINT)
_CARRIED_IN = (DossierStatus.PICKED_UP, DossierStatus.IN_TRANSIT)

# (giver, receiver) -> the event; courier→center depends on the leg (see `_event_for`)
ROUTES: dict[tuple[PartyKind, PartyKind], Event] = {
    (PartyKind.CITIZEN, PartyKind.COURIER): Event.PICK_UP,
    (PartyKind.COURIER, PartyKind.POST_OFFICE): Event.ARRIVE_POST_OFFICE,
    (PartyKind.POST_OFFICE, PartyKind.COURIER): Event.LEAVE_POST_OFFICE,
    (PartyKind.COURIER, PartyKind.COURIER): Event.TRANSFER,
    (PartyKind.COURIER, PartyKind.CENTER): Event.RECEIVE_AT_CENTER,
    (PartyKind.CENTER, PartyKind.COURIER): Event.RESULT_PICK_UP,
    (PartyKind.COURIER, PartyKind.CITIZEN): Event.DELIVER,
    (PartyKind.CENTER, PartyKind.CITIZEN): Event.COLLECT_AT_CENTER,
}


@dataclass(frozen=True, slots=True)
class Party:
    """One side of a handover: a citizen, a courier (by id) or a site (by id)."""

    kind: PartyKind
    id: int | None = None


@dataclass(frozen=True, slots=True)
class HandoverRequest:
    """What the device sends; the idempotency key makes a retry safe."""

    idempotency_key: str
    giver: Party
    receiver: Party
    tracking_codes: tuple[str, ...]
    device_at: datetime
    site_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    fees_collected_vnd: int = 0

    def digest(self) -> str:
        """A fingerprint of the content, to tell a retry from a reused key."""
        body = asdict(self)
        body["device_at"] = self.device_at.isoformat()
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def record(session: Session, request: HandoverRequest, actor: Actor) -> tuple[Handover, bool]:
    """Record the handover and move every dossier; returns (handover, created). Replays are free."""
    existing = session.scalar(
        select(Handover).where(Handover.idempotency_key == request.idempotency_key)
    )
    if existing is not None:
        if existing.request_digest != request.digest():
            raise Conflict("idempotency key already used for a different handover")
        return existing, False
    _check_shape(session, request)
    _check_actor_is_party(actor, request)
    handover = Handover(
        idempotency_key=request.idempotency_key,
        request_digest=request.digest(),
        from_kind=request.giver.kind,
        from_id=request.giver.id,
        to_kind=request.receiver.kind,
        to_id=request.receiver.id,
        site_id=request.site_id,
        lat=request.lat,
        lon=request.lon,
        device_at=request.device_at,
        recorded_by_id=actor.id if actor.kind == "user" else None,
        fees_collected_vnd=request.fees_collected_vnd,
    )
    session.add(handover)
    session.flush()
    for code in dict.fromkeys(request.tracking_codes):
        _move(session, handover, request, code, actor)
    session.flush()
    return handover, True


def _check_shape(session: Session, request: HandoverRequest) -> None:
    problems: list[FieldProblem] = []
    if (request.giver.kind, request.receiver.kind) not in ROUTES:
        problems.append(
            FieldProblem(
                ("receiver", "kind"),
                f"a dossier does not pass from {request.giver.kind} to {request.receiver.kind}",
            )
        )
    for name, party in (("giver", request.giver), ("receiver", request.receiver)):
        problems += _check_party(session, name, party)
    if request.giver == request.receiver:
        problems.append(FieldProblem(("receiver",), "giver and receiver are the same party"))
    if request.site_id is None and (request.lat is None or request.lon is None):
        problems.append(FieldProblem(("site_id",), "give the site or the GPS point (lat, lon)"))
    elif request.site_id is not None and session.get(Site, request.site_id) is None:
        problems.append(FieldProblem(("site_id",), "no such site"))
    if not request.tracking_codes:
        problems.append(FieldProblem(("tracking_codes",), "at least one dossier"))
    if problems:
        raise InvalidInput(problems)


def _check_party(session: Session, name: str, party: Party) -> list[FieldProblem]:
    if party.kind is PartyKind.CITIZEN:
        return [] if party.id is None else [FieldProblem((name, "id"), "a citizen has no id here")]
    if party.id is None:
        return [FieldProblem((name, "id"), f"a {party.kind} party needs its id")]
    if party.kind is PartyKind.COURIER:
        found = session.get(Courier, party.id) is not None
        return [] if found else [FieldProblem((name, "id"), "no such courier")]
    site = session.get(Site, party.id)
    wanted = (SiteKind.POST_OFFICE,) if party.kind is PartyKind.POST_OFFICE else _CENTER_KINDS
    if site is None or site.kind not in wanted:
        return [FieldProblem((name, "id"), f"no such {party.kind}")]
    return []


def _check_actor_is_party(actor: Actor, request: HandoverRequest) -> None:
    if actor.is_admin or any(_is(actor, p) for p in (request.giver, request.receiver)):
        return
    raise PermissionDenied("only a party to the handover (or an admin) may record it")


def _is(actor: Actor, party: Party) -> bool:
    if party.kind is PartyKind.COURIER:
        return actor.has_role(Role.COURIER) and party.id == actor.courier_id
    if party.kind is PartyKind.CENTER:
        return actor.has_role(Role.CENTER_STAFF) and party.id == actor.site_id
    if party.kind is PartyKind.POST_OFFICE:
        return actor.has_role(Role.DISPATCHER) and party.id == actor.site_id
    return False


def _event_for(request: HandoverRequest, dossier: Dossier) -> Event:
    event = ROUTES[(request.giver.kind, request.receiver.kind)]
    if event is Event.RECEIVE_AT_CENTER and dossier.status not in _CARRIED_IN:
        return Event.RETURN_TO_CENTER
    return event


def _move(
    session: Session, handover: Handover, request: HandoverRequest, code: str, actor: Actor
) -> None:
    dossier = dossiers.find_by_code(session, code, lock=True)
    if dossier is None or not _concerns(session, request, dossier, actor):
        raise DossierNotFound(f"no dossier {code} for this handover")
    _check_custody(request, dossier)
    event = _event_for(request, dossier)
    before = dossier.status
    dossiers.apply_event(
        session,
        dossier,
        event,
        actor,
        site_id=request.site_id,
        holder=(request.receiver.kind, request.receiver.id),
        handover_id=handover.id,
        device_at=request.device_at,
    )
    _close_jobs(session, dossier, event, request)
    session.add(
        HandoverItem(
            handover=handover,
            dossier_id=dossier.id,
            event=event.value,
            from_status=before.value,
            to_status=dossier.status.value,
        )
    )


def _concerns(session: Session, request: HandoverRequest, dossier: Dossier, actor: Actor) -> bool:
    """A courier taking a dossier from a citizen or a center must have that job assigned."""
    if (
        request.giver.kind in (PartyKind.CITIZEN, PartyKind.CENTER)
        and request.receiver.kind is PartyKind.COURIER
    ):
        leg = Leg.INBOUND if request.giver.kind is PartyKind.CITIZEN else Leg.RETURN
        job = jobs.open_job(session, dossier, leg, JobKind.PICKUP)
        return job is not None and job.courier_id == request.receiver.id
    return (
        actor.is_admin
        or access.can_view_dossier(session, actor, dossier)
        or (
            request.receiver.kind is PartyKind.CENTER
            and dossier.receiving_site_id == request.receiver.id
        )
    )


def _check_custody(request: HandoverRequest, dossier: Dossier) -> None:
    giver = request.giver
    holder = Party(dossier.holder_kind, dossier.holder_id)
    if giver.kind is PartyKind.CITIZEN and dossier.holder_kind is PartyKind.CITIZEN:
        return
    if giver.kind is PartyKind.CENTER and dossier.status in (
        DossierStatus.RESULT_READY,
        DossierStatus.RETURNED_TO_CENTER,
    ):
        if giver.id != dossier.receiving_site_id:
            raise Conflict(f"{dossier.tracking_code} is held at another center")
        if (
            request.receiver.kind is PartyKind.COURIER
            and dossier.result_return is not ResultReturn.POST
        ):
            raise Conflict(
                f"{dossier.tracking_code}: the citizen collects the result at the center"
            )
        return
    if holder != giver:
        raise Conflict(f"{dossier.tracking_code} is not held by the giver ({holder.kind} holds it)")
    if (
        request.receiver.kind is PartyKind.CENTER
        and request.receiver.id != dossier.receiving_site_id
    ):
        raise Conflict(f"{dossier.tracking_code} is bound for another center")


def _close_jobs(session: Session, dossier: Dossier, event: Event, request: HandoverRequest) -> None:
    closes = {
        Event.PICK_UP: (Leg.INBOUND, JobKind.PICKUP),
        Event.RECEIVE_AT_CENTER: (Leg.INBOUND, JobKind.DELIVERY),
        Event.RESULT_PICK_UP: (Leg.RETURN, JobKind.PICKUP),
        Event.DELIVER: (Leg.RETURN, JobKind.DELIVERY),
    }
    if event in closes:
        jobs.mark_done(jobs.open_job(session, dossier, *closes[event]))
    if event is Event.RETURN_TO_CENTER:
        # the result waits at the center for the citizen: no delivery is left to attempt
        delivery = jobs.open_job(session, dossier, Leg.RETURN, JobKind.DELIVERY)
        jobs.mark_done(delivery, JobStatus.FAILED)
    if event is Event.TRANSFER and request.receiver.id is not None:
        for leg in Leg:
            job = jobs.open_job(session, dossier, leg, JobKind.DELIVERY)
            if job is not None:
                job.courier_id = request.receiver.id
