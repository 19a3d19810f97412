"""The world the attacks are tried on, made once per module: two post offices, two centers, a
dossier of each kind of exposure, and everyone's credentials.

Thu Dau Mot is office A (dispatcher dispatch.tdm, courier BD-CR-TDM-01) and its center BD-TDM is
site X (clerk center.tdm); Di An is office B (dispatch.da, BD-CR-DA-01) and Thuan An's center
BD-TA is site Y (center.thuanan). `victim` is citizen.an's dossier, picked up by BD-CR-TDM-01
with a signed, photographed handover; `received` is a dossier handed in at BD-TDM; `plan` is
office A's plan for the booking day.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier.accounts import service as accounts
from courier.accounts.models import ApiKey, User
from courier.dossiers.models import Dossier, Job, JobAttempt
from courier.enums import Role
from courier.handovers.models import Handover, HandoverItem
from courier.planning import requesting
from courier.planning.models import Plan, PlanLock
from courier.proofs.kinds import ProofRole
from courier.proofs.models import HandoverProof, Receipt
from courier.settings import Settings
from tests.builders import (
    STAFF_TDM,
    book,
    booking_body,
    booking_day,
    counts,
    headers_for,
    pick_up,
    site_id,
    to_center,
)

NAME = "Hoàng Thị Mai Phương"
ADDRESS = "45 Bạch Đằng, phường Phú Cường, Thủ Dầu Một"
PHONE = "0987 654 321"
SUFFIX = "4321"
# what no answer to an attacker may hold: the victim's name, address and phone digits
PERSONAL = (NAME, ADDRESS, "987654321")
UNKNOWN = "HS000000000VN"  # a well-formed code no dossier has
OTHER_CITIZEN = ("citizen.binh", "another-citizen-2026")
USERS = (
    "admin",
    "citizen.an",
    "enterprise.minhphat",
    "bd-cr-tdm-01",
    "bd-cr-tdm-02",
    "bd-cr-da-01",
    "dispatch.tdm",
    "dispatch.da",
    STAFF_TDM,
    "center.thuanan",
)


@dataclass
class World:
    """The module's dossiers, plan and credentials; `client` and `session` are the attack's own."""

    client: TestClient
    session: Session
    settings: Settings
    victim: str = ""
    received: str = ""
    plan: int = 0
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    # the state an attack must leave as it found it (taken after any arranging of its own)
    snapshot_before: list[Any] = field(default_factory=list)

    def as_(self, who: str) -> dict[str, str]:
        """Bearer headers of a user, or the X-API-Key of a key ("key:site_x", "key:site_y")."""
        if who.startswith("key:"):
            return {"X-API-Key": self.keys[who.removeprefix("key:")]}
        return self.headers[who]

    def job(self, code: str | None = None, kind: str = "pickup") -> int:
        """The id of a dossier's inbound job of that kind (the victim's by default)."""
        query = select(Job.id).join(Dossier).where(Dossier.tracking_code == (code or self.victim))
        found = self.session.scalar(query.where(Job.kind == kind).order_by(Job.id).limit(1))
        assert found is not None
        return found

    def handover(self, code: str | None = None) -> int:
        """The id of a dossier's latest handover (the victim's pickup by default)."""
        query = (
            select(Handover.id)
            .join(HandoverItem, HandoverItem.handover_id == Handover.id)
            .join(Dossier, Dossier.id == HandoverItem.dossier_id)
            .where(Dossier.tracking_code == (code or self.victim))
        )
        found = self.session.scalar(query.order_by(Handover.id.desc()).limit(1))
        assert found is not None
        return found

    def proof(self, role: ProofRole = ProofRole.SIGNATURE) -> int:
        """The id of an image of the victim's pickup (the citizen's signature by default)."""
        query = select(HandoverProof.id).where(
            HandoverProof.handover_id == self.handover(), HandoverProof.role == role
        )
        found = self.session.scalar(query.limit(1))
        assert found is not None
        return found

    def snapshot(self) -> list[Any]:
        """Every dossier's state and holder, every job's status and courier, the accounts and
        keys, plans and locks, and how many rows of each kind and stored files exist."""
        s = self.session
        s.expire_all()
        dossiers = select(
            Dossier.tracking_code,
            Dossier.status,
            Dossier.holder_kind,
            Dossier.holder_id,
            Dossier.owner_id,
            Dossier.post_office_id,
            Dossier.preferred_on,
            Dossier.due_on,
        ).order_by(Dossier.id)
        jobs = select(Job.id, Job.status, Job.courier_id, Job.attempts).order_by(Job.id)
        users = select(User.username, User.role, User.active).order_by(User.id)
        keys = select(ApiKey.id, ApiKey.active).order_by(ApiKey.id)
        plans = select(Plan.id, Plan.status, Plan.depot_ids).order_by(Plan.id)
        rows = {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (JobAttempt, HandoverProof, Receipt, PlanLock)
        }
        media = sorted(str(p) for p in Path(self.settings.media_dir).rglob("*") if p.is_file())
        return [
            counts(s),
            rows,
            media,
            *([tuple(r) for r in s.execute(q)] for q in (dossiers, jobs, users, keys, plans)),
        ]


def _credentials(w: World) -> None:
    s = w.session
    accounts.create_user(s, username=OTHER_CITIZEN[0], password=OTHER_CITIZEN[1], role=Role.CITIZEN)
    _, w.keys["site_x"] = accounts.create_api_key(
        s, name="TDM system", site_id=site_id(s, "BD-TDM")
    )
    _, w.keys["site_y"] = accounts.create_api_key(s, name="TA system", site_id=site_id(s, "BD-TA"))
    s.commit()
    w.headers = {who: headers_for(s, who) for who in (*USERS, OTHER_CITIZEN[0])}
    w.headers["anonymous"] = {}


def build(w: World) -> World:
    """Book, pick up, hand in and plan, as the table's attacks need."""
    _credentials(w)
    body = booking_body(applicant_name=NAME, address_text=ADDRESS, phone=PHONE)
    answer = w.client.post("/api/v1/bookings", json=body, headers=w.as_("citizen.an"))
    assert answer.status_code == 201, answer.text
    w.victim = answer.json()["tracking_code"]
    pick_up(w.client, w.session, w.victim)
    w.received = book(w.client)["tracking_code"]
    to_center(w.client, w.session, [w.received], courier="BD-CR-TDM-02")
    plan = requesting.request_plan(
        w.session,
        None,
        service_on=booking_day(),
        depot_codes=["BD-PO-TDM-1"],
        settings=w.settings,
        enqueue_build=False,
    )
    w.plan = plan.id
    w.session.commit()
    return w
