"""Custody: a dossier's verifiable chain of handovers, and the key that signs it."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from api.deps import DbSession, OptionalActor, SettingsDep
from api.present.custody import custody_out
from api.ratelimit import public_limit
from api.routers.track import proven
from api.schemas import Day
from api.schemas.custody import CustodyDayOut, CustodyOut, PublicKeyOut, SigningKeyOut
from courier.dossiers import service as dossiers
from courier.errors import NotAuthenticated
from courier.proofs import anchor, custody, verify
from courier.proofs.storage import storage_for

router = APIRouter(tags=["custody"])


@router.get("/custody/public-key", response_model=PublicKeyOut)
def public_key(settings: SettingsDep) -> PublicKeyOut:
    """The Ed25519 keys that sign links, by id: the current one and those retired by rotation."""
    keys = custody.published_keys(settings)
    current = custody.signing_key(settings).key_id
    published = [
        SigningKeyOut(
            key_id=key_id,
            status="current" if key_id == current else "retired",
            algorithm="Ed25519",
            public_key_pem=custody.public_pem(public),
            public_key_raw_base64=custody.public_raw_b64(public),
        )
        for key_id, public in keys.items()
    ]
    return PublicKeyOut(
        **published[0].model_dump(exclude={"status"}),
        keys=published,
        signed_message="the ASCII hex SHA-256 link hash printed on the receipt",
    )


@router.get(
    "/custody/days/{day}", response_model=CustodyDayOut, dependencies=[Depends(public_limit)]
)
def custody_day(day: Day, session: DbSession, settings: SettingsDep) -> CustodyDayOut:
    """A day (in the service's time zone) of the custody log: the hash of each link anchored then,
    their root and its Ed25519 signature, to check a printed receipt's log entry against.

    No personal data: entry hashes only. The root changes until `complete`: an entry of a later
    day is anchored, so none of this day can still be added.
    """
    log = anchor.day_log(session, day)
    key = custody.signing_key(settings)
    return CustodyDayOut(
        day=day,
        complete=log.complete,
        count=len(log.entries),
        first_seq=log.first_seq,
        entries=log.entries,
        root=log.root,
        signature=key.sign(log.root),
        key_id=key.key_id,
        signed_message="the ASCII hex root; root = SHA-256 of the canonical JSON (sorted keys, "
        'no spaces) of {"day": day, "entries": entries, "v": 1}',
        verified=not log.problems,
        problems=log.problems,
        public_key_url="/api/v1/custody/public-key",
    )


def _limit_public(request: Request, phone: str | None = None) -> None:
    if phone is not None:
        public_limit(request)


@router.get(
    "/dossiers/{code}/custody",
    response_model=CustodyOut,
    dependencies=[Depends(_limit_public)],
)
def custody_chain(
    code: str,
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    actor: OptionalActor,
    phone: Annotated[
        str | None,
        Query(pattern=r"^\d{4}$", description="without an account: the phone's last 4 digits"),
    ] = None,
) -> CustodyOut | JSONResponse:
    """The chain of handovers of a dossier and whether every link, signature and image verifies.

    Staff it concerns call it signed in; the citizen (from the receipt's QR code) with the phone's
    last 4 digits. The chain names parties by kind and id only.
    """
    if phone is not None:
        proof = proven(request, session, code, phone)
        if isinstance(proof, JSONResponse):
            return proof
        dossier = proof
    elif actor is not None:
        dossier = dossiers.get_visible(session, code, actor)
    else:
        raise NotAuthenticated("sign in, or give the last 4 digits of the applicant's phone")
    report = verify.verify_chain(
        session, dossier, storage=storage_for(settings), trust=verify.Trust.of(settings)
    )
    return custody_out(report, settings.zone)
