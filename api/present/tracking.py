"""The public timeline of a dossier, in the visitor's language; nothing personal."""

from zoneinfo import ZoneInfo

from api import i18n
from api.present import local, postponement_label, status_label
from api.schemas.tracking import EventOut, TrackOut
from courier.dossiers.models import Dossier, TrackingEvent
from courier.dossiers.states import EVENTS, Event
from courier.proofs.kinds import PostponementReason


def track_out(dossier: Dossier, events: list[TrackingEvent], lang: str, zone: ZoneInfo) -> TrackOut:
    """The public timeline in the client's language; nothing personal."""
    vi = lang == "vi"
    return TrackOut(
        tracking_code=dossier.tracking_code,
        status=dossier.status.value,
        status_label=status_label(dossier.status, lang),
        procedure=dossier.procedure.name_vi if vi else dossier.procedure.name_en,
        receiving_site=dossier.receiving_site.name_vi if vi else dossier.receiving_site.name_en,
        preferred_on=dossier.preferred_on,
        slot=dossier.slot,
        due_on=dossier.due_on,
        events=[
            EventOut(
                at=local(e.occurred_at, zone),
                code=e.code,
                event=e.event,
                label=_event_label(e, lang),
                site=(e.site.name_vi if vi else e.site.name_en) if e.site else None,
                reason=e.reason,
                due_on=e.due_on,
            )
            for e in events
        ],
    )


def _event_label(event: TrackingEvent, lang: str) -> str:
    info = EVENTS[Event(event.event)]
    label = i18n.gettext(lang, info.label)
    if event.due_on is not None and event.event == Event.ROLL_OVER:
        label += f" ({i18n.day(event.due_on, lang)})"
    elif event.due_on is not None:
        label += " " + i18n.gettext(lang, _UNTIL) % {"day": i18n.day(event.due_on, lang)}
    if event.event == Event.POSTPONE and event.reason in set(PostponementReason):
        label += f": {postponement_label(PostponementReason(event.reason), lang)}"
    return label


_UNTIL = i18n.mark("to %(day)s")
