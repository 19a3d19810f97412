"""The FastAPI application."""

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors, pages
from api.ratelimit import RateLimit
from api.routers import (
    auth,
    bookings,
    catalogue,
    couriers,
    custody,
    dossiers,
    handovers,
    jobs,
    plans,
    track,
)
from api.uploads import UploadLimit
from courier import runtime
from courier.settings import Settings, get_settings

API_PREFIX = "/api/v1"


def create_app(
    settings: Settings | None = None, session_factory: sessionmaker[Session] | None = None
) -> FastAPI:
    """The app, on the given settings and sessions (the process's by default)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Dịch vụ bưu chính công: thu gom và trả hồ sơ / Public postal dossier courier",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.session_factory = session_factory or runtime.session_factory()
    app.state.track_limit = RateLimit(settings.track_rate_limit, settings.rate_limit_storage)
    errors.install(app)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.add_middleware(
        UploadLimit,
        max_part=settings.upload_max_bytes,
        max_request=settings.upload_max_request_bytes,
    )
    for module in (
        auth,
        catalogue,
        bookings,
        track,
        handovers,
        jobs,
        dossiers,
        custody,
        plans,
        couriers,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(pages.router)

    @app.get("/healthz", tags=["ops"])
    def health() -> dict[str, str]:
        """Liveness."""
        return {"status": "ok"}

    return app
