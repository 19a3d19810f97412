"""Booking pickups: one by a citizen without an account, many by an enterprise."""

from fastapi import APIRouter, status

from api import present, schemas
from api.deps import CurrentActor, DbSession, OptionalActor, SettingsDep
from courier.actors import PUBLIC_CITIZEN
from courier.dossiers import booking
from courier.dossiers.models import Dossier
from courier.dossiers.service import find_by_code

router = APIRouter(prefix="/bookings", tags=["bookings"])


def _request(body: schemas.BookingIn) -> booking.BookingRequest:
    return booking.BookingRequest(**body.model_dump())


def _reloaded(session: DbSession, dossier: Dossier) -> Dossier:
    session.expire(dossier, ["jobs"])
    found = find_by_code(session, dossier.tracking_code)
    assert found is not None
    return found


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.BookingOut)
def create_booking(
    body: schemas.BookingIn, session: DbSession, settings: SettingsDep, actor: OptionalActor
) -> schemas.BookingOut:
    """Book a pickup; answers the tracking code, the fee quote, the receiving site and the window."""
    dossier, quote = booking.book(session, _request(body), settings, actor or PUBLIC_CITIZEN)
    return present.booking_out(_reloaded(session, dossier), quote, settings)


@router.post("/batch", status_code=status.HTTP_201_CREATED, response_model=schemas.BatchOut)
def create_batch(
    body: schemas.BatchIn, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> schemas.BatchOut:
    """Book up to 500 pickups at once, all or nothing (API key or account)."""
    created = booking.book_batch(session, [_request(r) for r in body.rows], settings, actor)
    return schemas.BatchOut(
        bookings=[present.booking_out(_reloaded(session, d), q, settings) for d, q in created]
    )
