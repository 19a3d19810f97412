"""Travel-time matrices: the provider protocol and the great-circle default.

A provider turns a list of points into a square matrix of whole seconds and whole metres. The
great-circle provider needs no network: straight-line distance times a road detour factor, at a
speed that depends on the vehicle profile (town or rural motorbike).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), the usual choice for haversine distances."""

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class LatLon:
    """A WGS84 point in decimal degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"not a WGS84 point: {self.lat}, {self.lon}")


@dataclass(frozen=True, slots=True)
class Profile:
    """How a vehicle type moves: average speed and the road detour over the straight line."""

    name: str
    speed_kmh: float
    detour_factor: float = 1.3

    def __post_init__(self) -> None:
        if self.speed_kmh <= 0 or self.detour_factor < 1.0:
            raise ValueError(f"profile {self.name!r}: speed must be > 0 and detour >= 1")

    @property
    def speed_m_per_s(self) -> float:
        """Speed in metres per second."""
        return self.speed_kmh / 3.6


MOTORBIKE_TOWN = Profile("motorbike_town", speed_kmh=27.0)
MOTORBIKE_RURAL = Profile("motorbike_rural", speed_kmh=38.0)
PROFILES: dict[str, Profile] = {p.name: p for p in (MOTORBIKE_TOWN, MOTORBIKE_RURAL)}


@dataclass(frozen=True, slots=True, eq=False)
class TravelMatrix:
    """Square matrices of travel durations (s) and distances (m) between the same points.

    The arrays are made read-only so the value can be shared like any frozen dataclass.
    """

    durations_s: IntArray
    distances_m: IntArray

    def __post_init__(self) -> None:
        n = self.durations_s.shape[0] if self.durations_s.ndim == 2 else -1
        if self.durations_s.shape != (n, n) or self.distances_m.shape != (n, n):
            raise ValueError("travel matrices must be square and of the same size")
        self.durations_s.setflags(write=False)
        self.distances_m.setflags(write=False)

    @property
    def size(self) -> int:
        """Number of points."""
        return int(self.durations_s.shape[0])

    def duration_s(self, origin: int, destination: int) -> int:
        """Travel time from one point to another, in seconds."""
        return int(self.durations_s[origin, destination])

    def distance_m(self, origin: int, destination: int) -> int:
        """Travel distance from one point to another, in metres."""
        return int(self.distances_m[origin, destination])

    def submatrix(self, indices: Sequence[int]) -> TravelMatrix:
        """The matrix restricted to some points, in the given order."""
        idx = np.asarray(indices, dtype=np.intp)
        grid = np.ix_(idx, idx)
        return TravelMatrix(self.durations_s[grid].copy(), self.distances_m[grid].copy())

    def as_lists(self) -> tuple[list[list[int]], list[list[int]]]:
        """Durations and distances as nested lists of Python ints (for plain-data models)."""
        return self.durations_s.tolist(), self.distances_m.tolist()


class MatrixProvider(Protocol):
    """Anything that can give travel times and distances between points for a profile."""

    def matrix(self, points: Sequence[LatLon], profile: Profile) -> TravelMatrix:
        """Square matrix between all the points, in their order."""
        ...


def haversine_m(
    origins: Sequence[LatLon], destinations: Sequence[LatLon]
) -> npt.NDArray[np.float64]:
    """Great-circle distances in metres, one row per origin, one column per destination."""
    a = np.radians(np.array([(p.lat, p.lon) for p in origins], dtype=np.float64).reshape(-1, 2))
    b = np.radians(
        np.array([(p.lat, p.lon) for p in destinations], dtype=np.float64).reshape(-1, 2)
    )
    dlat = b[None, :, 0] - a[:, None, 0]
    dlon = b[None, :, 1] - a[:, None, 1]
    h = np.sin(dlat / 2) ** 2 + np.cos(a[:, None, 0]) * np.cos(b[None, :, 0]) * np.sin(dlon / 2) ** 2
    # Rounding can push h a hair above 1 for antipodal points; arcsin would then return NaN.
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def great_circle_block(
    origins: Sequence[LatLon], destinations: Sequence[LatLon], profile: Profile
) -> tuple[IntArray, IntArray]:
    """Road-estimated (durations s, distances m) from origins to destinations."""
    road_m = haversine_m(origins, destinations) * profile.detour_factor
    durations = np.rint(road_m / profile.speed_m_per_s).astype(np.int64)
    return durations, np.rint(road_m).astype(np.int64)


@dataclass(frozen=True, slots=True)
class GreatCircleProvider:
    """Travel times from straight-line distance × detour factor at the profile's speed."""

    def matrix(self, points: Sequence[LatLon], profile: Profile) -> TravelMatrix:
        """Square matrix between all the points, in their order."""
        durations, distances = great_circle_block(points, points, profile)
        return TravelMatrix(durations, distances)
