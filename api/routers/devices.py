"""Phones signed in to accounts: listed and signed out (a lost phone) by dispatchers and admins."""

from fastapi import APIRouter

from api.deps import CurrentActor, DbSession, SettingsDep
from api.present.couriers import device_out
from api.schemas import Id
from api.schemas.devices import DeviceOut, RevokeIn
from courier.accounts import devices

router = APIRouter(prefix="/devices", tags=["devices"])


@router.get("", response_model=list[DeviceOut])
def list_devices(
    session: DbSession, settings: SettingsDep, actor: CurrentActor, user_id: Id | None = None
) -> list[DeviceOut]:
    """Admins see every phone, a dispatcher their couriers' (and their own), others their own."""
    found = devices.list_sessions(session, actor, user_id=user_id)
    return [device_out(v, settings.zone) for v in found]


@router.post("/{device_id}/revoke", response_model=DeviceOut)
def revoke_device(
    device_id: Id,
    body: RevokeIn,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
) -> DeviceOut:
    """Sign the phone out: its tokens stop working at once and it is told who did it and why."""
    revoked = devices.revoke(session, device_id, actor, reason=body.reason)
    return device_out(revoked, settings.zone)
