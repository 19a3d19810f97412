"""Lighthouse (mobile preset, the system Chromium) on every public page, and each page's weight.

Serves the app on a fresh SQLite database with the demo province and one booking, runs
Lighthouse 12 (`bench/lighthouse/package.json`, its own lockfile: a bench-only tool) several
times per page, and prints the median scores and the bytes transferred (compressed) on first
load. Pages of one dossier are opened with its grant cookie (as after the tracking form).
The courier app's shell (`/courier/`) is audited too, and checked installable as Chrome checks
it (Lighthouse 12 has no PWA category): its service worker controls the page, then DevTools'
`Page.getInstallabilityErrors` lists nothing.

    make bench-lighthouse      # or: .venv/bin/python -m bench.lighthouse --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.load import prepare, service_env
from bench.servers import HOST, ROOT, Server, free_port, start, stop

LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices")
SECRET = "lighthouse-bench-secret-" + "x" * 24
GOALS = {"performance": 90, "accessibility": 95, "best-practices": 95}
COURIER_APP = "/courier/"
COURIER_SHELL_BYTES = (
    250_000  # issue 11: the app's first load, compressed, the barcode reader aside
)


def pages(code: str) -> list[tuple[str, str, str]]:
    """(name, path, cookie it needs: '', 'grant' or an account's username) of every page."""
    return [
        ("home", "/", ""),
        ("booking", "/book", ""),
        ("tracking form", "/track", ""),
        ("tracking, dossier", f"/track/{code}", "grant"),
        ("confirmation", f"/track/{code}/booked", "grant"),
        ("sign-in", "/me", ""),
        ("my dossiers", "/me", "citizen.an"),
        ("CSV upload", "/me/upload", "enterprise.minhphat"),
        ("personal data", "/privacy", ""),
        ("courier app", COURIER_APP, ""),
    ]


def cookie_for(kind: str, code: str, suffix: str, url: str) -> str | None:
    """The cookie the tracking form or the sign-in sets, minted with the served app's secret."""
    from sqlalchemy import create_engine, select
    from starlette.responses import Response

    from api import grants, signin
    from courier.accounts.models import User
    from courier.settings import Settings

    if not kind:
        return None
    response = Response()
    settings = Settings(secret_key=SECRET, environment="test")
    if kind == "grant":
        grants.grant(response, settings, code, suffix)
    else:
        engine = create_engine(url)
        with engine.connect() as conn:
            user_id = conn.scalar(select(User.id).where(User.username == kind))
        engine.dispose()
        assert user_id is not None, kind
        signin.sign_in(response, settings, user_id)
    return response.headers["set-cookie"].split(";", 1)[0]


def audit(url: str, cookie: str | None, out: Path) -> dict[str, Any]:
    """One Lighthouse run: the scores (0-100) and the bytes transferred."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={out}",
        "--quiet",
        "--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage",
        f"--only-categories={','.join(CATEGORIES)}",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    done = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, check=False)
    if done.returncode != 0:
        return {**dict.fromkeys(CATEGORIES, 0), "bytes": 0, "failing": ["did not load"]}
    report = json.loads(out.read_text())
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    weight = report["audits"]["total-byte-weight"]["numericValue"]
    failing = [
        a["id"]
        for a in report["audits"].values()
        if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") == "binary"
    ]
    return {**scores, "bytes": int(weight), "failing": failing}


def installability(base: str) -> list[str]:
    """What keeps Chrome from installing the courier app (nothing when it is installable)."""
    from playwright.sync_api import sync_playwright

    # a profile on disk: Chrome never offers to install from an incognito (in-memory) profile
    with (
        sync_playwright() as driver,
        tempfile.TemporaryDirectory(prefix="profile-", ignore_cleanup_errors=True) as profile,
    ):
        browser = driver.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=["--no-sandbox"]
        )
        page = browser.new_page()
        page.goto(base + COURIER_APP)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
        cdp = browser.new_cdp_session(page)
        found = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        browser.close()
    return [
        error["errorId"]
        + "".join(f" {a['name']}={a['value']}" for a in error.get("errorArguments", []))
        for error in found
    ]


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each score over the runs; the weight of the first (it does not vary)."""
    merged = {c: int(statistics.median(r[c] for r in runs)) for c in CATEGORIES}
    failing = sorted({a for r in runs for a in r["failing"]})
    return {**merged, "bytes": runs[0]["bytes"], "failing": failing}


def main() -> None:
    """Serve, audit every page, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--page", action="append", help="only the pages whose name has this (repeatable)"
    )
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("run `npm ci --prefix bench/lighthouse --ignore-scripts` first")
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'bench.sqlite3'}"
        code, suffix = prepare(url, 1)[0]
        env = {**service_env(url, work), "COURIER_SECRET_KEY": SECRET}
        port = free_port()
        server = Server(
            "service",
            [
                str(Path(sys.executable).parent / "courier"),
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
            ],
            env,
            port,
            work / "service.log",
            "/healthz",
        )
        start(server)
        try:
            rows = []
            chosen = [p for p in pages(code) if not args.page or any(w in p[0] for w in args.page)]
            for name, path, kind in chosen:
                cookie = cookie_for(kind, code, suffix, url)
                runs = [
                    audit(f"http://{HOST}:{port}{path}", cookie, work / f"report-{i}.json")
                    for i in range(args.runs)
                ]
                shown = path.replace(code, "{code}")
                rows.append({"page": name, "path": shown, **median_run(runs)})
            audited_app = any(path == COURIER_APP for _, path, _ in chosen)
            blockers = installability(f"http://{HOST}:{port}") if audited_app else []
        finally:
            stop(server)
    print_table(rows, args.runs)
    print_courier_app(rows, blockers)


def print_table(rows: list[dict[str, Any]], runs: int) -> None:
    """Markdown, as bench/README.md keeps it."""
    print(
        f"Lighthouse 12.2.3, mobile preset (simulated slow 4G, 4x CPU slowdown), median of {runs}"
    )
    print("| page | performance | accessibility | best practices | first load (KB transferred) |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['page']} (`{r['path']}`) "
            f"| {r['performance']} | {r['accessibility']} | {r['best-practices']} "
            f"| {r['bytes'] / 1000:.1f} |"
        )
    for r in rows:
        if r["failing"]:
            print(f"- {r['page']}: failing audits {', '.join(r['failing'])}")
    misses = [
        f"{r['page']} {c} {r[c]} < {goal}" for r in rows for c, goal in GOALS.items() if r[c] < goal
    ]
    print("goals met on every page" if not misses else "below goal: " + "; ".join(misses))


def print_courier_app(rows: list[dict[str, Any]], blockers: list[str]) -> None:
    """The courier app's own goals: installable, and a light first load."""
    shell = next((r for r in rows if r["path"] == COURIER_APP), None)
    if shell is None:
        return
    print(
        f"courier app: first load {shell['bytes'] / 1000:.1f} KB compressed "
        f"(goal ≤ {COURIER_SHELL_BYTES / 1000:.0f} KB): "
        + ("met" if shell["bytes"] <= COURIER_SHELL_BYTES else "NOT met")
    )
    print(
        "courier app: installable (service worker in control, no installability errors)"
        if not blockers
        else "courier app: NOT installable: " + "; ".join(blockers)
    )


if __name__ == "__main__":
    main()
