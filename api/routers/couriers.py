"""The courier roster for dispatchers: whom a job can be assigned to."""

from fastapi import APIRouter

from api import present, schemas
from api.deps import CurrentActor, DbSession
from courier.fleet import service as fleet

router = APIRouter(prefix="/couriers", tags=["couriers"])


@router.get("", response_model=list[schemas.CourierOut])
def list_couriers(
    session: DbSession, actor: CurrentActor, post_office: str | None = None
) -> list[schemas.CourierOut]:
    """Active couriers (id to assign jobs, home post office, shift, capacity); a dispatcher's own."""
    couriers = fleet.list_couriers(session, actor, post_office_code=post_office)
    return [present.courier_out(c) for c in couriers]
