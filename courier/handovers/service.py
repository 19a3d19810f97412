"""Record a handover: dossiers pass between parties, all of them moved by the state machine or none.

A handover carries its proof (signatures, photos, seal, checklist); it is sealed into each dossier's
custody chain and its receipt is rendered by a task after the commit.
"""

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import access
from courier.actors import Actor
from courier.catalogue.models import Site
from courier.dossiers import actions, jobs
from courier.dossiers import service as dossiers
from courier.dossiers.models import (
    Dossier,
    DossierStatus,
    Job,
    JobKind,
    JobStatus,
    Leg,
    ResultReturn,
    TrackingEvent,
)
from courier.dossiers.states import Event
from courier.enums import PartyKind, Role, SiteKind
from courier.errors import Conflict, DossierNotFound, FieldProblem, InvalidInput, PermissionDenied
from courier.fleet.models import Courier
from courier.handovers.models import Handover, HandoverItem
from courier.idempotency import fingerprint, insert_once, stored_key
from courier.outbox.service import enqueue
from courier.proofs import custody
from courier.proofs import service as proofs
from courier.proofs.kinds import MAX_PHOTOS, REQUIREMENTS, DocumentForm, ProofRole, Requirements
from courier.proofs.storage import storage_for
from courier.settings import Settings
from courier.text import mark

# catalogue ids: the API answers them in the caller's language
PARTIES_ONLY = mark("Only a party to the handover (or an admin) records it.")
NOT_IN_HANDOVER = mark("No dossier %(code)s for this handover.")
HELD_ELSEWHERE = mark("Dossier %(code)s is held at another center.")
COLLECTED_AT_CENTER = mark("Dossier %(code)s: the citizen collects the result at the center.")
NOT_THE_GIVERS = mark("Dossier %(code)s is not held by the giver: %(holder)s holds it.")
BOUND_ELSEWHERE = mark("Dossier %(code)s is bound for another center.")
# a field's problem in a handover (the API says which field, in the caller's language)
SAME_PARTY = mark("giver and receiver are the same party")
BOTH_OR_NEITHER = mark("give both lat and lon, or neither")
PLACE_NEEDED = mark("give the site or the GPS point (lat, lon)")
NO_SUCH_SITE = mark("no such site")
ONE_DOSSIER = mark("at least one dossier")
CITIZEN_HAS_NO_ID = mark("a citizen has no id here")
NO_SUCH_COURIER = mark("no such courier")
TOO_MANY_PHOTOS = mark("at most %(count)s photos")
NOT_TICKED = mark("documents %(positions)s of the checklist are not ticked")
NOT_IN_CHECKLIST = mark("the procedure has no documents %(positions)s")
TICKED_TWICE = mark("a document is ticked twice")
# who holds a dossier, inside a sentence ("... is not held by the giver: a courier holds it.")
HOLDERS = {
    PartyKind.CITIZEN: mark("the citizen"),
    PartyKind.COURIER: mark("a courier"),
    PartyKind.POST_OFFICE: mark("a post office"),
    PartyKind.CENTER: mark("a center"),
}

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
class DocumentTick:
    """One required document of a dossier, ticked at pickup as handed in original or copy."""

    tracking_code: str
    position: int
    form: DocumentForm


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
    accuracy_m: float | None = None
    fees_collected_vnd: int | None = None
    seal_number: str | None = None
    documents: tuple[DocumentTick, ...] = ()

    def digest(self, uploads: list[proofs.Upload]) -> str:
        """A fingerprint of the content and of every uploaded file, to tell a retry from reuse."""
        body = asdict(self)
        body["device_at"] = self.device_at.isoformat()
        body["uploads"] = [(u.role.value, u.position, u.sha256) for u in uploads]
        return fingerprint(body)


def record(
    session: Session,
    request: HandoverRequest,
    actor: Actor,
    *,
    uploads: list[proofs.Upload],
    settings: Settings,
) -> tuple[Handover, bool]:
    """Record the handover with its proof and move every dossier; returns (handover, created).

    A retry with the same key and body answers the first handover and stores nothing.
    """
    _check_actor_is_party(actor, request)  # first: a stranger replaying a key learns nothing
    digest = request.digest(uploads)
    existing = _replay(session, request, actor, digest)
    if existing is not None:
        return existing, False
    ahead = jobs.ahead_of_clock(request.device_at, settings, ("handover", "device_at"))
    if ahead is not None:
        raise InvalidInput([ahead])
    _check_shape(session, request)
    _check_proof(request, uploads)
    prepared = proofs.prepare(uploads, settings)
    handover, created = _claim(session, request, actor, digest)
    if not created:  # an identical request committed it a moment ago
        return handover, False
    office = _receiving_office(session, request)
    for code in dict.fromkeys(request.tracking_codes):
        dossier = _move(session, handover, request, code, actor)
        if dossier.status is DossierStatus.RECEIVED_AT_CENTER and dossier.due_on is None:
            actions.set_due_date(dossier, settings)
        if office is not None:  # kept overnight on its way in: on to the center next morning
            jobs.hold_overnight(session, dossier, office, settings, at=request.device_at)
    proofs.attach(session, handover, prepared, storage_for(settings))
    proofs.seal(session, handover, custody.signing_key(settings), zone=settings.zone)
    enqueue(session, "proofs.render_receipt", handover_id=handover.id)
    return handover, True


KEY_REUSED = mark("this key was already used for a different handover: send a new key")
KEY_RACED = mark("another request took this key at the same moment: send the handover again")


def _by_key(session: Session, key: str) -> Handover | None:
    return session.scalar(select(Handover).where(Handover.idempotency_key == key))


def _stored_key(session: Session, key: str, actor: Actor) -> str:
    """The key as this caller's handovers store it: their own when a handover the caller is no
    party to holds it as sent (that one is none of the caller's business)."""

    def taken_by_other(sent: str) -> bool:
        holder = _by_key(session, sent)
        return holder is not None and not is_party_to(actor, holder)

    return stored_key(key, actor, taken_by_other)


def recorded_with(session: Session, key: str, actor: Actor) -> Handover | None:
    """The handover recorded with this key that the caller may know of (None: the key is new to
    them, even when another caller's handover holds it)."""
    return _by_key(session, _stored_key(session, key, actor))


def _claim(
    session: Session, request: HandoverRequest, actor: Actor, digest: str
) -> tuple[Handover, bool]:
    """(handover, created): inserted under the caller's key; else the identical request's that
    took the key first. The key with another body is refused, naming only the caller's own use."""
    for _ in range(3):  # taken meanwhile: by the same request, or by another caller's
        existing = _replay(session, request, actor, digest)
        if existing is not None:
            return existing, False
        key = _stored_key(session, request.idempotency_key, actor)
        handover = _insert(session, request, actor, digest, key)
        if handover is not None:
            return handover, True
    raise Conflict(KEY_RACED, code="idempotency_key_busy")


def _replay(
    session: Session, request: HandoverRequest, actor: Actor, digest: str
) -> Handover | None:
    """The caller's handover recorded with the key and the same content; refused when the key
    came with another content."""
    existing = recorded_with(session, request.idempotency_key, actor)
    if existing is not None and existing.request_digest != digest:
        loc = ("handover", "idempotency_key")
        raise InvalidInput([FieldProblem(loc, KEY_REUSED, "idempotency_key_reused")])
    return existing


def _insert(
    session: Session, request: HandoverRequest, actor: Actor, digest: str, key: str
) -> Handover | None:
    """Insert the handover row; None when a concurrent request took the key first."""
    handover = Handover(
        idempotency_key=key,
        request_digest=digest,
        from_kind=request.giver.kind,
        from_id=request.giver.id,
        to_kind=request.receiver.kind,
        to_id=request.receiver.id,
        site_id=request.site_id,
        lat=request.lat,
        lon=request.lon,
        device_at=request.device_at,
        recorded_by_id=actor.id if actor.kind == "user" else None,
        fees_collected_vnd=request.fees_collected_vnd or 0,
        accuracy_m=request.accuracy_m,
        seal_number=request.seal_number,
        documents=_documents_json(request.documents) or None,
    )
    return handover if insert_once(session, handover) else None


def _documents_json(ticks: tuple[DocumentTick, ...]) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for tick in sorted(ticks, key=lambda t: (t.tracking_code, t.position)):
        out.setdefault(tick.tracking_code, []).append(
            {"position": tick.position, "form": tick.form.value}
        )
    return out


def requirements(request: HandoverRequest) -> Requirements | None:
    """The proof this kind of handover needs, or None for a pair of parties that never meet."""
    return REQUIREMENTS.get((request.giver.kind, request.receiver.kind))


def _check_proof(request: HandoverRequest, uploads: list[proofs.Upload]) -> None:
    """Everything the kind of handover needs is there; each missing piece is named."""
    needs = requirements(request)
    if needs is None:
        return
    roles = [u.role for u in uploads]
    signer = request.giver if needs.signer.value == "giver" else request.receiver
    problems: list[FieldProblem] = []
    if ProofRole.SIGNATURE not in roles:
        problems.append(_missing(("signature",), f"the {signer.kind}'s signature"))
    if needs.countersigned and ProofRole.COUNTER_SIGNATURE not in roles:
        other = request.receiver if signer is request.giver else request.giver
        problems.append(_missing(("counter_signature",), f"the {other.kind}'s signature"))
    photos = roles.count(ProofRole.PHOTO)
    if photos < needs.min_photos:
        problems.append(_missing(("photos",), f"at least {needs.min_photos} photo"))
    if photos > MAX_PHOTOS:
        problems.append(
            FieldProblem(("photos",), TOO_MANY_PHOTOS, "too_many", {"count": MAX_PHOTOS})
        )
    if needs.seal and not request.seal_number:
        problems.append(_missing(("handover", "seal_number"), "the seal number of the packet"))
    if needs.fee and request.fees_collected_vnd is None:
        problems.append(
            _missing(("handover", "fees_collected_vnd"), "the fee collected (0 if none)")
        )
    if needs.checklist and not request.documents:
        problems.append(_missing(("handover", "documents"), "the document checklist"))
    if problems:
        raise InvalidInput(problems)


def _missing(loc: tuple[str | int, ...], what: str) -> FieldProblem:
    return FieldProblem(loc, f"{what} is required for this kind of handover", "missing")


def _check_shape(session: Session, request: HandoverRequest) -> None:
    problems: list[FieldProblem] = []
    if (request.giver.kind, request.receiver.kind) not in ROUTES:
        problems.append(
            FieldProblem(
                ("handover", "receiver", "kind"),
                f"a dossier does not pass from {request.giver.kind} to {request.receiver.kind}",
            )
        )
    for name, party in (("giver", request.giver), ("receiver", request.receiver)):
        problems += _check_party(session, name, party)
    if request.giver == request.receiver:
        problems.append(FieldProblem(("handover", "receiver"), SAME_PARTY))
    # at a citizen's door the phone may have no fix (location refused, no signal): no point is
    # recorded rather than a guessed one; between staff the place is always known
    at_door = PartyKind.CITIZEN in (request.giver.kind, request.receiver.kind)
    if (request.lat is None) != (request.lon is None):
        problems.append(FieldProblem(("handover", "lat"), BOTH_OR_NEITHER))
    elif request.site_id is None and request.lat is None and not at_door:
        problems.append(FieldProblem(("handover", "site_id"), PLACE_NEEDED))
    elif request.site_id is not None and session.get(Site, request.site_id) is None:
        problems.append(FieldProblem(("handover", "site_id"), NO_SUCH_SITE))
    if not request.tracking_codes:
        problems.append(FieldProblem(("handover", "tracking_codes"), ONE_DOSSIER))
    if problems:
        raise InvalidInput(problems)


def _check_party(session: Session, name: str, party: Party) -> list[FieldProblem]:
    if party.kind is PartyKind.CITIZEN:
        return (
            [] if party.id is None else [FieldProblem(("handover", name, "id"), CITIZEN_HAS_NO_ID)]
        )
    if party.id is None:
        return [FieldProblem(("handover", name, "id"), f"a {party.kind} party needs its id")]
    if party.kind is PartyKind.COURIER:
        found = session.get(Courier, party.id) is not None
        return [] if found else [FieldProblem(("handover", name, "id"), NO_SUCH_COURIER)]
    site = session.get(Site, party.id)
    wanted = (SiteKind.POST_OFFICE,) if party.kind is PartyKind.POST_OFFICE else _CENTER_KINDS
    if site is None or site.kind not in wanted:
        return [FieldProblem(("handover", name, "id"), f"no such {party.kind}")]
    return []


def _check_actor_is_party(actor: Actor, request: HandoverRequest) -> None:
    if actor.is_admin or any(is_party(actor, p) for p in (request.giver, request.receiver)):
        return
    raise PermissionDenied(PARTIES_ONLY)


def is_party_to(actor: Actor, handover: Handover) -> bool:
    """True for an admin, and for the actor who is (or acts for) its giver or its receiver."""
    parties = (Party(handover.from_kind, handover.from_id), Party(handover.to_kind, handover.to_id))
    return actor.is_admin or any(is_party(actor, p) for p in parties)


def is_party(actor: Actor, party: Party) -> bool:
    """True when the actor is (or acts for) that party; a party without an id is nobody's (an
    account bound to no courier or site is not every such party)."""
    if party.id is None:
        return False
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
) -> Dossier:
    dossier = dossiers.find_by_code(session, code, lock=True)
    if dossier is None or not _concerns(session, request, dossier, actor):
        if dossier is not None and dossier.status is DossierStatus.CANCELLED:
            _refuse_cancelled(session, dossier, actor)
        raise DossierNotFound(NOT_IN_HANDOVER, params={"code": code})
    _check_custody(request, dossier)
    _check_office(session, request, dossier)
    event = _event_for(request, dossier)
    if event is Event.PICK_UP:
        _check_checklist(request, dossier)
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
    return dossier


CANCELLED = mark("Dossier %(code)s was cancelled by the citizen; do not collect it.")
ABANDONED = mark(
    "Dossier %(code)s was cancelled after too many failed attempts; do not collect it."
)


def _refuse_cancelled(session: Session, dossier: Dossier, actor: Actor) -> None:
    """Tell whoever may know of the dossier (the courier whose job it was) that it is cancelled."""
    was_theirs = actor.courier_id is not None and (
        session.scalar(
            select(Job.id)
            .where(Job.dossier_id == dossier.id, Job.courier_id == actor.courier_id)
            .limit(1)
        )
        is not None
    )
    if not (was_theirs or access.can_view_dossier(session, actor, dossier)):
        return
    last = session.scalar(
        select(TrackingEvent.event)
        .where(TrackingEvent.dossier_id == dossier.id)
        .order_by(TrackingEvent.id.desc())
        .limit(1)
    )
    message = ABANDONED if last == Event.PICKUP_ABANDON else CANCELLED
    raise Conflict(message, code="dossier_cancelled", params={"code": dossier.tracking_code})


def _check_checklist(request: HandoverRequest, dossier: Dossier) -> None:
    """Each required document of the dossier's procedure is ticked once, original or copy."""
    code = dossier.tracking_code
    ticked = [t.position for t in request.documents if t.tracking_code == code]
    required = [d.position for d in dossier.procedure.documents]
    loc: tuple[str | int, ...] = ("handover", "documents", code)
    problems = []
    missing = sorted(set(required) - set(ticked))
    unknown = sorted(set(ticked) - set(required))
    if missing:
        problems.append(FieldProblem(loc, NOT_TICKED, params={"positions": _listed(missing)}))
    if unknown:
        problems.append(FieldProblem(loc, NOT_IN_CHECKLIST, params={"positions": _listed(unknown)}))
    if len(ticked) != len(set(ticked)):
        problems.append(FieldProblem(loc, TICKED_TWICE))
    if problems:
        raise InvalidInput(problems)


def _listed(positions: list[int]) -> str:
    return ", ".join(str(p) for p in positions)


def _concerns(session: Session, request: HandoverRequest, dossier: Dossier, actor: Actor) -> bool:
    """The actor may see the dossier, and a courier taking it from a citizen or a center has that
    job assigned. Checked before anything about the dossier is told: a refusal (held elsewhere,
    another center, its state) would tell a stranger that it exists, where and with whom."""
    if not access.can_view_dossier(session, actor, dossier):
        return False
    if (
        request.giver.kind in (PartyKind.CITIZEN, PartyKind.CENTER)
        and request.receiver.kind is PartyKind.COURIER
    ):
        leg = Leg.INBOUND if request.giver.kind is PartyKind.CITIZEN else Leg.RETURN
        job = jobs.open_job(session, dossier, leg, JobKind.PICKUP)
        return job is not None and job.courier_id == request.receiver.id
    return True


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
            raise Conflict(HELD_ELSEWHERE, params={"code": dossier.tracking_code})
        if (
            request.receiver.kind is PartyKind.COURIER
            and dossier.result_return is not ResultReturn.POST
        ):
            raise Conflict(COLLECTED_AT_CENTER, params={"code": dossier.tracking_code})
        return
    if holder != giver:
        raise Conflict(
            NOT_THE_GIVERS,
            params={"code": dossier.tracking_code, "holder": HOLDERS[holder.kind]},
        )
    if (
        request.receiver.kind is PartyKind.CENTER
        and request.receiver.id != dossier.receiving_site_id
    ):
        raise Conflict(BOUND_ELSEWHERE, params={"code": dossier.tracking_code})


OTHER_OFFICE = mark(
    "Dossier %(code)s is served by another post office: only a dispatcher can give it to this "
    "courier or post office (by assigning its job or moving it in the plan)."
)


def _check_office(session: Session, request: HandoverRequest, dossier: Dossier) -> None:
    """A handover keeps the dossier in the post office that serves it (whose staff and couriers
    may read it); only a dispatcher's assignment or move, which the dossier's office follows,
    takes it to another office's courier."""
    office = _office_of(session, request.receiver)
    if office is None or dossier.post_office_id in (None, office):
        return
    taker = request.receiver.id if request.receiver.kind is PartyKind.COURIER else None
    if taker is not None and access.has_assigned_job(session, dossier, taker):
        return
    raise Conflict(OTHER_OFFICE, code="other_office", params={"code": dossier.tracking_code})


def _office_of(session: Session, party: Party) -> int | None:
    """The post office a receiving party works in: its own, or a courier's home office."""
    if party.kind is PartyKind.POST_OFFICE:
        return party.id
    if party.kind is PartyKind.COURIER and party.id is not None:
        courier = session.get(Courier, party.id)
        return courier.home_post_office_id if courier is not None else None
    return None


def _receiving_office(session: Session, request: HandoverRequest) -> Site | None:
    """The post office a courier leaves dossiers at, if that is this handover."""
    if (request.giver.kind, request.receiver.kind) != (PartyKind.COURIER, PartyKind.POST_OFFICE):
        return None
    return session.get(Site, request.receiver.id) if request.receiver.id is not None else None


def _close_jobs(session: Session, dossier: Dossier, event: Event, request: HandoverRequest) -> None:
    closes = {
        Event.PICK_UP: (Leg.INBOUND, JobKind.PICKUP),
        Event.RECEIVE_AT_CENTER: (Leg.INBOUND, JobKind.DELIVERY),
        Event.RESULT_PICK_UP: (Leg.RETURN, JobKind.PICKUP),
        Event.DELIVER: (Leg.RETURN, JobKind.DELIVERY),
    }
    if event in closes:
        jobs.mark_done(jobs.open_job(session, dossier, *closes[event]))
    if event is Event.RECEIVE_AT_CENTER:  # brought on from a post office after a night there
        jobs.mark_done(jobs.open_job(session, dossier, Leg.RELAY, JobKind.DELIVERY))
    if event is Event.LEAVE_POST_OFFICE:  # collected from the office it spent the night at
        pickup = jobs.open_job(session, dossier, Leg.RELAY, JobKind.PICKUP)
        if pickup is not None and pickup.site_id == request.giver.id:
            jobs.mark_done(pickup)
    if event is Event.RETURN_TO_CENTER:
        # the result waits at the center for the citizen: no delivery is left to attempt
        delivery = jobs.open_job(session, dossier, Leg.RETURN, JobKind.DELIVERY)
        jobs.mark_done(delivery, JobStatus.FAILED)
    if event is Event.TRANSFER and request.receiver.id is not None:
        for leg in Leg:
            job = jobs.open_job(session, dossier, leg, JobKind.DELIVERY)
            if job is not None:
                job.courier_id = request.receiver.id
                jobs.follow_couriers(session, [job])
