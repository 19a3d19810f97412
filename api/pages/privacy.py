"""The personal-data page: the consent text a booking agrees to, in the visitor's language."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api import i18n, web
from api.deps import SettingsDep
from courier import consent

router = APIRouter(include_in_schema=False)


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request, settings: SettingsDep) -> HTMLResponse:
    """What the service does with personal data, how long it keeps it, and the citizen's rights."""
    version, text = consent.current(settings, i18n.language_of(request))
    return web.render(
        request,
        "privacy.html",
        cache_control="no-cache",
        version=version,
        heading=consent.title(text),
        paragraphs=consent.paragraphs(text),
    )
