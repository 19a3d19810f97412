"""The courier roster, for the dispatchers who assign and plan their work."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import access
from courier.actors import Actor
from courier.catalogue.models import Site
from courier.fleet.models import Courier


def list_couriers(
    session: Session, actor: Actor, *, post_office_code: str | None = None
) -> list[Courier]:
    """Active couriers by code, optionally of one post office; a dispatcher's own office only."""
    office = access.office_scope(actor)
    query = select(Courier).where(Courier.active).order_by(Courier.code)
    if office is not None:
        query = query.where(Courier.home_post_office_id == office)
    if post_office_code is not None:
        query = query.join(Site, Courier.home_post_office_id == Site.id).where(
            Site.code == post_office_code
        )
    return list(session.scalars(query).all())
