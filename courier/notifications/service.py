"""Compose and record messages to citizens; the gateway here is the log and the table."""

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import i18n
from courier.dossiers.models import Dossier, TrackingEvent
from courier.dossiers.states import EVENTS, Event
from courier.notifications.models import Notification
from courier.settings import get_settings
from courier.text import unaccented

log = logging.getLogger("courier.sms")

# events a citizen hears about by SMS
NOTIFIED = frozenset(
    {
        Event.BOOK,
        Event.RESCHEDULE,
        Event.CANCEL,
        Event.PICKUP_ABANDON,
        Event.PICK_UP,
        Event.PICKUP_FAIL,
        Event.RECEIVE_AT_CENTER,
        Event.RESULT_READY,
        Event.POSTPONE,
        Event.ROLL_OVER,
        Event.OUT_FOR_DELIVERY,
        Event.DELIVERY_FAIL,
        Event.DELIVER,
        Event.RETURN_TO_CENTER,
    }
)

SMS_LANGUAGE = "vi"


def sms_body(dossier: Dossier, event: Event) -> str:
    """The Vietnamese SMS text for an event, with the tracking link, without diacritics.

    Diacritics force UCS-2 encoding (70 characters a segment instead of 160), so Vietnamese
    SMS are customarily sent unaccented; the linked page shows the full text.
    """
    info = EVENTS[event]
    url = f"{get_settings().public_base_url}/track/{dossier.tracking_code}"
    label = i18n.gettext(SMS_LANGUAGE, info.label)
    return unaccented(f"Hồ sơ {dossier.tracking_code}: {label}. Tra cứu: {url}")


def copy_link_body(dossier: Dossier, url: str) -> str:
    """The Vietnamese SMS text carrying the link to a copy of the citizen's data, unaccented."""
    text = (
        f"Hồ sơ {dossier.tracking_code}: liên kết tải bản sao dữ liệu cá nhân (hiệu lực 30 phút): "
    )
    return unaccented(text) + url


def send_copy_link(session: Session, *, dossier: Dossier, url: str) -> Notification:
    """Write the SMS with the link to the data copy, to the dossier's phone."""
    notification = Notification(
        dossier_id=dossier.id,
        channel="sms",
        recipient=dossier.applicant_phone,
        body=copy_link_body(dossier, url),
    )
    session.add(notification)
    session.flush()
    # the log is the gateway's record, not a way in: the link's token stays out of it
    log.info("SMS to ...%s: data copy link for %s", dossier.applicant_phone[-3:], dossier.id)
    return notification


def copy_links_since(session: Session, dossier_id: int, since: datetime) -> list[datetime]:
    """When the dossier's data-copy links were sent since then, oldest first."""
    query = (
        select(Notification.created_at)
        .where(
            Notification.dossier_id == dossier_id,
            Notification.tracking_event_id.is_(None),
            Notification.created_at >= since,
        )
        .order_by(Notification.created_at)
    )
    return list(session.scalars(query))


def notify_event(session: Session, *, event_id: int) -> Notification | None:
    """Write the SMS for a tracking event once; a second call finds it and does nothing."""
    existing = session.scalar(
        select(Notification).where(
            Notification.tracking_event_id == event_id, Notification.channel == "sms"
        )
    )
    if existing is not None:
        return None
    tracking_event = session.get(TrackingEvent, event_id)
    if tracking_event is None:
        return None
    dossier = session.get_one(Dossier, tracking_event.dossier_id)
    notification = Notification(
        tracking_event_id=event_id,
        dossier_id=dossier.id,
        channel="sms",
        recipient=dossier.applicant_phone,
        body=sms_body(dossier, Event(tracking_event.event)),
    )
    session.add(notification)
    session.flush()
    log.info("SMS to ...%s: %s", dossier.applicant_phone[-3:], notification.body)
    return notification
