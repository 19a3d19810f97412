"""Daily plan from the database to published routes, on one and on two Celery worker processes.

For each size the demo province is loaded into a fresh database (PostgreSQL when reachable, else a
SQLite file), size/2 bookings are generated for one working day (each booking is two jobs: pickup
and delivery), and each post office is staffed with one courier per 40 of the jobs nearest it (the
rule that gives a job to a depot), as a post office sizes its rounds to its area's demand. Then, for each
worker count, a real `celery worker --concurrency=W` on the Redis broker builds the plan
(`POST /plans` path: request → build task → group of part tasks → finish), and the publish that
assigns every job and rolls the dropped pairs over is timed in a transaction rolled back after,
so the next run sees the same day.

    .venv/bin/python -m bench.plans --jobs 2000 10000 --workers 1 2 --part-seconds 5
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POSTGRES = os.environ.get(
    "COURIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS = os.environ.get("COURIER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def _reachable(url: str) -> bool:
    from tests import services

    return services.reachable(url)


def fresh_database(tag: str) -> str:
    """A new empty database URL."""
    if _reachable(POSTGRES):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = f"courier_bench_{tag}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    path = Path("/tmp") / f"courier-bench-{tag}-{uuid.uuid4().hex[:6]}.sqlite3"
    return f"sqlite:///{path}"


def drop_database(url: str) -> None:
    """Remove a database `fresh_database` made (PostgreSQL) or its file (SQLite)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    made = make_url(url)
    if made.get_backend_name() == "sqlite":
        Path(made.database or "").unlink(missing_ok=True)
        return
    admin = create_engine(made.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{made.database}" WITH (FORCE)'))
    admin.dispose()


def prepare(url: str, jobs: int, day: date, jobs_per_courier: int = 40) -> dict[str, Any]:
    """Schema, demo province, the day's bookings, and couriers where the work is (one per
    `jobs_per_courier` jobs)."""
    from sqlalchemy import func, select

    from courier import runtime
    from courier.db import make_engine, make_session_factory
    from courier.demo.load import load_bookings, load_demo
    from courier.fleet.models import Courier
    from courier.runtime import unit_of_work
    from courier.settings import Settings
    from tests.conftest import migrate

    migrate(url)
    factory = make_session_factory(make_engine(url))
    runtime.use_session_factory(factory)  # in-process tasks (booking SMS) write to this database
    started = time.perf_counter()
    settings = Settings(database_url=url, environment="test", secret_key="x" * 40)
    with unit_of_work(factory) as session:
        load_demo(session)
    with unit_of_work(factory) as session:
        booked = load_bookings(session, settings, on=day, count=jobs // 2, seed=11)
    with unit_of_work(factory) as session:
        staff_offices(session, jobs_per_courier)
    with factory() as session:
        couriers = session.scalar(select(func.count()).select_from(Courier))
    return {"bookings": booked, "couriers": couriers, "load_s": time.perf_counter() - started}


def staff_offices(session: Any, jobs_per_courier: int = 40) -> None:
    """Give each post office one courier per `jobs_per_courier` of the jobs nearest it, as a post
    office would."""
    from collections import Counter

    from sqlalchemy import select

    from courier import dispatch
    from courier.dossiers.models import Dossier
    from courier.fleet.models import Courier
    from routing.matrix import LatLon

    points = [LatLon(lat, lon) for lat, lon in session.execute(select(Dossier.lat, Dossier.lon))]
    load = Counter(dispatch.nearest_offices(session, points))
    have = Counter(session.scalars(select(Courier.home_post_office_id)))
    template = session.scalars(select(Courier)).first()
    added = 0
    for office_id, dossiers in sorted(load.items(), key=lambda item: item[0] or 0):
        for _ in range(have[office_id], math.ceil(2 * dossiers / jobs_per_courier)):
            added += 1
            session.add(
                Courier(
                    code=f"BENCH-{added:04d}",
                    full_name=f"Bưu tá {added}",
                    phone=f"09{added:08d}",
                    home_post_office_id=office_id,
                    shift_start=template.shift_start,
                    shift_end=template.shift_end,
                    capacity=template.capacity,
                    speed_kmh=template.speed_kmh,
                )
            )


def start_workers(
    url: str,
    concurrency: int,
    part_seconds: int,
    log: Path,
    max_jobs: int = 80,
    hold_cost_m: str | None = None,
) -> subprocess.Popen[bytes]:
    """`celery worker` with `concurrency` processes on the Redis broker and the bench database."""
    env = dict(
        os.environ,
        **({} if hold_cost_m is None else {"COURIER_PLAN_HOLD_COST_M": hold_cost_m}),
        COURIER_DATABASE_URL=url,
        COURIER_BROKER_URL=REDIS,
        COURIER_PLAN_PART_SECONDS=str(part_seconds),
        COURIER_PLAN_PART_MAX_JOBS=str(max_jobs),
        COURIER_ENVIRONMENT="test",
        COURIER_SECRET_KEY="x" * 40,
    )
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "courier.worker:celery_app",
        "worker",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        "-Q",
        "courier",
        "--loglevel=WARNING",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def run(
    url: str,
    day: date,
    workers: int,
    part_seconds: int,
    max_jobs: int = 80,
    peer: bool = False,
    hold_cost_m: str | None = None,
) -> dict[str, Any]:
    """Request the plan, wait until it is built, time the publish, undo it; with `peer`, VROOM
    solves each of the plan's parts with the same time."""
    from celery import Celery

    from courier.actors import SYSTEM
    from courier.db import make_engine, make_session_factory
    from courier.outbox.service import pending_count
    from courier.planning import publishing, requesting, service
    from courier.planning.models import PlanStatus
    from courier.runtime import unit_of_work
    from courier.settings import Settings
    from courier.worker import make_celery, use_sender

    settings = Settings(
        database_url=url,
        broker_url=REDIS,
        environment="test",
        secret_key="x" * 40,
        plan_part_seconds=part_seconds,
        plan_part_max_jobs=max_jobs,
    )
    sender: Celery = make_celery(settings)
    sender.control.purge()
    use_sender(sender)
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        assert pending_count(session) == 0, (
            "the outbox has a backlog: the plan would wait behind it"
        )
    log = Path(f"/tmp/bench-plans-worker-{workers}.log")
    process = start_workers(url, workers, part_seconds, log, max_jobs, hold_cost_m)
    try:
        time.sleep(6)  # the pool forks and connects
        started = time.perf_counter()
        with unit_of_work(factory) as session:
            plan_id = requesting.request_plan(
                session, None, service_on=day, depot_codes=None, settings=settings
            ).id
        while True:
            with factory() as session:
                plan = service.get_plan(session, plan_id)
                status, total = plan.status, plan.parts_total
            if status not in (PlanStatus.QUEUED, PlanStatus.BUILDING):
                break
            time.sleep(0.5)
        built_s = time.perf_counter() - started
        with factory() as session:
            publish_started = time.perf_counter()
            plan = publishing.publish(session, plan_id, SYSTEM, settings)
            session.flush()
            publish_s = time.perf_counter() - publish_started
            result = {
                "status": status.value,
                "parts": total,
                "stops_total": plan.stops_total,
                "stops_served": plan.stops_served,
                "stops_dropped": plan.stops_dropped,
                "served_pct": round(100 * plan.stops_served / max(1, plan.stops_total), 1),
                **dropped_report(session, plan_id),
                **(side_by_side(session, plan_id, part_seconds, workers) if peer else {}),
            }
            session.rollback()
    finally:
        process.terminate()
        process.wait(timeout=60)
        use_sender(None)
    return {
        "workers": workers,
        **result,
        "build_s": round(built_s, 1),
        "publish_s": round(publish_s, 2),
        "wall_s": round(built_s + publish_s, 1),
    }


def dropped_report(session: Any, plan_id: int) -> dict[str, Any]:
    """The citizens' pickups made in their slot, and each dropped pair's reason by leg and slot."""
    from collections import Counter

    from sqlalchemy import select

    from courier.dossiers.models import Job
    from courier.planning import problem
    from courier.planning.models import PlanPart

    pickups = served = held = 0
    reasons: Counter[str] = Counter()
    for part in session.scalars(select(PlanPart).where(PlanPart.plan_id == plan_id)):
        visited = {v[0] for r in (part.result or {"routes": []})["routes"] for v in r["visits"]}
        held += sum(1 for stop_id in visited if stop_id.endswith("/overnight"))
        for job in part.problem["jobs"]:
            if job["pickup"] is not None and job["citizen_end"] == "pickup":
                pickups += 1
                served += f"{job['id']}/pickup" in visited
        for stop_id, reason in (part.result or {}).get("reasons", {}).items():
            pickup = session.get(Job, problem.job_ids(stop_id.rsplit("/", 1)[0])[0])
            reasons[f"{reason} · {pickup.leg.value} · {pickup.dossier.slot.value}"] += 1
    return {
        "citizen_pickups": pickups,
        "citizen_pickups_served": served,
        "citizen_pickups_pct": round(100 * served / max(1, pickups), 2),
        "held_overnight": held,
        "dropped_reasons": dict(reasons.most_common()),
    }


def side_by_side(session: Any, plan_id: int, seconds: int, workers: int) -> dict[str, Any]:
    """Ours (the parts as the workers solved them) and VROOM on the same parts: couriers used,
    travel, distance and pairs served, summed over the parts."""
    from concurrent.futures import ProcessPoolExecutor

    from sqlalchemy import select

    from courier.planning.models import PlanPart

    parts = list(session.scalars(select(PlanPart).where(PlanPart.plan_id == plan_id)))
    ours = {"couriers": 0, "travel_s": 0, "distance_m": 0, "stops": 0}
    for part in parts:
        result = part.result or {"routes": []}
        ours["couriers"] += len(result["routes"])
        ours["travel_s"] += result.get("travel_s", 0)
        ours["distance_m"] += result.get("distance_m", 0)
        ours["stops"] += sum(len(r["visits"]) for r in result["routes"])
    with ProcessPoolExecutor(max_workers=workers) as pool:
        theirs = list(pool.map(_vroom_part, [p.problem for p in parts], [seconds] * len(parts)))
    vroom = {key: sum(t[key] for t in theirs) for key in ours}
    pairs = sum(p.stops for p in parts) / 2 / max(1, len(parts))
    return {"pairs_per_part": round(pairs), "ours": ours, "vroom": vroom}


def _vroom_part(frozen: Any, seconds: int) -> dict[str, int]:
    """VROOM on a stored part, built as the worker builds it (courier speeds included)."""
    from dataclasses import replace

    from bench.peer import solve_with_vroom
    from routing.codec import part_from_json
    from routing.matrix import GreatCircleProvider
    from routing.partition import build_problem

    problem = build_problem(part_from_json(frozen), GreatCircleProvider())
    speeds = frozen.get("speeds", {})
    vehicles = tuple(replace(v, speed_factor=speeds.get(v.id, 1.0)) for v in problem.vehicles)
    plan = solve_with_vroom(replace(problem, vehicles=vehicles), seconds)
    return {
        "couriers": plan.vehicles_used,
        "travel_s": plan.travel_s,
        "distance_m": plan.distance_m,
        "stops": sum(len(r.visits) for r in plan.routes),
    }


def bench_day() -> date:
    """The fifth working day from today where the service runs (weekends and holidays skipped)."""
    from courier import calendar
    from courier.settings import Settings

    zone = Settings().zone
    return calendar.add_working_days(calendar.local_today(datetime.now(UTC), zone), 5)


def main() -> None:
    """Run each size with each worker count; print JSON lines and a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--part-seconds", type=int, default=5)
    parser.add_argument("--max-jobs", type=int, nargs="+", default=[80], help="pairs per part")
    parser.add_argument("--peer", action="store_true", help="also solve every part with VROOM")
    parser.add_argument(
        "--jobs-per-courier", type=int, default=40, help="staffing: a courier per this many jobs"
    )
    parser.add_argument(
        "--hold-cost-m", help="COURIER_PLAN_HOLD_COST_M for the workers ('off': no night hold)"
    )
    args = parser.parse_args()
    if not _reachable(REDIS):
        raise SystemExit(f"Redis is not reachable at {REDIS}")
    day = bench_day()
    rows = []
    for jobs in args.jobs:
        url = fresh_database(str(jobs))
        try:
            prepared = prepare(url, jobs, day, args.jobs_per_courier)
            print(
                json.dumps({"jobs": jobs, "database": url.split("://")[0], **prepared}), flush=True
            )
            for workers in args.workers:
                for max_jobs in args.max_jobs:
                    found = run(
                        url,
                        day,
                        workers,
                        args.part_seconds,
                        max_jobs,
                        args.peer,
                        args.hold_cost_m,
                    )
                    row = {"jobs": jobs, "max_jobs": max_jobs, **found}
                    print(json.dumps(row), flush=True)
                    rows.append(row)
        finally:
            drop_database(url)
    print(
        "\n| jobs | workers | parts | served | citizens' pickups in slot | wall s (build + publish) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['jobs']} | {row['workers']} | {row['parts']} | {row['served_pct']} % "
            f"({row['stops_served']}/{row['stops_total']}) | {row['citizen_pickups_pct']} % "
            f"({row['citizen_pickups_served']}/{row['citizen_pickups']}; "
            f"{row['held_overnight']} to the post office) | {row['wall_s']} "
            f"({row['build_s']} + {row['publish_s']}) |"
        )
    if args.peer:
        print(side_by_side_table(rows))
    print("\n| jobs | workers | why a pair is dropped · leg · slot | pairs |")
    print("| --- | --- | --- | ---: |")
    for row in rows:
        for reason, count in row["dropped_reasons"].items():
            print(f"| {row['jobs']} | {row['workers']} | {reason} | {count} |")


def side_by_side_table(rows: list[dict[str, Any]]) -> str:
    """Ours and VROOM per part size, summed over the plan's parts."""
    lines = [
        "\n| jobs | pairs / part | solver | couriers used | travel h | distance km | stops served |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        for solver in ("ours", "vroom"):
            got = row[solver]
            lines.append(
                f"| {row['jobs']} | {row['pairs_per_part']} | {solver} | {got['couriers']} "
                f"| {got['travel_s'] / 3600:.1f} | {got['distance_m'] / 1000:.1f} "
                f"| {got['stops']} / {row['stops_total']} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
