"""Travel times from an OSRM-compatible table service, fetched in blocks and cached.

OSRM servers cap the coordinates of one table request (`--max-table-size`, 100 on public
instances), so a large matrix is assembled from sources × destinations blocks. Blocks are cached
by profile and rounded coordinates: planning the same points again fetches nothing.
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

BlockKey = tuple[str, tuple[Coordinate, ...], tuple[Coordinate, ...]]
"""(OSRM profile, source coordinates, destination coordinates)."""

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


class BlockCache(Protocol):
    """Where fetched blocks are kept between requests (in memory, Redis, a file...)."""

    def get(self, key: BlockKey) -> Block | None:
        """The block stored under this key, or None."""
        ...

    def put(self, key: BlockKey, block: Block) -> None:
        """Store a block."""
        ...


class LruBlockCache:
    """In-memory cache of the most recently used blocks."""

    def __init__(self, max_blocks: int = 1024) -> None:
        self.max_blocks = max_blocks
        self.hits = 0
        self.misses = 0
        self._blocks: OrderedDict[BlockKey, Block] = OrderedDict()

    def get(self, key: BlockKey) -> Block | None:
        """The block stored under this key (now the most recent), or None."""
        block = self._blocks.get(key)
        if block is None:
            self.misses += 1
            return None
        self.hits += 1
        self._blocks.move_to_end(key)
        return block

    def put(self, key: BlockKey, block: Block) -> None:
        """Store a block, forgetting the least recently used beyond the limit."""
        self._blocks[key] = block
        self._blocks.move_to_end(key)
        while len(self._blocks) > self.max_blocks:
            self._blocks.popitem(last=False)

    def __len__(self) -> int:
        return len(self._blocks)


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
    cache: BlockCache = field(default_factory=LruBlockCache)
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
        # Chunks are cut from the sorted distinct points, so the same points in another order
        # (or repeated) give the same blocks and hit the cache.
        unique = sorted(set(rounded))
        position = {coordinate: i for i, coordinate in enumerate(unique)}
        full = self._unique_matrix(unique, osrm_profile)
        index = np.fromiter((position[c] for c in rounded), dtype=np.intp, count=len(rounded))
        grid = np.ix_(index, index)
        return self._finish(full.durations_s[grid], full.distances_m[grid])

    def _unique_matrix(self, unique: list[Coordinate], osrm_profile: str) -> Block:
        """The matrix between distinct points, assembled block by block."""
        n = len(unique)
        durations = np.full((n, n), np.nan)
        distances = np.full((n, n), np.nan)
        if n <= 1:  # nothing to ask: a point is at zero from itself
            return Block(np.zeros((n, n)), np.zeros((n, n)))
        chunks = _chunks(n, self.max_coordinates)
        for sources in chunks:
            for destinations in chunks:
                block = self._block(osrm_profile, unique[sources], unique[destinations])
                durations[sources, destinations] = block.durations_s
                distances[sources, destinations] = block.distances_m
        return Block(durations, distances)

    def _block(
        self, osrm_profile: str, sources: list[Coordinate], destinations: list[Coordinate]
    ) -> Block:
        """One block, from the cache or from the service."""
        key: BlockKey = (osrm_profile, tuple(sources), tuple(destinations))
        block = self.cache.get(key)
        if block is None:
            block = self._fetch(osrm_profile, sources, destinations)
            self.cache.put(key, block)
        return block

    def _fetch(
        self, osrm_profile: str, sources: list[Coordinate], destinations: list[Coordinate]
    ) -> Block:
        """Ask the service for one block (a single request)."""
        same = sources == destinations
        coordinates = sources if same else sources + destinations
        try:
            answer = self._router.matrix(
                locations=[[lon, lat] for lat, lon in coordinates],
                profile=osrm_profile,
                sources=None if same else list(range(len(sources))),
                destinations=None if same else list(range(len(sources), len(coordinates))),
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


def _chunks(n: int, max_coordinates: int) -> list[slice]:
    """Slices of the points such that any two chunks together fit in one request."""
    if n <= max_coordinates:
        return [slice(0, n)]
    size = max_coordinates // 2
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


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
    return len(_chunks(n_points, max_coordinates)) ** 2 if n_points > 1 else 0
