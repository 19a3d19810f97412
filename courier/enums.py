"""Enumerations shared by several domains, stored as their string values."""

from enum import StrEnum
from typing import Any

from sqlalchemy import Enum


def str_enum(cls: type[StrEnum]) -> Enum:
    """A portable column type storing the enum's values as VARCHAR (no native DB enum)."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class SiteKind(StrEnum):
    """What a site is in the administrative network."""

    PROVINCIAL_CENTER = "provincial_center"
    BRANCH = "branch"
    RECEPTION_POINT = "reception_point"
    POST_OFFICE = "post_office"


class Role(StrEnum):
    """What an account may do."""

    CITIZEN = "citizen"
    # a citizen account of a company or household business: also books many pickups at once
    ENTERPRISE = "enterprise"
    COURIER = "courier"
    DISPATCHER = "dispatcher"
    CENTER_STAFF = "center_staff"
    ADMIN = "admin"


class PartyKind(StrEnum):
    """Who can give or receive a dossier in a handover."""

    CITIZEN = "citizen"
    COURIER = "courier"
    POST_OFFICE = "post_office"
    CENTER = "center"


def enum_values(cls: type[StrEnum]) -> list[Any]:
    """The stored values of an enum, for messages."""
    return [m.value for m in cls]
