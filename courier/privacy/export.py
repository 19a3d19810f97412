"""A citizen's copy of their data: the dossier, its timeline, the handovers they took part in,
their consent, their erasure request, and who read the dossier (by role and site: staff names
and ids are the staff's own personal data, so the citizen sees the office, not the person).

As JSON-ready values (`citizen_copy`) and as A4 pages (`render_pdf`), in the citizen's language.
The JSON holds every read; the pages print them grouped, one line per local day, role, site, kind
of data and route with how many and the first and last time, and only the newest `PDF_READ_LINES`
of those lines: every list page and every /center/ load adds a row per dossier shown, and each
page is an image held in memory until the PDF is written.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from courier import consent, i18n
from courier.catalogue.models import Site
from courier.db import utcnow
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier
from courier.dossiers.states import EVENTS
from courier.enums import PartyKind
from courier.handovers.models import Handover, HandoverItem
from courier.privacy import reads
from courier.privacy.models import ErasureRequest
from courier.proofs import receipts
from courier.settings import Settings
from courier.text import mark

TITLE = mark("Your personal data: dossier %(code)s")
MADE = mark("Made on %(moment)s")
PAGE_OF = mark("Page %(n)s of %(count)s")
SECTIONS = {
    "dossier": mark("The dossier"),
    "consent": mark("Your consent"),
    "timeline": mark("Timeline"),
    "handovers": mark("Handovers you took part in"),
    "access_log": mark("Who read your dossier's personal data"),
    "erasure": mark("Your erasure request"),
}
NOBODY = mark("No staff member has read it.")
NONE = mark("None.")
READS_GROUPED = mark(
    "Reads on the same day (Vietnam time) by the same role, site, kind of data and route are "
    "one line: how many, the first and the last time."
)
OLDER_LEFT_OUT = mark("%(count)s older lines are not printed here; the JSON copy holds every read.")
PDF_READ_LINES = 100


def _iso(value: datetime | None, zone: ZoneInfo) -> str | None:
    return None if value is None else value.astimezone(zone).isoformat(timespec="seconds")


def citizen_copy(
    session: Session, dossier: Dossier, settings: Settings, lang: str
) -> dict[str, Any]:
    """Everything the service holds about the citizen in this dossier, JSON-ready."""
    zone = settings.zone
    return {
        "generated_at": _iso(utcnow(), zone),
        "dossier": _dossier(dossier, zone, lang),
        "consent": _consent(dossier, zone, lang),
        "timeline": _timeline(session, dossier, zone, lang),
        "handovers": _handovers(session, dossier, zone),
        "access_log": _reads(session, dossier, zone),
        "erasure_request": _erasure(session, dossier, zone),
    }


def _dossier(dossier: Dossier, zone: ZoneInfo, lang: str) -> dict[str, Any]:
    procedure, site = dossier.procedure, dossier.receiving_site
    return {
        "tracking_code": dossier.tracking_code,
        "status": dossier.status.value,
        "procedure": {
            "code": procedure.code,
            "name": procedure.name_vi if lang == "vi" else procedure.name_en,
        },
        "receiving_site": {
            "code": site.code,
            "name": site.name_vi if lang == "vi" else site.name_en,
        },
        "applicant_name": dossier.applicant_name,
        "phone": dossier.applicant_phone,
        "address": dossier.address_text,
        "lat": dossier.lat,
        "lon": dossier.lon,
        "point_source": dossier.point_source.value,
        "preferred_on": dossier.preferred_on.isoformat(),
        "slot": dossier.slot.value,
        "result_return": dossier.result_return.value,
        "procedure_fee_vnd": dossier.procedure_fee_vnd,
        "service_fee_vnd": dossier.service_fee_vnd,
        "due_on": dossier.due_on.isoformat() if dossier.due_on else None,
        "booked_at": _iso(dossier.created_at, zone),
        "erased_at": _iso(dossier.erased_at, zone),
    }


def _consent(dossier: Dossier, zone: ZoneInfo, lang: str) -> dict[str, Any]:
    texts = consent.TEXTS.get(dossier.consent_version, {})
    return {
        "version": dossier.consent_version,
        "agreed_at": _iso(dossier.consent_at, zone),
        "text": texts.get(lang) or texts.get("vi"),
    }


def _timeline(
    session: Session, dossier: Dossier, zone: ZoneInfo, lang: str
) -> list[dict[str, Any]]:
    rows = []
    for event in dossiers.timeline(session, dossier):
        info = next((i for e, i in EVENTS.items() if e.value == event.event), None)
        rows.append(
            {
                "at": _iso(event.occurred_at, zone),
                "code": event.code,
                "event": i18n.gettext(lang, info.label) if info else event.event,
                "status": event.to_status.value,
                "reason": event.reason,
            }
        )
    return rows


def _handovers(session: Session, dossier: Dossier, zone: ZoneInfo) -> list[dict[str, Any]]:
    """The handovers where the citizen gave or received the dossier (the others are the staff's)."""
    found = session.scalars(
        select(Handover)
        .join(HandoverItem, HandoverItem.handover_id == Handover.id)
        .where(
            HandoverItem.dossier_id == dossier.id,
            or_(Handover.from_kind == PartyKind.CITIZEN, Handover.to_kind == PartyKind.CITIZEN),
        )
        .order_by(Handover.id)
    )
    return [
        {
            "id": h.id,
            "at": _iso(h.device_at, zone),
            "giver": h.from_kind.value,
            "receiver": h.to_kind.value,
            "lat": h.lat,
            "lon": h.lon,
            "fees_collected_vnd": h.fees_collected_vnd,
            "seal_number": h.seal_number,
            "content_hash": h.content_hash,
        }
        for h in found
    ]


def _reads(session: Session, dossier: Dossier, zone: ZoneInfo) -> list[dict[str, Any]]:
    entries = reads.of_dossier(session, dossier.id)
    sites = {
        s.id: s
        for s in session.scalars(select(Site).where(Site.id.in_({e.site_id for e in entries})))
    }
    return [
        {
            "at": _iso(e.at, zone),
            "role": e.role,
            "site": sites[e.site_id].code if e.site_id in sites else None,
            "data": e.data,
            "endpoint": e.endpoint,
        }
        for e in entries
    ]


def _erasure(session: Session, dossier: Dossier, zone: ZoneInfo) -> dict[str, Any] | None:
    asked = session.scalar(select(ErasureRequest).where(ErasureRequest.dossier_id == dossier.id))
    if asked is None:
        return None
    return {
        "requested_at": _iso(asked.requested_at, zone),
        "erasable_on": asked.erasable_on.isoformat() if asked.erasable_on else None,
        "erased_at": _iso(asked.erased_at, zone),
    }


def read_groups(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The copy's reads (oldest first, local times) as one line per local day, role, site, kind
    of data and route: how many, the first and the last time; oldest first."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        day, _, time = row["at"].partition("T")
        key = (day, row["role"], row["site"], row["data"], row["endpoint"])
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "day": day,
                "role": row["role"],
                "site": row["site"],
                "data": row["data"],
                "endpoint": row["endpoint"],
                "count": 0,
                "first": time[:8],
            }
        group["count"] += 1
        group["last"] = time[:8]
    return sorted(groups.values(), key=lambda g: (g["day"], g["first"]))


def copy_pages(copy: dict[str, Any], lang: str, zone: ZoneInfo) -> receipts.Page:
    """The copy drawn on A4 pages, section by section, in the citizen's language."""

    def _(message: str) -> str:
        return i18n.gettext(lang, message)

    page = receipts.Page()
    page.text(_(TITLE) % {"code": copy["dossier"]["tracking_code"]}, "title", gap=6)
    page.text(_(MADE) % {"moment": receipts.local_time(utcnow(), zone)}, "small")
    for key, heading in SECTIONS.items():
        page.y += 12
        page.text(_(heading), "heading")
        value = copy["erasure_request" if key == "erasure" else key]
        lines = _read_lines(value, _) if key == "access_log" and value else _lines(value)
        if not lines:
            lines = [_(NOBODY) if key == "access_log" else _(NONE)]
        for line in lines:
            page.text(line, "small", gap=4)  # wrapped to the page's width
    receipts.number_pages(page, lambda n, count: _(PAGE_OF) % {"n": n, "count": count})
    return page


def render_pdf(copy: dict[str, Any], lang: str, zone: ZoneInfo) -> bytes:
    """The copy on A4 pages (`copy_pages`), as a PDF."""
    title = i18n.gettext(lang, TITLE) % {"code": copy["dossier"]["tracking_code"]}
    return receipts.pdf_of(copy_pages(copy, lang, zone).images, title)


def _read_lines(rows: list[dict[str, Any]], _: Callable[[str], str]) -> list[str]:
    """The reads grouped, the newest `PDF_READ_LINES` groups, saying how many older ones are
    left to the JSON copy."""
    groups = read_groups(rows)
    shown = groups[-PDF_READ_LINES:]
    left_out = len(groups) - len(shown)
    notes = [_(READS_GROUPED)]
    if left_out:
        notes.append(_(OLDER_LEFT_OUT) % {"count": left_out})
    return notes + _lines(shown)


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [" · ".join(f"{k}: {v}" for k, v in row.items() if v is not None) for row in value]
    return [f"{k}: {v}" for k, v in value.items() if v is not None and not isinstance(v, dict)] + [
        f"{k}: {' · '.join(str(x) for x in v.values())}"
        for k, v in value.items()
        if isinstance(v, dict)
    ]
