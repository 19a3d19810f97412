"""The web foundation shared by every screen: templates, static files, npm libraries, headers.

Pages are Jinja2 templates rendered in the visitor's language (`api.i18n`), with small ES modules
from `api/static` where a page needs behaviour. Browser libraries come from npm (`package.json`,
committed `package-lock.json`, installed by `make run`, `make test` and the Dockerfile) and are
served from `node_modules` under a versioned path: nothing is fetched from a CDN at run time.
"""

import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi import Path as Path_
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import i18n
from courier.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"
PROJECT_DIR = Path(__file__).resolve().parents[1]
# what each npm package lends the pages: the folder of its files that are served
VENDOR_FOLDERS: dict[str, str] = {
    "leaflet": "dist",
    "swagger-ui-dist": "",
    "redoc": "bundles",
    # the courier app: IndexedDB, the signature pad, and the barcode reader (with its wasm)
    "idb": "build",
    "signature_pad": "dist",
    "barcode-detector": "dist/es",
    "zxing-wasm": "dist/reader",
}
IMMUTABLE = "public, max-age=31536000, immutable"
LanguagePath = Path_(pattern="^(vi|en)$", description="vi or en")


class MissingBrowserLibraries(RuntimeError):
    """`npm ci` has not installed the browser libraries the pages need."""


def node_modules(settings: Settings) -> Path:
    """Where npm installed the browser libraries."""
    return settings.web_vendor_dir or PROJECT_DIR / "node_modules"


@cache
def _versions(folder: Path) -> dict[str, str]:
    versions = {}
    for package in VENDOR_FOLDERS:
        manifest = folder / package / "package.json"
        if not manifest.is_file():
            raise MissingBrowserLibraries(
                f"{manifest} is missing: run `npm ci --ignore-scripts` at the project root "
                "(`make run` and `make test` do it)"
            )
        versions[package] = json.loads(manifest.read_text())["version"]
    return versions


@cache
def _static_version(relative: str) -> str:
    return hashlib.sha256((STATIC_DIR / relative).read_bytes()).hexdigest()[:10]


def static_url(relative: str) -> str:
    """The URL of one of the app's own files, with its content hash (cached for a year)."""
    return f"/static/{relative}?v={_static_version(relative)}"


def mount(app: FastAPI, settings: Settings) -> None:
    """Serve the app's own static files and each npm package's files under its version."""
    folder = node_modules(settings)
    app.state.vendor_versions = _versions(folder)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for package, sub in VENDOR_FOLDERS.items():
        version = app.state.vendor_versions[package]
        app.mount(
            f"/vendor/{package}@{version}",
            StaticFiles(directory=folder / package / sub),
            name=f"vendor-{package}",
        )


def vendor_url(request: Request, package: str, file: str) -> str:
    """The URL of a file of an npm package, under the installed version."""
    version = request.app.state.vendor_versions[package]
    return f"/vendor/{package}@{version}/{file}"


def _environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("api", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.gettext(lang, message),
        lambda singular, plural, n: i18n.ngettext(lang, singular, plural, n),
        newstyle=True,
    )
    return env


ENVIRONMENTS = {lang: _environment(lang) for lang in i18n.LANGUAGES}


def page_context(request: Request, lang: str) -> dict[str, Any]:
    """What every template may use: the language, its switch, URLs and formatters."""
    settings: Settings = request.app.state.settings
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    zone = settings.zone
    return {
        "lang": lang,
        "other_lang": "en" if lang == "vi" else "vi",
        "switch_next": quote(here, safe="/"),
        "path": request.url.path,
        "static": static_url,
        "vendor": lambda package, file: vendor_url(request, package, file),
        "day": lambda value: i18n.day(value, lang),
        "clock": lambda value: i18n.clock(value, zone, lang),
        "moment": lambda value: i18n.moment(value, zone, lang),
        "money": lambda amount: i18n.money(amount, lang),
        "settings": settings,
    }


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    cache_control: str = "no-store",
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page in the visitor's language; `no-store` unless the page holds nothing personal."""
    lang = i18n.language_of(request)
    body = ENVIRONMENTS[lang].get_template(template).render(page_context(request, lang), **context)
    answer_headers = {
        "Cache-Control": cache_control,
        "Content-Language": lang,
        "Vary": "Cookie, Accept-Language",
    }
    answer_headers.update(headers or {})
    return HTMLResponse(body, status_code=status_code, headers=answer_headers)


def refusal(
    request: Request, status: int, headers: dict[str, str], title: str, advice: str
) -> HTMLResponse:
    """A short page saying why a page's request was refused and what to do (catalogue ids or
    texts already in the visitor's language)."""
    _ = translator(request)
    return render(
        request,
        "refused.html",
        status_code=status,
        headers=headers,
        title=_(title),
        advice=_(advice),
    )


def translator(request: Request) -> Callable[[str], str]:
    """gettext in the visitor's language, for texts made outside templates."""
    lang = i18n.language_of(request)
    return lambda message: i18n.gettext(lang, message)


def content_security_policy(path: str, tiles: str) -> str:
    """No inline script anywhere; the API documentation's renderers inject their own styles."""
    inline_styles = " 'unsafe-inline'" if path in ("/docs", "/redoc") else ""
    # the courier app's barcode reader compiles its WebAssembly (no eval of script text)
    wasm = " 'wasm-unsafe-eval'" if path.startswith("/courier/") else ""
    images = "'self' data: blob:" + (f" {tiles}" if tiles else "")
    return (
        f"default-src 'self'; script-src 'self'{wasm}; "
        f"style-src 'self'{inline_styles}; img-src {images}; font-src 'self'; "
        "connect-src 'self'; worker-src 'self' blob:; manifest-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _versioned(scope: Scope) -> bool:
    """A file whose URL changes with its content: an npm package's under its version, or one of
    the app's own files with its content hash (`static_url`); other files are revalidated."""
    path: str = scope["path"]
    if path.startswith("/vendor/"):
        return True
    return path.startswith("/static/") and b"v=" in scope.get("query_string", b"")


class SecurityHeaders:
    """Headers on every answer: CSP on pages, nosniff, referrer, no framing, no-store on the API.

    An API answer that sets no `Cache-Control` of its own gets `no-store`: answers that hold
    personal data must not be kept by a browser or a proxy, and the API's public ones (the
    catalogue) say so themselves when they may be cached.
    """

    def __init__(self, app: ASGIApp, tiles_origin: str = "") -> None:
        self.app = app
        self.tiles_origin = tiles_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault(
                        "Content-Security-Policy", content_security_policy(path, self.tiles_origin)
                    )
                if _versioned(scope) and message["status"] == 200:
                    headers["Cache-Control"] = IMMUTABLE
                elif path.startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-cache")
                elif path.startswith("/api/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)
