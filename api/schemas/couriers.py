"""Couriers on the roster, and the signed-in courier's own record."""

from datetime import time

from pydantic import BaseModel


class PostOfficeOut(BaseModel):
    """A post office, in short."""

    id: int
    code: str
    name: str
    name_en: str


class CourierMeOut(BaseModel):
    """The signed-in courier's own record, and the phone's device session."""

    id: int
    code: str
    full_name: str
    phone: str
    vehicle: str
    capacity: int
    shift_start: time
    shift_end: time
    post_office: PostOfficeOut
    device_id: int | None


class CourierOut(BaseModel):
    """A courier on the roster, as a dispatcher sees it."""

    id: int
    code: str
    full_name: str
    phone: str
    post_office_code: str
    shift_start: time
    shift_end: time
    capacity: int
    vehicle: str
