"""The one state machine of a dossier: every status change goes through `apply`."""

from dataclasses import dataclass
from enum import StrEnum

from courier.dossiers.models import DossierStatus as S
from courier.errors import IllegalTransition
from courier.text import mark


class Event(StrEnum):
    """Something that happens to a dossier."""

    BOOK = "book"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    PICK_UP = "pick_up"
    PICKUP_FAIL = "pickup_fail"
    PICKUP_ABANDON = "pickup_abandon"
    DEPART = "depart"
    ARRIVE_POST_OFFICE = "arrive_post_office"
    LEAVE_POST_OFFICE = "leave_post_office"
    TRANSFER = "transfer"
    RECEIVE_AT_CENTER = "receive_at_center"
    START_PROCESSING = "start_processing"
    POSTPONE = "postpone"
    ROLL_OVER = "roll_over"
    RESULT_READY = "result_ready"
    RESULT_PICK_UP = "result_pick_up"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVER = "deliver"
    DELIVERY_FAIL = "delivery_fail"
    COUNTER_FAIL = "counter_fail"
    RETURN_TO_CENTER = "return_to_center"
    COLLECT_AT_CENTER = "collect_at_center"


@dataclass(frozen=True, slots=True)
class EventInfo:
    """How an event is shown: its UPU-style code and its label (an English catalogue id)."""

    code: str
    label: str


# Codes follow the UPU EMSEVT set where one fits (EMA collection, EMC departure, EMD arrival at
# the inward office, EDD/EDE in/out of a sorting office, EDG out for delivery, EMH failed
# delivery, EMI final delivery, EDH held at a collection point); EC* are this service's own.
EVENTS: dict[Event, EventInfo] = {
    Event.BOOK: EventInfo("ECA", mark("Pickup booked")),
    Event.RESCHEDULE: EventInfo("ECB", mark("Pickup rescheduled")),
    Event.CANCEL: EventInfo("ECC", mark("Cancelled")),
    Event.PICK_UP: EventInfo("EMA", mark("Dossier collected by the courier")),
    Event.PICKUP_FAIL: EventInfo("ECD", mark("Pickup attempt failed")),
    Event.PICKUP_ABANDON: EventInfo("ECE", mark("Cancelled after failed pickups")),
    Event.DEPART: EventInfo("EMC", mark("On the way to the center")),
    Event.ARRIVE_POST_OFFICE: EventInfo("EDD", mark("Arrived at the post office")),
    Event.LEAVE_POST_OFFICE: EventInfo("EDE", mark("Left the post office")),
    Event.TRANSFER: EventInfo("EMJ", mark("Handed between couriers")),
    Event.RECEIVE_AT_CENTER: EventInfo("EMD", mark("Received at the administration center")),
    Event.START_PROCESSING: EventInfo("ECP", mark("Being processed")),
    Event.POSTPONE: EventInfo("ECG", mark("Result date postponed")),
    Event.ROLL_OVER: EventInfo(
        "ECH", mark("Today's routes were full; moved to the next working day")
    ),
    Event.RESULT_READY: EventInfo("ECR", mark("Result ready")),
    Event.RESULT_PICK_UP: EventInfo("EMF", mark("Result collected by the courier")),
    Event.OUT_FOR_DELIVERY: EventInfo("EDG", mark("Out for delivery")),
    Event.DELIVER: EventInfo("EMI", mark("Result delivered")),
    Event.DELIVERY_FAIL: EventInfo("EMH", mark("Delivery attempt failed")),
    Event.COUNTER_FAIL: EventInfo(
        "ECF", mark("Handover at the counter failed; retried on the next working day")
    ),
    Event.RETURN_TO_CENTER: EventInfo("EDH", mark("Result returned to the center")),
    Event.COLLECT_AT_CENTER: EventInfo("EMI", mark("Result collected at the center")),
}

_BEFORE_PICKUP = (S.BOOKED, S.PICKUP_FAILED)
CARRIED_IN = (S.PICKED_UP, S.IN_TRANSIT)
_CARRIED_OUT = (S.RESULT_PICKED_UP, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED)

# event -> {from status: to status}; booking creates a dossier, so BOOK has no row here
TRANSITIONS: dict[Event, dict[S, S]] = {
    Event.RESCHEDULE: dict.fromkeys(_BEFORE_PICKUP, S.BOOKED),
    Event.CANCEL: dict.fromkeys(_BEFORE_PICKUP, S.CANCELLED),
    Event.PICK_UP: dict.fromkeys(_BEFORE_PICKUP, S.PICKED_UP),
    Event.PICKUP_FAIL: dict.fromkeys(_BEFORE_PICKUP, S.PICKUP_FAILED),
    Event.PICKUP_ABANDON: dict.fromkeys(_BEFORE_PICKUP, S.CANCELLED),
    Event.DEPART: {S.PICKED_UP: S.IN_TRANSIT},
    Event.ARRIVE_POST_OFFICE: {
        S.PICKED_UP: S.IN_TRANSIT,
        S.IN_TRANSIT: S.IN_TRANSIT,
        S.RESULT_PICKED_UP: S.RESULT_PICKED_UP,
        S.OUT_FOR_DELIVERY: S.RESULT_PICKED_UP,
        S.DELIVERY_FAILED: S.RESULT_PICKED_UP,
    },
    Event.LEAVE_POST_OFFICE: {S.IN_TRANSIT: S.IN_TRANSIT, S.RESULT_PICKED_UP: S.OUT_FOR_DELIVERY},
    Event.TRANSFER: {
        S.PICKED_UP: S.IN_TRANSIT,
        S.IN_TRANSIT: S.IN_TRANSIT,
        S.RESULT_PICKED_UP: S.RESULT_PICKED_UP,
        S.OUT_FOR_DELIVERY: S.OUT_FOR_DELIVERY,
    },
    Event.RECEIVE_AT_CENTER: dict.fromkeys(CARRIED_IN, S.RECEIVED_AT_CENTER),
    Event.START_PROCESSING: {S.RECEIVED_AT_CENTER: S.PROCESSING},
    Event.POSTPONE: {S.RECEIVED_AT_CENTER: S.RECEIVED_AT_CENTER, S.PROCESSING: S.PROCESSING},
    Event.RESULT_READY: {S.RECEIVED_AT_CENTER: S.RESULT_READY, S.PROCESSING: S.RESULT_READY},
    Event.RESULT_PICK_UP: {S.RESULT_READY: S.RESULT_PICKED_UP},
    Event.OUT_FOR_DELIVERY: {S.RESULT_PICKED_UP: S.OUT_FOR_DELIVERY},
    Event.DELIVER: dict.fromkeys(_CARRIED_OUT, S.DELIVERED),
    Event.DELIVERY_FAIL: dict.fromkeys(_CARRIED_OUT, S.DELIVERY_FAILED),
    # the counter could not take the dossier, or had no result to give: nothing moves
    Event.COUNTER_FAIL: {
        S.PICKED_UP: S.PICKED_UP,
        S.IN_TRANSIT: S.IN_TRANSIT,
        S.RESULT_READY: S.RESULT_READY,
    },
    Event.RETURN_TO_CENTER: dict.fromkeys(_CARRIED_OUT, S.RETURNED_TO_CENTER),
    Event.COLLECT_AT_CENTER: {S.RESULT_READY: S.DELIVERED, S.RETURNED_TO_CENTER: S.DELIVERED},
}

TERMINAL = frozenset({S.DELIVERED, S.CANCELLED})


def nominal_target(event: Event) -> S:
    """The status an event usually leads to, to name it when the event is refused."""
    targets = list(TRANSITIONS.get(event, {}).values()) or [S.BOOKED]
    # the most frequent target; ties go to the first in the table, so messages never vary
    return max(targets, key=targets.count)


def target(current: S, event: Event) -> S:
    """The status `event` leads to from `current`, or `IllegalTransition` naming both."""
    to = TRANSITIONS.get(event, {}).get(current)
    if to is None:
        raise IllegalTransition(current.value, event.value, nominal_target(event).value)
    return to


def allowed_events(current: S) -> list[Event]:
    """The events the machine accepts in `current`, for error messages and screens."""
    return [event for event, table in TRANSITIONS.items() if current in table]
