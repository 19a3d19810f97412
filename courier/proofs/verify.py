"""Verify a dossier's custody chain: hashes, signatures by the key each link names, images, and
the custody log that anchored each link as it was written (`courier.proofs.anchor`).

An image may be missing from storage only where the chain itself proves retention removed it: the
signed chain shows the dossier delivered at least the retention period before the removal, and
the removal is not dated in the future. Anything else missing is a broken link.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from courier.catalogue.models import Site
from courier.db import utcnow
from courier.dossiers.models import Dossier, DossierStatus
from courier.handovers.models import Handover, HandoverItem
from courier.proofs import anchor, custody
from courier.proofs.kinds import ProofRole
from courier.proofs.models import CustodyAnchor, CustodyAnchorHead, HandoverProof
from courier.proofs.service import content_of, proofs_of
from courier.proofs.storage import Storage, StoredObjectMissing
from courier.settings import Settings


@dataclass(frozen=True, slots=True)
class Trust:
    """What a verification trusts: the published keys by id, and the retention period."""

    keys: Mapping[str, Ed25519PublicKey]
    current_key_id: str
    retention: timedelta
    now: datetime

    @classmethod
    def of(cls, settings: Settings) -> "Trust":
        """The current and retired keys and the retention period the settings name."""
        return cls(
            custody.published_keys(settings),
            custody.signing_key(settings).key_id,
            timedelta(days=settings.proof_retention_days),
            utcnow(),
        )


@dataclass(slots=True)
class ProofCheck:
    """One image of a link and what verification found of it."""

    proof: HandoverProof
    state: str  # ok | missing | altered | removed_by_retention | removal_unproven


@dataclass(slots=True)
class LinkCheck:
    """One link of a dossier's chain and the problems found in it (none when it verifies)."""

    seq: int
    handover: Handover
    item: HandoverItem
    proofs: list[ProofCheck]
    problems: list[str] = field(default_factory=list)
    site_code: str | None = None
    anchor: CustodyAnchor | None = None


@dataclass(slots=True)
class ChainReport:
    """A dossier's custody chain, link by link, and the first broken link if any."""

    tracking_code: str
    links: list[LinkCheck]
    head_problem: str | None
    key_id: str

    @property
    def first_broken(self) -> tuple[int, str] | None:
        """(seq, what is wrong) of the first link that does not verify."""
        for link in self.links:
            if link.problems:
                return link.seq, "; ".join(link.problems)
        if self.head_problem:
            return len(self.links) + 1, self.head_problem
        return None

    @property
    def verified(self) -> bool:
        """True when every link, every image and the chain's head verify."""
        return self.first_broken is None


def verify_chain(
    session: Session, dossier: Dossier, *, storage: Storage, trust: Trust
) -> ChainReport:
    """Recompute every hash, check every signature and image digest, and the chain's head.

    Readers take no lock, and on PostgreSQL each statement sees what was committed before it:
    so the dossier's head and the custody log's are read first, together, and a link or entry
    of a handover committed since is left to the next verification, not named removed."""
    head = _head_of(session, dossier.id)
    rows = session.execute(
        select(HandoverItem, Handover)
        .join(Handover, Handover.id == HandoverItem.handover_id)
        .where(HandoverItem.dossier_id == dossier.id)
        .order_by(HandoverItem.seq, HandoverItem.id)
    ).all()
    entries = anchor.of_dossier(session, dossier.id)
    since = {e.link_hash for e in entries if e.seq > head.log_seq}
    rows = [row for row in rows if not _sealed_since(row[0], head, since)]
    entries = [e for e in entries if e.seq <= head.log_seq]
    removable = _removable_from(rows, trust)
    links: list[LinkCheck] = []
    prev = custody.GENESIS
    for expected_seq, (item, handover) in enumerate(rows, start=1):
        checks = _check_images(session, handover, storage, removable, trust.now)
        link = LinkCheck(expected_seq, handover, item, checks)
        site = session.get(Site, handover.site_id) if handover.site_id else None
        link.site_code = site.code if site else None
        link.problems = _link_problems(session, dossier, link, prev, trust, removable)
        links.append(link)
        prev = item.link_hash or prev
    tail = []
    if head.seq != len(links) or head.link_hash != (links[-1].item.link_hash if links else None):
        tail.append(
            f"the chain ends at record {len(links)} but the dossier's custody head points to "
            f"record {head.seq}: a later record was removed"
        )
    tail += _anchor_problems(session, head, links, entries)
    head_problem = "; ".join(tail) or None
    return ChainReport(dossier.tracking_code, links, head_problem, trust.current_key_id)


@dataclass(frozen=True, slots=True)
class _Head:
    """The dossier's head (its last link's number and hash) and the custody log's, as one
    snapshot: every entry up to `log_seq` was committed with the dossier's links it names."""

    seq: int
    link_hash: str | None
    log_seq: int


def _head_of(session: Session, dossier_id: int) -> _Head:
    """One statement, column reads (never a stale object of the session)."""
    log_seq = select(CustodyAnchorHead.seq).where(CustodyAnchorHead.id == anchor.HEAD_ID)
    seq, link_hash, last = session.execute(
        select(Dossier.custody_seq, Dossier.custody_head, log_seq.scalar_subquery()).where(
            Dossier.id == dossier_id
        )
    ).one()
    if last is None:
        raise anchor.LogHeadMissing("the custody_anchor_head row is missing; run the migrations")
    return _Head(seq, link_hash or None, last)


def _sealed_since(item: HandoverItem, head: _Head, since: set[str]) -> bool:
    """A link past the dossier's head that the log anchors past its own head: a handover
    committed since the heads were read. One past the head that the log does not anchor there
    stays in the chain, and is named."""
    return (item.seq or 0) > head.seq and item.link_hash in since


def _anchor_problems(
    session: Session, head: _Head, links: list[LinkCheck], entries: list[CustodyAnchor]
) -> list[str]:
    """Check the chain against the custody log: the k-th entry of the dossier anchors its k-th
    link, each entry sits intact in the log, and the head is the last anchored link. Adds the
    problems of each link to it; returns those past the chain's end (removed records)."""
    in_log = anchor.entry_problems(session, entries, head_seq=head.log_seq)
    for link, entry in zip(links, entries, strict=False):
        link.anchor = entry
        if entry.link_hash != link.item.link_hash:
            link.problems.append(
                f"it is not the record anchored in custody log entry {entry.seq} ({entry.day}): "
                "that record was removed or replaced"
            )
        link.problems += in_log[entry.seq]
    for link in links[len(entries) :]:
        link.problems.append("it was never anchored in the custody log")
    tail = []
    for number, entry in enumerate(entries[len(links) :], start=len(links) + 1):
        tail.append(
            f"record {number}, anchored in custody log entry {entry.seq} ({entry.day}), is "
            "missing: it was removed"
        )
        tail += in_log[entry.seq]
    if entries and head.link_hash != entries[-1].link_hash:
        tail.append(
            f"the dossier's custody head was rewound: its last anchored record is "
            f"{len(entries)} (custody log entry {entries[-1].seq}, {entries[-1].day})"
        )
    return tail


def _removable_from(rows: Sequence[Row[HandoverItem, Handover]], trust: Trust) -> datetime | None:
    """The first moment retention may remove images: the chain's delivery plus the period."""
    delivered = [h.recorded_at for i, h in rows if i.to_status == DossierStatus.DELIVERED.value]
    return min(delivered) + trust.retention if delivered else None


def _link_problems(
    session: Session,
    dossier: Dossier,
    link: LinkCheck,
    prev: str,
    trust: Trust,
    removable: datetime | None,
) -> list[str]:
    item, handover = link.item, link.handover
    problems = []
    if item.seq != link.seq:
        problems.append(
            f"record {link.seq} is missing: the next stored record says it is number {item.seq}"
        )
    if item.prev_hash != prev:
        problems.append("it does not follow the previous record (one was removed or altered)")
    content = custody.sha256_hex(custody.canonical(content_of(session, handover)))
    if content != handover.content_hash:
        problems.append("its content was altered after it was recorded")
    expected_link = custody.link_hash(
        content_hash=handover.content_hash or "",
        tracking_code=dossier.tracking_code,
        seq=item.seq or 0,
        prev_hash=item.prev_hash or "",
    )
    if expected_link != item.link_hash:
        problems.append("its link hash does not match its content")
    else:
        problems += _signature_problems(item, trust)
    return problems + [_image_problem(check, removable) for check in link.proofs if _bad(check)]


def _signature_problems(item: HandoverItem, trust: Trust) -> list[str]:
    public = trust.keys.get(item.key_id or "")
    if public is None:
        return [f"it names signing key {item.key_id}, which is not one of the published keys"]
    if not custody.verify(public, item.link_hash or "", item.signature):
        return [f"its signature does not verify with the public key {item.key_id}"]
    return []


def _bad(check: ProofCheck) -> bool:
    return check.state in ("missing", "altered", "removal_unproven")


def _image_problem(check: ProofCheck, removable: datetime | None) -> str:
    what = _describe(check.proof)
    if check.state == "missing":
        return f"{what} is missing from storage"
    if check.state == "altered":
        return f"{what} was replaced (its digest differs)"
    if removable is None:
        return f"{what} is marked removed by retention, but the chain shows no delivery"
    return (
        f"{what} is marked removed by retention before the retention period after delivery "
        f"ended ({removable.date().isoformat()})"
    )


def _check_images(
    session: Session,
    handover: Handover,
    storage: Storage,
    removable: datetime | None,
    now: datetime,
) -> list[ProofCheck]:
    checks = []
    for proof in proofs_of(session, handover.id):
        if proof.removed_at is not None:
            proven = removable is not None and removable <= proof.removed_at <= now
            checks.append(
                ProofCheck(proof, "removed_by_retention" if proven else "removal_unproven")
            )
            continue
        try:
            data = storage.get(proof.storage_key)
        except StoredObjectMissing:
            checks.append(ProofCheck(proof, "missing"))
            continue
        ok = hashlib.sha256(data).hexdigest() == proof.sha256
        checks.append(ProofCheck(proof, "ok" if ok else "altered"))
    return checks


def _describe(proof: HandoverProof) -> str:
    if proof.role is ProofRole.PHOTO:
        return f"photo {proof.position + 1}"
    return proof.role.value.replace("_", " ")
