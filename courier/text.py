"""Vietnamese text without its diacritics, for matching and for plain GSM-7 SMS."""

import unicodedata


def unaccented(text: str) -> str:
    """The text without tones and marks, keeping every letter and its case (đ becomes d)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def mark(message: str) -> str:
    """Marks an English text for the catalogues (`make messages`); the API translates it."""
    return message
