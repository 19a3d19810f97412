"""The retention purge: personal fields of closed dossiers past retention, daily (beat, the
embedded worker's schedule) or by `courier data purge`."""

import logging

from celery import shared_task

from courier import runtime
from courier.db import utcnow
from courier.privacy.erasure import BATCH, erase_due
from courier.proofs.tasks import apply_retention
from courier.settings import get_settings

log = logging.getLogger(__name__)


@shared_task(name="privacy.purge", acks_late=True)
def purge() -> int:
    """Erase every closed dossier past retention, asked for or not; safe to run twice (an erased
    dossier is not due again). Then the proof retention, which redraws their receipts."""
    settings = get_settings()
    erased = 0
    while True:  # a batch per transaction: a long backlog commits as it goes
        with runtime.unit_of_work() as session:
            codes = erase_due(session, now=utcnow(), settings=settings)
        for code in codes:
            log.info("purge: personal data of dossier %s erased", code)
        erased += len(codes)
        if len(codes) < BATCH:
            break
    apply_retention()
    log.info(
        "purge: %d dossiers erased (closed more than %d days ago)",
        erased,
        settings.personal_data_retention_days,
    )
    return erased
