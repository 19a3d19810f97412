"""Load on PostgreSQL with two uvicorn workers: tracking, booking, and a bare FastAPI endpoint.

A throwaway PostgreSQL database is migrated, loaded with the demo province and a few hundred
bookings (whose codes the tracking load reads), then the service is started with its own command
(`courier serve --workers 2`, tasks in-process, no broker) next to `bench/bare_app.py` on uvicorn
with two workers. For each rate, one endpoint after the other gets an open-loop load
(`bench/openloop.py`): the bare endpoint, `GET /api/v1/track/{code}?phone=LAST4`, then
`POST /api/v1/bookings`. After each phase of the service, `/healthz` must answer within the settle
time, else the service is restarted and the next row says so. `--soak` instead sends tracking and
booking in turn at one rate and samples the memory of every server process every 10 s. The servers
are stopped with SIGTERM (SIGKILL after 15 s) and the database dropped, whatever happened.

    .venv/bin/python -m bench.load --rates 100 200 400 --seconds 60
    .venv/bin/python -m bench.load --soak 600
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.openloop import Client, Tally, Target, drive, percentile
from bench.servers import (
    HOST,
    ROOT,
    CpuClock,
    Server,
    free_port,
    rss_mib,
    run,
    settle,
    start,
    stop,
)

ENDPOINTS = ("bare", "tracking", "booking")


def service_env(url: str, workdir: Path) -> dict[str, str]:
    """The service's environment: this database, test mode, no broker, no rate limit in the way."""
    env = {k: v for k, v in bare_env().items() if not k.startswith("COURIER_")}
    env.update(
        COURIER_DATABASE_URL=url,
        COURIER_ENVIRONMENT="test",
        COURIER_SECRET_KEY="load-bench-" + os.urandom(24).hex(),
        COURIER_TRACK_RATE_LIMIT="1000000/minute",
        COURIER_BOOKING_RATE_LIMIT="1000000/minute",
        COURIER_BOOKINGS_PER_PHONE_PER_DAY="1000000",
        COURIER_MEDIA_DIR=str(workdir / "media"),
        COURIER_SIGNING_KEY_FILE=str(workdir / "signing-key.pem"),
        COURIER_SIGNING_RETIRED_KEYS_FILE=str(workdir / "retired-signing-keys.pem"),
    )
    return env


def bare_env() -> dict[str, str]:
    """This environment, importing the project from this tree first (a copy of it may be run)."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def make_servers(url: str, workdir: Path) -> tuple[Server, Server]:
    """The service (its own command) and the bare app, both on uvicorn with two workers."""
    bin_dir = Path(sys.executable).parent
    port = free_port()
    service = Server(
        "service",
        [str(bin_dir / "courier"), "serve", "--host", HOST, "--port", str(port), "--workers", "2"],
        service_env(url, workdir), port, workdir / "service.log", "/healthz",
    )
    port = free_port()
    bare = Server(
        "bare",
        [str(bin_dir / "uvicorn"), "bench.bare_app:app", "--host", HOST, "--port", str(port),
         "--workers", "2", "--no-proxy-headers"],
        bare_env(), port, workdir / "bare.log", "/bare",
    )
    return service, bare


def prepare(url: str, count: int) -> list[tuple[str, str]]:
    """Schema, demo province and `count` bookings for the next working day: (code, phone's last 4)."""
    from sqlalchemy import select

    from courier import runtime
    from courier.db import make_engine, make_session_factory
    from courier.demo.load import load_bookings, load_demo
    from courier.dossiers.models import Dossier
    from courier.runtime import unit_of_work
    from courier.settings import Settings
    from tests.conftest import migrate

    migrate(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    runtime.use_session_factory(factory)  # in-process tasks (booking SMS) write to this database
    settings = Settings(database_url=url, environment="test", secret_key="x" * 40)
    with unit_of_work(factory) as session:
        load_demo(session)
    with unit_of_work(factory) as session:
        load_bookings(session, settings, on=booking_day(), count=count, seed=9)
    with factory() as session:
        rows = session.execute(select(Dossier.tracking_code, Dossier.applicant_phone)).all()
    runtime.use_session_factory(None)
    engine.dispose()
    return [(code, phone[-4:]) for code, phone in rows]


def booking_day() -> date:
    """The next working day where the service runs (so every slot of it is still open)."""
    from courier import calendar
    from courier.settings import Settings

    zone = Settings().zone
    return calendar.next_working_day(calendar.local_today(datetime.now(UTC), zone))


def targets(codes: Sequence[tuple[str, str]]) -> dict[str, Target]:
    """The three endpoints as raw HTTP/1.1 requests."""
    host = f"Host: {HOST}\r\n"
    track = [
        f"GET /api/v1/track/{code}?phone={last4} HTTP/1.1\r\n{host}\r\n".encode()
        for code, last4 in codes
    ]
    body = json.dumps({
        "applicant_name": "Nguyễn Văn An", "phone": "0912 345 678",
        "address_text": "12 Yersin, phường Phú Cường, Thủ Dầu Một", "lat": 10.981, "lon": 106.655,
        "procedure_code": "HT-01", "preferred_on": booking_day().isoformat(), "slot": "morning",
        "result_return": "post", "consent": True, "consent_version": "2026-11-01",
    }).encode()
    book = (
        f"POST /api/v1/bookings HTTP/1.1\r\n{host}Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    return {
        "bare": Target("bare", [f"GET /bare HTTP/1.1\r\n{host}\r\n".encode()]),
        "tracking": Target("tracking", track),
        "booking": Target("booking", [book]),
    }


async def phase(
    server: Server, chosen: Sequence[Target], rate: float, seconds: float, timeout_s: float
) -> tuple[dict[str, Tally], dict[str, int]]:
    """Warm up with a few requests, then one open-loop phase; the tallies and the CPU used."""
    client = Client(HOST, server.port, timeout_s)
    for target in chosen:
        for _ in range(10):
            try:
                await client.send(target.next_request())
            except (OSError, asyncio.IncompleteReadError):
                break
    tallies = {target.name: Tally() for target in chosen}
    before = CpuClock.read(server)
    await drive(client, chosen, rate, seconds, tallies)
    client.close()
    return tallies, CpuClock.read(server).since(before)


def row(name: str, rate: float, seconds: float, tally: Tally, cpu: dict[str, int]) -> dict[str, Any]:
    """One line of the table: achieved rates, latency percentiles, errors, the generator's state."""
    span = max(seconds, (tally.finished[-1] if tally.finished else 0) - tally.first_sent)
    sending = tally.last_sent - tally.first_sent
    return {
        "endpoint": name,
        "rate": rate,
        "sent_per_s": round((tally.sent - 1) / sending, 1) if sending > 0 else 0.0,
        "ok_per_s": round(tally.ok() / span, 1),
        "p50_ms": round(1000 * percentile(tally.latencies, 0.50), 1),
        "p99_ms": round(1000 * percentile(tally.latencies, 0.99), 1),
        "max_ms": round(1000 * max(tally.latencies, default=float("nan")), 1),
        "sent": tally.sent,
        "ok": tally.ok(),
        "errors": tally.errors(),
        "generator_lag_max_ms": round(1000 * tally.max_lag, 1),
        "cpu_pct": cpu,
    }


def run_rates(
    service: Server, bare: Server, by_name: dict[str, Target], args: argparse.Namespace
) -> list[dict[str, Any]]:
    """Each rate, each endpoint in turn; a service that does not recover is restarted."""
    rows: list[dict[str, Any]] = []
    for rate in args.rates:
        for name in args.endpoints:
            server = bare if name == "bare" else service
            tallies, cpu = run(
                phase(server, [by_name[name]], rate, args.seconds, args.timeout)
            )
            line = row(name, rate, args.seconds, tallies[name], cpu)
            line["recovered_s"] = run(settle(server, args.settle))
            if line["recovered_s"] is None:
                line["restart"] = stop(server)
                start(server)
            print(json.dumps(line, ensure_ascii=False), flush=True)
            rows.append(line)
    return rows


def cpu_cell(cpu: dict[str, int]) -> str:
    """Generator / server / PostgreSQL / everything else CPU %, one core being 100."""
    return f"{cpu['generator']} / {cpu['server']} / {cpu['postgres']} / {cpu['other']}"


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    """The figures as a Markdown table."""
    print("\n| endpoint | target/s | sent/s | 2xx/s | p50 ms | p99 ms | max ms | errors "
          "| generator lag max ms | CPU % generator / server / postgres / other | health after |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |")
    for r in rows:
        errors = ", ".join(f"{k}: {n}" for k, n in r["errors"].items()) or "0"
        health = "—" if r["recovered_s"] is None else f"{r['recovered_s']} s"
        if "restart" in r:
            health = f"none in the settle time: restarted ({r['restart']})"
        print(f"| {r['endpoint']} | {r['rate']:g} | {r['sent_per_s']} | {r['ok_per_s']} "
              f"| {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {errors} "
              f"| {r['generator_lag_max_ms']} | {cpu_cell(r['cpu_pct'])} | {health} |")


class Sampler:
    """Snapshots of a soak: memory of each server process, answers, p99 and CPU since the last."""

    def __init__(self, server: Server, tallies: dict[str, Tally]) -> None:
        self.server, self.tallies, self.series = server, tallies, list[dict[str, Any]]()
        self.seen = dict.fromkeys(tallies, (0, 0))
        self.began = self.clock = CpuClock.read(server)

    def snapshot(self) -> None:
        """Take one and print it as a JSON line."""
        clock = CpuClock.read(self.server)
        point: dict[str, Any] = {
            "t_s": round(clock.wall - self.began.wall),
            "rss_mib": rss_mib(self.server),
            "cpu_pct": clock.since(self.clock) if clock.wall - self.clock.wall > 1 else None,
        }
        self.clock = clock
        for name, tally in self.tallies.items():
            ok_before, done_before = self.seen[name]
            window = tally.latencies[done_before:]
            self.seen[name] = (tally.ok(), len(tally.latencies))
            point[name] = {
                "2xx": tally.ok() - ok_before,
                "p99_ms": round(1000 * percentile(window, 0.99), 1),
            }
        self.series.append(point)
        print(json.dumps(point), flush=True)

    async def every(self, seconds: float) -> None:
        """Take snapshots until cancelled."""
        while True:
            self.snapshot()
            await asyncio.sleep(seconds)


async def soak_run(
    service: Server, chosen: Sequence[Target], args: argparse.Namespace
) -> tuple[dict[str, Tally], Sampler]:
    """The mixed load for the soak's length, with a snapshot every 10 s and one at the end."""
    tallies = {target.name: Tally() for target in chosen}
    sampler = Sampler(service, tallies)
    client = Client(HOST, service.port, args.timeout)
    sampling = asyncio.create_task(sampler.every(10.0))
    await drive(client, chosen, args.soak_rate, args.soak, tallies)
    sampling.cancel()
    sampler.snapshot()
    client.close()
    return tallies, sampler


def print_series(tallies: dict[str, Tally], series: list[dict[str, Any]]) -> None:
    """The snapshots as a table, the worker processes replaced, the growth of the memory."""
    print("\n| t s | " + " | ".join(f"{name} 2xx / p99 ms" for name in tallies)
          + " | CPU % generator / server / postgres / other | main MiB | each worker MiB "
          "| total MiB |")
    print("| ---: |" + " ---: |" * (len(tallies) + 4))
    replaced, workers_before = [], None
    for point in series:
        sizes = point["rss_mib"]
        workers = {k: v for k, v in sorted(sizes.items()) if k.startswith("worker")}
        if workers_before is not None and set(workers) != workers_before:
            replaced.append(f"t {point['t_s']} s: {sorted(workers_before)} → {sorted(workers)}")
        workers_before = set(workers)
        answers = " | ".join(f"{point[n]['2xx']} / {point[n]['p99_ms']}" for n in tallies)
        cpu = cpu_cell(point["cpu_pct"]) if point["cpu_pct"] else "—"
        each = " + ".join(f"{v:.0f}" for v in workers.values())
        print(f"| {point['t_s']} | {answers} | {cpu} | {sizes.get('main', 0):.0f} | {each} "
              f"| {sum(sizes.values()):.0f} |")
    for change in replaced:
        print(f"worker processes replaced at {change}")
    first, middle, last = (sum(series[i]["rss_mib"].values()) for i in (0, len(series) // 2, -1))
    print(f"\nRSS of all server processes: {first:.1f} → {last:.1f} MiB "
          f"({last - first:+.1f} MiB first→last, {last - middle:+.1f} MiB over the second half)")


def soak(service: Server, by_name: dict[str, Target], args: argparse.Namespace) -> None:
    """Tracking and booking in turn at the soak rate; latency per endpoint, memory over time."""
    chosen = [by_name["tracking"], by_name["booking"]]
    run(phase(service, chosen, 1.0, 1.0, args.timeout))  # warm-up
    tallies, sampler = run(soak_run(service, chosen, args))
    cpu = CpuClock.read(service).since(sampler.began)
    each = args.soak_rate / len(chosen)
    print(f"\nCPU % over the soak: generator / server / postgres / other {cpu_cell(cpu)}")
    print("\n| endpoint | target/s | sent/s | 2xx/s | p50 ms | p99 ms | max ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, tally in tallies.items():
        r = row(name, each, args.soak, tally, cpu)
        errors = ", ".join(f"{k}: {n}" for k, n in r["errors"].items()) or "0"
        print(f"| {name} | {each:g} | {r['sent_per_s']} | {r['ok_per_s']} | {r['p50_ms']} "
              f"| {r['p99_ms']} | {r['max_ms']} | {errors} |")
    print_series(tallies, sampler.series)


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rates", type=float, nargs="+", default=[100, 200, 400])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase")
    parser.add_argument("--endpoints", nargs="+", default=list(ENDPOINTS), choices=ENDPOINTS,
                        help="which endpoints, in this order at each rate")
    parser.add_argument("--timeout", type=float, default=10.0, help="per request, seconds")
    parser.add_argument("--settle", type=float, default=30.0,
                        help="seconds the service may take to answer /healthz after a phase")
    parser.add_argument("--bookings", type=int, default=500, help="made before, for tracking")
    parser.add_argument("--soak", type=float, default=0.0, help="soak seconds instead (e.g. 600)")
    parser.add_argument("--soak-rate", type=float, default=200.0,
                        help="tracking and booking in turn, together")
    return parser.parse_args()


def main() -> None:
    """Database, servers, load; then stop the servers and drop the database whatever happened."""
    from bench.plans import POSTGRES, drop_database, fresh_database
    from tests.services import reachable

    args = parse_args()
    if not reachable(POSTGRES):
        raise SystemExit(f"PostgreSQL is not reachable at {POSTGRES}")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM cleans up like Ctrl-C
    workdir = Path(tempfile.mkdtemp(prefix="courier-load-"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    commit = commit or "unknown (not a git checkout)"
    before = CpuClock.read(None)
    time.sleep(2.0)
    busy = CpuClock.read(None).since(before)["machine"]
    print(json.dumps({"started": datetime.now(UTC).isoformat(timespec="seconds"),
                      "commit": commit, "machine_busy_pct_before": busy, "cores": os.cpu_count(),
                      "logs": str(workdir), **vars(args)}), flush=True)
    url = fresh_database("load")
    service, bare = make_servers(url, workdir)
    try:
        by_name = targets(prepare(url, args.bookings))
        if args.soak:
            start(service)
            soak(service, by_name, args)
        else:
            if "bare" in args.endpoints:
                start(bare)
            if set(args.endpoints) - {"bare"}:
                start(service)
            print_table(run_rates(service, bare, by_name, args))
    finally:
        for server in (service, bare):
            print(stop(server), flush=True)
        drop_database(url)
        print(f"server logs: {workdir}", flush=True)


if __name__ == "__main__":
    main()
