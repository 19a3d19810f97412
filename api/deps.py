"""Request dependencies: settings, the transaction, and who is calling."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session

from courier.accounts import service as accounts
from courier.actors import Actor
from courier.enums import Role
from courier.errors import NotAuthenticated, PermissionDenied
from courier.outbox import service as outbox
from courier.settings import Settings

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request, background: BackgroundTasks) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back.

    The tasks it enqueued are relayed once the response is out: with tasks in-process (the
    embedded mode) a plan build must not hold the dispatcher's request for a minute. The outbox
    keeps them if the process dies first.
    """
    factory = request.app.state.session_factory
    with factory() as session:
        with session.begin():
            yield session
        if outbox.take_enqueued_flag(session):
            background.add_task(outbox.relay_after_commit, factory)


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
