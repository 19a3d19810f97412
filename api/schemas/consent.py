"""The consent notice a booking accepts."""

from pydantic import BaseModel


class ConsentOut(BaseModel):
    """The consent text a booking agrees to: its version, in the asked language and in all."""

    version: str
    language: str
    text: str
    texts: dict[str, str]
