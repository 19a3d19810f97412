"""Booking pickups: one by a citizen without an account, many by an enterprise."""

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status

from api import ratelimit
from api.deps import CurrentActor, DbSession, OptionalActor, SettingsDep
from api.present.bookings import booking_out
from api.schemas.bookings import BatchIn, BatchOut, BookingIn, BookingOut
from courier.actors import PUBLIC_CITIZEN
from courier.dossiers import booking
from courier.dossiers.models import Dossier
from courier.dossiers.service import find_by_code

router = APIRouter(prefix="/bookings", tags=["bookings"])


def _request(body: BookingIn) -> booking.BookingRequest:
    return booking.BookingRequest(**body.model_dump())


def _reloaded(session: DbSession, dossier: Dossier) -> Dossier:
    session.expire(dossier, ["jobs"])
    found = find_by_code(session, dossier.tracking_code)
    assert found is not None
    return found


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="any unique value per booking (e.g. a UUID): a retry with the same key and "
        "body answers the first booking again; another body with the key is refused (422); a "
        "key is its caller's own (another account's or API key's key is new to this caller)",
    ),
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=BookingOut,
    responses={429: {"description": "too many bookings from this client or for this phone"}},
)
def create_booking(
    request: Request,
    response: Response,
    body: BookingIn,
    session: DbSession,
    settings: SettingsDep,
    actor: OptionalActor,
    idempotency_key: IdempotencyKey = None,
) -> BookingOut:
    """Book a pickup; answers the tracking code, the fee quote, the receiving site and the window.

    Without an account, bookings are limited per client address and per phone number a day.
    """
    asked = _request(body)
    caller = actor or PUBLIC_CITIZEN
    if booking.replayed(session, asked, caller, idempotency_key) is not None:
        response.headers["Idempotent-Replayed"] = "true"
    elif actor is None:
        ratelimit.check_booking(request, session, asked.phone)
    dossier, quote = booking.book(session, asked, settings, caller, idempotency_key)
    return booking_out(_reloaded(session, dossier), quote, settings)


@router.post("/batch", status_code=status.HTTP_201_CREATED, response_model=BatchOut)
def create_batch(
    body: BatchIn, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> BatchOut:
    """Book up to 500 pickups at once, all or nothing (API key or account)."""
    created = booking.book_batch(session, [_request(r) for r in body.rows], settings, actor)
    return BatchOut(bookings=[booking_out(_reloaded(session, d), q, settings) for d, q in created])
