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

from routing.model import Matrix

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

    def to_model(self) -> Matrix:
        """The same numbers as the solver's plain-data `Matrix` (tuples of ints)."""
        return Matrix(
            durations=tuple(map(tuple, self.durations_s.tolist())),
            distances=tuple(map(tuple, self.distances_m.tolist())),
        )


class MatrixProvider(Protocol):
    """Anything that can give travel times and distances between points for a profile."""

    def matrix(self, points: Sequence[LatLon], profile: Profile) -> TravelMatrix:
        """Square matrix between all the points, in their order."""
        ...


def _unit_vectors(points: Sequence[LatLon]) -> npt.NDArray[np.float64]:
    """Points as unit vectors in Earth-centred coordinates, one row each."""
    rad = np.radians(np.array([(p.lat, p.lon) for p in points], dtype=np.float64).reshape(-1, 2))
    lat, lon = rad[:, 0], rad[:, 1]
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def haversine_m(
    origins: Sequence[LatLon], destinations: Sequence[LatLon]
) -> npt.NDArray[np.float64]:
    """Great-circle distances in metres, one row per origin, one column per destination."""
    # Chord length from a dot product is the haversine formula in another form; the matrix
    # product runs in BLAS, several times faster than elementwise trigonometry on n² cells.
    # Precision stays well under a metre (1 - dot loses digits only below a few cm).
    dot = _unit_vectors(origins) @ _unit_vectors(destinations).T
    chord = np.sqrt(np.clip(2.0 - 2.0 * dot, 0.0, 4.0))
    return 2 * EARTH_RADIUS_M * np.arcsin(chord / 2)


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
        # BLAS may round the two triangles differently; a planner expects A->B == B->A here.
        durations = np.minimum(durations, durations.T)
        distances = np.minimum(distances, distances.T)
        np.fill_diagonal(durations, 0)
        np.fill_diagonal(distances, 0)
        return TravelMatrix(durations, distances)
