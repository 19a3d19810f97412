"""The custody chain verifies, and names the first broken link after each kind of tampering."""

import base64
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier.dossiers.models import Dossier
from courier.handovers.models import Handover, HandoverItem
from courier.proofs.custody import (
    canonical,
    link_hash,
    public_pem,
    sha256_hex,
    signing_key,
    write_new_key,
)
from courier.proofs.models import HandoverProof
from courier.proofs.service import content_of
from courier.settings import Settings
from tests.builders import STAFF_TDM, book, headers_for, to_out_for_delivery

BOOKING_PHONE_LAST4 = "5678"


def _chain(client: TestClient, code: str, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get(f"/api/v1/dossiers/{code}/custody", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(name="carried")
def carried_dossier(client: TestClient, session: Session) -> tuple[str, dict[str, str]]:
    """A post-return dossier out for delivery: three handovers (pickup, center, result)."""
    code = book(client, result_return="post")["tracking_code"]
    to_out_for_delivery(client, session, code)
    return code, headers_for(session, STAFF_TDM)


def _items(session: Session, code: str) -> list[HandoverItem]:
    session.expire_all()
    query = text(
        "SELECT handover_item.id FROM handover_item JOIN dossier ON dossier.id = dossier_id "
        "WHERE dossier.tracking_code = :code ORDER BY handover_item.seq"
    )
    ids = [row[0] for row in session.execute(query, {"code": code})]
    return [session.get_one(HandoverItem, i) for i in ids]


def test_an_untouched_chain_verifies_link_by_link(
    client: TestClient, carried: tuple[str, dict[str, str]]
) -> None:
    """Three links, each pointing at the one before, every image intact."""
    code, staff = carried
    chain = _chain(client, code, staff)
    assert chain["verified"] is True
    assert chain["first_broken"] is None
    assert [link["seq"] for link in chain["links"]] == [1, 2, 3]
    assert chain["links"][0]["prev_hash"] == "0" * 64
    assert chain["links"][1]["prev_hash"] == chain["links"][0]["link_hash"]
    assert all(p["state"] == "ok" for link in chain["links"] for p in link["proofs"])


def test_a_receipt_checks_offline_with_the_published_key(
    client: TestClient, carried: tuple[str, dict[str, str]]
) -> None:
    """The printed link hash and signature verify with the public key alone."""
    code, staff = carried
    published = client.get("/api/v1/custody/public-key").json()
    key = load_pem_public_key(published["public_key_pem"].encode())
    assert isinstance(key, Ed25519PublicKey)
    for link in _chain(client, code, staff)["links"]:
        key.verify(base64.b64decode(link["signature"]), link["link_hash"].encode())
        assert link["key_id"] == published["key_id"]


def test_an_altered_record_is_named(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """The fee of the pickup changed in the database: link 1 no longer matches its hash."""
    code, staff = carried
    first = _items(session, code)[0]
    session.execute(
        update(Handover).where(Handover.id == first.handover_id).values(fees_collected_vnd=0)
    )
    chain = _chain(client, code, staff)
    assert chain["verified"] is False
    assert chain["first_broken"]["seq"] == 1
    assert "altered" in chain["first_broken"]["problem"]


def test_a_forged_link_hash_breaks_the_link(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """A link hash overwritten in the database no longer matches its content."""
    code, staff = carried
    second = _items(session, code)[1]
    session.execute(
        update(HandoverItem).where(HandoverItem.id == second.id).values(link_hash="f" * 64)
    )
    chain = _chain(client, code, staff)
    assert chain["first_broken"]["seq"] == 2


def _rewrite_consistently(session: Session, code: str) -> HandoverItem:
    """Change the last record's seal and recompute its content hash, link hash and the head."""
    item = _items(session, code)[-1]
    handover = session.get_one(Handover, item.handover_id)
    dossier = session.get_one(Dossier, item.dossier_id)
    handover.seal_number = "NP-FORGED"
    handover.content_hash = sha256_hex(canonical(content_of(session, handover)))
    item.link_hash = link_hash(
        content_hash=handover.content_hash,
        tracking_code=code,
        seq=item.seq or 0,
        prev_hash=item.prev_hash or "",
    )
    dossier.custody_head = item.link_hash
    session.flush()
    return item


def test_a_consistently_rewritten_record_fails_only_its_signature(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """Every hash recomputed after the change: the Ed25519 signature catches it, and the custody
    log still anchors the record as it was written."""
    code, staff = carried
    item = _rewrite_consistently(session, code)
    chain = _chain(client, code, staff)
    entry = chain["links"][2]["anchor"]
    assert chain["first_broken"] == {
        "seq": 3,
        "problem": f"its signature does not verify with the public key {item.key_id}; it is not "
        f"the record anchored in custody log entry {entry['seq']} ({entry['day']}): that record "
        "was removed or replaced",
    }


def test_a_link_naming_an_unpublished_key_is_broken(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """The key id is checked: a link claiming another key is not verified with the current one."""
    code, staff = carried
    first = _items(session, code)[0]
    first.key_id = "ed25519:0000000000000000"
    session.flush()
    chain = _chain(client, code, staff)
    assert chain["first_broken"] == {
        "seq": 1,
        "problem": "it names signing key ed25519:0000000000000000, which is not one of the "
        "published keys",
    }


def test_after_a_key_rotation_old_links_verify_with_the_retired_key(
    factory: sessionmaker[Session],
    session: Session,
    carried: tuple[str, dict[str, str]],
    tmp_path: Path,
) -> None:
    """A new signing key, the old public key listed as retired: the chain verifies, both publish."""
    code, staff = carried
    old = signing_key(Settings())
    retired = tmp_path / "retired.pem"
    retired.write_text(public_pem(old.public))
    rotated = Settings().model_copy(
        update={"signing_key_file": tmp_path / "new.pem", "signing_retired_keys_file": retired}
    )
    new = write_new_key(rotated.signing_key_file)
    with TestClient(create_app(rotated, factory)) as client:
        assert _chain(client, code, staff)["verified"] is True
        published = client.get("/api/v1/custody/public-key").json()
        retired.unlink()
        forgotten = _chain(client, code, staff)
    assert published["key_id"] == new.key_id
    assert [(k["key_id"], k["status"]) for k in published["keys"]] == [
        (new.key_id, "current"),
        (old.key_id, "retired"),
    ]
    assert forgotten["first_broken"]["seq"] == 1
    assert "not one of the published keys" in forgotten["first_broken"]["problem"]


def test_a_replaced_image_file_is_named(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """The pickup photo swapped on disk: link 1 says photo 1 was replaced."""
    code, staff = carried
    first = _items(session, code)[0]
    photo = session.scalars(
        select(HandoverProof).where(
            HandoverProof.handover_id == first.handover_id, HandoverProof.role == "photo"
        )
    ).one()
    path = Path(Settings().media_dir) / photo.storage_key
    original = path.read_bytes()
    try:
        path.write_bytes(original[:-10] + b"0123456789")
        chain = _chain(client, code, staff)
        assert chain["first_broken"] == {
            "seq": 1,
            "problem": "photo 1 was replaced (its digest differs)",
        }
        path.unlink()
        chain = _chain(client, code, staff)
        assert chain["first_broken"] == {"seq": 1, "problem": "photo 1 is missing from storage"}
    finally:
        path.write_bytes(original)
    assert _chain(client, code, staff)["verified"] is True


def test_a_deleted_record_in_the_middle_is_named(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """The center's receipt record removed from the database: the chain breaks at record 2."""
    code, staff = carried
    second = _items(session, code)[1]
    session.execute(delete(HandoverItem).where(HandoverItem.id == second.id))
    chain = _chain(client, code, staff)
    assert chain["verified"] is False
    assert chain["first_broken"]["seq"] == 2
    assert "record 2 is missing" in chain["first_broken"]["problem"]


def test_a_deleted_last_record_is_noticed(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """Removing the newest record leaves a chain that ends early: the dossier's head says so."""
    code, staff = carried
    last = _items(session, code)[-1]
    session.execute(delete(HandoverItem).where(HandoverItem.id == last.id))
    chain = _chain(client, code, staff)
    assert chain["verified"] is False
    assert chain["first_broken"]["seq"] == 3
    assert "later record was removed" in chain["first_broken"]["problem"]


def test_the_citizen_checks_custody_with_the_phone_digits(
    client: TestClient, carried: tuple[str, dict[str, str]]
) -> None:
    """From the receipt's QR code: the phone's last 4 digits open the chain; a wrong one is 404."""
    code, _ = carried
    ok = client.get(f"/api/v1/dossiers/{code}/custody", params={"phone": BOOKING_PHONE_LAST4})
    assert ok.status_code == 200
    assert ok.json()["verified"] is True
    assert "applicant" not in ok.text
    assert "Nguyễn" not in ok.text
    wrong = client.get(f"/api/v1/dossiers/{code}/custody", params={"phone": "0000"})
    assert wrong.status_code == 404
    assert client.get(f"/api/v1/dossiers/{code}/custody").status_code == 401
