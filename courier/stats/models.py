"""The rollup the statistics read: per receiving site and local day, and per month, sums of
each figure.

A row holds, for the dossiers of the site whose stage ended that day (Asia/Ho_Chi_Minh), or that
month (`whole_month`, `day_on` its first day), each figure's count and on-time count, and per
stage the number of dossiers and the sum of their seconds; the definitions are the per-dossier
queries of `courier.stats.queries`. A year is then twelve month rows per site instead of 365.
"""

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from courier.db import Base

# the summed columns of `SiteDayStats`, in the order the rollup's queries give them
COUNTS = (
    "picked_up",
    "pickup_on_time",
    "received",
    "arrival_on_time",
    "returned",
    "return_on_time",
    "end_to_end_on_time",
    "collected",
)
STAGE_SPANS = (
    "booked_to_picked_up",
    "picked_up_to_received",
    "received_to_result_ready",
    "result_ready_to_returned",
)
SUMS = COUNTS + tuple(f"{s}_{unit}" for s in STAGE_SPANS for unit in ("n", "s"))


class SiteDayStats(Base):
    """One site's figures over one local day, or over the month from `day_on`."""

    __tablename__ = "site_day_stats"

    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), primary_key=True)
    whole_month: Mapped[bool] = mapped_column(primary_key=True)
    day_on: Mapped[date] = mapped_column(primary_key=True)
    picked_up: Mapped[int] = mapped_column(default=0)
    pickup_on_time: Mapped[int] = mapped_column(default=0)
    received: Mapped[int] = mapped_column(default=0)
    arrival_on_time: Mapped[int] = mapped_column(default=0)
    returned: Mapped[int] = mapped_column(default=0)
    return_on_time: Mapped[int] = mapped_column(default=0)
    end_to_end_on_time: Mapped[int] = mapped_column(default=0)
    collected: Mapped[int] = mapped_column(default=0)
    booked_to_picked_up_n: Mapped[int] = mapped_column(default=0)
    booked_to_picked_up_s: Mapped[float] = mapped_column(default=0.0)
    picked_up_to_received_n: Mapped[int] = mapped_column(default=0)
    picked_up_to_received_s: Mapped[float] = mapped_column(default=0.0)
    received_to_result_ready_n: Mapped[int] = mapped_column(default=0)
    received_to_result_ready_s: Mapped[float] = mapped_column(default=0.0)
    result_ready_to_returned_n: Mapped[int] = mapped_column(default=0)
    result_ready_to_returned_s: Mapped[float] = mapped_column(default=0.0)


class SiteDayFailures(Base):
    """One site's failed attempts of one local day (or month) with one reason ("other" when none
    was given)."""

    __tablename__ = "site_day_failures"

    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), primary_key=True)
    whole_month: Mapped[bool] = mapped_column(primary_key=True)
    day_on: Mapped[date] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
