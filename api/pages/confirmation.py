"""The confirmation after a booking and its printable slip, for the browser that proved the phone.

The booking page grants its browser the dossier (`api.grants`) and redirects here. Without that
grant (another browser, an expired half hour, a forged cookie) the page only says how to look
the dossier up with its code and the phone's last digits: nothing of the dossier is shown.
"""

from typing import Annotated

import segno
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from api import grants, i18n, web
from api.deps import DbSession, SettingsDep
from courier.dossiers import codes, slip
from courier.dossiers.models import Dossier
from courier.settings import Settings

router = APIRouter(include_in_schema=False)
CodePath = Annotated[str, Path(max_length=40)]
QR_SCALE = 5


def _granted(
    request: Request, session: DbSession, settings: Settings, code: str
) -> Dossier | HTMLResponse:
    """The dossier for the browser granted it; else how to reach it from another browser."""
    dossier = grants.granted_dossier(request, session, settings, code)
    if dossier is not None:
        return dossier
    shown = codes.normalise(code)
    return web.render(request, "booked.html", status_code=403, code=shown, slip=None)


@router.get("/track/{code}/booked", response_class=HTMLResponse)
def booked(
    code: CodePath, request: Request, session: DbSession, settings: SettingsDep
) -> HTMLResponse:
    """The tracking code and its QR code, the appointment, the documents, the fees, what next."""
    dossier = _granted(request, session, settings, code)
    if isinstance(dossier, HTMLResponse):
        return dossier
    data = slip.slip_data(dossier, settings, i18n.language_of(request))
    qr = segno.make(data.tracking_url, error="m")
    return web.render(
        request,
        "booked.html",
        code=dossier.tracking_code,
        slip=data,
        steps=slip.NEXT_STEPS,
        qr=qr.svg_data_uri(scale=QR_SCALE, border=2),
        qr_size=qr.symbol_size(scale=QR_SCALE, border=2)[0],
    )


@router.get("/track/{code}/slip.pdf", response_model=None)
def slip_pdf(
    code: CodePath, request: Request, session: DbSession, settings: SettingsDep
) -> Response:
    """The slip as an A4 PDF in the visitor's language, to print or keep."""
    dossier = _granted(request, session, settings, code)
    if isinstance(dossier, HTMLResponse):
        return dossier
    lang = i18n.language_of(request)
    shared = web.page_context(request, lang)
    words = slip.Wording(
        text=lambda message: i18n.gettext(lang, message),
        day=shared["day"],
        clock=shared["clock"],
        money=shared["money"],
    )
    pdf, _ = slip.render(slip.slip_data(dossier, settings, lang), words)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="phieu-hen-{dossier.tracking_code}.pdf"',
            "Content-Language": lang,
            "Vary": "Cookie, Accept-Language",
        },
    )
