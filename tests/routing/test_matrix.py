"""Great-circle travel matrices: distances checked by hand, shape, detour and speed."""

from __future__ import annotations

import time

import numpy as np
import pytest

from routing.matrix import (
    MOTORBIKE_RURAL,
    MOTORBIKE_TOWN,
    GreatCircleProvider,
    LatLon,
    Profile,
    haversine_m,
)

HANOI = LatLon(21.0285, 105.8542)
HO_CHI_MINH_CITY = LatLon(10.8231, 106.6297)
THU_DAU_MOT_BRANCH = LatLon(10.980, 106.652)
DI_AN_BRANCH = LatLon(10.907, 106.769)


def test_hanoi_to_ho_chi_minh_city_is_about_1137_km() -> None:
    """The straight line between the two city centres (about 1,137 km) is right within 1%."""
    assert haversine_m([HANOI], [HO_CHI_MINH_CITY])[0, 0] == pytest.approx(1_137_000, rel=0.01)


def test_one_degree_of_latitude_is_about_111_km() -> None:
    """A degree along a meridian is 111.2 km on the mean sphere."""
    assert haversine_m([LatLon(10.0, 106.0)], [LatLon(11.0, 106.0)])[0, 0] == pytest.approx(
        111_195, rel=0.001
    )


def test_matrix_is_square_symmetric_with_zero_diagonal() -> None:
    """Between random province points the matrix is square, symmetric, zero on the diagonal."""
    rng = np.random.default_rng(7)
    points = [
        LatLon(float(a), float(b))
        for a, b in zip(
            rng.uniform(10.85, 11.5, 200), rng.uniform(106.33, 106.98, 200), strict=True
        )
    ]
    matrix = GreatCircleProvider().matrix(points, MOTORBIKE_TOWN)
    assert matrix.durations_s.shape == matrix.distances_m.shape == (200, 200)
    assert np.array_equal(matrix.durations_s, matrix.durations_s.T)
    assert np.array_equal(matrix.distances_m, matrix.distances_m.T)
    assert not np.diag(matrix.durations_s).any()
    assert not np.diag(matrix.distances_m).any()
    assert (matrix.durations_s[~np.eye(200, dtype=bool)] > 0).all()


def test_detour_and_speed_are_applied() -> None:
    """Road distance is straight line × 1.3 and time is distance at 27 km/h."""
    straight = haversine_m([THU_DAU_MOT_BRANCH], [DI_AN_BRANCH])[0, 0]
    matrix = GreatCircleProvider().matrix([THU_DAU_MOT_BRANCH, DI_AN_BRANCH], MOTORBIKE_TOWN)
    assert matrix.distance_m(0, 1) == round(straight * 1.3)
    assert matrix.duration_s(0, 1) == round(straight * 1.3 / (27 / 3.6))


def test_faster_profile_takes_less_time_over_the_same_distance() -> None:
    """A rural motorbike (38 km/h) covers the same road in 27/38 of the town time."""
    points = [THU_DAU_MOT_BRANCH, DI_AN_BRANCH]
    town = GreatCircleProvider().matrix(points, MOTORBIKE_TOWN)
    rural = GreatCircleProvider().matrix(points, MOTORBIKE_RURAL)
    assert rural.distance_m(0, 1) == town.distance_m(0, 1)
    assert rural.duration_s(0, 1) == pytest.approx(town.duration_s(0, 1) * 27 / 38, abs=1)


def test_profile_refuses_nonsense() -> None:
    """A zero speed or a detour below 1 is refused when the profile is made."""
    with pytest.raises(ValueError, match="speed"):
        Profile("stuck", speed_kmh=0)
    with pytest.raises(ValueError, match="detour"):
        Profile("tunnel", speed_kmh=30, detour_factor=0.9)


def test_matrix_is_read_only_and_converts_to_the_solver_matrix() -> None:
    """The arrays cannot be changed in place and `to_model` gives the same integers."""
    matrix = GreatCircleProvider().matrix([THU_DAU_MOT_BRANCH, DI_AN_BRANCH], MOTORBIKE_TOWN)
    with pytest.raises(ValueError, match="read-only"):
        matrix.durations_s[0, 1] = 0
    model = matrix.to_model()
    assert model.durations[0][1] == matrix.duration_s(0, 1)
    assert model.distances[1][0] == matrix.distance_m(1, 0)


def test_three_thousand_points_take_well_under_ten_seconds() -> None:
    """A 3,000-point matrix (9 million cells) is vectorised, not a Python loop."""
    rng = np.random.default_rng(3)
    points = [
        LatLon(float(a), float(b))
        for a, b in zip(
            rng.uniform(10.85, 11.5, 3000), rng.uniform(106.33, 106.98, 3000), strict=True
        )
    ]
    started = time.perf_counter()
    matrix = GreatCircleProvider().matrix(points, MOTORBIKE_RURAL)
    assert matrix.size == 3000
    assert time.perf_counter() - started < 10
