"""Who may see and act on which object: the one place the authorization rules live."""

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from courier.actors import Actor
from courier.dossiers.models import Dossier, Job, JobStatus
from courier.enums import PartyKind, Role
from courier.errors import PermissionDenied
from courier.text import mark

# catalogue ids: the API answers them in the caller's language
DISPATCHERS_ONLY = mark("Only dispatchers and admins do this.")
NO_OFFICE = mark(
    "This dispatcher account is bound to no post office; an admin must bind it to one."
)
NO_SITE = mark("This staff account is bound to no site; an admin must bind it to one.")
LISTS_FOR_STAFF = mark("Only center staff, dispatchers and admins list dossiers.")

_SITE_HOLDERS = (PartyKind.CENTER, PartyKind.POST_OFFICE)


def can_view_dossier(session: Session, actor: Actor, dossier: Dossier) -> bool:
    """True when the dossier concerns the actor (its personal data may be shown to them)."""
    if actor.is_admin:
        return True
    if actor.has_role(Role.DISPATCHER):
        return actor.site_id is not None and dossier.post_office_id == actor.site_id
    if actor.kind == "api_key" and actor.site_id is not None:
        return dossier.receiving_site_id == actor.site_id
    if actor.has_role(Role.CENTER_STAFF):
        return actor.site_id is not None and (
            dossier.receiving_site_id == actor.site_id
            or (dossier.holder_kind in _SITE_HOLDERS and dossier.holder_id == actor.site_id)
        )
    if actor.has_role(Role.COURIER):
        return actor.courier_id is not None and (
            is_held_by_courier(dossier, actor.courier_id)
            or has_assigned_job(session, dossier, actor.courier_id)
        )
    return owns_dossier(actor, dossier)


def owns_dossier(actor: Actor, dossier: Dossier) -> bool:
    """True when the actor booked the dossier: the citizen's or enterprise's account, or the
    enterprise's API key (its information system)."""
    if actor.kind == "api_key" and actor.site_id is None:
        owner = actor.owner_id
    elif actor.has_role(Role.CITIZEN, Role.ENTERPRISE):
        owner = actor.id
    else:
        return False
    return owner is not None and dossier.owner_id == owner


def may_book_from_files(actor: Actor) -> bool:
    """Enterprise accounts and their API keys (and admins) book many pickups from a CSV file."""
    enterprise_key = actor.kind == "api_key" and actor.owner_id is not None
    return actor.is_admin or actor.has_role(Role.ENTERPRISE) or enterprise_key


def is_held_by_courier(dossier: Dossier, courier_id: int) -> bool:
    """True when the courier carries the dossier now."""
    return dossier.holder_kind is PartyKind.COURIER and dossier.holder_id == courier_id


def has_assigned_job(session: Session, dossier: Dossier, courier_id: int) -> bool:
    """True when one of the dossier's open jobs is assigned to the courier."""
    query = select(Job.id).where(
        Job.dossier_id == dossier.id,
        Job.courier_id == courier_id,
        Job.status == JobStatus.ASSIGNED,
    )
    return session.scalar(query.limit(1)) is not None


def can_view_job(session: Session, actor: Actor, job: Job) -> bool:
    """Couriers see only their own jobs, dispatchers those of their post office, admins all."""
    if actor.is_admin:
        return True
    if actor.has_role(Role.DISPATCHER):
        return actor.site_id is not None and job.dossier.post_office_id == actor.site_id
    return (
        actor.has_role(Role.COURIER)
        and job.courier_id is not None
        and (job.courier_id == actor.courier_id)
    )


def acts_for_site(actor: Actor, site_id: int) -> bool:
    """True when the actor is staff (or the information system) of that site, or an admin."""
    if actor.is_admin:
        return True
    bound = actor.has_role(Role.CENTER_STAFF, Role.DISPATCHER) or (
        actor.kind == "api_key" and actor.site_id is not None
    )
    return bound and actor.site_id == site_id


def office_scope(actor: Actor) -> int | None:
    """The post office a dispatcher works for, or None for an admin (the whole province).

    Anyone else, and a dispatcher bound to no post office, is refused.
    """
    if actor.is_admin:
        return None
    if not actor.has_role(Role.DISPATCHER):
        raise PermissionDenied(DISPATCHERS_ONLY)
    if actor.site_id is None:
        raise PermissionDenied(NO_OFFICE)
    return actor.site_id


def listed_dossiers(actor: Actor) -> ColumnElement[bool]:
    """The dossiers a staff list shows the actor, as SQL: admins all, center staff and a center's
    API key their site's, a dispatcher their post office's; `PermissionDenied` for anyone else.

    Each is what `can_view_dossier` shows them (a center holds only dossiers bound to it).
    """
    if actor.is_admin:
        return true()
    if actor.has_role(Role.DISPATCHER):
        return Dossier.post_office_id == office_scope(actor)
    site_bound = actor.has_role(Role.CENTER_STAFF) or actor.kind == "api_key"
    if site_bound and actor.site_id is not None:
        return Dossier.receiving_site_id == actor.site_id
    if site_bound and actor.kind == "user":
        raise PermissionDenied(NO_SITE)
    raise PermissionDenied(LISTS_FOR_STAFF)
