"""The catalogue: sites, procedures with their documents, open slots and wards."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from courier.dossiers.models import Slot


class SiteOut(BaseModel):
    """A site of the catalogue."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    kind: str
    name_vi: str
    name_en: str
    district: str
    address: str
    lat: float
    lon: float
    opening_hours: str


class DocumentOut(BaseModel):
    """A required document; `position` is what a pickup's checklist ticks."""

    position: int
    name_vi: str
    name_en: str
    form: str
    copies: int


class ProcedureOut(BaseModel):
    """A procedure of the catalogue."""

    code: str
    field: str
    name_vi: str
    name_en: str
    receiving_kind: str
    fee_vnd: int
    processing_days: int
    documents: list[DocumentOut]


class SlotOut(BaseModel):
    """A pickup slot that can still be booked, with its labels in the caller's language."""

    on: date
    slot: Slot
    start: datetime
    end: datetime
    day_label: str = Field(description="weekday and dd/mm, e.g. 'Thứ Hai 07/12'")
    label: str = Field(description="the half-day and its hours, e.g. 'Sáng 08:00–11:30'")


class SlotsOut(BaseModel):
    """The slots of the next two weeks and the site that would receive the dossier."""

    receiving_site: SiteOut | None
    slots: list[SlotOut]


class WardOut(BaseModel):
    """A ward, commune or township, with the approximate centre a choice of it places."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name_vi: str
    name_en: str
    district_vi: str
    district_en: str
    lat: float
    lon: float
