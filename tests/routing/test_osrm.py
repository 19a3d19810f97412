"""The OSRM table provider against a tiny local fake of the table service."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from routing.matrix import MOTORBIKE_TOWN, GreatCircleProvider, LatLon, great_circle_block
from routing.osrm import (
    LruBlockCache,
    MatrixServiceError,
    OsrmProvider,
    UnreachablePair,
    request_count,
)


@dataclass
class FakeOsrm:
    """What the fake server was asked, and how it should misbehave."""

    url: str
    requests: list[str] = field(default_factory=list)
    max_coordinates: int = 100
    fail_status: int | None = None
    unreachable: set[tuple[float, float]] = field(default_factory=set)


def _table_answer(fake: FakeOsrm, path: str, query: str) -> tuple[int, dict[str, object]]:
    """Answer one /table/v1 request from great-circle numbers, as OSRM would shape it."""
    coords_text = path.split("/")[-1]
    points = [
        LatLon(float(c.split(",")[1]), float(c.split(",")[0])) for c in coords_text.split(";")
    ]
    if len(points) > fake.max_coordinates:
        return 400, {"code": "TooBig", "message": "Too many table coordinates"}
    params = parse_qs(query)
    every = ";".join(str(i) for i in range(len(points)))
    sources = [points[int(i)] for i in params.get("sources", [every])[0].split(";")]
    targets = [points[int(i)] for i in params.get("destinations", [every])[0].split(";")]
    durations, distances = great_circle_block(sources, targets, MOTORBIKE_TOWN)
    dur: list[list[float | None]] = durations.astype(float).tolist()
    dist: list[list[float | None]] = distances.astype(float).tolist()
    for i, s in enumerate(sources):
        for j, t in enumerate(targets):
            if {(s.lat, s.lon), (t.lat, t.lon)} & fake.unreachable and s != t:
                dur[i][j] = dist[i][j] = None
    return 200, {"code": "Ok", "durations": dur, "distances": dist}


@pytest.fixture
def fake_osrm() -> Iterator[FakeOsrm]:
    """A fake OSRM table service on 127.0.0.1, in a thread, for the test's duration."""
    fake = FakeOsrm(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parsed = urlsplit(self.path)
            fake.requests.append(parsed.path)
            if fake.fail_status is not None:
                status, body = fake.fail_status, {"code": "InvalidQuery", "message": "broken"}
            else:
                status, body = _table_answer(fake, parsed.path, parsed.query)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


def _points(n: int, seed: int = 1) -> list[LatLon]:
    rng = np.random.default_rng(seed)
    lats = np.round(rng.uniform(10.85, 11.5, n), 5)
    lons = np.round(rng.uniform(106.33, 106.98, n), 5)
    return [LatLon(float(a), float(b)) for a, b in zip(lats, lons, strict=True)]


def test_block_assembly_equals_one_shot_matrix(fake_osrm: FakeOsrm) -> None:
    """A matrix fetched in 10-coordinate blocks equals the one fetched in a single request."""
    points = _points(23)
    blocked = OsrmProvider(fake_osrm.url, max_coordinates=10).matrix(points, MOTORBIKE_TOWN)
    one_shot = OsrmProvider(fake_osrm.url, max_coordinates=100).matrix(points, MOTORBIKE_TOWN)
    assert np.array_equal(blocked.durations_s, one_shot.durations_s)
    assert np.array_equal(blocked.distances_m, one_shot.distances_m)
    assert np.array_equal(
        blocked.distances_m, GreatCircleProvider().matrix(points, MOTORBIKE_TOWN).distances_m
    )


def test_blocks_respect_the_coordinate_cap_and_count(fake_osrm: FakeOsrm) -> None:
    """23 points with at most 10 coordinates a request take 5 × 5 block requests, none too big."""
    fake_osrm.max_coordinates = 10
    OsrmProvider(fake_osrm.url, max_coordinates=10).matrix(_points(23), MOTORBIKE_TOWN)
    assert len(fake_osrm.requests) == request_count(23, 10) == 25
    assert max(len(p.split("/")[-1].split(";")) for p in fake_osrm.requests) <= 10


def test_cache_hits_make_no_request(fake_osrm: FakeOsrm) -> None:
    """Asking again for the same points, even reordered, is served from the cache."""
    cache = LruBlockCache()
    provider = OsrmProvider(fake_osrm.url, max_coordinates=10, cache=cache)
    points = _points(15)
    first = provider.matrix(points, MOTORBIKE_TOWN)
    asked = len(fake_osrm.requests)
    again = provider.matrix(list(reversed(points)), MOTORBIKE_TOWN)
    assert len(fake_osrm.requests) == asked
    assert cache.hits == asked
    assert np.array_equal(again.durations_s, first.durations_s[::-1, ::-1])


def test_cache_is_shared_between_providers_and_keyed_by_profile(fake_osrm: FakeOsrm) -> None:
    """An injected cache serves a second provider; another OSRM profile is fetched anew."""
    cache = LruBlockCache()
    points = _points(5)
    OsrmProvider(fake_osrm.url, cache=cache).matrix(points, MOTORBIKE_TOWN)
    OsrmProvider(fake_osrm.url, cache=cache).matrix(points, MOTORBIKE_TOWN)
    assert len(fake_osrm.requests) == 1
    bike = OsrmProvider(fake_osrm.url, cache=cache, osrm_profiles={"motorbike_town": "bike"})
    bike.matrix(points, MOTORBIKE_TOWN)
    assert fake_osrm.requests[-1].startswith("/table/v1/bike/")
    assert len(fake_osrm.requests) == 2


def test_duplicate_points_cost_nothing_between_them(fake_osrm: FakeOsrm) -> None:
    """The same place twice is fetched once and is at zero from itself."""
    a, b = _points(2)
    matrix = OsrmProvider(fake_osrm.url).matrix([a, b, a], MOTORBIKE_TOWN)
    assert matrix.duration_s(0, 2) == 0
    assert matrix.duration_s(1, 2) == matrix.duration_s(1, 0) > 0
    assert fake_osrm.requests[0].count(";") == 1


def test_unreachable_pair_raises_by_default(fake_osrm: FakeOsrm) -> None:
    """A null in the table names the unreachable pair of points."""
    points = _points(4)
    fake_osrm.unreachable.add((points[2].lat, points[2].lon))
    with pytest.raises(UnreachablePair) as caught:
        OsrmProvider(fake_osrm.url).matrix(points, MOTORBIKE_TOWN)
    assert 2 in (caught.value.origin, caught.value.destination)


def test_unreachable_pair_can_be_penalized(fake_osrm: FakeOsrm) -> None:
    """With the penalize policy an unreachable pair costs the configured large values."""
    points = _points(4)
    fake_osrm.unreachable.add((points[2].lat, points[2].lon))
    provider = OsrmProvider(fake_osrm.url, on_unreachable="penalize", unreachable_s=99_999)
    matrix = provider.matrix(points, MOTORBIKE_TOWN)
    assert matrix.duration_s(0, 2) == matrix.duration_s(2, 3) == 99_999
    assert matrix.duration_s(2, 2) == 0
    assert matrix.duration_s(0, 1) < 99_999


def test_service_error_surfaces_with_its_message(fake_osrm: FakeOsrm) -> None:
    """An HTTP error from the service becomes a MatrixServiceError naming the server."""
    fake_osrm.fail_status = 400
    with pytest.raises(MatrixServiceError, match=r"127\.0\.0\.1.*broken"):
        OsrmProvider(fake_osrm.url).matrix(_points(3), MOTORBIKE_TOWN)


def test_unreachable_server_surfaces_clearly() -> None:
    """A server that does not answer at all gives a MatrixServiceError, not a bare socket error."""
    with pytest.raises(MatrixServiceError, match="table request"):
        OsrmProvider("http://127.0.0.1:9", timeout_s=2).matrix(_points(3), MOTORBIKE_TOWN)
