"""Domain errors, named as facts; `api.errors` maps them to HTTP in one table."""

from collections.abc import Mapping
from dataclasses import dataclass, field


class DomainError(Exception):
    """Base of every error the domain raises on purpose.

    A `code` names the refusal for programs (e.g. "device_revoked"); `params` fill the message's
    %(name)s placeholders once it is translated (the message stays the catalogue's English id).
    """

    def __init__(
        self, message: str, *, code: str | None = None, params: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.code = code
        self.params: Mapping[str, object] = params or {}


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it does."""


class DossierNotFound(NotFound):
    """No dossier with that tracking code (or the phone suffix does not match)."""


class JobNotFound(NotFound):
    """No job with that id visible to the caller."""


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""


class NotAuthenticated(DomainError):
    """No valid credentials were presented."""


class IllegalTransition(DomainError):
    """The state machine refuses the change."""

    def __init__(self, current: str, event: str, target: str | None = None) -> None:
        wanted = f" to {target}" if target else ""
        super().__init__(f"illegal transition from {current}{wanted} ({event})")
        self.current = current
        self.event = event
        self.target = target


class Conflict(DomainError):
    """The request conflicts with the current state (e.g. an idempotency key reused)."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid input field: where it is and what is wrong with it."""

    loc: tuple[str | int, ...]
    msg: str
    type: str = "value_error"
    # values for the message's %(name)s placeholders: `msg` stays the catalogue's English id
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    @property
    def text(self) -> str:
        """The English message with its values filled in."""
        return self.msg % self.params if self.params else self.msg


@dataclass
class InvalidInput(DomainError):
    """Input that passed the schema but not the domain rules; names each bad field."""

    problems: list[FieldProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc))}: {p.text}" for p in self.problems))


class LockedOut(DomainError):
    """Too many failed guesses at a secret (a password, a dossier's phone digits): the attempt
    is refused until the lock ends. `counted`: the refused attempt was a failure counted in the
    transaction, which the request must commit rather than roll back."""

    def __init__(self, message: str, *, retry_after_s: int, counted: bool = False) -> None:
        super().__init__(message, code="locked_out")
        self.retry_after_s = max(1, retry_after_s)
        self.counted = counted
