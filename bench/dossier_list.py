"""The staff list of dossiers on 200,000 dossiers: p50/p95 of typical queries, through the service.

A PostgreSQL database of its own (created, then dropped) gets the demo province and `--count`
dossiers spread over the year before today (the service zone's day) across its receiving sites,
post offices and statuses (COPY), with an assigned pickup for those still before or on their way
to the center. Then each query below runs `--runs` times, its parameters rotating over the sites,
offices and code prefixes:

- through `courier.dossiers.listing.list_page` (the SQL the endpoint runs, without HTTP);
- as GET /api/v1/dossiers in-process (FastAPI TestClient, `bench/inprocess.py`) with a bearer
  token of an account of the right role and site: routing, authentication, the query, the
  access-log INSERT (a row per dossier shown), the commit and the JSON. The queries take turns,
  and GET /api/v1/sites (public, no personal data) is timed after each round: the floor against
  which the machine's noise can be judged;
- GET /api/v1/dossiers.csv for last month's dossiers by due day, of one center (its staff) and of
  the province (admin), `--csv-runs` times: no goal, a figure.

    .venv/bin/python -m bench.dossier_list --count 200000 --runs 200
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, create_engine, event, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from api.main import create_app  # noqa: E402
from bench.inprocess import bearer, p50_p95, settings_for, staff_bearer, timed_get  # noqa: E402
from courier import calendar  # noqa: E402
from courier.actors import Actor  # noqa: E402
from courier.catalogue.models import Procedure, Site  # noqa: E402
from courier.db import make_engine, make_session_factory, utcnow  # noqa: E402
from courier.demo.load import load_demo  # noqa: E402
from courier.dossiers import codes, listing  # noqa: E402
from courier.dossiers.models import DossierStatus as S  # noqa: E402
from courier.enums import Role, SiteKind  # noqa: E402
from courier.fleet.models import Courier  # noqa: E402
from courier.runtime import unit_of_work  # noqa: E402
from courier.settings import Settings  # noqa: E402
from tests import services  # noqa: E402
from tests.conftest import migrate  # noqa: E402

# the endpoint counts overdue from the service's today: the dossiers are the year before it
TODAY = calendar.local_today(utcnow(), ZoneInfo(Settings.model_fields["timezone"].default))
# a year's mix: most dossiers are done; a few thousand are open at any stage
STATUSES = [
    (S.DELIVERED, 70), (S.RETURNED_TO_CENTER, 2), (S.CANCELLED, 5), (S.BOOKED, 4),
    (S.PICKUP_FAILED, 1), (S.PICKED_UP, 1), (S.IN_TRANSIT, 1), (S.RECEIVED_AT_CENTER, 2),
    (S.PROCESSING, 6), (S.RESULT_READY, 3), (S.RESULT_PICKED_UP, 1), (S.OUT_FOR_DELIVERY, 2),
    (S.DELIVERY_FAILED, 2),
]  # fmt: skip
BEFORE_CENTER = {S.BOOKED, S.PICKUP_FAILED, S.PICKED_UP, S.IN_TRANSIT}
COLUMNS = (
    "id", "tracking_code", "procedure_id", "receiving_site_id", "post_office_id",
    "applicant_name", "applicant_phone", "address_text", "lat", "lon", "point_source",
    "preferred_on", "slot", "result_return", "consent_version", "consent_at", "procedure_fee_vnd",
    "service_fee_vnd", "status", "status_changed_at", "holder_kind", "holder_id", "due_on",
    "custody_seq", "created_at", "version",
)  # fmt: skip
JOB_COLUMNS = (
    "dossier_id", "leg", "kind", "status", "courier_id", "address_text", "lat", "lon",
    "window_start", "window_end", "service_s", "attempts", "priority", "created_at", "updated_at",
)  # fmt: skip


def fresh_database() -> tuple[str, str]:
    """A new PostgreSQL database: its URL and name."""
    services.require(services.POSTGRES_URL, "PostgreSQL")
    name = f"courier_bench_list_{uuid.uuid4().hex[:6]}"
    admin = create_engine(services.POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(services.POSTGRES_URL).set(database=name).render_as_string(False), name


def drop_database(name: str) -> None:
    """Drop the bench's database."""
    admin = create_engine(services.POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class World:
    """The demo province's ids the rows point at."""

    def __init__(self, session: Session) -> None:
        sites = session.scalars(select(Site)).all()
        self.receiving = [s.id for s in sites if s.kind is not SiteKind.POST_OFFICE]
        self.receiving_codes = [s.code for s in sites if s.kind is SiteKind.BRANCH]
        couriers = session.scalars(select(Courier).where(Courier.active.is_(True))).all()
        self.couriers: dict[int, list[int]] = {}
        self.courier_codes: dict[int, str] = {}  # an office's first courier
        for c in couriers:
            self.couriers.setdefault(c.home_post_office_id, []).append(c.id)
            self.courier_codes.setdefault(c.home_post_office_id, c.code)
        self.codes = {s.id: s.code for s in sites}
        self.procedures = [
            (p, fee) for p, fee in session.execute(select(Procedure.id, Procedure.fee_vnd))
        ]


def rows(world: World, count: int, rng: random.Random) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Each dossier's row and, when it still needs its pickup or delivery in, its job's row."""
    start = datetime.combine(TODAY - timedelta(days=365), datetime.min.time(), tzinfo=UTC)
    statuses, weights = zip(*STATUSES, strict=True)
    offices = sorted(world.couriers)
    serials = rng.sample(range(10**8), count)  # random codes, as booking draws them
    for i, serial in enumerate(serials, start=1):
        created = start + timedelta(seconds=i * 365 * 86400 // count + rng.randrange(60))
        age = (TODAY - created.date()).days
        status = S.BOOKED if age < 2 else rng.choices(statuses, weights)[0]
        if age > 40 and status not in {S.DELIVERED, S.CANCELLED, S.RETURNED_TO_CENTER}:
            status = S.DELIVERED if rng.random() < 0.97 else status  # a few stay open: overdue
        due = (
            None if status in BEFORE_CENTER else created.date() + timedelta(days=rng.randint(3, 15))
        )
        office = rng.choice(offices)
        procedure, fee = rng.choice(world.procedures)
        dossier = (
            i, f"HS{serial:08d}{codes.check_digit(f'{serial:08d}')}VN", procedure, rng.choice(world.receiving), office,
            f"Người nộp {i}", f"+849{i % 100000000:08d}", f"{i} Đường số {i % 97}", 10.98, 106.65,
            "given", created.date(), "morning", "post", "2026-11", created, fee, 30000,
            status.value, created, "center", None, due, 0, created, 1,
        )  # fmt: skip
        job = None
        if status in BEFORE_CENTER:
            job = (
                i, "inbound", "pickup", "assigned", rng.choice(world.couriers[office]),
                "x", 10.98, 106.65, created, created + timedelta(hours=3), 300, 0, 0, created,
                created,
            )  # fmt: skip
        yield dossier, job


def fill(url: str, count: int) -> World:
    """The schema, the demo province and `count` dossiers, written with COPY."""
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        load_demo(session)
    with Session(engine) as session:
        world = World(session)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        jobs: list[Any] = []
        with cur.copy(f"COPY dossier ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for dossier, job in rows(world, count, random.Random(7)):
                copy.write_row(dossier)
                if job:
                    jobs.append(job)
        with cur.copy(f"COPY job ({', '.join(JOB_COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for job in jobs:
                copy.write_row(job)
        cur.execute("SELECT setval('dossier_id_seq', (SELECT max(id) FROM dossier))")
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    engine.dispose()
    return world


@dataclass(frozen=True, slots=True)
class Ask:
    """One list request: who asks (a role and its site), the filters, the cursor."""

    role: Role  # ADMIN, CENTER_STAFF (a receiving site) or DISPATCHER (a post office)
    site_id: int | None
    wanted: listing.DossierFilter
    cursor: str | None = None

    def actor(self) -> Actor:
        """The actor `list_page` is given (admins as the system: the same scope)."""
        if self.role is Role.ADMIN:
            return Actor(kind="system")
        return Actor(kind="user", role=self.role, site_id=self.site_id)

    def params(self) -> list[tuple[str, str]]:
        """The query string of GET /api/v1/dossiers asking the same."""
        wanted, found = self.wanted, [("status", s.value) for s in self.wanted.statuses]
        found += [("overdue", "true")] if wanted.overdue else []
        found += [("in_transit", "true")] if wanted.in_transit else []
        found += [("courier", wanted.courier)] if wanted.courier else []
        found += [("q", wanted.q)] if wanted.q else []
        found += [("due_from", wanted.due_from.isoformat())] if wanted.due_from else []
        found += [("due_to", wanted.due_to.isoformat())] if wanted.due_to else []
        return found + ([("cursor", self.cursor)] if self.cursor else [])


def queries(world: World, rng: random.Random) -> dict[str, Callable[[], Ask]]:
    """The typical lists: a callable per query, its parameters drawn anew each run."""
    offices = sorted(world.couriers)

    def site_status() -> Ask:
        wanted = listing.DossierFilter(statuses=(rng.choice([S.PROCESSING, S.RESULT_READY]),))
        return Ask(Role.CENTER_STAFF, rng.choice(world.receiving), wanted)

    def office_overdue() -> Ask:
        wanted = listing.DossierFilter(overdue=True)
        return Ask(Role.DISPATCHER, rng.choice(offices), wanted)

    def q_prefix() -> Ask:
        digits = rng.choice([2, 3, 4, 5])  # 2,000 to 2 codes match; typed in lower case
        prefix = "hs" + str(rng.randrange(10**digits)).zfill(digits)
        return Ask(Role.ADMIN, None, listing.DossierFilter(q=prefix))

    def deep_page() -> Ask:
        row = rng.randrange(50_000, 150_000)
        created = datetime.combine(TODAY - timedelta(days=365), datetime.min.time(), tzinfo=UTC)
        moment = created + timedelta(seconds=row * 365 * 86400 // 200_000 + 59)
        cursor = listing.encode_cursor(moment, row)
        return Ask(Role.ADMIN, None, listing.DossierFilter(), cursor)

    def in_transit_to_site() -> Ask:
        wanted = listing.DossierFilter(in_transit=True)
        return Ask(Role.CENTER_STAFF, rng.choice(world.receiving), wanted)

    def courier() -> Ask:
        office = rng.choice(offices)
        wanted = listing.DossierFilter(courier=world.courier_codes[office])
        return Ask(Role.DISPATCHER, office, wanted)

    return {
        "site + status (center staff)": site_status,
        "office + overdue (dispatcher)": office_overdue,
        "q prefix (admin)": q_prefix,
        "deep page via cursor (admin, ~row 100k)": deep_page,
        "in transit to the site (center staff)": in_transit_to_site,
        "courier (dispatcher)": courier,
    }


def measure(url: str, world: World, runs: int) -> list[tuple[str, float, float, int]]:
    """p50 and p95 in ms of each query through `list_page`, and the rows of its last page."""
    engine = make_engine(url)
    results = []
    for name, draw in queries(world, random.Random(11)).items():
        times, found = [], 0
        with Session(engine) as session:
            for i in range(5 + runs):
                ask = draw()
                began = time.perf_counter()
                page = listing.list_page(
                    session, ask.actor(), ask.wanted, today=TODAY, cursor=ask.cursor
                )
                if i >= 5:
                    times.append((time.perf_counter() - began) * 1000)
                found = len(page.rows)
                session.rollback()
        results.append((name, *p50_p95(times), found))
    engine.dispose()
    return results


@dataclass
class Timings:
    """What the endpoint pass measured."""

    lists: dict[str, list[float]] = field(default_factory=dict)
    shown: dict[str, int] = field(default_factory=dict)
    floor: list[float] = field(default_factory=list)
    inserts: list[float] = field(default_factory=list)  # the list requests' access-log INSERTs
    commits: list[float] = field(default_factory=list)  # the list requests' commits
    floor_commits: list[float] = field(default_factory=list)
    logged: int = 0  # access-log rows the list requests wrote
    # an export: its times, CSV rows, access-log rows and INSERT ms per request
    csv: dict[str, tuple[list[float], int, int, float]] = field(default_factory=dict)
    load: list[tuple[float, float, float]] = field(default_factory=list)


class Probe:
    """The milliseconds of each access-log INSERT and of each commit, as the app runs them."""

    def __init__(self, engine: Engine, factory: sessionmaker[Session]) -> None:
        self.inserts: list[float] = []
        self.commits: list[float] = []
        event.listen(engine, "before_cursor_execute", self._began)
        event.listen(engine, "after_cursor_execute", self._executed)
        event.listen(factory, "before_commit", self._committing)
        event.listen(factory, "after_commit", self._committed)

    def take(self) -> tuple[list[float], list[float]]:
        """The INSERTs' and commits' times since the last call."""
        taken = self.inserts[:], self.commits[:]
        self.inserts.clear()
        self.commits.clear()
        return taken

    def _began(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info["bench_began"] = time.perf_counter()

    def _executed(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        began = conn.info.pop("bench_began")
        if statement.startswith("INSERT INTO access_log"):
            self.inserts.append((time.perf_counter() - began) * 1000)

    def _committing(self, session: Session) -> None:
        session.info["bench_commit"] = time.perf_counter()

    def _committed(self, session: Session) -> None:
        began = session.info.pop("bench_commit", None)
        if began is not None:
            self.commits.append((time.perf_counter() - began) * 1000)


def _headers(
    session: Session, settings: Settings, world: World
) -> dict[tuple[Role, int | None], dict[str, str]]:
    """A bearer token per role and site the queries ask as: the demo's admin, center staff of
    every receiving site, a dispatcher of every post office with couriers."""
    headers: dict[tuple[Role, int | None], dict[str, str]] = {
        (Role.ADMIN, None): bearer(session, settings, "admin")
    }
    for role, site_ids in ((Role.CENTER_STAFF, world.receiving), (Role.DISPATCHER, world.couriers)):
        for site_id in site_ids:
            headers[role, site_id] = staff_bearer(session, settings, role, world.codes[site_id])
    return headers


def measure_endpoints(url: str, world: World, runs: int, csv_runs: int) -> Timings:
    """GET /api/v1/dossiers for each query in turn and GET /api/v1/sites (the floor) after each
    round, in-process; then GET /api/v1/dossiers.csv for a center's month and the province's."""
    settings = settings_for(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    timings = Timings()
    with unit_of_work(factory) as session:
        headers = _headers(session, settings, world)
    asks = queries(world, random.Random(11))
    logged = text("SELECT count(*) FROM access_log")
    with TestClient(create_app(settings, factory)) as client:
        probe = Probe(engine, factory)
        timings.load.append(os.getloadavg())
        before = 0
        for i in range(5 + runs):
            for name, draw in asks.items():
                ask = draw()
                ms, answer = timed_get(
                    client, "/api/v1/dossiers", ask.params(), headers[ask.role, ask.site_id]
                )
                inserts, commits = probe.take()
                if i >= 5:
                    timings.lists.setdefault(name, []).append(ms)
                    timings.inserts += inserts
                    timings.commits += commits
                timings.shown[name] = len(answer.json()["items"])
            ms, _ = timed_get(client, "/api/v1/sites")
            if i >= 5:
                timings.floor.append(ms)
                timings.floor_commits += probe.take()[1]
            if i == 4:  # warmed up
                probe.take()
                with engine.connect() as conn:
                    before = conn.scalar(logged) or 0
        timings.load.append(os.getloadavg())
        with engine.connect() as conn:
            timings.logged = (conn.scalar(logged) or 0) - before
        probe.take()
        # last month by due day: one center's (its staff), then the whole province's (admin)
        last = TODAY.replace(day=1) - timedelta(days=1)
        month = listing.DossierFilter(due_from=last.replace(day=1), due_to=last)
        center = world.receiving[0]
        for label, who in (
            (
                f"{world.codes[center]}, due in {last:%Y-%m} (center staff)",
                (Role.CENTER_STAFF, center),
            ),
            (f"province, due in {last:%Y-%m} (admin)", (Role.ADMIN, None)),
        ):
            times, shown = [], 0
            params = Ask(who[0], who[1], month).params()
            with engine.connect() as conn:
                before = conn.scalar(logged) or 0
            for i in range(2 + csv_runs):
                ms, answer = timed_get(client, "/api/v1/dossiers.csv", params, headers[who])
                if i >= 2:
                    times.append(ms)
                shown = len(list(csv.reader(io.StringIO(answer.text)))) - 1
            with engine.connect() as conn:
                per_request = ((conn.scalar(logged) or 0) - before) // (2 + csv_runs)
            inserting = sum(probe.take()[0]) / (2 + csv_runs)
            timings.csv[label] = (times, shown, per_request, inserting)
    engine.dispose()
    return timings


def report(timings: Timings, runs: int) -> None:
    """The endpoint tables, as markdown."""
    print(f"\nGET /api/v1/dossiers in-process, {runs} rounds (goal p95 <= 100 ms)\n")
    print("| query | p50 ms | p95 ms | rows |\n|---|---:|---:|---:|")
    for name, times in timings.lists.items():
        print(
            f"| {name} | {' | '.join(f'{t:.1f}' for t in p50_p95(times))} | {timings.shown[name]} |"
        )
    print(
        f"| floor: GET /api/v1/sites | {' | '.join(f'{t:.1f}' for t in p50_p95(timings.floor))} | |"
    )
    p50, p95 = p50_p95(timings.inserts)
    print(
        f"\naccess log: {timings.logged} rows written by the {runs * len(timings.lists)} list "
        f"requests, in {len(timings.inserts)} INSERTs (an empty page writes none): "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms"
    )
    for label, commits in (("list", timings.commits), ("floor", timings.floor_commits)):
        p50, p95 = p50_p95(commits)
        print(f"commit of a {label} request: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    print("load average (1, 5, 15 min) before and after:", timings.load)
    print("\nGET /api/v1/dossiers.csv\n")
    print(
        "| export | p50 ms | p95 ms | rows | access-log rows per request | their INSERT ms |\n"
        "|---|---:|---:|---:|---:|---:|"
    )
    for label, (times, shown, per_request, inserting) in timings.csv.items():
        p50, p95 = p50_p95(times)
        print(f"| {label} | {p50:.0f} | {p95:.0f} | {shown} | {per_request} | {inserting:.0f} |")


def main() -> None:
    """Fill, measure, print the table, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--csv-runs", type=int, default=20)
    args = parser.parse_args()
    url, name = fresh_database()
    try:
        began = time.perf_counter()
        world = fill(url, args.count)
        print(f"filled {args.count} dossiers in {time.perf_counter() - began:.1f} s")
        print(f"\nlisting.list_page (the SQL, no HTTP), {args.runs} runs each\n")
        print("| query | p50 ms | p95 ms | rows |\n|---|---:|---:|---:|")
        for query, p50, p95, found in measure(url, world, args.runs):
            print(f"| {query} | {p50:.1f} | {p95:.1f} | {found} |")
        report(measure_endpoints(url, world, args.runs, args.csv_runs), args.runs)
    finally:
        drop_database(name)


if __name__ == "__main__":
    main()
