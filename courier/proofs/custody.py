"""The custody chain's cryptography: canonical content, SHA-256 links and Ed25519 signatures.

Each handover's content (parties, place, times, fees, seal, checklist, the dossiers it moved and
the SHA-256 of each image) is hashed once. For every dossier it moved, a link hashes that content
with the dossier's code, its place in the dossier's chain and the previous link's hash; the server
signs the link hash. Anyone holding the public key can check a link printed on a receipt.
"""

import base64
import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from courier.settings import Settings

GENESIS = "0" * 64
VERSION = 1


class SigningKeyMissing(RuntimeError):
    """Production has no signing key: it must be provisioned, never invented at run time."""


def canonical(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


def timestamp(value: datetime | None) -> str | None:
    """A time as it enters a hash: UTC, ISO 8601, microseconds."""
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def link_hash(*, content_hash: str, tracking_code: str, seq: int, prev_hash: str) -> str:
    """The hash of one dossier's link: the handover content placed in the dossier's chain."""
    link = {
        "v": VERSION,
        "content": content_hash,
        "dossier": tracking_code,
        "seq": seq,
        "prev": prev_hash,
    }
    return sha256_hex(canonical(link))


@dataclass(frozen=True, slots=True)
class SigningKey:
    """The server's Ed25519 key and its short public id."""

    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        """The public half."""
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        """A short fingerprint of the public key, printed on receipts."""
        return key_id(self.public)

    def sign(self, link: str) -> str:
        """Base64 Ed25519 signature of a link hash."""
        return base64.b64encode(self.private.sign(link.encode("ascii"))).decode("ascii")


def key_id(public: Ed25519PublicKey) -> str:
    """`ed25519:` and 16 hex digits of the SHA-256 of the raw public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + sha256_hex(raw)[:16]


def public_pem(public: Ed25519PublicKey) -> str:
    """The public key as PEM (SubjectPublicKeyInfo), for `openssl pkeyutl -verify`."""
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def public_raw_b64(public: Ed25519PublicKey) -> str:
    """The 32 raw bytes of the public key, base64."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def verify(public: Ed25519PublicKey, link: str, signature: str | None) -> bool:
    """True when `signature` is the key's signature of the link hash."""
    if not signature:
        return False
    try:
        public.verify(base64.b64decode(signature, validate=True), link.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True


_keys: dict[Path, SigningKey] = {}


def signing_key(settings: Settings) -> SigningKey:
    """The key in `COURIER_SIGNING_KEY_FILE`; development and tests make one on first use."""
    path = settings.signing_key_file.resolve()
    if path not in _keys:
        if not path.exists():
            if settings.environment == "production":
                raise SigningKeyMissing(
                    f"no signing key at {path}; create one with `courier keys signing-key`"
                )
            with contextlib.suppress(FileExistsError):  # another process made it first
                write_new_key(path)
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise SigningKeyMissing(f"{path} does not hold an Ed25519 private key")
        _keys[path] = SigningKey(loaded)
    return _keys[path]


_PEM_END = "-----END PUBLIC KEY-----"


def retired_keys(path: Path) -> list[Ed25519PublicKey]:
    """The public keys (PEM blocks one after another) of signing keys retired by a rotation."""
    if not path.is_file():
        return []
    keys = []
    for block in path.read_text(encoding="ascii").split(_PEM_END):
        if block.strip():
            loaded = serialization.load_pem_public_key((block.strip() + "\n" + _PEM_END).encode())
            if not isinstance(loaded, Ed25519PublicKey):
                raise SigningKeyMissing(f"{path} holds a public key that is not Ed25519")
            keys.append(loaded)
    return keys


def published_keys(settings: Settings) -> dict[str, Ed25519PublicKey]:
    """Every key a link may be signed with, by id: the current one first, then retired ones."""
    current = signing_key(settings).public
    keys = {key_id(current): current}
    for public in retired_keys(settings.signing_retired_keys_file):
        keys.setdefault(key_id(public), public)
    return keys


def write_new_key(path: Path) -> SigningKey:
    """Create a new Ed25519 key file readable by its owner only; never overwrite one."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return SigningKey(key)
