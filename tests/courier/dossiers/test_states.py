"""The dossier state machine: what it accepts and how it refuses."""

import pytest

from courier.dossiers import states
from courier.dossiers.models import DossierStatus as S
from courier.dossiers.states import TRANSITIONS, Event
from courier.errors import IllegalTransition

ILLEGAL = [
    (status, event) for event in Event for status in S if status not in TRANSITIONS.get(event, {})
]


@pytest.mark.parametrize(("current", "event"), ILLEGAL, ids=[f"{s}-{e}" for s, e in ILLEGAL])
def test_illegal_transition_is_refused_naming_both_states(current: S, event: Event) -> None:
    """Every (status, event) outside the table raises IllegalTransition naming both states."""
    with pytest.raises(IllegalTransition) as refused:
        states.target(current, event)
    assert refused.value.current == current.value
    assert refused.value.target is not None
    assert current.value in refused.value.message
    assert refused.value.target in refused.value.message


def test_the_refusal_names_the_same_requested_state_every_time() -> None:
    """A refused event always names one requested state (ties broken by the table's order)."""
    assert states.nominal_target(Event.LEAVE_POST_OFFICE) is S.IN_TRANSIT
    assert states.nominal_target(Event.ARRIVE_POST_OFFICE) is S.RESULT_PICKED_UP


@pytest.mark.parametrize("terminal", sorted(states.TERMINAL))
def test_nothing_leaves_a_terminal_status(terminal: S) -> None:
    """Delivered and cancelled dossiers accept no event."""
    assert states.allowed_events(terminal) == []


def test_cancel_only_before_pickup() -> None:
    """A booking can be cancelled while booked or after a failed pickup, never once collected."""
    assert {s for s in S if Event.CANCEL in states.allowed_events(s)} == {
        S.BOOKED,
        S.PICKUP_FAILED,
    }


def test_the_nominal_lifecycle_is_accepted() -> None:
    """Booked to delivered through the events of the design's flow."""
    flow = [
        Event.PICK_UP,
        Event.DEPART,
        Event.RECEIVE_AT_CENTER,
        Event.START_PROCESSING,
        Event.RESULT_READY,
        Event.RESULT_PICK_UP,
        Event.OUT_FOR_DELIVERY,
        Event.DELIVER,
    ]
    status = S.BOOKED
    for event in flow:
        status = states.target(status, event)
    assert status is S.DELIVERED


def test_every_status_is_reachable_and_every_event_has_a_label() -> None:
    """No dead status in the table; every event has its UPU-style code and two labels."""
    reached = {S.BOOKED} | {to for table in TRANSITIONS.values() for to in table.values()}
    assert reached == set(S)
    assert all(info.code and info.label for info in states.EVENTS.values())
    assert set(states.EVENTS) == set(Event)
