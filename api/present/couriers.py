"""Couriers on the roster, the signed-in courier's own record, and their phones."""

from zoneinfo import ZoneInfo

from api.present import local
from api.schemas.couriers import CourierMeOut, PostOfficeOut
from api.schemas.devices import DeviceOut
from courier.accounts.devices import DeviceView, is_active
from courier.db import utcnow
from courier.fleet.models import Courier


def courier_me_out(courier: Courier, device_id: int | None) -> CourierMeOut:
    """The signed-in courier's own record, with the phone's device session."""
    return CourierMeOut(
        id=courier.id,
        code=courier.code,
        full_name=courier.full_name,
        phone=courier.phone,
        vehicle=courier.vehicle,
        capacity=courier.capacity,
        shift_start=courier.shift_start,
        shift_end=courier.shift_end,
        post_office=PostOfficeOut.model_validate(courier.home_post_office),
        device_id=device_id,
    )


def device_out(view: DeviceView, zone: ZoneInfo) -> DeviceOut:
    """A phone signed in to an account, times in the service's zone."""
    device = view.device
    return DeviceOut(
        id=device.id,
        user_id=device.user_id,
        username=device.user.username,
        full_name=device.user.full_name,
        courier_code=view.courier_code,
        name=device.name,
        created_at=local(device.created_at, zone),
        last_used_at=local(device.last_used_at, zone),
        expires_at=local(device.expires_at, zone),
        revoked_at=local(device.revoked_at, zone) if device.revoked_at else None,
        revoke_reason=device.revoke_reason,
        active=is_active(device, utcnow()),
    )
