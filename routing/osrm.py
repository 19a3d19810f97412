"""Travel times from an OSRM-compatible table service, fetched in blocks and cached.

OSRM servers cap the coordinates of one table request (`--max-table-size`, 100 on public
instances), so a large matrix is assembled from sources × destinations blocks. What a block
brings is cached per source point (by profile and rounded coordinates) as a row of destinations:
planning the same points again fetches nothing, and a re-plan with a few points more fetches only
their rows and columns.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
import requests
from routingpy import OSRM
from routingpy import exceptions as routingpy_errors

from routing.matrix import LatLon, Profile, TravelMatrix

Coordinate = tuple[float, float]
"""A rounded (lat, lon) pair: the cache's notion of "the same point"."""

RowKey = tuple[str, Coordinate]
"""(OSRM profile, source coordinate)."""

FloatArray = npt.NDArray[np.float64]
UnreachablePolicy = Literal["raise", "penalize"]


class MatrixServiceError(RuntimeError):
    """The table service failed or answered something that is not a table."""


class UnreachablePair(MatrixServiceError):
    """The table service found no route between two of the points."""

    def __init__(self, origin: int, destination: int) -> None:
        super().__init__(f"no route from point {origin} to point {destination}")
        self.origin = origin
        self.destination = destination


@dataclass(frozen=True, slots=True, eq=False)
class Block:
    """Durations (s) and distances (m) from some sources to some destinations; NaN = no route."""

    durations_s: FloatArray
    distances_m: FloatArray


@dataclass(frozen=True, slots=True, eq=False)
class Row:
    """Durations (s) and distances (m) from one source to some destinations; NaN = no route."""

    destinations: tuple[Coordinate, ...]
    durations_s: FloatArray
    distances_m: FloatArray

    def merged(self, other: Row) -> Row:
        """This row with the other's destinations added (the other's values win)."""
        newer = set(other.destinations)
        keep = [i for i, c in enumerate(self.destinations) if c not in newer]
        return Row(
            tuple(self.destinations[i] for i in keep) + other.destinations,
            np.concatenate([self.durations_s[keep], other.durations_s]),
            np.concatenate([self.distances_m[keep], other.distances_m]),
        )


class RowCache(Protocol):
    """Where fetched rows are kept between requests (in memory, Redis, a file...)."""

    def get(self, key: RowKey) -> Row | None:
        """The row stored under this key, or None."""
        ...

    def put(self, key: RowKey, row: Row) -> None:
        """Store a row, replacing any row under the same key."""
        ...


class LruRowCache:
    """In-memory cache of the most recently used rows, bounded by their total cells."""

    def __init__(self, max_cells: int = 2_500_000) -> None:
        self.max_cells = max_cells
        self.cells = 0
        self.hits = 0
        self.misses = 0
        self._rows: OrderedDict[RowKey, Row] = OrderedDict()

    def get(self, key: RowKey) -> Row | None:
        """The row stored under this key (now the most recent), or None."""
        row = self._rows.get(key)
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        self._rows.move_to_end(key)
        return row

    def put(self, key: RowKey, row: Row) -> None:
        """Store a row, forgetting the least recently used ones beyond the cell limit."""
        old = self._rows.pop(key, None)
        self.cells += len(row.destinations) - (len(old.destinations) if old else 0)
        self._rows[key] = row
        while self.cells > self.max_cells and len(self._rows) > 1:
            _, dropped = self._rows.popitem(last=False)
            self.cells -= len(dropped.destinations)

    def __len__(self) -> int:
        return len(self._rows)


@dataclass(slots=True)
class OsrmProvider:
    """A `MatrixProvider` backed by an OSRM-compatible `/table/v1` service.

    `osrm_profiles` maps our profile names to the server's profile segment (most servers serve
    one profile and ignore it). Unreachable pairs raise `UnreachablePair`, or with
    `on_unreachable="penalize"` cost `unreachable_s` / `unreachable_m`, so a planner avoids them.
    """

    base_url: str
    max_coordinates: int = 100
    osrm_profiles: Mapping[str, str] = field(default_factory=dict)
    default_osrm_profile: str = "driving"
    cache: RowCache = field(default_factory=LruRowCache)
    on_unreachable: UnreachablePolicy = "raise"
    unreachable_s: int = 86_400
    unreachable_m: int = 1_000_000
    decimals: int = 5
    timeout_s: float = 30.0
    _router: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_coordinates < 2:
            raise ValueError("max_coordinates must be at least 2")
        # routingpy retries HTTP 503 for retry_timeout seconds; fail fast instead.
        self._router = OSRM(base_url=self.base_url, timeout=self.timeout_s, retry_timeout=1)

    def matrix(self, points: Sequence[LatLon], profile: Profile) -> TravelMatrix:
        """Square matrix between all the points, in their order."""
        osrm_profile = self.osrm_profiles.get(profile.name, self.default_osrm_profile)
        rounded = [(round(p.lat, self.decimals), round(p.lon, self.decimals)) for p in points]
        # Sorted distinct points: the same points in another order (or repeated) are asked for
        # in the same blocks.
        unique = sorted(set(rounded))
        position = {coordinate: i for i, coordinate in enumerate(unique)}
        full = self._unique_matrix(unique, osrm_profile)
        index = np.fromiter((position[c] for c in rounded), dtype=np.intp, count=len(rounded))
        grid = np.ix_(index, index)
        return self._finish(full.durations_s[grid], full.distances_m[grid])

    def _unique_matrix(self, unique: list[Coordinate], osrm_profile: str) -> Block:
        """The matrix between distinct points, from cached rows and what they lack."""
        n = len(unique)
        if n <= 1:  # nothing to ask: a point is at zero from itself
            return Block(np.zeros((n, n)), np.zeros((n, n)))
        rows = self._rows(unique, osrm_profile)
        durations = np.empty((n, n))
        distances = np.empty((n, n))
        for i, source in enumerate(unique):
            row = rows[source]
            column = {c: j for j, c in enumerate(row.destinations)}
            pick = [column[c] for c in unique]
            durations[i] = row.durations_s[pick]
            distances[i] = row.distances_m[pick]
        return Block(durations, distances)

    def _rows(self, unique: list[Coordinate], osrm_profile: str) -> dict[Coordinate, Row]:
        """Each point's row to all the points: whole rows for new sources, new columns for others.

        When one request could carry the whole matrix but the pieces need more, it is fetched whole.
        """
        cached = {c: self.cache.get((osrm_profile, c)) for c in unique}
        rows = {c: row for c, row in cached.items() if row is not None}
        new = [c for c in unique if c not in rows]
        everything = set(unique)
        lacking = {c: everything.difference(row.destinations) for c, row in rows.items()}
        partial = [c for c in unique if lacking.get(c)]
        columns = sorted(set().union(*lacking.values()))
        pieces = self._requests(new, unique) + self._requests(partial, columns)
        if self._requests(unique, unique) < pieces:
            new, partial = unique, []
        self._fetch_rows(osrm_profile, new, unique, rows)
        self._fetch_rows(osrm_profile, partial, columns, rows)
        return rows

    def _requests(self, sources: list[Coordinate], destinations: list[Coordinate]) -> int:
        """Table requests needed for sources × destinations."""
        if not sources or not destinations:
            return 0
        rows, columns = _chunk_sizes(
            len(sources), len(destinations), self.max_coordinates, same=sources == destinations
        )
        return math.ceil(len(sources) / rows) * math.ceil(len(destinations) / columns)

    def _fetch_rows(
        self,
        osrm_profile: str,
        sources: list[Coordinate],
        destinations: list[Coordinate],
        rows: dict[Coordinate, Row],
    ) -> None:
        """Fetch sources × destinations in blocks, merge them into the rows and cache those."""
        if not sources or not destinations:
            return
        height, width = _chunk_sizes(
            len(sources), len(destinations), self.max_coordinates, same=sources == destinations
        )
        for top in range(0, len(sources), height):
            block_sources = sources[top : top + height]
            for left in range(0, len(destinations), width):
                block_destinations = destinations[left : left + width]
                block = self._fetch(osrm_profile, block_sources, block_destinations)
                for i, source in enumerate(block_sources):
                    fetched = Row(
                        tuple(block_destinations), block.durations_s[i], block.distances_m[i]
                    )
                    rows[source] = rows[source].merged(fetched) if source in rows else fetched
        for source in sources:
            self.cache.put((osrm_profile, source), rows[source])

    def _fetch(
        self, osrm_profile: str, sources: list[Coordinate], destinations: list[Coordinate]
    ) -> Block:
        """Ask the service for one block (a single request)."""
        same = sources == destinations
        # a point both source and destination is sent once
        coordinates = list(dict.fromkeys([*sources, *destinations]))
        index = {coordinate: i for i, coordinate in enumerate(coordinates)}
        try:
            answer = self._router.matrix(
                locations=[[lon, lat] for lat, lon in coordinates],
                profile=osrm_profile,
                sources=None if same else [index[c] for c in sources],
                destinations=None if same else [index[c] for c in destinations],
                annotations=["duration", "distance"],
            )
        except (routingpy_errors.RouterError, requests.RequestException) as error:
            raise MatrixServiceError(f"table request to {self.base_url} failed: {error}") from error
        except (routingpy_errors.Timeout, routingpy_errors.JSONParseError) as error:
            raise MatrixServiceError(
                f"table request to {self.base_url} failed: {type(error).__name__}"
            ) from error
        shape = (len(sources), len(destinations))
        return Block(
            _table(answer.durations, shape, "durations"),
            _table(answer.distances, shape, "distances"),
        )

    def _finish(self, durations: FloatArray, distances: FloatArray) -> TravelMatrix:
        """Apply the unreachable policy and round to whole seconds and metres."""
        missing = np.isnan(durations) | np.isnan(distances)
        if missing.any():
            if self.on_unreachable == "raise":
                origin, destination = (int(i) for i in np.argwhere(missing)[0])
                raise UnreachablePair(origin, destination)
            durations = np.where(missing, self.unreachable_s, durations)
            distances = np.where(missing, self.unreachable_m, distances)
        return TravelMatrix(
            np.rint(durations).astype(np.int64), np.rint(distances).astype(np.int64)
        )


def _chunk_sizes(
    n_sources: int, n_destinations: int, max_coordinates: int, *, same: bool
) -> tuple[int, int]:
    """Sources and destinations per block such that a block fits in one request."""
    if (same and n_sources <= max_coordinates) or n_sources + n_destinations <= max_coordinates:
        return n_sources, n_destinations
    half = max_coordinates // 2
    if n_sources <= half:
        return n_sources, max_coordinates - n_sources
    if n_destinations <= half:
        return max_coordinates - n_destinations, n_destinations
    return half, half


def _table(rows: Any, shape: tuple[int, int], name: str) -> FloatArray:
    """A table from the service's JSON as floats, null (no route) becoming NaN."""
    if rows is None:
        raise MatrixServiceError(f"table service answered without {name}")
    table = np.array([[math.nan if v is None else v for v in row] for row in rows], dtype=float)
    if table.shape != shape:
        raise MatrixServiceError(f"table service sent {name} of shape {table.shape}, not {shape}")
    return table


def request_count(n_points: int, max_coordinates: int) -> int:
    """Table requests needed for n distinct points with an empty cache."""
    if n_points <= 1:
        return 0
    size = _chunk_sizes(n_points, n_points, max_coordinates, same=True)[0]
    return math.ceil(n_points / size) ** 2
