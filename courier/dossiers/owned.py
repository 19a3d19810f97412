"""An account's own dossiers: the ones it booked (its own bookings, its API keys', its batches)."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier.dossiers import codes
from courier.dossiers.models import Dossier
from courier.errors import DossierNotFound
from courier.text import mark

# a catalogue id (the same sentence as the staff's): the answer is in the caller's language
NO_DOSSIER = mark("No dossier %(code)s.")

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Page:
    """One page of an account's dossiers, newest first."""

    dossiers: list[Dossier]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, even when empty)."""
        return max(1, -(-self.total // self.size))


def page_of(session: Session, owner_id: int, *, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """The account's dossiers on page `number` (from 1), newest first."""
    mine = Dossier.owner_id == owner_id
    total = session.scalar(select(func.count()).select_from(Dossier).where(mine)) or 0
    query = (
        select(Dossier)
        .where(mine)
        .order_by(Dossier.created_at.desc(), Dossier.id.desc())
        .offset((number - 1) * size)
        .limit(size)
    )
    return Page(list(session.scalars(query).unique()), number, size, total)


def get_owned(session: Session, owner_id: int, code: str) -> Dossier:
    """The account's dossier with that code; another's reads as unknown (`DossierNotFound`)."""
    query = select(Dossier).where(
        Dossier.tracking_code == codes.normalise(code), Dossier.owner_id == owner_id
    )
    dossier = session.scalars(query).unique().one_or_none()
    if dossier is None:
        raise DossierNotFound(NO_DOSSIER, params={"code": codes.normalise(code)})
    return dossier


def owned_codes(session: Session, owner_id: int, tracking_codes: list[str]) -> list[Dossier]:
    """Those of the given dossiers the account owns, in the order given."""
    wanted = [codes.normalise(c) for c in tracking_codes]
    query = select(Dossier).where(Dossier.tracking_code.in_(wanted), Dossier.owner_id == owner_id)
    found = {d.tracking_code: d for d in session.scalars(query).unique()}
    return [found[c] for c in wanted if c in found]
