"""The courier roster for dispatchers (whom a job can be assigned to), and a courier's own record."""

from fastapi import APIRouter

from api.deps import CurrentActor, DbSession
from api.present.couriers import courier_me_out
from api.schemas.couriers import CourierMeOut, CourierOut
from courier.fleet import service as fleet
from courier.planning import routes

router = APIRouter(prefix="/couriers", tags=["couriers"])


@router.get("", response_model=list[CourierOut])
def list_couriers(
    session: DbSession, actor: CurrentActor, post_office: str | None = None
) -> list[CourierOut]:
    """Active couriers (id to assign jobs, home post office, shift, capacity); a dispatcher's own."""
    couriers = fleet.list_couriers(session, actor, post_office_code=post_office)
    return [CourierOut.model_validate(c) for c in couriers]


@router.get("/me", response_model=CourierMeOut)
def my_profile(session: DbSession, actor: CurrentActor) -> CourierMeOut:
    """The signed-in courier's own record (its id goes into handovers) and the phone's session."""
    return courier_me_out(routes.own_courier(session, actor), actor.device_id)
