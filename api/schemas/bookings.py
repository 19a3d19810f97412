"""Bodies of a booking and a batch of bookings, and their answers."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.schemas import Day, Strict, VietnameseMobile
from api.schemas.catalogue import SiteOut
from courier.dossiers.models import ResultReturn, Slot


class BookingIn(Strict):
    """A pickup booking."""

    applicant_name: str = Field(min_length=2, max_length=200)
    phone: VietnameseMobile = Field(
        description="Vietnamese mobile, e.g. 0912345678 or +84912345678"
    )
    address_text: str = Field(min_length=5, max_length=500)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    procedure_code: str = Field(min_length=1, max_length=32)
    preferred_on: Day
    slot: Slot
    result_return: ResultReturn
    consent: StrictBool = Field(
        description="explicit consent to personal-data processing (GET /api/v1/consent): the "
        "JSON value true only"
    )
    consent_version: str = Field(min_length=1, max_length=32)


class BatchIn(Strict):
    """Many bookings, all or nothing."""

    rows: list[BookingIn] = Field(min_length=1, max_length=500)


class FeeOut(BaseModel):
    """A fee quote in whole đồng; read from the quote."""

    model_config = ConfigDict(from_attributes=True)

    procedure_fee_vnd: int
    pickup_fee_vnd: int
    return_fee_vnd: int
    total_vnd: int


class WindowOut(BaseModel):
    """A time window, shown in the service's time zone."""

    start: datetime
    end: datetime


class BookingOut(BaseModel):
    """What a booking answers."""

    tracking_code: str
    status: str
    fee: FeeOut
    receiving_site: SiteOut
    pickup_window: WindowOut
    tracking_url: str


class BatchOut(BaseModel):
    """The bookings a batch created, in row order."""

    bookings: list[BookingOut]
