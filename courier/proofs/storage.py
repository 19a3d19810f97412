"""Where proof images and receipts live: the media folder by default, an S3 bucket in production.

The database keeps only keys and digests. Each proof image is stored under a key of its own (a
random name; images stored before that kept their SHA-256 as name, and are still read there), so
one damaged file touches one record, never the dossiers of another upload that happened to be
identical. A retried request replays its handover and writes nothing new. Images and receipts
are read through `read_checked`: bytes that no longer match their recorded digest are never
served or printed.
"""

import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from courier.errors import Conflict
from courier.settings import Settings
from courier.text import mark

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

_KEY = re.compile(r"^[a-z0-9][a-z0-9/_.-]{0,200}$")


class StoredObjectMissing(LookupError):
    """No object is stored under the key."""


DAMAGED_TITLE = mark("This file is damaged")
DAMAGED = mark(
    "This stored file is damaged: it no longer matches the fingerprint recorded when it was "
    "saved, so it is not shown. The operators have been alerted to restore it from a backup."
)

# an operator alerts on this logger's ERRORs (README "Handovers and their proof")
log = logging.getLogger(__name__)


class StoredObjectDamaged(Conflict):
    """The stored bytes differ from the SHA-256 recorded when they were stored."""


class Storage(Protocol):
    """A flat key → bytes store."""

    def put(self, key: str, data: bytes, media_type: str) -> None:
        """Store `data` under `key`, replacing what was there."""

    def get(self, key: str) -> bytes:
        """The bytes under `key`, or `StoredObjectMissing`."""

    def delete(self, key: str) -> None:
        """Remove `key`; removing a missing key is not an error."""

    def exists(self, key: str) -> bool:
        """True when something is stored under `key`."""


def check_key(key: str) -> str:
    """Refuse keys that could escape the store's root."""
    if not _KEY.match(key) or ".." in key or "//" in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


def read_checked(storage: Storage, key: str, sha256: str) -> bytes:
    """The bytes under `key` if their SHA-256 is the recorded one; `StoredObjectDamaged` (logged
    as an ERROR) if not, `StoredObjectMissing` if nothing is there."""
    data = storage.get(key)
    found = hashlib.sha256(data).hexdigest()
    if found != sha256:
        log.error(
            "stored file damaged: %s has sha256 %s, recorded %s; refused, restore it from a backup",
            key,
            found,
            sha256,
        )
        raise StoredObjectDamaged(DAMAGED, code="proof_damaged")
    return data


class LocalStorage:
    """Files under a folder; each write lands whole or not at all (write, fsync, rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """The file that holds `key`."""
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, media_type: str) -> None:
        """Store `data` under `key`, replacing what was there."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        """The bytes under `key`, or `StoredObjectMissing`."""
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StoredObjectMissing(key) from exc

    def delete(self, key: str) -> None:
        """Remove `key`; removing a missing key is not an error."""
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """True when something is stored under `key`."""
        return self.path(key).is_file()


class S3Storage:
    """Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW...) through boto3."""

    def __init__(self, client: "S3Client", bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, media_type: str) -> None:
        """Store `data` under `key`, replacing what was there."""
        self.client.put_object(
            Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=media_type
        )

    def get(self, key: str) -> bytes:
        """The bytes under `key`, or `StoredObjectMissing`."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey as exc:
            raise StoredObjectMissing(key) from exc
        body: bytes = response["Body"].read()
        return body

    def delete(self, key: str) -> None:
        """Remove `key`; removing a missing key is not an error."""
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def exists(self, key: str) -> bool:
        """True when something is stored under `key` (HEAD: one object, no listing right needed)."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


def make_storage(settings: Settings) -> Storage:
    """The store the settings name."""
    if settings.storage_backend == "s3":
        import boto3

        client: S3Client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key,
        )
        return S3Storage(client, settings.s3_bucket, settings.s3_prefix)
    return LocalStorage(settings.media_dir)


_stores: dict[tuple[object, ...], Storage] = {}


def storage_for(settings: Settings) -> Storage:
    """The process's store for these settings (one boto3 client per bucket)."""
    key = (
        settings.storage_backend,
        settings.media_dir.resolve(),
        settings.s3_endpoint_url,
        settings.s3_bucket,
        settings.s3_prefix,
    )
    if key not in _stores:
        _stores[key] = make_storage(settings)
    return _stores[key]
