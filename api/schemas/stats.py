"""Response bodies of the statistics per site and period (read from `courier.stats` values)."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class FromValues(BaseModel):
    """Read from the service's frozen values."""

    model_config = ConfigDict(from_attributes=True)


class OnTimeOut(FromValues):
    """A leg's dossiers on time, out of how many; `rate` is null when there were none."""

    on_time: int
    total: int
    rate: float | None = Field(description="on_time / total, 4 decimals")


class StageDaysOut(FromValues):
    """Average days at each stage (null when no dossier ended that stage in the period)."""

    booked_to_picked_up: float | None
    picked_up_to_received: float | None
    received_to_result_ready: float | None
    result_ready_to_returned: float | None


class SiteStatsOut(FromValues):
    """One center's figures over a period of local dates (Asia/Ho_Chi_Minh), both included."""

    site_code: str
    site_name_vi: str
    site_name_en: str
    from_on: date
    to_on: date
    received: int = Field(description="dossiers received at the center's counter")
    returned: int = Field(description="results delivered to the citizen or collected at the center")
    delivered: int = Field(description="of which delivered by the courier")
    collected_at_center: int = Field(description="of which collected at the center")
    pickup: OnTimeOut = Field(description="picked up within the citizen's slot")
    arrival: OnTimeOut = Field(description="received at the center the day they were picked up")
    return_by_due: OnTimeOut = Field(description="returned on or before the (postponed) due date")
    end_to_end: OnTimeOut = Field(description="returned dossiers on time on all three legs")
    failed_attempts: dict[str, int] = Field(description="failed attempts by reason")
    average_days: StageDaysOut
