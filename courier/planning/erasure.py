"""What erasing a dossier's personal data changes in stored plans.

A plan part's frozen problem (`routing.codec.PartJSON`, written when the day is cut) holds each
job's points under its routing id (`problem.pair_id`: pickup and delivery job ids), so the
citizen's point stays there with the job that names the dossier. Its solved result names stops
by id with times and loads: no point, no address. Route stops hold job ids and times only.
"""

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.planning.models import Plan, PlanPart
from routing.codec import CallJSON, JobJSON


def forget_points(
    session: Session, job_ids: Collection[int], *, days_from: date, cut_by: datetime
) -> int:
    """Put the erased point (0, 0) in place of these jobs' points in the stored problems of the
    plans that can hold them: for a day from `days_from` on, created by `cut_by` (a part is cut
    after its plan is created, from jobs still open). How many parts changed."""
    wanted = {str(i) for i in job_ids}
    if not wanted:
        return 0
    parts = session.scalars(
        select(PlanPart)
        .join(Plan, Plan.id == PlanPart.plan_id)
        .where(Plan.service_on >= days_from, Plan.created_at <= cut_by)
        .order_by(PlanPart.id)
    )
    changed = 0
    for part in parts:
        jobs = [_forget(job, wanted) for job in part.problem["jobs"]]
        if jobs != part.problem["jobs"]:
            part.problem = {**part.problem, "jobs": jobs}
            changed += 1
    session.flush()
    return changed


def _forget(job: JobJSON, wanted: set[str]) -> JobJSON:
    """The job with the ends of wanted job ids at the erased point (a carried job has no pickup)."""
    pickup_id, _, delivery_id = job["id"].partition("-")
    pickup = job["pickup"]
    if pickup is not None and pickup_id in wanted:
        job = {**job, "pickup": _erased(pickup)}
    if delivery_id in wanted:
        job = {**job, "delivery": _erased(job["delivery"])}
    return job


def _erased(call: CallJSON) -> CallJSON:
    return {**call, "point": {"lat": 0.0, "lon": 0.0}}
