"""Receiving dossiers at a center's counter: each scanned code checked on the spot, then one
courier → center handover for the whole batch (`courier.handovers.service.record`).

A code that is not on its way to this center answers exactly as an unknown code does, so a clerk
learns nothing about other centers' dossiers. The clerk sees the seal recorded when the dossier
was sealed and the checklist ticked at pickup, to compare with the packet in hand.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import access
from courier.actors import Actor
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier, DossierStatus
from courier.dossiers.states import CARRIED_IN, Event
from courier.enums import PartyKind, Role
from courier.errors import Conflict, DossierNotFound, FieldProblem, InvalidInput, PermissionDenied
from courier.fleet.models import Courier
from courier.handovers import queries
from courier.handovers import service as handovers
from courier.handovers.models import Handover, HandoverItem
from courier.proofs import service as proofs
from courier.proofs.kinds import ProofRole
from courier.settings import Settings
from courier.text import mark

NO_HANDOVER = mark("No handover %(id)s.")
NOT_COMING = mark("No dossier %(code)s is on its way to this center.")
NOT_YET = mark("Dossier %(code)s has not been picked up from the citizen yet.")
ALREADY = mark("Dossier %(code)s is already at the center.")
AT_OFFICE = mark("Dossier %(code)s is kept at a post office, not carried by a courier.")
OTHER_COURIER = mark("Dossier %(code)s is carried by %(holder)s, not by %(courier)s.")
TWICE = mark("Dossier %(code)s is already in this batch.")
CLERK_SIGNS = mark("The clerk must sign.")
COURIER_SIGNS = mark("The courier must sign.")
NO_SEAL = mark("Write the seal number of the packet.")
NOTHING = mark("Scan at least one dossier.")
ONLY_STAFF = mark("Only the center's staff (or an admin) receive dossiers at its counter.")
_BEFORE_PICKUP = (DossierStatus.BOOKED, DossierStatus.PICKUP_FAILED)


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    """A document the procedure requires, and how it was ticked at pickup (None: not ticked)."""

    position: int
    name_vi: str
    name_en: str
    ticked: str | None


@dataclass(frozen=True, slots=True)
class Arrival:
    """A dossier the courier at the counter may hand in, with what the clerk checks."""

    tracking_code: str
    procedure_code: str
    procedure_vi: str
    procedure_en: str
    courier_id: int
    courier_name: str
    seal_number: str | None
    documents: tuple[CheckedDocument, ...]


def check_staff(actor: Actor, site_id: int) -> None:
    """Refuse anyone who is not staff of this center (or an admin)."""
    staff = actor.is_admin or actor.has_role(Role.CENTER_STAFF)
    if not (staff and access.acts_for_site(actor, site_id)):
        raise PermissionDenied(ONLY_STAFF)


def check_arrival(
    session: Session, actor: Actor, *, site_id: int, code: str, courier_id: int | None
) -> Arrival:
    """The dossier if the courier (or, with none given, whoever carries it) may hand it in here;
    otherwise the reason, in words a clerk understands."""
    check_staff(actor, site_id)
    dossier = dossiers.find_by_code(session, code)
    shown = dossier.tracking_code if dossier else code.strip().upper()[:20]
    if (
        dossier is None
        or dossier.receiving_site_id != site_id
        or dossier.status is DossierStatus.CANCELLED
    ):
        raise DossierNotFound(NOT_COMING, code="not_coming", params={"code": shown})
    holder = _holder(session, dossier)
    if courier_id is not None and holder is not None and holder.id != courier_id:
        chosen = session.get(Courier, courier_id)
        name = chosen.full_name if chosen else str(courier_id)
        params = {"code": shown, "holder": holder.full_name, "courier": name}
        raise Conflict(OTHER_COURIER, code="other_courier", params=params)
    if holder is None:
        raise Conflict(AT_OFFICE, code="not_with_courier", params={"code": shown})
    return _arrival(session, dossier, holder)


def _holder(session: Session, dossier: Dossier) -> Courier | None:
    """The courier carrying a dossier that is on its way here; refusals for any other state."""
    params = {"code": dossier.tracking_code}
    if dossier.status in _BEFORE_PICKUP:
        raise Conflict(NOT_YET, code="not_picked_up", params=params)
    if dossier.status not in CARRIED_IN:
        raise Conflict(ALREADY, code="already_received", params=params)
    if dossier.holder_kind is not PartyKind.COURIER or dossier.holder_id is None:
        return None
    return session.get(Courier, dossier.holder_id)


def _arrival(session: Session, dossier: Dossier, holder: Courier) -> Arrival:
    seal, ticks = _pickup_record(session, dossier)
    procedure = dossier.procedure
    documents = tuple(
        CheckedDocument(d.position, d.name_vi, d.name_en, ticks.get(d.position))
        for d in procedure.documents
    )
    return Arrival(
        tracking_code=dossier.tracking_code,
        procedure_code=procedure.code,
        procedure_vi=procedure.name_vi,
        procedure_en=procedure.name_en,
        courier_id=holder.id,
        courier_name=holder.full_name,
        seal_number=seal,
        documents=documents,
    )


def _pickup_record(session: Session, dossier: Dossier) -> tuple[str | None, dict[int, str]]:
    """The last seal the dossier travelled under, and the checklist ticked at its pickup."""
    sealed = (
        select(Handover.seal_number, Handover.documents, HandoverItem.event)
        .join(HandoverItem, HandoverItem.handover_id == Handover.id)
        .where(HandoverItem.dossier_id == dossier.id, Handover.seal_number.is_not(None))
        .order_by(Handover.id.desc())
    )
    rows = session.execute(sealed).all()
    seal = rows[0].seal_number if rows else None
    pickup = next((r.documents for r in rows if r.event == Event.PICK_UP.value), None) or {}
    ticks = {int(x["position"]): str(x["form"]) for x in pickup.get(dossier.tracking_code, [])}
    return seal, ticks


def couriers_carrying(session: Session, site_id: int) -> list[Courier]:
    """The couriers now carrying dossiers on their way to the center, by name."""
    carrying = select(Dossier.holder_id).where(
        Dossier.receiving_site_id == site_id,
        Dossier.status.in_(CARRIED_IN),
        Dossier.holder_kind == PartyKind.COURIER,
    )
    query = select(Courier).where(Courier.id.in_(carrying)).order_by(Courier.full_name)
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class CounterBatch:
    """What the counter page sends: the courier, the codes, the seal, when, and its key."""

    site_id: int
    courier_id: int
    tracking_codes: tuple[str, ...]
    seal_number: str
    idempotency_key: str
    device_at: datetime


def receive(
    session: Session,
    actor: Actor,
    batch: CounterBatch,
    *,
    uploads: list[proofs.Upload],
    settings: Settings,
) -> tuple[Handover, bool]:
    """Record one courier → center handover for the batch, every code checked first; a retry of
    the same batch (same key) answers the first handover."""
    check_staff(actor, batch.site_id)
    if handovers.recorded_with(session, batch.idempotency_key, actor) is None:
        _check_proof(batch, uploads)
        _check_batch(session, actor, batch)
    request = handovers.HandoverRequest(
        idempotency_key=batch.idempotency_key,
        giver=handovers.Party(PartyKind.COURIER, batch.courier_id),
        receiver=handovers.Party(PartyKind.CENTER, batch.site_id),
        tracking_codes=batch.tracking_codes,
        device_at=batch.device_at,
        site_id=batch.site_id,
        seal_number=batch.seal_number or None,
    )
    return handovers.record(session, request, actor, uploads=uploads, settings=settings)


def _check_proof(batch: CounterBatch, uploads: list[proofs.Upload]) -> None:
    """Both signatures and the seal, each missing one named in the clerk's words."""
    roles = {u.role for u in uploads}
    wanted = (
        (ProofRole.SIGNATURE in roles, ("signature",), CLERK_SIGNS),
        (ProofRole.COUNTER_SIGNATURE in roles, ("counter_signature",), COURIER_SIGNS),
        (bool(batch.seal_number.strip()), ("seal_number",), NO_SEAL),
        (bool(batch.tracking_codes), ("tracking_codes",), NOTHING),
    )
    problems = [FieldProblem(loc, text, "missing") for there, loc, text in wanted if not there]
    if problems:
        raise InvalidInput(problems)


def _check_batch(session: Session, actor: Actor, batch: CounterBatch) -> None:
    """Every code once, each on its way here in the hands of the batch's courier."""
    seen: set[str] = set()
    for code in batch.tracking_codes:
        key = code.replace(" ", "").strip().upper()
        if key in seen:
            twice = FieldProblem(("tracking_codes",), TWICE, "duplicate", {"code": key})
            raise InvalidInput([twice])
        seen.add(key)
        check_arrival(session, actor, site_id=batch.site_id, code=code, courier_id=batch.courier_id)


@dataclass(frozen=True, slots=True)
class Received:
    """A counter handover as its confirmation shows it."""

    handover_id: int
    recorded_at: datetime
    courier_name: str | None
    seal_number: str | None
    tracking_codes: tuple[str, ...]


def received(session: Session, actor: Actor, handover_id: int) -> Received:
    """A courier → center handover the actor may see (else not found, as if it did not exist)."""
    handover = queries.get_visible(session, handover_id, actor)
    if handover.from_kind is not PartyKind.COURIER or handover.to_kind is not PartyKind.CENTER:
        raise queries.HandoverNotFound(NO_HANDOVER, params={"id": handover_id})
    codes = session.scalars(
        select(Dossier.tracking_code)
        .join(HandoverItem, HandoverItem.dossier_id == Dossier.id)
        .where(HandoverItem.handover_id == handover.id)
        .order_by(HandoverItem.id)
    )
    courier = session.get(Courier, handover.from_id) if handover.from_id else None
    return Received(
        handover.id,
        handover.recorded_at,
        courier.full_name if courier else None,
        handover.seal_number,
        tuple(codes),
    )
