"""A plan drawn on the dispatcher's map: each courier's route from their post office through its
numbered stops, the post offices and the centers the stops reach, as plain JSON for the page.

The texts (marker titles) arrive already in the visitor's language; the colours are indexes into
the page's palette (`api/static/css/dispatch_map.css`), the same as the legend and the table use.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from api.i18n import mark
from courier.catalogue.models import Site
from courier.dossiers.models import JobKind, Leg
from courier.planning.listing import PlanStop

PALETTE_SIZE = 8


@dataclass(frozen=True, slots=True)
class MapRoute:
    """One courier's route to draw: who, where they start, their stops in order."""

    courier_id: int
    title: str
    office: Site | None
    stops: Sequence[PlanStop]
    # where the courier was last seen (from their handovers and attempts), already worded
    seen: tuple[float, float, str] | None = None


def colour(index: int) -> int:
    """The palette entry of the index-th route (the legend and the lines agree on it)."""
    return index % PALETTE_SIZE


def _point(site: Site, title: str) -> dict[str, Any]:
    return {"lat": site.lat, "lon": site.lon, "title": title}


# a stop that leaves the dossier at the courier's post office for the night
HELD = mark("Leave at the post office overnight")


def plan_map(
    routes: Sequence[MapRoute],
    *,
    moved: dict[int, int],
    gettext: Callable[[str], str],
    actions: dict[tuple[Leg, JobKind], str],
    lang: str,
) -> dict[str, Any]:
    """The JSON the map draws: post offices, centers, and per route its line and stops.

    `moved` maps a moved pair's pickup job to the courier it goes to at the next re-plan.
    """
    offices: dict[int, Site] = {r.office.id: r.office for r in routes if r.office is not None}
    centers: dict[int, Site] = {}
    drawn = []
    for index, route in enumerate(routes):
        stops = []
        for number, item in enumerate(route.stops, start=1):
            job, held = item.job, item.stop.at_post_office and route.office is not None
            if job.site is not None and job.site.id not in offices and not held:
                centers[job.site.id] = job.site
            action = gettext(HELD if held else actions[(job.leg, job.kind)])
            place = route.office if held and route.office is not None else job
            stops.append(
                {
                    "n": number,
                    "lat": place.lat,
                    "lon": place.lon,
                    "kind": job.kind.value,
                    "title": f"{number}. {action}: {item.tracking_code}",
                    "moved": job.id in moved,
                }
            )
        start = route.office
        drawn.append(
            {
                "courier": route.courier_id,
                "colour": colour(index),
                "title": route.title,
                "start": [start.lat, start.lon] if start is not None else None,
                "stops": stops,
                "seen": (
                    None
                    if route.seen is None
                    else {"lat": route.seen[0], "lon": route.seen[1], "title": route.seen[2]}
                ),
            }
        )

    def name(site: Site) -> str:
        return site.name_vi if lang == "vi" else site.name_en

    return {
        "offices": [_point(s, name(s)) for s in offices.values()],
        "centers": [_point(s, name(s)) for s in centers.values()],
        "routes": drawn,
    }
