"""The center report page and its PDF on a year of 200,000 dossiers in PostgreSQL: p50/p95.

The world of `bench/stats.py` (a database of its own, dropped afterwards); then GET
/center/report and /center/report.pdf in-process (FastAPI TestClient, an admin's staff cookie):
one center and every center, for a month; and, to show what the trend costs, the statistics
of the same period asked once (the figures without the trend).

    .venv/bin/python -m bench.report --dossiers 200000 --runs 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.plans import POSTGRES, _reachable, drop_database, fresh_database  # noqa: E402
from bench.stats import MONTH, load  # noqa: E402


def measure(url: str, runs: int, site: str) -> list[dict[str, Any]]:
    """p50/p95 of the page, the PDF and the plain statistics, after two warm-up calls."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select
    from starlette.responses import Response

    from api import signin
    from api.main import create_app
    from courier.accounts import service as accounts
    from courier.accounts.models import User
    from courier.db import make_engine, make_session_factory
    from courier.runtime import unit_of_work
    from courier.settings import Settings

    settings = Settings(database_url=url, environment="test", secret_key="x" * 40)
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as session:
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        token = accounts.issue_token(admin, settings)
        answer = Response()
        signin.sign_in(answer, settings, admin.id, signin.STAFF_COOKIE)
    cookie = answer.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    month = {"month": MONTH[0].strftime("%Y-%m")}
    dates = {"from": MONTH[0].isoformat(), "to": MONTH[1].isoformat()}
    bearer = {"Authorization": f"Bearer {token}"}
    cases = [
        (f"/center/report?site={site}", month, {}),
        (f"/center/report.pdf?site={site}", month, {}),
        (f"/api/v1/stats/sites/{site}", dates, bearer),
        ("/center/report (every center)", month, {}),
        ("/center/report.pdf (every center)", month, {}),
        ("/api/v1/stats/sites", dates, bearer),
    ]
    results = []
    with TestClient(create_app(settings, factory)) as client:
        client.cookies.set(signin.STAFF_COOKIE, cookie)
        for label, params, headers in cases:
            path, _, query = label.split(" ")[0].partition("?")
            asked = dict(params, **dict([query.split("=")])) if query else params
            times = []
            for i in range(runs + 2):
                started = time.perf_counter()
                response = client.get(path, params=asked, headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.text[:300]
                if i >= 2:
                    times.append(elapsed)
            cuts = statistics.quantiles(times, n=20)
            results.append({"case": label, "p50": statistics.median(times), "p95": cuts[18]})
    return results


def main() -> None:
    """Load, measure, print the table, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--site", default="BD-TTHC")
    parser.add_argument("--url", help="an already loaded database (bench.stats --keep)")
    args = parser.parse_args()
    if not _reachable(POSTGRES):
        sys.exit(f"PostgreSQL is not reachable at {POSTGRES}")
    url = args.url or fresh_database("report")
    try:
        if not args.url:
            loaded = load(url, args.dossiers)
            print(f"loaded in {loaded['load_s']:.0f} s: {loaded['rows']}")
        results = measure(url, args.runs, args.site)
        print(f"\n{args.runs} runs each, a month (p50/p95 in ms)\n")
        print("| request | p50 ms | p95 ms |")
        print("| --- | --- | --- |")
        for r in results:
            print(f"| {r['case']} | {r['p50']:.1f} | {r['p95']:.1f} |")
    finally:
        if not args.url:
            drop_database(url)


if __name__ == "__main__":
    main()
