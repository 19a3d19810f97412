"""The service in-process for endpoint timings (FastAPI TestClient): settings for a bench's
database, staff credentials, one timed GET, p50/p95.

Shared by `bench/stats.py` and `bench/dossier_list.py`: a request through the TestClient goes
through routing, authentication, the queries, the request's commit and the JSON, without a
socket.
"""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from httpx2 import Response
    from sqlalchemy.orm import Session

    from courier.enums import Role
    from courier.settings import Settings


def settings_for(url: str) -> Settings:
    """The service's settings on a bench's database (test environment, a throwaway secret)."""
    from courier.settings import Settings

    return Settings(database_url=url, environment="test", secret_key="x" * 40)


def bearer(session: Session, settings: Settings, username: str) -> dict[str, str]:
    """The Authorization header of an existing account (the demo's `admin`, say)."""
    from sqlalchemy import select

    from courier.accounts import service as accounts
    from courier.accounts.models import User

    user = session.scalars(select(User).where(User.username == username)).one()
    return {"Authorization": f"Bearer {accounts.issue_token(user, settings)}"}


def staff_bearer(
    session: Session, settings: Settings, role: Role, site_code: str
) -> dict[str, str]:
    """The Authorization header of a new account of that role bound to that site."""
    from courier.accounts import service as accounts

    username = f"bench.{role.value}.{site_code.lower()}"
    accounts.create_user(
        session, username=username, password="bench-password", role=role, site_code=site_code
    )
    return bearer(session, settings, username)


def timed_get(
    client: TestClient, path: str, params: Any = None, headers: dict[str, str] | None = None
) -> tuple[float, Response]:
    """One GET: its milliseconds and its answer (asserted 200)."""
    started = time.perf_counter()
    response = client.get(path, params=params, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, params, response.text[:300])
    return elapsed, response


def p50_p95(times: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile."""
    cuts = statistics.quantiles(times, n=100)
    return cuts[49], cuts[94]
