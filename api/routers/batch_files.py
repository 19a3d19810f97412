"""Enterprises book many pickups from a CSV file (the template of the upload page), all or nothing."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api import batchfile, i18n
from api.deps import CurrentActor, DbSession, SettingsDep
from api.present.bookings import booking_out
from api.schemas.bookings import BookingOut
from courier import access
from courier.dossiers import csvbatch
from courier.errors import InvalidInput, PermissionDenied

router = APIRouter(prefix="/bookings", tags=["bookings"])


class CsvBookingOut(BookingOut):
    """A booking the file created, with the spreadsheet row it came from."""

    row: int


class CsvBatchOut(BaseModel):
    """The bookings the file created, in row order."""

    bookings: list[CsvBookingOut]


class CsvProblemOut(BaseModel):
    """One problem of the file: the row (null for the file itself), the column, what to do."""

    loc: list[str | int]
    row: int | None
    column: str
    field: str
    msg: str
    type: str


class CsvProblemsOut(BaseModel):
    """Every problem of the file; nothing was booked."""

    detail: list[CsvProblemOut]


@router.post(
    "/csv",
    status_code=status.HTTP_201_CREATED,
    response_model=CsvBatchOut,
    responses={422: {"model": CsvProblemsOut, "description": "every problem, nothing booked"}},
)
def create_from_csv(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    file: UploadFile,
    consent: Annotated[bool, Form(description="each applicant consented to the current text")],
    consent_version: Annotated[str, Form(max_length=32)],
) -> CsvBatchOut | JSONResponse:
    """Book up to 500 pickups from a CSV file (UTF-8, the template's headers), all or nothing.

    For enterprise accounts and their API keys. Every problem of every row is answered at once
    (422, row as in the spreadsheet, column, advice in the caller's language); nothing is booked
    unless every row is right.
    """
    if not access.may_book_from_files(actor):
        raise PermissionDenied("only enterprise accounts and their API keys book from files")
    data = file.file.read(csvbatch.MAX_BYTES + 1)
    try:
        booked = csvbatch.book_file(
            session, data, settings, actor, consent=consent, consent_version=consent_version
        )
    except InvalidInput as exc:
        lang = i18n.language_of(request)
        found = batchfile.errors_of(exc, lang)
        return JSONResponse(
            {"detail": [e.as_json() for e in found]},
            status_code=422,
            headers={"Content-Language": lang},
        )
    return CsvBatchOut(
        bookings=[
            CsvBookingOut(row=b.row, **booking_out(b.dossier, b.quote, settings).model_dump())
            for b in booked
        ]
    )
