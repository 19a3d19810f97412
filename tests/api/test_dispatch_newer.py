"""The dispatcher's day names a newer plan only among the plans of the same post offices."""

from api.pages.dispatch import _newer
from courier.planning.listing import PlanListing
from courier.planning.models import Plan, PlanStatus


def _listing(plan_id: int, depots: list[int] | None, status: PlanStatus) -> PlanListing:
    plan = Plan(id=plan_id, depot_ids=depots, status=status)
    return PlanListing(plan=plan, depots=None, requested_by=None)


def test_another_offices_plan_is_not_newer() -> None:
    """An admin's day lists every office's plans: plan 3 of office 2 is newer than nothing of
    office 1's; plan 4 of office 1 is newer than plan 1; a failed plan 5 is newer than nothing."""
    plans = [
        _listing(1, [1], PlanStatus.BUILT),
        _listing(2, [2], PlanStatus.BUILT),
        _listing(3, [2], PlanStatus.BUILT),
        _listing(4, [1], PlanStatus.BUILT),
        _listing(5, [2], PlanStatus.FAILED),
        _listing(6, None, PlanStatus.BUILT),
    ]
    assert _newer(plans) == {1: 4, 2: 3}
