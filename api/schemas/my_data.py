"""The answer to a citizen's request to erase their personal data."""

from datetime import date

from pydantic import BaseModel


class ErasureOut(BaseModel):
    """The answer to an erasure request: `erased`, `scheduled` on a day, or `open`."""

    tracking_code: str
    state: str
    on: date | None
    retention_days: int
    message: str
