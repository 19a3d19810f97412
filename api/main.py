"""The FastAPI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.gzip import GZipMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import accesslog, errors, pages, web
from api.admission import Admission
from api.ratelimit import RateLimit
from api.routers import (
    access_log,
    auth,
    batch_files,
    bookings,
    catalogue,
    consent,
    couriers,
    custody,
    devices,
    dossiers,
    handovers,
    jobs,
    me,
    my_data,
    plans,
    stats,
    track,
    webhooks,
)
from api.uploads import UploadLimit
from courier import runtime
from courier.embedded import EmbeddedWorker
from courier.settings import Settings, get_settings

API_PREFIX = "/api/v1"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Size the thread pool; with no broker, run the outbox in a thread of this process."""
    settings: Settings = app.state.settings
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
    if settings.tasks_in_process and settings.embedded_worker:
        from courier.worker import embedded_daily  # the Celery app, only where tasks run here

        app.state.task_thread = EmbeddedWorker(
            app.state.session_factory, daily=embedded_daily(settings)
        )
        app.state.task_thread.start()
    try:
        yield
    finally:
        if app.state.task_thread is not None:
            app.state.task_thread.stop()
            app.state.task_thread = None


def create_app(
    settings: Settings | None = None, session_factory: sessionmaker[Session] | None = None
) -> FastAPI:
    """The app, on the given settings and sessions (the process's by default)."""
    settings = settings or get_settings()
    accesslog.install()
    app = FastAPI(
        title="Dịch vụ bưu chính công: thu gom và trả hồ sơ / Public postal dossier courier",
        version="0.1.0",
        lifespan=_lifespan,
        docs_url=None,  # served from the app's own copies of Swagger UI and ReDoc (api.pages.home)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.session_factory = session_factory or runtime.session_factory()
    app.state.admission = Admission(
        settings.db_slots, queue_max=settings.api_queue_max, wait_s=settings.api_queue_wait_s
    )
    app.state.task_thread = None
    app.state.track_limit = RateLimit(settings.track_rate_limit, settings.rate_limit_storage)
    app.state.booking_limit = RateLimit(
        settings.booking_rate_limit, settings.rate_limit_storage, scope="booking"
    )
    errors.install(app)
    web.mount(app, settings)
    # level 6: nearly the size of 9 at a fraction of its CPU, on every page and API answer
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(web.SecurityHeaders, tiles_origin=settings.map_tiles_origin)
    if settings.forwarded_allow_ips.strip():
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.add_middleware(
        UploadLimit,
        max_part=settings.upload_max_bytes,
        max_request=settings.upload_max_request_bytes,
        max_body=settings.body_max_bytes,
    )
    for module in (
        auth,
        catalogue,
        consent,
        bookings,
        batch_files,
        track,
        handovers,
        jobs,
        dossiers,
        custody,
        plans,
        couriers,
        devices,
        me,
        stats,
        webhooks,
        access_log,
        my_data,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    for router in pages.ROUTERS:
        app.include_router(router)

    @app.get("/healthz", tags=["ops"])
    def health() -> dict[str, str]:
        """Liveness."""
        return {"status": "ok"}

    return app
