"""Who is acting: a logged-in account, an API key, a citizen holding a tracking code, or the system."""

from dataclasses import dataclass

from courier.enums import Role


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller of a service function, as far as authorization and audit need to know."""

    kind: str  # "user" | "api_key" | "citizen" | "system"
    id: int | None = None
    role: Role | None = None
    site_id: int | None = None
    courier_id: int | None = None
    owner_id: int | None = None
    # the device session (phone) an account's access token was issued to, if any
    device_id: int | None = None

    @property
    def is_admin(self) -> bool:
        """True for administrators and the system itself."""
        return self.kind == "system" or self.role is Role.ADMIN

    def has_role(self, *roles: Role) -> bool:
        """True when the actor is an account with one of the roles."""
        return self.kind == "user" and self.role in roles


SYSTEM = Actor(kind="system")
PUBLIC_CITIZEN = Actor(kind="citizen")
