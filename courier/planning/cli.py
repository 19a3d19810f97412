"""`courier plan build`: request a plan and follow its parts with a progress bar."""

import time
from datetime import date

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from courier import runtime
from courier.actors import SYSTEM
from courier.errors import DomainError
from courier.planning import building, publishing, requesting, service
from courier.planning.models import Plan, PlanStatus
from courier.settings import get_settings

_POLL_S = 1.0


def build(
    service_on: date, depots: list[str] | None, *, publish: bool, stall_s: float | None = None
) -> int:
    """Build (and optionally publish) the plan; the exit code.

    Waiting ends when the build ends, fails (its error is shown), or makes no progress for
    `stall_s` seconds (two part time limits and two minutes by default: no worker answers).
    """
    settings = get_settings()
    try:
        with runtime.unit_of_work() as session:
            # one build message: sent through the broker, or none when it is run here
            plan_id = requesting.request_plan(
                session,
                None,
                service_on=service_on,
                depot_codes=depots,
                settings=settings,
                enqueue_build=not settings.tasks_in_process,
            ).id
    except DomainError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
    stall = stall_s if stall_s is not None else 2 * settings.plan_part_seconds + 120
    with _bar() as bar:
        task = bar.add_task(f"plan {plan_id} for {service_on}", total=None)
        if settings.tasks_in_process:
            _build_here(plan_id, bar, task)
        plan = _follow(plan_id, bar, task, stall)
    if plan is None:
        typer.echo(
            f"error: plan {plan_id} made no progress for {stall:.0f} s; is a worker running? "
            f"`courier plan` can be run again, or POST /api/v1/plans/{plan_id}/build",
            err=True,
        )
        return 1
    return _report(plan, publish=publish)


def _report(plan: Plan, *, publish: bool) -> int:
    """Print the outcome of a finished build, publish it if asked; the exit code."""
    typer.echo(
        f"plan {plan.id} {plan.status.value}: {plan.stops_served} of {plan.stops_total} stops "
        f"served, {plan.stops_dropped} dropped, {plan.parts_total} parts, "
        f"{plan.travel_s / 3600:.1f} h of travel"
    )
    for note in plan.notes or []:
        typer.echo(f"note: {note}")
    if plan.status is not PlanStatus.BUILT:
        typer.echo(f"error: plan {plan.id} {plan.status.value}: {plan.error or ''}", err=True)
        return 1
    if publish:
        with runtime.unit_of_work() as session:
            publishing.publish(session, plan.id, SYSTEM, get_settings())
        typer.echo(f"plan {plan.id} published")
    return 0


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    )


def _build_here(plan_id: int, bar: Progress, task: TaskID) -> None:
    from courier.planning.tasks import prepare, solve_part

    settings = get_settings()
    part_ids = prepare(plan_id, settings)
    if part_ids is None:
        return
    bar.update(task, total=len(part_ids), completed=0)
    for done, part_id in enumerate(part_ids, start=1):
        if not solve_part(part_id):
            return  # the part failed: the plan says why
        bar.update(task, completed=done)
    with runtime.unit_of_work() as session:
        building.finish(session, plan_id, settings)


def _follow(plan_id: int, bar: Progress, task: TaskID, stall_s: float) -> Plan | None:
    """Poll the plan until its build ends (workers report through the database); None when it
    makes no progress for `stall_s` seconds."""
    seen: tuple[object, ...] = ()
    deadline = time.monotonic() + stall_s
    while True:
        with runtime.session_factory()() as session:
            plan = service.get_plan(session, plan_id)
            session.expunge(plan)
        bar.update(task, total=plan.parts_total or None, completed=plan.parts_done)
        if plan.status not in (PlanStatus.QUEUED, PlanStatus.BUILDING):
            return plan
        progress = (plan.status, plan.parts_total, plan.parts_done)
        if progress != seen:
            seen, deadline = progress, time.monotonic() + stall_s
        elif time.monotonic() > deadline:
            return None
        time.sleep(min(_POLL_S, stall_s))
