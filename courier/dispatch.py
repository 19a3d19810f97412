"""Which post office serves a dossier: at booking, the one nearest its citizen among offices with
couriers; stored on the dossier (`Dossier.post_office_id`), it then follows the courier a
dispatcher gives it to.

The daily plan takes a depot's share of the day by the stored office, and a dispatcher sees the
dossiers of their own post office by the same column, so what they may see is what they may plan.
"""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.catalogue.models import Site
from courier.fleet.models import Courier
from routing.matrix import LatLon, haversine_m


def offices_with_couriers(session: Session) -> list[Site]:
    """The post offices that are home to an active courier, by id."""
    query = (
        select(Site)
        .where(Site.id.in_(select(Courier.home_post_office_id).where(Courier.active.is_(True))))
        .order_by(Site.id)
    )
    return list(session.scalars(query))


def nearest_offices(session: Session, points: Sequence[LatLon]) -> list[int | None]:
    """For each citizen point, the id of the nearest post office with couriers (None if none)."""
    offices = offices_with_couriers(session)
    if not offices or not points:
        return [None] * len(points)
    sites = [LatLon(site.lat, site.lon) for site in offices]
    nearest = haversine_m(list(points), sites).argmin(axis=1)
    return [offices[int(k)].id for k in nearest]
