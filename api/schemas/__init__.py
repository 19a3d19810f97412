"""Request and response bodies of the HTTP API, one module per resource; here what they share."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from courier.dossiers.phones import InvalidPhone, normalise_mobile


def _mobile(value: str) -> str:
    try:
        return normalise_mobile(value)
    except InvalidPhone as exc:
        # its own type, so api.problems says what to do in the visitor's language
        raise PydanticCustomError("phone_invalid", str(exc)) from None


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise PydanticCustomError(
            "datetime_without_zone", "give the time zone offset, e.g. 2026-11-23T09:15:00+07:00"
        )
    return value


VietnameseMobile = Annotated[str, AfterValidator(_mobile)]
AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
IdempotencyKey = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class Strict(BaseModel):
    """Bodies refuse unknown fields and trim text."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
