"""The courier roster for dispatchers: whom a job can be assigned to."""

from fastapi import APIRouter

from api import schemas
from api.deps import CurrentActor, DbSession
from courier.fleet import service as fleet

router = APIRouter(prefix="/couriers", tags=["couriers"])


@router.get("", response_model=list[schemas.CourierOut])
def list_couriers(
    session: DbSession, actor: CurrentActor, post_office: str | None = None
) -> list[schemas.CourierOut]:
    """Active couriers (id to assign jobs, home post office, shift, capacity); a dispatcher's own."""
    return [
        schemas.CourierOut(
            id=c.id,
            code=c.code,
            full_name=c.full_name,
            phone=c.phone,
            post_office_code=c.home_post_office.code,
            shift_start=c.shift_start,
            shift_end=c.shift_end,
            capacity=c.capacity,
            vehicle=c.vehicle,
        )
        for c in fleet.list_couriers(session, actor, post_office_code=post_office)
    ]
