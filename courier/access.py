"""Who may see and act on which object: the one place the authorization rules live."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.actors import Actor
from courier.dossiers.models import Dossier, Job, JobStatus
from courier.enums import PartyKind, Role

_SITE_HOLDERS = (PartyKind.CENTER, PartyKind.POST_OFFICE)


def can_view_dossier(session: Session, actor: Actor, dossier: Dossier) -> bool:
    """True when the dossier concerns the actor (its personal data may be shown to them)."""
    if actor.is_admin or actor.has_role(Role.DISPATCHER):
        return True
    if actor.kind == "api_key":
        if actor.site_id is not None:
            return dossier.receiving_site_id == actor.site_id
        return actor.owner_id is not None and dossier.owner_id == actor.owner_id
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
    if actor.has_role(Role.CITIZEN):
        return dossier.owner_id is not None and dossier.owner_id == actor.id
    return False


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


def can_view_job(actor: Actor, job: Job) -> bool:
    """Couriers see only their own jobs; dispatchers and admins see all."""
    if actor.is_admin or actor.has_role(Role.DISPATCHER):
        return True
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
