"""Staff pages carry the staff's own navigation (their screens), citizen pages the citizen's."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.center_staff import as_staff
from tests.builders import STAFF_TDM

VI = {"Accept-Language": "vi"}
CITIZEN = ["/book", "/track", "/me"]
CENTER = ["/center/", "/center/counter", "/center/report"]


def _menu(html: str) -> list[tuple[str, bool, str]]:
    """The main menu's links: address, whether it is the current page, text."""
    menu = re.search(r'<nav class="menu"[^>]*>(.*?)</nav>', html, re.S)
    assert menu is not None
    links = re.findall(r'<a href="([^"]*)"([^>]*)>([^<]*)</a>', menu.group(1))
    return [(href, "aria-current" in rest, text.strip()) for href, rest, text in links]


@pytest.mark.parametrize(
    ("user", "path", "menu", "current"),
    [
        (STAFF_TDM, "/center/", CENTER, "/center/"),
        (STAFF_TDM, "/center/counter", CENTER, "/center/counter"),
        (STAFF_TDM, "/center/report", CENTER, "/center/report"),
        ("dispatch.tdm", "/dispatch/", ["/dispatch/"], "/dispatch/"),
        (None, "/track", CITIZEN, "/track"),
    ],
)
def test_each_page_has_its_readers_menu(
    client: TestClient,
    session: Session,
    user: str | None,
    path: str,
    menu: list[str],
    current: str,
) -> None:
    """A clerk's pages link the day, the counter and the report; a dispatcher's the day; a
    citizen's page keeps booking, tracking and their dossiers; the page itself is marked."""
    as_staff(client, session, user)
    page = client.get(path, headers=VI)
    assert page.status_code == 200, page.text
    found = _menu(page.text)
    assert [href for href, _, _ in found] == menu
    assert [href for href, marked, _ in found if marked] == [current]
    if path.startswith("/center"):
        assert [text for _, _, text in found] == ["Hôm nay", "Quầy tiếp nhận", "Báo cáo"]


@pytest.mark.parametrize("path", CENTER)
def test_an_admins_chosen_center_stays_chosen_in_the_menu(
    client: TestClient, session: Session, path: str
) -> None:
    """An admin who chose a center with ?site= keeps it on every screen the menu leads to,
    instead of being sent back to the chooser."""
    as_staff(client, session, "admin")
    page = client.get(path, params={"site": "BD-TDM"}, headers=VI)
    assert page.status_code == 200, page.text
    assert [href for href, _, _ in _menu(page.text)] == [f"{p}?site=BD-TDM" for p in CENTER]
