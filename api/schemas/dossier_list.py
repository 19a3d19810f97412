"""The staff list of dossiers: one row per dossier, read from the listing's rows."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from courier.dossiers.models import DossierStatus, ResultReturn, Slot
from courier.enums import PartyKind


class DossierListItem(BaseModel):
    """A dossier as the staff list shows it; times in the zone given as the `zone` context."""

    model_config = ConfigDict(from_attributes=True)

    tracking_code: str
    status: DossierStatus
    procedure_code: str
    receiving_site_code: str
    post_office_code: str | None
    applicant_name: str
    applicant_phone: str
    address_text: str
    preferred_on: date
    slot: Slot
    result_return: ResultReturn
    holder_kind: PartyKind
    due_on: date | None
    status_changed_at: datetime
    created_at: datetime

    @field_validator("status_changed_at", "created_at")
    @classmethod
    def _local(cls, value: datetime, info: ValidationInfo) -> datetime:
        zone = (info.context or {}).get("zone")
        return value.astimezone(zone) if isinstance(zone, ZoneInfo) else value


class DossierListOut(BaseModel):
    """A page of the list, newest first; `next_cursor` fetches the next (null on the last)."""

    items: list[DossierListItem]
    next_cursor: str | None
