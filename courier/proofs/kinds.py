"""What each kind of handover must carry as proof, and the reasons a result date may move."""

from dataclasses import dataclass
from enum import StrEnum

from courier.enums import PartyKind

MAX_PHOTOS = 6


class ProofRole(StrEnum):
    """What an image proves."""

    SIGNATURE = "signature"
    COUNTER_SIGNATURE = "counter_signature"
    PHOTO = "photo"


class Signer(StrEnum):
    """Which side of the handover signs on the pad."""

    GIVER = "giver"
    RECEIVER = "receiver"


@dataclass(frozen=True, slots=True)
class Requirements:
    """The proof a kind of handover needs; anything missing is refused by name."""

    signer: Signer
    countersigned: bool = False
    seal: bool = False
    checklist: bool = False
    fee: bool = False
    min_photos: int = 0


_C, _K, _P, _S = PartyKind.CITIZEN, PartyKind.COURIER, PartyKind.POST_OFFICE, PartyKind.CENTER

# (giver, receiver) -> requirements. A pickup is the citizen's dossier slip: the citizen signs,
# the courier ticks the checklist, seals the packet and photographs it. At a center both sides sign
# the delivery record. The party that takes custody signs in every other case.
REQUIREMENTS: dict[tuple[PartyKind, PartyKind], Requirements] = {
    (_C, _K): Requirements(Signer.GIVER, seal=True, checklist=True, fee=True, min_photos=1),
    (_K, _P): Requirements(Signer.RECEIVER, seal=True),
    (_P, _K): Requirements(Signer.RECEIVER, seal=True),
    (_K, _K): Requirements(Signer.RECEIVER, seal=True),
    (_K, _S): Requirements(Signer.RECEIVER, countersigned=True, seal=True),
    (_S, _K): Requirements(Signer.RECEIVER, countersigned=True, seal=True),
    (_K, _C): Requirements(Signer.RECEIVER, fee=True),
    (_S, _C): Requirements(Signer.RECEIVER),
}


class DocumentForm(StrEnum):
    """How a required document was handed in."""

    ORIGINAL = "original"
    COPY = "copy"


class PostponementReason(StrEnum):
    """Why a center moves a result date (shown on the public timeline, so no free text)."""

    ADDITIONAL_VERIFICATION = "additional_verification"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    INTER_AGENCY_CONSULTATION = "inter_agency_consultation"
    SITE_INSPECTION = "site_inspection"
    FORCE_MAJEURE = "force_majeure"
