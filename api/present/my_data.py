"""A citizen's copy of their data as a file (or its link, by SMS), and the answer to their
erasure request in words; the same for the API (`api.routers.my_data`) and the pages
(`api.pages.my_data`)."""

from typing import Any

from fastapi import Response
from sqlalchemy.orm import Session

from api import grants, i18n, ratelimit
from api.schemas.my_data import CopySentOut, ErasureOut
from courier.db import utcnow
from courier.dossiers import phones
from courier.dossiers.models import Dossier
from courier.notifications import service as notifications
from courier.outbox.service import enqueue
from courier.privacy import erasure, export
from courier.settings import Settings
from courier.text import mark

ANSWERS = {
    "erased": mark("The personal data of dossier %(code)s was erased on %(day)s."),
    "scheduled": mark(
        "Your request is recorded. The administrative record must be kept %(days)s days after "
        "the dossier closed: its personal data will be erased on %(day)s."
    ),
    "open": mark(
        "Your request is recorded. The dossier is still in progress: its personal data will be "
        "erased %(days)s days after it is delivered or cancelled, not before %(day)s."
    ),
}
PRIVATE = {"Cache-Control": "private, no-store"}
FILE_NAME = "du-lieu-ca-nhan-{code}.{ext}"


def copy_of(session: Session, dossier: Dossier, settings: Settings, lang: str) -> dict[str, Any]:
    """Everything held about the citizen in this dossier, JSON-ready."""
    return export.citizen_copy(session, dossier, settings, lang)


def attachment(code: str, ext: str) -> dict[str, str]:
    """The headers of a download of the copy: a file to keep, never cached."""
    name = FILE_NAME.format(code=code, ext=ext)
    return {**PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'}


def pdf_response(session: Session, dossier: Dossier, settings: Settings, lang: str) -> Response:
    """The copy on A4 pages, as a file to download."""
    pdf = export.render_pdf(copy_of(session, dossier, settings, lang), lang, settings.zone)
    return Response(
        pdf, media_type="application/pdf", headers=attachment(dossier.tracking_code, "pdf")
    )


def send_copy_link(session: Session, dossier: Dossier, settings: Settings) -> CopySentOut:
    """Send the dossier's phone an SMS with a half-hour link to the copy (at most a few a day,
    else `TooManyRequests`); say which number, by the digits the citizen proved."""
    ratelimit.check_copy_links(session, dossier.id)
    token = grants.copy_token(settings, dossier)
    url = f"{settings.public_base_url}/track/{dossier.tracking_code}/copy/{token}"
    notifications.send_copy_link(session, dossier=dossier, url=url)
    return CopySentOut(sent_to="…" + phones.last_digits(dossier.applicant_phone))


def ask_erasure(
    session: Session, dossier: Dossier, settings: Settings, lang: str, via: str
) -> ErasureOut:
    """Record the request (erasing now if retention allows) and say what it got, in words."""
    answer = erasure.request_erasure(session, dossier, via=via, now=utcnow(), settings=settings)
    if answer.state == "erased":  # its images and receipts follow in the purge's proof pass
        enqueue(session, "privacy.purge")
    words = {
        "code": dossier.tracking_code,
        "days": answer.retention_days,
        "day": answer.on.strftime("%d/%m/%Y") if answer.on else "",
    }
    return ErasureOut(
        tracking_code=dossier.tracking_code,
        state=answer.state,
        on=answer.on,
        retention_days=answer.retention_days,
        message=i18n.gettext(lang, ANSWERS[answer.state]) % words,
    )
