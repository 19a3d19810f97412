"""Request and response bodies of the HTTP API, one module per resource; here what they share."""

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from courier import calendar
from courier.db import MAX_ID
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


def _in_service_years(value: date) -> date:
    if problems := calendar.outside_service_years("", value):
        raise PydanticCustomError(
            "day_out_of_range", "choose a day from {first} to {last}", dict(problems[0].params)
        )
    return value


def _aware_in_service_years(value: datetime) -> datetime:
    # converting 0001-01-01T00:00+07:00 to UTC (to store it) runs past the calendar's start
    _in_service_years(value.date())
    return value


VietnameseMobile = Annotated[str, AfterValidator(_mobile)]
Day = Annotated[date, AfterValidator(_in_service_years)]
AwareDatetime = Annotated[datetime, AfterValidator(_aware), AfterValidator(_aware_in_service_years)]
IdempotencyKey = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
# An id larger than the columns hold names nothing, and is refused (422) before it reaches the
# database, whose "out of range" would be a 500; in a path, a query, a form field and a body
# alike (tests/api/test_input_bounds.py walks every route for one left unbounded).
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Strict(BaseModel):
    """Bodies refuse unknown fields, NaN and infinities, and trim text."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)
