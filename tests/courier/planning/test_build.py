"""Building a plan from the database: whose jobs, how they weigh, re-runs, failures, the nightly."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from courier import calendar
from courier.actors import SYSTEM
from courier.catalogue.models import Site
from courier.dispatch import offices_with_couriers
from courier.dossiers.jobs import COUNTER_SETUP_S
from courier.dossiers.models import Dossier, Job, JobKind
from courier.enums import SiteKind
from courier.fleet.models import Courier
from courier.planning import building, discarding, problem, publishing, requesting, tasks
from courier.planning.models import PartStatus, Plan, PlanLock, PlanPart, PlanStatus, RouteStop
from courier.planning.tasks import build, nightly
from courier.settings import Settings
from routing.matrix import LatLon, haversine_m
from tests.courier.planning.bookings import DEPOT, bookings_day


@pytest.fixture
def fast(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """One second of OR-Tools per part, parts of five jobs at most, in the tasks too."""
    settings.plan_part_seconds = 1
    settings.plan_part_max_jobs = 5
    monkeypatch.setattr(tasks, "get_settings", lambda: settings)
    return settings


@pytest.fixture
def day(session: Session, fast: Settings) -> date:
    """The next working day with bookings over the province and near the depot."""
    return bookings_day(session, fast)


def _request(session: Session, settings: Settings, day: date, depots: list[str] | None) -> Plan:
    return requesting.request_plan(
        session, None, service_on=day, depot_codes=depots, settings=settings, enqueue_build=False
    )


def _frozen_jobs(session: Session, plan_id: int) -> list[dict[str, Any]]:
    parts = session.scalars(select(PlanPart).where(PlanPart.plan_id == plan_id))
    return [job for part in parts for job in part.problem["jobs"]]


def _nearest_office(session: Session, job: Job) -> str:
    offices = list(
        session.scalars(
            select(Site)
            .where(Site.kind == SiteKind.POST_OFFICE)
            .where(Site.id.in_(select(Courier.home_post_office_id)))
            .order_by(Site.id)
        )
    )
    distance = haversine_m([LatLon(job.lat, job.lon)], [LatLon(o.lat, o.lon) for o in offices])
    return offices[int(distance.argmin())].code


def test_a_plan_for_one_depot_takes_only_the_jobs_nearest_it(
    session: Session, fast: Settings, day: date
) -> None:
    """Every pair cut for BD-PO-DT-1 has its citizen nearest BD-PO-DT-1, none of Thu Dau Mot's."""
    plan = _request(session, fast, day, ["BD-PO-DT-1"])
    building.prepare_parts(session, plan.id, fast)
    pickups = [
        session.get_one(Job, problem.job_ids(j["id"])[0]) for j in _frozen_jobs(session, plan.id)
    ]
    assert {_nearest_office(session, job) for job in pickups} <= {"BD-PO-DT-1"}
    whole = _request(session, fast, day, [DEPOT])
    building.prepare_parts(session, whole.id, fast)
    near = {problem.job_ids(j["id"])[0] for j in _frozen_jobs(session, whole.id)}
    assert len(near) >= 16
    assert near.isdisjoint(job.id for job in pickups)


def _plan_row(session: Session, day: date, depots: list[int] | None, status: PlanStatus) -> Plan:
    plan = Plan(service_on=day, depot_ids=depots, status=status, time_limit_s=1)
    session.add(plan)
    session.flush()
    return plan


def _today() -> date:
    """Today in Vietnam, as the nightly task counts (not the machine's date: in UTC the evening
    is already the next morning in Vietnam)."""
    return calendar.local_today(datetime.now(UTC), Settings().zone)


def test_publishing_supersedes_only_plans_it_covers(session: Session, fast: Settings) -> None:
    """One office's plan leaves the others' and a wider plan; a plan of all depots replaces all."""
    day = calendar.next_working_day(_today())
    first = _plan_row(session, day, [1], PlanStatus.PUBLISHED)
    wide = _plan_row(session, day, [1, 2], PlanStatus.PUBLISHED)
    second = _plan_row(session, day, [2], PlanStatus.BUILT)
    publishing.publish(session, second.id, SYSTEM, fast)
    assert first.status is wide.status is PlanStatus.PUBLISHED
    again = _plan_row(session, day, [1], PlanStatus.BUILT)
    publishing.publish(session, again.id, SYSTEM, fast)
    assert first.status is PlanStatus.SUPERSEDED
    assert wide.status is PlanStatus.PUBLISHED
    everything = _plan_row(session, day, None, PlanStatus.BUILT)
    publishing.publish(session, everything.id, SYSTEM, fast)
    assert wide.status is second.status is again.status is PlanStatus.SUPERSEDED


def _counts(session: Session, plan_id: int) -> tuple[int, int]:
    session.expire_all()
    parts = session.scalar(select(func.count()).where(PlanPart.plan_id == plan_id)) or 0
    stops = session.scalar(select(func.count()).where(RouteStop.plan_id == plan_id)) or 0
    return parts, stops


def test_a_build_that_failed_before_its_parts_were_cut_is_cut_on_retry(
    session: Session, fast: Settings, day: date
) -> None:
    """Failed before cutting: the retry builds real routes, and a second retry duplicates nothing."""
    plan = _request(session, fast, day, [DEPOT])
    building.fail(session, plan.id, "worker lost")
    session.commit()
    build(plan.id)
    parts, stops = _counts(session, plan.id)
    assert session.get_one(Plan, plan.id).status is PlanStatus.BUILT
    assert parts >= 2
    assert stops == session.get_one(Plan, plan.id).stops_served > 0
    build(plan.id)
    assert _counts(session, plan.id) == (parts, stops)


def test_a_solver_error_fails_the_part_and_the_plan_and_a_rebuild_recovers(
    session: Session, fast: Settings, day: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The solver raises: part and plan failed with the message; building again completes the plan."""
    plan = _request(session, fast, day, [DEPOT])
    session.commit()
    real = building.solve_frozen

    def broken(*args: Any) -> Any:
        raise RuntimeError("solver ran out of memory")

    monkeypatch.setattr(building, "solve_frozen", broken)
    build(plan.id)
    session.expire_all()
    failed = session.get_one(Plan, plan.id)
    assert failed.status is PlanStatus.FAILED
    assert "solver ran out of memory" in (failed.error or "")
    statuses = session.scalars(select(PlanPart.status).where(PlanPart.plan_id == plan.id)).all()
    assert PartStatus.FAILED in statuses
    monkeypatch.setattr(building, "solve_frozen", real)
    build(plan.id)
    session.expire_all()
    assert session.get_one(Plan, plan.id).status is PlanStatus.BUILT


def test_a_database_outage_during_a_build_fails_the_task_not_the_plan(
    session: Session, fast: Settings, day: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database is away while the parts are cut: the task raises (the outbox runs it again),
    the plan stays queued, and the next run builds it."""
    plan = _request(session, fast, day, [DEPOT])
    session.commit()
    real = building.prepare_parts

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("UPDATE plan", {}, Exception("database is locked"))

    monkeypatch.setattr(building, "prepare_parts", locked)
    with pytest.raises(OperationalError):
        build(plan.id)
    session.expire_all()
    assert session.get_one(Plan, plan.id).status is PlanStatus.QUEUED
    monkeypatch.setattr(building, "prepare_parts", real)
    build(plan.id)
    session.expire_all()
    assert session.get_one(Plan, plan.id).status is PlanStatus.BUILT


def test_a_failed_plan_being_rebuilt_is_the_plan_a_new_request_gets(
    session: Session, fast: Settings, day: date
) -> None:
    """Rebuilding a failed plan puts it back in progress at once: a request for the same office
    meanwhile answers it instead of building a second plan."""
    plan = _request(session, fast, day, [DEPOT])
    building.fail(session, plan.id, "worker lost")
    requesting.rebuild(session, plan.id, SYSTEM)
    again = requesting.ask_for_plan(
        session, SYSTEM, service_on=day, depot_codes=[DEPOT], settings=fast, enqueue_build=False
    )
    assert (again.plan.id, again.existing) == (plan.id, True)
    assert again.plan.status is PlanStatus.QUEUED
    assert again.plan.error is None


def test_progress_is_reported_while_parts_are_solved(
    session: Session, fast: Settings, day: date, factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before each part is solved the plan shows one more part done and more stops served."""
    plan = _request(session, fast, day, [DEPOT])
    session.commit()
    seen: list[tuple[str, int, int, int]] = []
    real = building.solve_frozen

    def watched(*args: Any) -> Any:
        with factory() as other:
            now = other.get_one(Plan, plan.id)
            seen.append((now.status.value, now.parts_done, now.parts_total, now.stops_served))
        return real(*args)

    monkeypatch.setattr(building, "solve_frozen", watched)
    build(plan.id)
    total = seen[0][2]
    assert total >= 2
    assert [s[1] for s in seen] == list(range(total))
    assert all(s[0] == "building" for s in seen)
    assert seen[-1][3] > seen[0][3] == 0


def test_urgency_grows_as_the_due_date_nears() -> None:
    """x1 with three working days or more left, then x2, x3, and x4 on or after the due date."""
    monday = date(2026, 12, 7)
    assert problem.urgency(None, monday) == 1
    assert problem.urgency(monday + timedelta(days=3), monday) == 1
    assert problem.urgency(monday + timedelta(days=2), monday) == 2
    assert problem.urgency(monday + timedelta(days=1), monday) == 3
    assert problem.urgency(monday, monday) == 4
    assert problem.urgency(monday - timedelta(days=5), monday) == 4
    friday = date(2026, 12, 4)
    assert problem.urgency(monday, friday) == 3  # the weekend is not a working day


def test_a_pair_of_a_dossier_due_today_weighs_four_times_more(
    session: Session, fast: Settings, day: date
) -> None:
    """The frozen pair of a dossier due on the plan's day has four times its usual drop penalty."""
    dossier = session.scalars(select(Dossier).order_by(Dossier.id.desc())).first()
    assert dossier is not None
    dossier.due_on = day
    plan = _request(session, fast, day, [DEPOT])
    building.prepare_parts(session, plan.id, fast)
    pickup = next(j for j in dossier.jobs if j.kind is JobKind.PICKUP)
    penalties = {problem.job_ids(j["id"])[0]: j["penalty"] for j in _frozen_jobs(session, plan.id)}
    assert penalties[pickup.id] == 4 * problem.BASE_PENALTY * (1 + pickup.priority)


class _Captured(Exception):
    """The solver was reached with its problem (kept by the test); no solving needed."""


def test_each_courier_travels_at_their_own_speed(
    session: Session, fast: Settings, day: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The solver's vehicles move at the courier's speed over the depot profile's."""
    plan = _request(session, fast, day, [DEPOT])
    part_ids = building.prepare_parts(session, plan.id, fast)
    captured: list[Any] = []

    def capture(routing_problem: Any, params: Any) -> Any:
        captured.append(routing_problem)
        raise _Captured

    monkeypatch.setattr(building, "solve", capture)
    for part_id in part_ids:
        loaded = building.load_part(session, part_id)
        assert loaded is not None
        with pytest.raises(_Captured):
            building.solve_frozen(*loaded)
    vehicles = [v for routing_problem in captured for v in routing_problem.vehicles]
    speeds = {c.id: c.speed_kmh for c in session.scalars(select(Courier))}
    for vehicle in vehicles:
        expected = speeds[int(vehicle.id)] / problem.PROFILE.speed_kmh
        assert vehicle.speed_factor == pytest.approx(expected)
    assert any(v.speed_factor != 1.0 for v in vehicles)


def test_a_locked_pair_weighs_far_more_than_any_other(
    session: Session, fast: Settings, day: date
) -> None:
    """Its drop penalty is a hundred times the heaviest unlocked pair's."""
    plan = _request(session, fast, day, [DEPOT])
    pickup = session.scalars(
        select(Job).where(Job.kind == JobKind.PICKUP).order_by(Job.id.desc())
    ).first()
    courier = session.scalar(select(Courier).where(Courier.code == "BD-CR-TDM-01"))
    assert pickup is not None
    assert courier is not None
    session.add(PlanLock(plan_id=plan.id, pickup_job_id=pickup.id, courier_id=courier.id))
    building.prepare_parts(session, plan.id, fast)
    jobs = _frozen_jobs(session, plan.id)
    locked = [j["penalty"] for j in jobs if j.get("couriers")]
    free = [j["penalty"] for j in jobs if not j.get("couriers")]
    assert locked == [problem.LOCKED_WEIGHT * max(free)]


def test_lunch_is_kept_by_a_re_plan_while_its_window_is_ahead() -> None:
    """A re-plan at 11:45 gives lunch from 11:45 to 12:30; at 12:45 the window has passed."""
    shift_end = 17 * 3600
    at_1145 = 11 * 3600 + 45 * 60
    lunch = problem.lunch_break(at_1145, shift_end)
    assert lunch is not None
    assert (lunch.earliest_start, lunch.latest_start) == (at_1145, problem.LUNCH.latest_start)
    assert problem.lunch_break(12 * 3600 + 45 * 60, shift_end) is None
    assert problem.lunch_break(7 * 3600, shift_end) == problem.LUNCH


def test_the_nightly_task_plans_each_office_once(session: Session, fast: Settings) -> None:
    """One plan per post office with couriers; run again, it plans nothing more."""
    first = nightly()
    assert nightly() == []
    session.expire_all()
    plans = [session.get_one(Plan, plan_id) for plan_id in first]
    offices = {office.id for office in offices_with_couriers(session)}
    assert sorted(d for p in plans for d in p.depot_ids or []) == sorted(offices)
    assert {len(p.depot_ids or []) for p in plans} == {1}


def test_the_nightly_task_plans_again_only_the_office_whose_plan_failed(
    session: Session, fast: Settings
) -> None:
    """A failed office plan is planned again; the offices already planned are left alone."""
    first = nightly()
    session.expire_all()
    failed = session.get_one(Plan, first[0])
    failed.status = PlanStatus.FAILED
    session.commit()
    again = nightly()
    assert len(again) == 1
    assert session.get_one(Plan, again[0]).depot_ids == failed.depot_ids


def test_a_plan_of_all_depots_counts_as_planned(session: Session, fast: Settings) -> None:
    """An admin's plan of every depot leaves the nightly task nothing to do."""
    _plan_row(session, calendar.next_working_day(_today()), None, PlanStatus.BUILT)
    session.commit()
    assert nightly() == []


def test_the_bench_day_is_a_working_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Holidays are skipped: with the next ten days all holidays the bench day is after them."""
    from bench.plans import bench_day

    today = calendar.local_today(datetime.now(UTC), Settings().zone)
    holidays = frozenset(today + timedelta(days=i) for i in range(1, 11))
    monkeypatch.setattr(calendar, "is_holiday", holidays.__contains__)
    day = bench_day()
    assert calendar.is_working_day(day)
    assert day > today + timedelta(days=10)


def test_a_pair_is_planned_by_the_office_that_serves_its_dossier(
    session: Session, fast: Settings, day: date
) -> None:
    """The office stored on the dossier (what its dispatcher sees) decides, not the nearest one:
    a dossier of Thu Dau Mot given to Dau Tieng is in Dau Tieng's plan and not in Thu Dau Mot's."""
    home = session.scalars(select(Site).where(Site.code == DEPOT)).one()
    other = session.scalars(select(Site).where(Site.code == "BD-PO-DT-1")).one()
    dossier = session.scalars(
        select(Dossier).where(Dossier.post_office_id == home.id).order_by(Dossier.id)
    ).first()
    assert dossier is not None
    dossier.post_office_id = other.id
    session.commit()
    pickup = session.scalars(
        select(Job.id).where(Job.dossier_id == dossier.id, Job.kind == JobKind.PICKUP)
    ).one()
    planned = {}
    for code in (DEPOT, "BD-PO-DT-1"):
        plan = _request(session, fast, day, [code])
        building.prepare_parts(session, plan.id, fast)
        planned[code] = {problem.job_ids(j["id"])[0] for j in _frozen_jobs(session, plan.id)}
    assert pickup in planned["BD-PO-DT-1"]
    assert pickup not in planned[DEPOT]
    assert planned[DEPOT]  # the rest of Thu Dau Mot's day is still there


def test_a_counter_stop_waits_once_and_each_dossier_takes_its_own_service(
    session: Session, fast: Settings, day: date
) -> None:
    """A frozen hand-in at a counter has the counter's wait as its setup and the rest of its ten
    minutes as service; a citizen's door has no setup."""
    plan = _request(session, fast, day, [DEPOT])
    building.prepare_parts(session, plan.id, fast)
    jobs = _frozen_jobs(session, plan.id)
    counters = [j["delivery"] for j in jobs if j["citizen_end"] == "pickup"]
    doors = [j["pickup"] for j in jobs if j["citizen_end"] == "pickup"]
    assert counters
    for call in counters:
        assert (call["setup_s"], call["service_s"]) == (COUNTER_SETUP_S, 600 - COUNTER_SETUP_S)
    assert {call["setup_s"] for call in doors} == {0}


def test_a_plan_discarded_while_a_part_is_solved_leaves_nothing_to_do(
    session: Session, fast: Settings, day: date, factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another part failed the plan and the dispatcher discarded it while this part was being
    solved: storing the part's routes, and failing the gone plan, do nothing instead of raising."""
    plan = _request(session, fast, day, [DEPOT])
    session.commit()
    plan_id = plan.id
    real = building.solve_frozen
    solved: list[int] = []

    def discarded_meanwhile(*args: Any) -> Any:
        if not solved:
            with factory() as other:
                building.fail(other, plan_id, "part 2: solver ran out of memory")
                other.commit()
                discarding.discard(other, plan_id, SYSTEM)
                other.commit()
        solved.append(1)
        return real(*args)

    monkeypatch.setattr(building, "solve_frozen", discarded_meanwhile)
    build(plan_id)
    session.expire_all()
    assert solved == [1]
    assert session.get(Plan, plan_id) is None
    with factory() as other:
        building.fail(other, plan_id, "worker lost")
        tasks.prepare(plan_id, fast)
