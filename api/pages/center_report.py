"""«Báo cáo»: a center's on-time rates and counts over a month or two dates, with charts drawn on
the server (SVG, no script) and the same report as an A4 PDF.

The staff screen's way in (`api.pages.center.DOOR`, the staff cookie): a center's staff see their
own center only (another center's code answers as an unknown one does), admins choose a center or
set every center side by side. The figures are the statistics API's (`courier.stats`).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api import i18n, signin, web
from api.deps import DbSession, SettingsDep
from api.i18n import mark
from api.pages.center import DOOR, NO_SITE, NOT_STAFF, STAFF_ROLES
from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.actors import Actor
from courier.catalogue.models import Site
from courier.enums import Role
from courier.errors import InvalidInput, NotFound, PermissionDenied
from courier.reports import figures, pdf
from courier.settings import Settings
from courier.stats import service as stats

router = APIRouter(include_in_schema=False)
REPORT = "/center/report"
NO_CENTER = mark("There is no such center among those you may read.")
ShortText = Annotated[str, Query(max_length=40)]
_PDF = {"Cache-Control": "private, no-store"}


@dataclass(frozen=True, slots=True)
class Asked:
    """What the report's forms asked: a center (admins), and a month or two dates."""

    site: str
    month: str
    from_on: str
    to_on: str

    def query(self) -> str:
        """The query string of this report (empty values left out)."""
        values = {"site": self.site, "month": self.month, "from": self.from_on, "to": self.to_on}
        return urlencode({k: v for k, v in values.items() if v})

    def month_url(self, month: str) -> str:
        """This report's page for a whole month."""
        return f"{REPORT}?{Asked(self.site, month, '', '').query()}"


@dataclass(frozen=True, slots=True)
class Reader:
    """The signed-in reader: their account, as an actor, and the centers they may read."""

    user: User
    actor: Actor
    centers: list[Site]

    @property
    def is_admin(self) -> bool:
        """Admins choose a center or read them all."""
        return self.user.role is Role.ADMIN


def _reader(request: Request, session: DbSession, settings: Settings) -> Reader | Response:
    """The signed-in staff member or admin, else the sign-in form or a refusal."""
    user = signin.signed_in_user(request, session, settings, signin.STAFF_COOKIE)
    if user is None:
        return web.render(request, "center_login.html")
    if user.role not in STAFF_ROLES:
        return DOOR.refused(request, NOT_STAFF)
    actor = accounts.actor_for_user(session, user)
    try:
        centers = stats.visible_sites(session, actor)
    except PermissionDenied:
        return DOOR.refused(request, NO_SITE)
    if not centers:
        return DOOR.refused(request, NO_SITE)
    return Reader(user, actor, centers)


def _code(reader: Reader, asked: Asked) -> str | None:
    """The center reported on: the staff member's own, or the admin's choice (None: all)."""
    if reader.is_admin:
        return asked.site or None
    own = reader.centers[0].code
    if asked.site and asked.site != own:
        raise NotFound(f"no center {asked.site} for this reader")
    return own


def _report(session: DbSession, settings: Settings, reader: Reader, asked: Asked) -> figures.Report:
    """The report asked for; `InvalidInput` for a bad period, `NotFound` for a center not theirs."""
    now = datetime.now(settings.zone)
    span = figures.asked_period(asked.month, asked.from_on, asked.to_on, now.date(), settings)
    try:
        return figures.report(session, reader.actor, _code(reader, asked), span, settings, now)
    except PermissionDenied:
        raise NotFound("a center of another's") from None


def asked_report(
    settings: SettingsDep,
    site: ShortText = "",
    month: ShortText = "",
    from_on: Annotated[str, Query(alias="from", max_length=20)] = "",
    to_on: Annotated[str, Query(alias="to", max_length=20)] = "",
) -> Asked:
    """The report the query asks for; no period at all means the last full month."""
    if not (month or from_on or to_on):
        month = figures.last_full_month(datetime.now(settings.zone).date())
    return Asked(site.strip().upper(), month, from_on, to_on)


AskedReport = Annotated[Asked, Depends(asked_report)]


@router.get(REPORT, response_class=HTMLResponse)
def report_page(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    asked: AskedReport,
) -> Response:
    """The report page: the period's figures and charts, or the errors of the period asked."""
    reader = _reader(request, session, settings)
    if not isinstance(reader, Reader):
        return reader
    context = _context(request, reader, asked, datetime.now(settings.zone))
    try:
        context["report"] = _report(session, settings, reader, asked)
    except InvalidInput as problem:
        lang = i18n.language_of(request)
        context["errors"] = [i18n.gettext(lang, p.msg) % dict(p.params) for p in problem.problems]
        return web.render(request, "center_report.html", status_code=422, **context)
    except NotFound:
        return DOOR.refused(request, NO_CENTER, 404)
    return web.render(request, "center_report.html", **context)


def _context(request: Request, reader: Reader, asked: Asked, now: datetime) -> dict[str, Any]:
    lang = i18n.language_of(request)
    return {
        "user": reader.user,
        "centers": reader.centers if reader.is_admin else [],
        "asked": asked,
        "report": None,
        "errors": [],
        "f": figures,
        "percent": lambda rate: figures.percent(rate, lang),
        "bar_text": lambda bar: figures.bar_text(bar, lang, web.translator(request)),
        "days_text": lambda days: figures.days_text(days, lang, web.translator(request)),
        "pdf_url": f"{REPORT}.pdf?{asked.query()}",
        "this_month": asked.month_url(now.strftime("%Y-%m")),
        "last_month": asked.month_url(figures.last_full_month(now.date())),
    }


@router.get(REPORT + ".pdf", response_model=None)
def report_pdf(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    asked: AskedReport,
) -> Response:
    """The same report as an A4 PDF in the reader's language."""
    reader = _reader(request, session, settings)
    if not isinstance(reader, Reader):
        return reader
    try:
        found = _report(session, settings, reader, asked)
    except InvalidInput:
        return report_page(request, session, settings, asked)
    except NotFound:
        return DOOR.refused(request, NO_CENTER, 404)
    document, _ = pdf.render(found, i18n.language_of(request), settings.zone)
    name = f"report-{found.total.site_code or 'all'}-{found.period.from_on}-{found.period.to_on}"
    headers = {**_PDF, "Content-Disposition": f'inline; filename="{name}.pdf"'}
    return Response(document, media_type="application/pdf", headers=headers)
