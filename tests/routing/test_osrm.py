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
    LruRowCache,
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
    cells: list[int] = field(default_factory=list)  # sources × destinations of each answer
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
    fake.cells.append(len(sources) * len(targets))
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
    cache = LruRowCache()
    provider = OsrmProvider(fake_osrm.url, max_coordinates=10, cache=cache)
    points = _points(15)
    first = provider.matrix(points, MOTORBIKE_TOWN)
    asked = len(fake_osrm.requests)
    again = provider.matrix(list(reversed(points)), MOTORBIKE_TOWN)
    assert len(fake_osrm.requests) == asked
    assert cache.hits == 15  # every point's row
    assert np.array_equal(again.durations_s, first.durations_s[::-1, ::-1])


def test_a_point_added_fetches_only_its_row_and_column(fake_osrm: FakeOsrm) -> None:
    """A re-plan with one point more asks 4 blocks (its row and column), not all 16 again."""
    fake_osrm.max_coordinates = 10
    provider = OsrmProvider(fake_osrm.url, max_coordinates=10)
    points = _points(16)
    provider.matrix(points[:15], MOTORBIKE_TOWN)
    assert len(fake_osrm.requests) == request_count(15, 10) == 9
    grown = provider.matrix(points, MOTORBIKE_TOWN)
    assert len(fake_osrm.requests) == 9 + 4 < 9 + request_count(16, 10)
    fresh = OsrmProvider(fake_osrm.url, max_coordinates=10).matrix(points, MOTORBIKE_TOWN)
    assert np.array_equal(grown.durations_s, fresh.durations_s)
    assert np.array_equal(grown.distances_m, fresh.distances_m)


def test_points_added_and_removed_reuse_the_rows_they_share(fake_osrm: FakeOsrm) -> None:
    """Dropping 3 points and adding 2 others asks only the 2 new rows and columns, in 6 blocks."""
    provider = OsrmProvider(fake_osrm.url, max_coordinates=10)
    points = _points(30)
    provider.matrix(points[:20], MOTORBIKE_TOWN)
    asked = len(fake_osrm.requests)
    provider.matrix(points[3:20] + points[28:], MOTORBIKE_TOWN)
    # rows of the 2 new points to all 19, then the 17 kept points to the 2 new ones
    assert sum(fake_osrm.cells[asked:]) == 2 * 19 + 17 * 2
    assert len(fake_osrm.requests) - asked == 6 < request_count(19, 10)


def test_a_small_matrix_grown_is_fetched_in_one_request(fake_osrm: FakeOsrm) -> None:
    """When one request carries the whole matrix, a point added costs that one request."""
    provider = OsrmProvider(fake_osrm.url)
    points = _points(6)
    provider.matrix(points[:5], MOTORBIKE_TOWN)
    provider.matrix(points, MOTORBIKE_TOWN)
    assert len(fake_osrm.requests) == 2


def test_cache_is_shared_between_providers_and_keyed_by_profile(fake_osrm: FakeOsrm) -> None:
    """An injected cache serves a second provider; another OSRM profile is fetched anew."""
    cache = LruRowCache()
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
