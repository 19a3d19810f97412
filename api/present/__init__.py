"""Turning domain objects into response bodies, one module per resource, with times in the
service's zone; here what they share: status and postponement labels, the language, local time."""

from datetime import datetime
from zoneinfo import ZoneInfo

from api import i18n
from courier.dossiers.models import DossierStatus
from courier.proofs.kinds import PostponementReason

# English ids of the catalogues (courier/locale), shown in the visitor's language
STATUS_LABELS: dict[DossierStatus, str] = {
    DossierStatus.BOOKED: i18n.mark("Pickup booked"),
    DossierStatus.PICKUP_FAILED: i18n.mark("Pickup failed, will retry"),
    DossierStatus.PICKED_UP: i18n.mark("Collected by the courier"),
    DossierStatus.IN_TRANSIT: i18n.mark("In transit to the center"),
    DossierStatus.RECEIVED_AT_CENTER: i18n.mark("Received at the center"),
    DossierStatus.PROCESSING: i18n.mark("Being processed"),
    DossierStatus.RESULT_READY: i18n.mark("Result ready"),
    DossierStatus.RESULT_PICKED_UP: i18n.mark("Result collected by the courier"),
    DossierStatus.OUT_FOR_DELIVERY: i18n.mark("Out for delivery"),
    DossierStatus.DELIVERY_FAILED: i18n.mark("Delivery failed, will retry"),
    DossierStatus.DELIVERED: i18n.mark("Result delivered"),
    DossierStatus.RETURNED_TO_CENTER: i18n.mark("Result waiting at the center"),
    DossierStatus.CANCELLED: i18n.mark("Cancelled"),
}
POSTPONEMENT_LABELS: dict[PostponementReason, str] = {
    PostponementReason.ADDITIONAL_VERIFICATION: i18n.mark("Further verification needed"),
    PostponementReason.SUPPLEMENT_REQUESTED: i18n.mark("Supplementary documents requested"),
    PostponementReason.INTER_AGENCY_CONSULTATION: i18n.mark("Consulting other agencies"),
    PostponementReason.SITE_INSPECTION: i18n.mark("Site inspection"),
    PostponementReason.FORCE_MAJEURE: i18n.mark("Force majeure"),
}


def status_label(status: DossierStatus, lang: str) -> str:
    """The status as the citizen's timeline names it, in the language."""
    return i18n.gettext(lang, STATUS_LABELS[status])


def postponement_label(reason: PostponementReason, lang: str) -> str:
    """Why the center moved the result date, in the language."""
    return i18n.gettext(lang, POSTPONEMENT_LABELS[reason])


def language(accept_language: str | None) -> str:
    """'en' when the client prefers English over Vietnamese, else 'vi' (the first language)."""
    return i18n.negotiate(accept_language)


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The moment in the service's zone."""
    return moment.astimezone(zone)
