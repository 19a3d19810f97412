"""The process's engine and session factory, made once from the settings (tests may swap them)."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import courier.models  # noqa: F401  (every mapper configured before the first session)
from courier.db import engine_for, make_session_factory
from courier.settings import get_settings

_factory: sessionmaker[Session] | None = None


def session_factory() -> sessionmaker[Session]:
    """The session factory of this process."""
    global _factory
    if _factory is None:
        _factory = make_session_factory(engine_for(get_settings()))
    return _factory


def use_session_factory(factory: sessionmaker[Session] | None) -> None:
    """Replace the process's factory (tests bind it to their rolled-back connection)."""
    global _factory
    _factory = factory


def engine() -> Engine:
    """The engine behind the session factory."""
    bind = session_factory().kw["bind"]
    assert isinstance(bind, Engine)
    return bind


@contextmanager
def unit_of_work(factory: sessionmaker[Session] | None = None) -> Iterator[Session]:
    """The edge's transaction: commit on success, roll back on error, then relay the outbox."""
    from courier.outbox.service import relay_if_enqueued

    factory = factory or session_factory()
    with factory() as session:
        with session.begin():
            yield session
        relay_if_enqueued(session, factory)
