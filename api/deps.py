"""Request dependencies: settings, the transaction, and who is calling."""

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import BackgroundTasks, Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.admission import Overloaded
from courier.accounts import service as accounts
from courier.actors import Actor
from courier.db import read_only_bind
from courier.enums import Role
from courier.errors import LockedOut, NotAuthenticated, PermissionDenied
from courier.outbox import service as outbox
from courier.privacy import reads
from courier.settings import Settings

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request, background: BackgroundTasks) -> AsyncIterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back.

    The session is opened only once the request holds a database slot (`api.admission`), taken
    on the event loop: no thread ever waits for a pooled connection. Commit and rollback run in
    a thread. Requests that only read begin a SQLite transaction DEFERRED, so they never wait
    for a writer, except those giving a phone's digits (`?phone=`): a wrong try is counted
    (`courier.lockout`), and SQLite refuses a DEFERRED reader's write once another request has
    committed. A refusal that counted a failure (`LockedOut.counted`) is committed, not rolled
    back. Access log rows a read-only SQLite request kept are written after its commit, in a
    writing transaction of their own (`courier.privacy.reads`). The tasks the request enqueued
    are handed on once the response is out: to the embedded worker thread, or relayed (only
    the request's own messages) to the broker.
    """
    state = request.app.state
    factory: sessionmaker[Session] = state.session_factory
    async with state.admission.slot():
        if request.method in ("GET", "HEAD") and "phone" not in request.query_params:
            session = factory(bind=read_only_bind(factory.kw["bind"]))
        else:
            session = factory()
        session.begin()
        try:
            yield session
        except BaseException as exc:
            keep = isinstance(exc, LockedOut) and exc.counted
            with anyio.CancelScope(shield=True):  # a cancelled request still closes its session
                await run_in_threadpool(_end, session, commit=keep)
            raise
        await run_in_threadpool(_end, session, commit=True)
        kept = reads.deferred(session)
        if kept:  # before the answer: no personal data leaves without its access log rows
            await run_in_threadpool(reads.write_deferred, factory, kept)
    enqueued = outbox.take_enqueued(session)
    if enqueued and state.task_thread is not None:
        state.task_thread.wake()
    elif enqueued:
        background.add_task(_relay, request, enqueued)


def _end(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def _relay(request: Request, ids: list[int]) -> None:
    """Relay the request's own messages; when the service is too busy, beat's sweep will."""
    state = request.app.state
    try:
        async with state.admission.slot():
            await run_in_threadpool(outbox.relay_messages, state.session_factory, ids)
    except Overloaded:
        return


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbSession = Annotated[Session, Depends(get_session, scope="function")]


def optional_actor(
    session: DbSession,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Actor | None:
    """The caller if credentials were presented (a bad credential is an error, not anonymity)."""
    if api_key:
        return accounts.actor_from_api_key(session, api_key)
    if token:
        return accounts.actor_from_token(session, token, settings)
    return None


def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    """The authenticated caller."""
    if actor is None:
        raise NotAuthenticated("log in (bearer token) or present an API key")
    return actor


OptionalActor = Annotated[Actor | None, Depends(optional_actor)]
CurrentActor = Annotated[Actor, Depends(current_actor)]


def require_roles(*roles: Role, api_keys: bool = False) -> object:
    """A dependency admitting the given roles (admins always), and API keys when allowed."""

    def check(actor: CurrentActor) -> Actor:
        if actor.is_admin or actor.has_role(*roles) or (api_keys and actor.kind == "api_key"):
            return actor
        raise PermissionDenied("your role may not do this")

    return Depends(check)
