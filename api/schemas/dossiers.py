"""A dossier with its personal data, and a postponement of its result."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from api.schemas import Day, Strict
from api.schemas.jobs import JobOut
from courier.dossiers.models import ResultReturn, Slot
from courier.proofs.kinds import PostponementReason


class PostponeIn(Strict):
    """The center moves the result date."""

    new_due_on: Day
    reason: PostponementReason
    note: str = Field(default="", max_length=1000)


class ResultReadyIn(Strict):
    """How the citizen now asks for the result, if they changed their mind since booking."""

    result_return: ResultReturn | None = Field(
        default=None,
        description="post: a courier brings it (a return pickup and delivery are planned); "
        "center: the citizen collects it at the counter; omitted: as booked",
    )


class DossierOut(BaseModel):
    """A dossier with its personal data, for those it concerns."""

    tracking_code: str
    status: str
    procedure_code: str
    receiving_site_code: str
    applicant_name: str
    applicant_phone: str
    address_text: str
    lat: float
    lon: float
    point_source: str = Field(
        description="how the point was set: given, gps, map, or ward (its centre: approximate)"
    )
    preferred_on: date
    slot: Slot
    result_return: ResultReturn
    holder_kind: str
    holder_id: int | None
    due_on: date | None
    created_at: datetime
    jobs: list[JobOut]
