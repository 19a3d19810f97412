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
from courier.outbox.service import enqueue
from courier.planning import service
from courier.planning.models import Plan, PlanStatus
from courier.settings import get_settings

_POLL_S = 1.0


def build(service_on: date, depots: list[str] | None, *, publish: bool) -> int:
    """Build (and optionally publish) the plan; the exit code."""
    settings = get_settings()
    try:
        with runtime.unit_of_work() as session:
            plan_id = service.request_plan(
                session,
                None,
                service_on=service_on,
                depot_codes=depots,
                settings=settings,
                enqueue_build=not settings.tasks_in_process,
            ).id
            if not settings.tasks_in_process:
                enqueue(session, "planning.build", plan_id=plan_id)
    except DomainError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
    with _bar() as bar:
        task = bar.add_task(f"plan {plan_id} for {service_on}", total=None)
        if settings.tasks_in_process:
            _build_here(plan_id, bar, task)
        plan = _follow(plan_id, bar, task)
    typer.echo(
        f"plan {plan.id} {plan.status.value}: {plan.stops_served} of {plan.stops_total} stops "
        f"served, {plan.stops_dropped} dropped, {plan.parts_total} parts, "
        f"{plan.travel_s / 3600:.1f} h of travel"
    )
    if plan.status is not PlanStatus.BUILT:
        return 1
    if publish:
        with runtime.unit_of_work() as session:
            service.publish(session, plan.id, SYSTEM, settings)
        typer.echo(f"plan {plan.id} published")
    return 0


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    )


def _build_here(plan_id: int, bar: Progress, task: TaskID) -> None:
    from courier.planning.tasks import solve_part

    settings = get_settings()
    with runtime.unit_of_work() as session:
        part_ids = service.prepare_parts(session, plan_id, settings)
    bar.update(task, total=len(part_ids), completed=0)
    for done, part_id in enumerate(part_ids, start=1):
        solve_part(part_id)
        bar.update(task, completed=done)
    with runtime.unit_of_work() as session:
        service.finish(session, plan_id, settings)


def _follow(plan_id: int, bar: Progress, task: TaskID) -> Plan:
    """Poll the plan until its build ends (workers report through the database)."""
    while True:
        with runtime.session_factory()() as session:
            plan = service.get_plan(session, plan_id)
            session.expunge(plan)
        bar.update(task, total=plan.parts_total or None, completed=plan.parts_done)
        if plan.status not in (PlanStatus.QUEUED, PlanStatus.BUILDING):
            return plan
        time.sleep(_POLL_S)
