"""An enterprise books many pickups from a CSV file: the template, the upload, the codes back.

Only enterprise accounts see it. The file is checked whole (`courier.dossiers.csvbatch`): every
problem of every row is listed at once and nothing is booked unless every row is right; then the
page lists the tracking codes by row, with a CSV of them to keep beside the spreadsheet.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from api import batchfile, i18n, signin, web
from api.deps import DbSession, SettingsDep
from api.i18n import mark
from api.pages.account import ALL_MINE, MINE, login_page, notice, refused_post
from courier import calendar
from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.dossiers import csvbatch, owned
from courier.enums import Role
from courier.errors import InvalidInput
from courier.settings import Settings

router = APIRouter(include_in_schema=False)
FROM_FILE = mark("Book many pickups from a CSV file")
ENTERPRISE_ONLY = mark(
    "Booking from a CSV file is for enterprise accounts. "
    "You can book each pickup on the booking page."
)
BOOK_INSTEAD = (("/book", mark("Book a pickup")), (MINE, ALL_MINE))


def _enterprise(request: Request, session: DbSession, settings: Settings) -> User | HTMLResponse:
    """The signed-in enterprise account, or the page to show instead."""
    user = signin.signed_in_user(request, session, settings)
    if user is None:
        return login_page(request, status_code=401, expired=True)
    if user.role is not Role.ENTERPRISE:
        return notice(
            request, 403, ENTERPRISE_ONLY, title=FROM_FILE, tone="warning", links=BOOK_INSTEAD
        )
    return user


@router.get("/me/upload", response_class=HTMLResponse)
def upload_form(request: Request, session: DbSession, settings: SettingsDep) -> HTMLResponse:
    """The template to download, how to fill it in, and the form to send it."""
    user = _enterprise(request, session, settings)
    if isinstance(user, HTMLResponse):
        return user
    return web.render(request, "me_upload.html", columns=csvbatch.BY_KEY, errors=None)


@router.get("/me/upload/template.csv")
def template(settings: SettingsDep) -> Response:
    """The CSV template: Vietnamese headers, one example row, UTF-8 with a BOM for Excel."""
    today = calendar.local_today(datetime.now(UTC), settings.zone)
    return Response(
        csvbatch.template(calendar.next_working_day(today)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="mau-dat-lich-thu-gom.csv"',
            "Cache-Control": "no-cache",
        },
    )


@router.post("/me/upload", response_class=HTMLResponse)
def upload(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    file: UploadFile,
    consent: Annotated[str, Form()] = "",
    consent_version: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse:
    """Book every row of the file, or list every problem and book none."""
    user = refused_post(request, settings) or _enterprise(request, session, settings)
    if isinstance(user, HTMLResponse):
        return user
    data = file.file.read(csvbatch.MAX_BYTES + 1)
    try:
        booked = csvbatch.book_file(
            session,
            data,
            settings,
            accounts.actor_for_user(session, user),
            consent=consent == "true",
            consent_version=consent_version,
        )
    except InvalidInput as exc:
        errors = batchfile.errors_of(exc, i18n.language_of(request))
        return web.render(
            request, "me_upload.html", status_code=422, columns=csvbatch.BY_KEY, errors=errors
        )
    return web.render(request, "me_upload_done.html", booked=booked)


@router.post("/me/upload/codes.csv", response_model=None)
def codes(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    booked: Annotated[list[str], Form()],
) -> Response:
    """The codes an upload created (row and code), for the account's own dossiers only."""
    user = refused_post(request, settings) or _enterprise(request, session, settings)
    if isinstance(user, HTMLResponse):
        return user
    rows = dict(_row_and_code(item) for item in booked[: csvbatch.MAX_ROWS])
    found = owned.owned_codes(session, user.id, list(rows))
    body = csvbatch.codes_file(
        [(rows[d.tracking_code], d) for d in found], i18n.language_of(request)
    )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="ma-ho-so.csv"',
            "Cache-Control": "no-store",
        },
    )


def _row_and_code(item: str) -> tuple[str, int]:
    """'12 HS12345678VN' → ('HS12345678VN', 12)."""
    row, _, code = item.strip().partition(" ")
    return code.strip().upper()[:40], int(row) if row.isdigit() and len(row) < 6 else 0
