"""The staff list of dossiers on 200,000 dossiers: p50/p95 of typical queries, through the service.

A PostgreSQL database of its own (created, then dropped) gets the demo province and `--count`
dossiers spread over a year across its receiving sites, post offices and statuses (COPY), with an
assigned pickup for those still before or on their way to the center; then each query below runs
`--runs` times, its parameters rotating over the sites, offices and code prefixes, through
`courier.dossiers.listing.list_page` (the SQL the endpoint runs, without HTTP).

    .venv/bin/python -m bench.dossier_list --count 200000 --runs 200
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from courier.actors import Actor  # noqa: E402
from courier.catalogue.models import Procedure, Site  # noqa: E402
from courier.db import make_engine  # noqa: E402
from courier.demo.load import load_demo  # noqa: E402
from courier.dossiers import codes, listing  # noqa: E402
from courier.dossiers.models import DossierStatus as S  # noqa: E402
from courier.enums import Role, SiteKind  # noqa: E402
from courier.fleet.models import Courier  # noqa: E402
from tests import services  # noqa: E402
from tests.conftest import migrate  # noqa: E402

TODAY = date(2026, 12, 7)
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
        for c in couriers:
            self.couriers.setdefault(c.home_post_office_id, []).append(c.id)
        codes = {s.id: s.code for s in sites}
        self.office_codes = [codes[o] for o in sorted(self.couriers)]
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


def queries(world: World, rng: random.Random) -> dict[str, Callable[[Session], Any]]:
    """The typical lists: a callable per query, its parameters drawn anew each run."""
    staff = [Actor(kind="user", role=Role.CENTER_STAFF, site_id=s) for s in world.receiving]
    offices = sorted(world.couriers)
    admin = Actor(kind="system")
    today = TODAY

    def page(actor: Actor, wanted: listing.DossierFilter, cursor: str | None = None) -> Any:
        return lambda s: listing.list_page(s, actor, wanted, today=today, cursor=cursor)

    def site_status(s: Session) -> Any:
        wanted = listing.DossierFilter(statuses=(rng.choice([S.PROCESSING, S.RESULT_READY]),))
        return page(rng.choice(staff), wanted)(s)

    def office_overdue(s: Session) -> Any:
        office = rng.choice(offices)
        actor = Actor(kind="user", role=Role.DISPATCHER, site_id=office)
        return page(actor, listing.DossierFilter(overdue=True))(s)

    def q_prefix(s: Session) -> Any:
        digits = rng.choice([2, 3, 4, 5])  # 2,000 to 2 codes match; typed in lower case
        prefix = "hs" + str(rng.randrange(10**digits)).zfill(digits)
        return page(admin, listing.DossierFilter(q=prefix))(s)

    def deep_page(s: Session) -> Any:
        row = rng.randrange(50_000, 150_000)
        created = datetime.combine(TODAY - timedelta(days=365), datetime.min.time(), tzinfo=UTC)
        moment = created + timedelta(seconds=row * 365 * 86400 // 200_000 + 59)
        return page(admin, listing.DossierFilter(), listing.encode_cursor(moment, row))(s)

    def in_transit_to_site(s: Session) -> Any:
        return page(rng.choice(staff), listing.DossierFilter(in_transit=True))(s)

    def courier(s: Session) -> Any:
        office = rng.choice(offices)
        code = s.scalar(select(Courier.code).where(Courier.id == world.couriers[office][0]))
        actor = Actor(kind="user", role=Role.DISPATCHER, site_id=office)
        return page(actor, listing.DossierFilter(courier=code))(s)

    return {
        "site + status (center staff)": site_status,
        "office + overdue (dispatcher)": office_overdue,
        "q prefix (admin)": q_prefix,
        "deep page via cursor (admin, ~row 100k)": deep_page,
        "in transit to the site (center staff)": in_transit_to_site,
        "courier (dispatcher)": courier,
    }


def measure(url: str, world: World, runs: int) -> list[tuple[str, float, float, int]]:
    """p50 and p95 in ms of each query, and the rows of its last page."""
    engine = make_engine(url)
    results = []
    for name, run in queries(world, random.Random(11)).items():
        times, found = [], 0
        with Session(engine) as session:
            for _ in range(5):
                run(session)
            for _ in range(runs):
                began = time.perf_counter()
                found = len(run(session).rows)
                times.append((time.perf_counter() - began) * 1000)
                session.rollback()
        p95 = statistics.quantiles(times, n=20)[-1]
        results.append((name, statistics.median(times), p95, found))
    engine.dispose()
    return results


def main() -> None:
    """Fill, measure, print the table, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    url, name = fresh_database()
    try:
        began = time.perf_counter()
        world = fill(url, args.count)
        print(f"filled {args.count} dossiers in {time.perf_counter() - began:.1f} s")
        print("| query | p50 ms | p95 ms | rows |\n|---|---:|---:|---:|")
        for query, p50, p95, found in measure(url, world, args.runs):
            print(f"| {query} | {p50:.1f} | {p95:.1f} | {found} |")
    finally:
        drop_database(name)


if __name__ == "__main__":
    main()
