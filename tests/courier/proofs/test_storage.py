"""Both stores keep bytes under keys: the media folder, and an S3 API (moto's server, over HTTP)."""

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from courier.proofs.storage import (
    LocalStorage,
    S3Storage,
    Storage,
    StoredObjectMissing,
    make_storage,
)
from courier.settings import Settings


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A local S3-compatible endpoint (moto in server mode, spoken to over HTTP by boto3)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _s3(endpoint: str) -> S3Storage:
    settings = Settings(
        storage_backend="s3",
        s3_endpoint_url=endpoint,
        s3_bucket="courier-test",
        s3_prefix="proofs-test",
        s3_region="us-east-1",
        s3_access_key_id="test",
        s3_secret_access_key="test",
    )
    store = make_storage(settings)
    assert isinstance(store, S3Storage)
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket="courier-test")
    return store


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """Each implementation of the interface."""
    if request.param == "local":
        return LocalStorage(tmp_path)
    return _s3(request.getfixturevalue("s3_endpoint"))


def test_put_get_delete(store: Storage) -> None:
    """What is put is read back whole; after delete it is missing, and deleting again is fine."""
    key = "proofs/ab/abcdef.jpg"
    assert not store.exists(key)
    store.put(key, b"\xff\xd8 photo", "image/jpeg")
    assert store.exists(key)
    assert store.get(key) == b"\xff\xd8 photo"
    store.put(key, b"replaced", "image/jpeg")
    assert store.get(key) == b"replaced"
    store.delete(key)
    store.delete(key)
    with pytest.raises(StoredObjectMissing):
        store.get(key)


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "UPPER/x", ""])
def test_keys_cannot_escape_the_store(tmp_path: Path, key: str) -> None:
    """Keys are checked before any path is built."""
    with pytest.raises(ValueError, match="not a storage key"):
        LocalStorage(tmp_path).put(key, b"x", "text/plain")


def test_the_local_store_leaves_no_partial_file(tmp_path: Path) -> None:
    """Writes go through a temporary file and a rename: only whole files are visible."""
    store = LocalStorage(tmp_path)
    store.put("receipts/0001/1.pdf", b"%PDF", "application/pdf")
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["1.pdf"]


def test_s3_exists_asks_for_the_one_object_not_a_listing(s3_endpoint: str) -> None:
    """`exists` is a HEAD of the key: it works with a role that may read objects but not list."""
    store = _s3(s3_endpoint)
    store.put("proofs/ab/abc.jpg", b"x", "image/jpeg")
    with Stubber(store.client) as stub:
        name = "proofs-test/proofs/ab/abc.jpg"
        stub.add_response(
            "head_object", {"ContentLength": 1}, {"Bucket": "courier-test", "Key": name}
        )
        stub.add_client_error(
            "head_object",
            service_error_code="404",
            http_status_code=404,
            expected_params={"Bucket": "courier-test", "Key": name + ".bak"},
        )
        assert store.exists("proofs/ab/abc.jpg")
        assert not store.exists("proofs/ab/abc.jpg.bak")
        stub.assert_no_pending_responses()
