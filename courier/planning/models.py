"""A day's plan: its build (parts solved by workers), and the ordered stops of each courier."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from courier.db import Base, utcnow
from courier.enums import str_enum
from routing.codec import PartJSON, ResultJSON


class PlanStatus(StrEnum):
    """Where a plan is: built by tasks, then published by a dispatcher."""

    QUEUED = "queued"
    BUILDING = "building"
    BUILT = "built"
    FAILED = "failed"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class PartStatus(StrEnum):
    """Where one sub-problem is."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class Plan(Base):
    """The routes for one service day, over all depots or some of them."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_on: Mapped[date] = mapped_column(index=True)
    depot_ids: Mapped[list[int] | None] = mapped_column(JSON)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus))
    parts_total: Mapped[int] = mapped_column(default=0)
    parts_done: Mapped[int] = mapped_column(default=0)
    stops_total: Mapped[int] = mapped_column(default=0)
    stops_served: Mapped[int] = mapped_column(default=0)
    stops_dropped: Mapped[int] = mapped_column(default=0)
    travel_s: Mapped[int] = mapped_column(default=0)
    distance_m: Mapped[int] = mapped_column(default=0)
    time_limit_s: Mapped[int]
    error: Mapped[str | None] = mapped_column(Text)
    # what the build could not do as asked (a lock it could not keep), for the dispatcher
    notes: Mapped[list[str] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # a re-plan: the plan it replaces, and the moment from which the rest of the day is planned
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"))
    replan_at: Mapped[datetime | None]


class PlanLock(Base):
    """A dispatcher's decision the solver must keep: this pair on this courier (at this place)."""

    __tablename__ = "plan_lock"
    __table_args__ = (UniqueConstraint("plan_id", "pickup_job_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    pickup_job_id: Mapped[int] = mapped_column(ForeignKey("job.id"))
    courier_id: Mapped[int] = mapped_column(ForeignKey("courier.id"))
    position: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanPart(Base):
    """One independent sub-problem (a depot's sector): its frozen input and, once solved, result."""

    __tablename__ = "plan_part"
    __table_args__ = (UniqueConstraint("plan_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    depot_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    status: Mapped[PartStatus] = mapped_column(str_enum(PartStatus))
    problem: Mapped[PartJSON] = mapped_column(JSON)
    result: Mapped[ResultJSON | None] = mapped_column(JSON)
    stops: Mapped[int] = mapped_column(default=0)
    solved_at: Mapped[datetime | None]
    solve_s: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(Text)


class RouteStop(Base):
    """One stop of a courier's route in a plan: a job, its place in the order, its planned times."""

    __tablename__ = "route_stop"
    __table_args__ = (
        UniqueConstraint("plan_id", "job_id"),
        UniqueConstraint("plan_id", "courier_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    courier_id: Mapped[int] = mapped_column(ForeignKey("courier.id"), index=True)
    position: Mapped[int]
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    arrival_at: Mapped[datetime]
    start_at: Mapped[datetime]
    departure_at: Mapped[datetime]
    load_after: Mapped[int]
    locked: Mapped[bool] = mapped_column(default=False)
    # the dossier is left at the courier's post office for the night instead of its center
    at_post_office: Mapped[bool] = mapped_column(default=False, server_default=false())
    note: Mapped[str | None] = mapped_column(String(200))
