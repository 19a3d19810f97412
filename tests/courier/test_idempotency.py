"""Idempotency keys are each caller's own: another's key is stored as a key derived for the caller."""

from courier.actors import Actor
from courier.idempotency import stored_key

COURIER_1 = Actor(kind="user", id=11)
COURIER_2 = Actor(kind="user", id=12)


def test_a_free_key_and_ones_own_key_are_stored_as_sent() -> None:
    """Nobody else holds the key: it is stored as the client sent it."""
    assert stored_key("phone-7f3a-0001", COURIER_1, lambda _: False) == "phone-7f3a-0001"


def test_another_callers_key_is_derived_for_each_caller() -> None:
    """Two callers finding the key taken get keys of their own, stable across retries."""
    mine = stored_key("phone-7f3a-0001", COURIER_1, lambda _: True)
    theirs = stored_key("phone-7f3a-0001", COURIER_2, lambda _: True)
    assert mine.startswith("~")
    assert len(mine) == 64
    assert mine != theirs
    assert mine == stored_key("phone-7f3a-0001", COURIER_1, lambda _: True)


def test_a_key_shaped_like_a_derived_one_is_never_stored_as_sent() -> None:
    """A client cannot take the key derived for someone else by sending it."""
    derived = stored_key("phone-7f3a-0001", COURIER_1, lambda _: True)
    sent = stored_key(derived, COURIER_2, lambda _: False)
    assert sent != derived
    assert sent.startswith("~")
