"""Background work on proofs: receipts after each handover, and the retention of images."""

import logging
from datetime import timedelta

from celery import shared_task
from sqlalchemy.exc import IntegrityError

from courier import runtime
from courier.db import utcnow
from courier.proofs.printing import issue_receipt, reissue_without_removed_images
from courier.proofs.service import mark_for_retention
from courier.proofs.storage import StoredObjectDamaged, storage_for
from courier.settings import get_settings

log = logging.getLogger(__name__)


@shared_task(name="proofs.render_receipt", acks_late=True)
def render_receipt(handover_id: int) -> bool:
    """Render and store a handover's receipt; safe to run twice (the second finds it issued)."""
    settings = get_settings()
    try:
        with runtime.unit_of_work() as session:
            issued = issue_receipt(
                session, handover_id, settings=settings, storage=storage_for(settings)
            )
    except IntegrityError:  # a concurrent run stored it first
        return False
    except StoredObjectDamaged:  # logged as an ERROR: no receipt prints altered images
        return False
    return issued is not None


@shared_task(name="proofs.apply_retention", acks_late=True)
def apply_retention() -> int:
    """Delete photos and signatures of dossiers delivered more than the retention period ago."""
    settings = get_settings()
    now = utcnow()
    cut_off = now - timedelta(days=settings.proof_retention_days)
    with runtime.unit_of_work() as session:
        removed, keys = mark_for_retention(session, delivered_before=cut_off, now=now)
        summary = [(p.handover_id, p.role.value, p.position, p.sha256) for p in removed]
    storage = storage_for(settings)
    for key in keys:  # after the commit: a record never points at a file deleted too early
        storage.delete(key)
    with runtime.unit_of_work() as session:  # receipts printed the images too: draw them again
        redrawn = reissue_without_removed_images(session, settings=settings, storage=storage)
    for handover_id, role, position, digest in summary:
        log.info(
            "retention removed %s %s of handover %s (sha256 %s kept)",
            role,
            position,
            handover_id,
            digest,
        )
    log.info(
        "retention: %d images marked removed, %d files deleted, receipts redrawn for handovers %s",
        len(summary),
        len(keys),
        redrawn,
    )
    return len(summary)
