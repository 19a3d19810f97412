"""Signing staff in and out of their screens (/center/, /dispatch/): one staff cookie, an Origin
check on every POST, and only the roles a screen admits."""

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api import signin, web
from api.pages.account import BACK_HOME, FIELD_MAX, HOME, REFUSED, checked_user, notice
from courier.enums import Role
from courier.settings import Settings


@dataclass(frozen=True)
class Door:
    """A staff screen's way in: where it lives, its sign-in page, who may enter, and its refusals."""

    home: str
    login_template: str
    roles: tuple[Role, ...]
    title: str
    not_allowed: str

    def refused(self, request: Request, message: str, status_code: int = 403) -> HTMLResponse:
        """A page saying why, with the way home."""
        return notice(request, status_code, message, title=self.title, links=((HOME, BACK_HOME),))

    def login(
        self, request: Request, session: Session, settings: Settings, username: str, password: str
    ) -> Response:
        """Check the password and the role; the screen on success, the form again on failure."""
        try:
            signin.check_origin(request, settings)
        except signin.ForeignOrigin:
            return self.refused(request, REFUSED)
        username = username.strip()[:FIELD_MAX]
        user = checked_user(request, session, username, password)
        if user is None:
            return web.render(
                request, self.login_template, status_code=401, failed=True, username=username
            )
        if user.role not in self.roles:
            return self.refused(request, self.not_allowed)
        answer = RedirectResponse(self.home, status_code=303)
        signin.sign_in(answer, settings, user.id, signin.STAFF_COOKIE)
        return answer

    def logout(self, request: Request, settings: Settings) -> Response:
        """Forget the staff member in this browser."""
        try:
            signin.check_origin(request, settings)
        except signin.ForeignOrigin:
            return self.refused(request, REFUSED)
        answer = RedirectResponse(self.home, status_code=303)
        signin.sign_out(answer, signin.STAFF_COOKIE)
        return answer
