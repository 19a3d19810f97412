"""The service's home page, the language switch, and the API documentation served locally."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api import i18n, web
from api.deps import SettingsDep

router = APIRouter(include_in_schema=False)
YEAR_S = 365 * 24 * 3600


@router.get("/", response_class=HTMLResponse)
def home(request: Request, settings: SettingsDep) -> HTMLResponse:
    """What the service does, what it costs, and the ways in: book, track, my dossiers."""
    return web.render(
        request,
        "home.html",
        cache_control="no-cache",
        pickup_fee=settings.pickup_fee_vnd,
        return_fee=settings.return_fee_vnd,
    )


@router.get("/lang/{lang}")
def switch_language(
    lang: Annotated[str, web.LanguagePath], next: Annotated[str, Query(max_length=2000)] = "/"
) -> RedirectResponse:
    """Remember the visitor's language for a year and go back to the page they were on."""
    target = next if next.startswith("/") and not next.startswith(("//", "/\\")) else "/"
    answer = RedirectResponse(target, status_code=303)
    answer.set_cookie(i18n.COOKIE, lang, max_age=YEAR_S, samesite="lax", httponly=True)
    return answer


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    """The icon, for viewers that ask for it by its old name (a browser's PDF viewer does)."""
    return RedirectResponse(web.static_url("img/icon.svg"), status_code=301)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI from the app's own copy of swagger-ui-dist."""
    return web.render(request, "docs.html", cache_control="no-cache")


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    """ReDoc from the app's own copy of its standalone bundle."""
    return web.render(request, "redoc.html", cache_control="no-cache")
