"""The access log at the edge: routes and pages note each staff read of personal data."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.orm import Session

from api.deps import DbSession
from courier.actors import Actor
from courier.dossiers.models import Dossier
from courier.privacy import reads
from courier.privacy.reads import DataKind


@dataclass(frozen=True, slots=True)
class ReadLog:
    """The request's access log: the endpoint (method and route template) and client address."""

    session: Session
    request: Request

    def reader(self, actor: Actor) -> reads.Reader:
        """The actor reading through this request."""
        endpoint = getattr(self.request.scope.get("route"), "endpoint", None)
        paths = route_paths(self.request.app)
        template = paths.get(endpoint, self.request.url.path) if endpoint else None
        client = self.request.client.host if self.request.client else "unknown"
        where = template or self.request.url.path
        return reads.Reader(actor, f"{self.request.method} {where}", client)

    def dossiers(self, actor: Actor, kind: DataKind, shown: Iterable[Dossier]) -> None:
        """Log the dossiers shown (nothing unless the actor is staff)."""
        reads.record_dossiers(self.session, self.reader(actor), kind, shown)

    def ids(self, actor: Actor, kind: DataKind, dossier_ids: Iterable[int | None]) -> None:
        """Log the dossiers shown, by id."""
        reads.record(self.session, self.reader(actor), kind, dossier_ids)


def route_paths(app: FastAPI) -> dict[Callable[..., Any], str]:
    """Each endpoint's full path template (`/api/v1/dossiers/{code}`), made once per app."""
    paths: dict[Callable[..., Any], str] | None = getattr(app.state, "route_paths", None)
    if paths is None:
        paths = {
            context.original_route.endpoint: context.path
            for context in iter_route_contexts(app.routes)
            if isinstance(context.original_route, APIRoute) and context.path
        }
        app.state.route_paths = paths
    return paths


def read_log(request: Request, session: DbSession) -> ReadLog:
    """The request's access log."""
    return ReadLog(session, request)


ReadLogDep = Annotated[ReadLog, Depends(read_log)]
