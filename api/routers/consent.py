"""The consent text a booking agrees to, in Vietnamese and English, with its version."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api import i18n
from api.deps import SettingsDep
from api.schemas.consent import ConsentOut
from courier import consent

router = APIRouter(prefix="/consent", tags=["bookings"])


@router.get("", response_model=ConsentOut)
def current_consent(
    request: Request,
    response: Response,
    settings: SettingsDep,
    lang: Annotated[str | None, Query(pattern="^(vi|en)$")] = None,
) -> ConsentOut:
    """The current consent text (`?lang`, else Accept-Language, else Vietnamese); a booking
    sends its `version` as `consent_version` and `consent: true`."""
    chosen = lang or i18n.language_of(request)
    version, text = consent.current(settings, chosen)
    # the same for everyone: a browser may keep it a while
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Content-Language"] = chosen
    return ConsentOut(version=version, language=chosen, text=text, texts=consent.texts(settings))
