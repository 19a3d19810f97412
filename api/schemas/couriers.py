"""Couriers on the roster, and the signed-in courier's own record."""

from datetime import time

from pydantic import AliasPath, BaseModel, ConfigDict, Field


class PostOfficeOut(BaseModel):
    """A post office, in short; read from its site."""

    model_config = ConfigDict(from_attributes=True, validate_by_name=True)

    id: int
    code: str
    name: str = Field(validation_alias="name_vi")
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
    """A courier on the roster, as a dispatcher sees it; read from the courier."""

    model_config = ConfigDict(from_attributes=True, validate_by_name=True)

    id: int
    code: str
    full_name: str
    phone: str
    post_office_code: str = Field(validation_alias=AliasPath("home_post_office", "code"))
    shift_start: time
    shift_end: time
    capacity: int
    vehicle: str
