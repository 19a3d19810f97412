"""The courier's handheld app at /courier/: an installable web app that works offline all day.

The page is a shell without personal data: the app's scripts build every screen from the API and
keep the day's route and the actions not yet sent on the device (IndexedDB). A service worker
keeps the shell and its files, so the app opens without a network once it has been opened online.
"""

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_file
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api import i18n, web
from courier.text import mark

router = APIRouter(include_in_schema=False)

APP_DIR = web.STATIC_DIR / "courier"
TEMPLATES = Path(__file__).parent.parent / "templates"
SCOPE = "/courier/"
# what the app needs to open offline (its own files are added by `_own_files`)
VENDOR_FILES = (("idb", "index.js"), ("signature_pad", "signature_pad.min.js"))
# loaded only when the phone has no barcode reader of its own; cached on first use
LAZY_VENDOR_FILES = {
    "barcode": ("barcode-detector", "ponyfill.js"),
    "wasm": ("zxing-wasm", "zxing_reader.wasm"),
}
JS_KEYWORDS: dict[str, Any] = {"t": None, "tn": (1, 2)}
NAME = mark("Dossier courier")
SHORT_NAME = mark("Courier")
DESCRIPTION = mark("Today's route, handovers with signature and photos, offline all day.")
THEME = "#0b5394"


MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


@cache
def _files() -> tuple[str, ...]:
    """The app's own files (scripts, style, icons), by name."""
    return tuple(sorted(p.name for p in APP_DIR.iterdir() if p.suffix in MEDIA_TYPES))


@cache
def app_version() -> str:
    """Changes whenever any of the app's files does."""
    digest = hashlib.sha256()
    for name in _files():
        digest.update(name.encode() + b"\0" + (APP_DIR / name).read_bytes())
    return digest.hexdigest()[:12]


def app_url(name: str) -> str:
    """A file of the app under the app's version: the scripts' relative imports carry it too,
    so a phone never mixes the modules of two versions."""
    return f"{SCOPE}app/{app_version()}/{name}"


def _own_files() -> list[str]:
    return [app_url(name) for name in _files()]


@cache
def _js_messages() -> tuple[str | tuple[str, ...], ...]:
    """The texts the app's scripts show, found by the same extractor `make messages` uses."""
    found: dict[str | tuple[str, ...], None] = {}
    for script in sorted(APP_DIR.glob("*.js")):
        for _line, message, _comments, _context in extract_from_file(
            "javascript", str(script), keywords=JS_KEYWORDS
        ):
            found[message] = None
    return tuple(found)


@cache
def _catalogue(lang: str) -> dict[str, str | list[str]]:
    """The app's texts in one language: plural texts map to the language's forms."""
    out: dict[str, str | list[str]] = {}
    for message in _js_messages():
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
            out[singular] = [
                i18n.ngettext(lang, singular, plural, 1),
                i18n.ngettext(lang, singular, plural, 2),
            ]
        else:
            out[message] = i18n.gettext(lang, message)
    return out


def _config(request: Request, lang: str) -> dict[str, Any]:
    settings = request.app.state.settings
    return {
        "lang": lang,
        "messages": {code: _catalogue(code) for code in i18n.LANGUAGES},
        "api": "/api/v1",
        "zone": settings.zone.key,
        "scope": SCOPE,
        "worker": f"{SCOPE}sw.js",
        "vendor": {
            "idb": web.vendor_url(request, *VENDOR_FILES[0]),
            "signaturePad": web.vendor_url(request, *VENDOR_FILES[1]),
            **{key: web.vendor_url(request, *where) for key, where in LAZY_VENDOR_FILES.items()},
        },
    }


@router.get("/courier")
def courier_root() -> RedirectResponse:
    """The app lives under its scope, with the trailing slash."""
    return RedirectResponse(SCOPE, status_code=308)


@router.get(SCOPE, response_class=HTMLResponse)
def courier_app(request: Request) -> HTMLResponse:
    """The app's shell: no personal data, so the service worker may keep it."""
    lang = i18n.language_of(request)
    config = json.dumps(_config(request, lang), ensure_ascii=False, separators=(",", ":"))
    return web.render(
        request,
        "courier_app.html",
        cache_control="no-cache",
        config=config.replace("</", "<\\/"),
        theme=THEME,
        app_file=app_url,
    )


@router.get(f"{SCOPE}app/{{version}}/{{name}}")
def app_file(version: str, name: str) -> Response:
    """One of the app's files under its version, kept for a year (a new version has a new path)."""
    if version != app_version() or name not in _files():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such file in this version of the app")
    body = (APP_DIR / name).read_bytes()
    headers = {"Cache-Control": web.IMMUTABLE}
    return Response(body, media_type=MEDIA_TYPES[Path(name).suffix], headers=headers)


@router.get(f"{SCOPE}manifest.webmanifest")
def manifest(request: Request) -> JSONResponse:
    """What a phone needs to install the app on its home screen."""
    _ = web.translator(request)
    icons = [
        {
            "src": app_url(f"icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }
        for size, purpose in ((192, "any"), (512, "any"), (512, "maskable"))
    ]
    body = {
        "id": SCOPE,
        "name": _(NAME),
        "short_name": _(SHORT_NAME),
        "description": _(DESCRIPTION),
        "lang": i18n.language_of(request),
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": icons,
    }
    return JSONResponse(
        body, media_type="application/manifest+json", headers={"Cache-Control": "no-cache"}
    )


@router.get(f"{SCOPE}sw.js")
def service_worker(request: Request) -> Response:
    """The service worker, with the list of files to keep and a version that changes with them."""
    shell = _own_files()
    shell += [web.vendor_url(request, *where) for where in VENDOR_FILES]
    version = _version(tuple(shell))
    prelude = (
        f"const VERSION = {json.dumps(version)};\nconst SHELL = {json.dumps([SCOPE, *shell])};\n"
    )
    body = prelude + _worker_source()
    headers = {"Cache-Control": "no-cache", "Service-Worker-Allowed": SCOPE}
    return Response(body, media_type="text/javascript", headers=headers)


@cache
def _version(files: tuple[str, ...]) -> str:
    """Changes with the shell's files, its template and the app's texts."""
    digest = hashlib.sha256("\n".join(files).encode())
    digest.update((TEMPLATES / "courier_app.html").read_bytes())
    digest.update(json.dumps([_catalogue(lang) for lang in i18n.LANGUAGES]).encode())
    return digest.hexdigest()[:12]


@cache
def _worker_source() -> str:
    return (TEMPLATES / "courier_sw.js").read_text()
