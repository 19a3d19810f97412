"""Courier jobs: a courier's own list, failed attempts, and assignment by a dispatcher."""

from fastapi import APIRouter

from api.deps import CurrentActor, DbSession, SettingsDep
from api.present.dossiers import job_out
from api.reads import ReadLogDep
from api.schemas import Day, Id
from api.schemas.jobs import AssignIn, AttemptIn, AttemptOut, JobOut
from courier.dossiers import jobs
from courier.dossiers.models import JobStatus
from courier.errors import FieldProblem, InvalidInput
from courier.privacy.reads import DataKind

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("", response_model=list[JobOut])
def list_jobs(
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    log: ReadLogDep,
    status: JobStatus | None = None,
    on: Day | None = None,
) -> list[JobOut]:
    """A courier's own jobs, a dispatcher's post office's, or every job for admins, by window start."""
    found = jobs.list_jobs(session, actor, status=status, on=on, settings=settings)
    log.ids(actor, DataKind.JOB, (j.dossier_id for j in found))
    return [job_out(j, settings.zone) for j in found]


@router.get("/{job_id}", response_model=JobOut)
def get_job(
    job_id: Id, session: DbSession, settings: SettingsDep, actor: CurrentActor, log: ReadLogDep
) -> JobOut:
    """One job the caller may see."""
    job = jobs.get_visible_job(session, job_id, actor)
    log.ids(actor, DataKind.JOB, [job.dossier_id])
    return job_out(job, settings.zone)


@router.post(
    "/{job_id}/attempts",
    response_model=AttemptOut,
    responses={422: {"description": "a capture time ahead of the clock or before the window"}},
)
def fail_attempt(
    job_id: Id,
    body: AttemptIn,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    log: ReadLogDep,
) -> AttemptOut:
    """Record a failed attempt with its reason; the pair is re-queued until the limit.

    With an `idempotency_key`, the same key and body again answer the first attempt (and record
    nothing); the key with another body is refused.
    """
    try:
        reason = jobs.FailureReason(body.reason)
    except ValueError:
        allowed = ", ".join(r.value for r in jobs.FailureReason)
        raise InvalidInput([FieldProblem(("reason",), f"one of: {allowed}")]) from None
    request = jobs.AttemptRequest(
        reason=reason,
        note=body.note,
        lat=body.lat,
        lon=body.lon,
        accuracy_m=body.accuracy_m,
        device_at=body.device_at,
        idempotency_key=body.idempotency_key,
    )
    job, attempt, _ = jobs.record_failed_attempt(session, job_id, actor, settings, request)
    log.ids(actor, DataKind.JOB, [job.dossier_id])
    return AttemptOut(**job_out(job, settings.zone).model_dump(), attempt_id=attempt.id)


@router.post("/{job_id}/assign", response_model=list[JobOut])
def assign(
    job_id: Id,
    body: AssignIn,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    log: ReadLogDep,
) -> list[JobOut]:
    """Give the job's pair to a courier (a dispatcher: their office's job, to one of its couriers)."""
    pair = jobs.assign_pair(session, job_id, body.courier_id, actor)
    log.ids(actor, DataKind.JOB, (j.dossier_id for j in pair))
    return [job_out(j, settings.zone) for j in pair]
