"""Public web pages: the tracking page that SMS links and receipt QR codes open.

Vietnamese first, English on request (`?lang=en` or Accept-Language); no script, one small
page, for a cheap phone on a weak signal. It shows what the tracking API shows, nothing personal.
"""

import logging
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from api import present
from api.deps import DbSession, SettingsDep
from api.ratelimit import public_limit
from courier.dossiers import actions
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier
from courier.errors import DossierNotFound
from courier.proofs import verify
from courier.proofs.storage import storage_for
from courier.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["pages"], dependencies=[Depends(public_limit)])
_templates = Environment(
    loader=PackageLoader("api", "templates"), autoescape=select_autoescape(["html"])
)

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Tra cứu hồ sơ",
        "phone": "4 số cuối điện thoại người nộp hồ sơ",
        "submit": "Tra cứu",
        "procedure": "Thủ tục",
        "site": "Nơi tiếp nhận",
        "pickup": "Lịch thu gom",
        "due": "Ngày hẹn trả kết quả",
        "history": "Hành trình",
        "morning": "buổi sáng",
        "afternoon": "buổi chiều",
        "zone": "Giờ Việt Nam (GMT+7).",
        "not_found": "Không tìm thấy hồ sơ với mã và số điện thoại này.",
        "bad_phone": "Vui lòng nhập đúng 4 chữ số cuối của số điện thoại.",
        "other_language": "English",
        "custody_ok": "Chuỗi bàn giao ({n} lần) có chữ ký số, đã kiểm tra: không bị sửa đổi.",
        "custody_broken": "Chuỗi bàn giao KHÔNG khớp từ lần bàn giao thứ {seq}: hãy báo trung tâm.",
    },
    "en": {
        "title": "Track dossier",
        "phone": "Last 4 digits of the applicant's phone",
        "submit": "Track",
        "procedure": "Procedure",
        "site": "Received by",
        "pickup": "Pickup",
        "due": "Result due",
        "history": "History",
        "morning": "morning",
        "afternoon": "afternoon",
        "zone": "Vietnam time (GMT+7).",
        "not_found": "No dossier with this code and phone number.",
        "bad_phone": "Please enter exactly the last 4 digits of the phone number.",
        "other_language": "Tiếng Việt",
        "custody_ok": "Chain of handovers ({n}) digitally signed and checked: unaltered.",
        "custody_broken": "Chain of handovers does NOT verify from handover {seq}: tell the center.",
    },
}


@router.get("/track/{code}", response_class=HTMLResponse, include_in_schema=False)
def track_page(
    code: str,
    session: DbSession,
    settings: SettingsDep,
    phone: str | None = None,
    lang: Annotated[str | None, Query(pattern="^(vi|en)$")] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    """The timeline after the phone's last digits; a wrong suffix reads like an unknown code."""
    chosen = lang or present.language(accept_language)
    page: dict[str, Any] = {"code": code.strip().upper(), "lang": chosen, "phone": None}
    status = 200
    if phone is not None and not re.fullmatch(r"\d{4}", phone):
        page["error"], status = TEXTS[chosen]["bad_phone"], 422
    elif phone is not None:
        try:
            dossier = actions.find_public(session, page["code"], phone)
        except DossierNotFound:
            page["error"], status = TEXTS[chosen]["not_found"], 404
        else:
            track = present.track_out(
                dossier, dossiers.timeline(session, dossier), chosen, settings.zone
            )
            page.update(
                track=track,
                events=list(reversed(track.events)),
                phone=phone,
                custody=_custody(session, dossier, settings, TEXTS[chosen]),
            )
    # the timeline is the citizen's own: no shared cache keeps it
    return HTMLResponse(
        _render(page), status_code=status, headers={"Cache-Control": "private, no-store"}
    )


def _custody(
    session: Session, dossier: Dossier, settings: Settings, texts: dict[str, str]
) -> tuple[bool, str] | None:
    """The chain's check for the page; a storage outage hides it rather than failing the page."""
    try:
        report = verify.verify_chain(
            session, dossier, storage=storage_for(settings), trust=verify.Trust.of(settings)
        )
    except Exception:
        log.exception("custody check of %s failed", dossier.tracking_code)
        return None
    return _custody_line(report, texts)


def _custody_line(report: verify.ChainReport, texts: dict[str, str]) -> tuple[bool, str] | None:
    """(verified, sentence) about the signed chain of handovers, once there is one."""
    if not report.links:
        return None
    broken = report.first_broken
    if broken is None:
        return True, texts["custody_ok"].format(n=len(report.links))
    return False, texts["custody_broken"].format(seq=broken[0])


def _render(page: dict[str, Any]) -> str:
    lang = page["lang"]
    other = "en" if lang == "vi" else "vi"
    return _templates.get_template("track.html").render(t=TEXTS[lang], other_lang=other, **page)
