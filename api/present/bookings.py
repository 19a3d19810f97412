"""The answer to a booking."""

from api.present.catalogue import site_out
from api.present.dossiers import window
from api.schemas.bookings import BookingOut, FeeOut
from courier.dossiers.booking import Quote
from courier.dossiers.models import Dossier, JobKind, Leg
from courier.settings import Settings


def booking_out(dossier: Dossier, quote: Quote, settings: Settings) -> BookingOut:
    """The answer to a booking."""
    pickup = next(j for j in dossier.jobs if j.leg is Leg.INBOUND and j.kind is JobKind.PICKUP)
    return BookingOut(
        tracking_code=dossier.tracking_code,
        status=dossier.status.value,
        fee=FeeOut.model_validate(quote),
        receiving_site=site_out(dossier.receiving_site),
        pickup_window=window(pickup, settings.zone),
        tracking_url=f"{settings.public_base_url}/track/{dossier.tracking_code}",
    )
