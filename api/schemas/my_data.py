"""The answers to a citizen's requests about their personal data: a copy's link, erasure."""

from datetime import date

from pydantic import BaseModel


class ErasureOut(BaseModel):
    """The answer to an erasure request: `erased`, `scheduled` on a day, or `open`."""

    tracking_code: str
    state: str
    on: date | None
    retention_days: int
    message: str


class CopySentOut(BaseModel):
    """A link to the copy was sent by SMS to the dossier's phone, ending with these digits."""

    sent_to: str
