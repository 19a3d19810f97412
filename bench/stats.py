"""Statistics endpoints on a year of 200,000 dossiers in PostgreSQL: p50/p95 per query.

Creates a database of its own (dropped afterwards), migrates it, loads the demo province, writes
the dossiers with their jobs, failed attempts and tracking events (`bench/stats_world.py`, COPY),
rebuilds the rollup (COPY bypasses the services that keep it), runs ANALYZE, checks that the
rollup answers what the per-dossier queries answer for every center over the month and the
year, then times GET /api/v1/stats/sites/{code} and GET /api/v1/stats/sites in-process
(FastAPI TestClient: routing, auth, the queries and JSON) for a month and for the year.

    .venv/bin/python -m bench.stats --dossiers 200000 --runs 60
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.plans import POSTGRES, _reachable, drop_database, fresh_database  # noqa: E402

FIRST_DAY, DAYS = date(2025, 12, 1), 365
MONTH = (date(2026, 10, 1), date(2026, 10, 31))
YEAR = (FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1))
# the provincial center and the branches receive most dossiers; reception points a few each
WEIGHTS = {"provincial_center": 10, "branch": 6, "reception_point": 1}


def load(url: str, count: int) -> dict[str, Any]:
    """Schema, demo province and `count` dossiers; the seconds each part took."""
    from sqlalchemy import select, text

    from bench.inprocess import settings_for
    from bench.stats_world import (
        ATTEMPT_COLUMNS,
        DOSSIER_COLUMNS,
        EVENT_COLUMNS,
        JOB_COLUMNS,
        batches,
    )
    from courier.catalogue.models import Procedure, Site
    from courier.db import make_engine, make_session_factory
    from courier.demo.load import load_demo
    from courier.runtime import unit_of_work
    from courier.stats import rollup
    from tests.conftest import migrate

    started = time.perf_counter()
    migrate(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        load_demo(session)
    with factory() as session:
        sites = [
            (s.id, WEIGHTS[s.kind.value])
            for s in session.scalars(select(Site).where(Site.kind.in_(list(WEIGHTS))))
        ]
        procedures = [(p.id, p.processing_days) for p in session.scalars(select(Procedure))]
    written = {"dossier": 0, "job": 0, "job_attempt": 0, "tracking_event": 0}
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for rows in batches(count, FIRST_DAY, DAYS, sites, procedures):
            for table, columns, data in (
                ("dossier", DOSSIER_COLUMNS, rows.dossiers),
                ("job", JOB_COLUMNS, rows.jobs),
                ("job_attempt", ATTEMPT_COLUMNS, rows.attempts),
                ("tracking_event", EVENT_COLUMNS, rows.events),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in data:
                        copy.write_row(row)
                written[table] += len(data)
            raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        for table in ("dossier", "job"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            )
    loaded = time.perf_counter()
    # COPY bypasses the services, so the statistics' daily rollup is filled as after a migration
    with unit_of_work(factory) as session:
        site_days = rollup.rebuild(session, settings_for(url))
    rebuilt = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return {
        "rows": written,
        "load_s": loaded - started,
        "rebuild_s": rebuilt - loaded,
        "site_days": site_days,
    }


def check(url: str) -> float:
    """Assert that the rollup answers what the per-dossier queries answer, for every center over
    the month and the year; the seconds the per-dossier queries took."""
    from sqlalchemy import select

    from bench.inprocess import settings_for
    from courier.catalogue.models import Site
    from courier.db import make_engine, make_session_factory
    from courier.stats import service as stats
    from courier.stats.periods import period

    settings = settings_for(url)
    factory = make_session_factory(make_engine(url))
    took = 0.0
    with factory() as session:
        sites = list(session.scalars(select(Site).where(Site.kind.in_(stats.CENTER_KINDS))))
        for first, last in (MONTH, YEAR):
            span = period(first, last, settings.zone)
            started = time.perf_counter()
            expected = stats.stats_of_events(session, sites, span, settings)
            took += time.perf_counter() - started
            assert stats.stats_of(session, sites, span, settings) == expected, (first, last)
    return took


def measure(url: str, runs: int, site: str) -> list[dict[str, Any]]:
    """p50/p95 of each endpoint and period, after a few warm-up calls."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from api.main import create_app
    from bench.inprocess import bearer, p50_p95, settings_for, timed_get
    from courier.accounts import service as accounts
    from courier.catalogue.models import Site
    from courier.db import make_engine, make_session_factory
    from courier.runtime import unit_of_work

    settings = settings_for(url)
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as session:
        site_id = session.scalar(select(Site.id).where(Site.code == site))
        _, key = accounts.create_api_key(session, name="bench", site_id=site_id)
        admin = bearer(session, settings, "admin")
    cases = [
        (f"/stats/sites/{site}", "month", MONTH, {"X-API-Key": key}),
        (f"/stats/sites/{site}", "year", YEAR, {"X-API-Key": key}),
        ("/stats/sites (admin: 28 centers)", "month", MONTH, admin),
        ("/stats/sites (admin: 28 centers)", "year", YEAR, admin),
    ]
    results = []
    with TestClient(create_app(settings, factory)) as client:
        for label, name, (first, last), headers in cases:
            path = "/api/v1" + label.split(" ")[0]
            params = {"from": first.isoformat(), "to": last.isoformat()}
            times = []
            for i in range(runs + 5):
                elapsed, response = timed_get(client, path, params, headers)
                if i >= 5:
                    times.append(elapsed)
            p50, p95 = p50_p95(times)
            body = response.json()
            received = (
                body["received"] if isinstance(body, dict) else sum(r["received"] for r in body)
            )
            results.append(
                {"endpoint": label, "period": name, "p50": p50, "p95": p95, "received": received}
            )
    return results


def main() -> None:
    """Load, measure, print the table, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--site", default="BD-TTHC")
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    args = parser.parse_args()
    if not _reachable(POSTGRES):
        sys.exit(f"PostgreSQL is not reachable at {POSTGRES}")
    url = fresh_database("stats")
    assert url.startswith("postgresql"), url
    try:
        loaded = load(url, args.dossiers)
        print(f"loaded in {loaded['load_s']:.0f} s: {loaded['rows']}")
        print(f"rollup rebuilt in {loaded['rebuild_s']:.1f} s: {loaded['site_days']} site-days")
        took = check(url)
        print(f"rollup equals the per-dossier queries (month, year; they took {took:.1f} s)")
        results = measure(url, args.runs, args.site)
        print(f"\n{args.runs} runs each (p50/p95 in ms, goal p95 <= 100 ms)\n")
        print("| endpoint | period | received | p50 ms | p95 ms |")
        print("| --- | --- | --- | --- | --- |")
        for r in results:
            print(
                f"| {r['endpoint']} | {r['period']} | {r['received']} | {r['p50']:.1f} | {r['p95']:.1f} |"
            )
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            drop_database(url)


if __name__ == "__main__":
    main()
