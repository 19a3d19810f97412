"""The confirmation page and the PDF slip after a booking: only for the browser granted the dossier."""

import re
import shutil
import subprocess
import time
from pathlib import Path

from fastapi.testclient import TestClient
from starlette.responses import Response

from api import grants
from courier.settings import Settings
from tests.builders import book, booking_day

PHONE = "5678"  # last digits of the builders' phone


def grant_cookie(settings: Settings, code: str, suffix: str = PHONE) -> tuple[str, str]:
    """The cookie the booking page sets for its browser: (name, value)."""
    answer = Response()
    grants.grant(answer, settings, code, suffix)
    name, value = answer.headers["set-cookie"].split(";")[0].split("=", 1)
    return name, value


def granted(client: TestClient, settings: Settings, **booking: object) -> str:
    """Book, let the client's browser hold the grant, and give the tracking code."""
    code: str = book(client, **booking)["tracking_code"]
    client.cookies.set(*grant_cookie(settings, code))
    return code


def test_the_booking_browser_sees_the_code_appointment_documents_and_fees(
    client: TestClient, settings: Settings
) -> None:
    """Code, QR code, dd/mm/yyyy day, 08:00–11:30 window, checklist, fee total; not stored."""
    code = granted(client, settings)
    answer = client.get(f"/track/{code}/booked")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    page = answer.text
    assert f'<p class="code" id="tracking-code">{code}</p>' in page
    assert 'src="data:image/svg+xml' in page
    assert booking_day().strftime("%d/%m/%Y") in page
    assert "08:00–11:30" in page
    assert "Đăng ký khai sinh" in page
    assert "Tờ khai đăng ký khai sinh" in page
    assert "Bản chính" in page
    assert "Bản sao" in page
    assert "50.000 đ" in page  # pickup 25.000 đ + return by post 25.000 đ, the procedure free
    assert f'href="/track/{code}/slip.pdf"' in page
    assert f'href="/track/{code}"' in page
    assert 'href="/book"' in page


def test_the_page_speaks_english_when_chosen(client: TestClient, settings: Settings) -> None:
    """With the language switch on English: English texts and the procedure's English name."""
    code = granted(client, settings)
    client.cookies.set("lang", "en")
    page = client.get(f"/track/{code}/booked").text
    assert "Booking confirmed" in page
    assert "Birth registration" in page
    assert "50,000 đ" in page


def test_a_cancelled_booking_says_so_in_the_heading(client: TestClient, settings: Settings) -> None:
    """Once cancelled, the page no longer says the booking is registered."""
    code = granted(client, settings)
    assert client.post(f"/api/v1/track/{code}/cancel", json={"phone": PHONE}).status_code == 200
    page = client.get(f"/track/{code}/booked").text
    assert '<h1 id="booked-title">Lịch thu gom này đã bị hủy.</h1>' in page
    assert "Lịch thu gom đã được ghi nhận" not in page


def test_without_a_grant_nothing_of_the_dossier_is_shown(client: TestClient) -> None:
    """Another browser gets 403 and the way to look the dossier up; no procedure, no fee."""
    code = book(client)["tracking_code"]
    answer = client.get(f"/track/{code}/booked")
    assert answer.status_code == 403
    assert answer.headers["cache-control"] == "no-store"
    assert f'href="/track/{code}"' in answer.text
    assert "Đăng ký khai sinh" not in answer.text
    assert "data:image/svg+xml" not in answer.text


def test_another_dossiers_grant_opens_nothing(client: TestClient, settings: Settings) -> None:
    """A grant signed for one dossier, presented under another's name, counts as none."""
    mine = granted(client, settings)
    other = book(client)["tracking_code"]
    _, value = grant_cookie(settings, mine)
    client.cookies.set(grants.PREFIX + other, value)
    assert client.get(f"/track/{other}/booked").status_code == 403
    assert client.get(f"/track/{other}/slip.pdf").status_code == 403
    assert client.get(f"/track/{mine}/booked").status_code == 200


def test_forged_expired_or_wrong_suffix_grants_open_nothing(
    client: TestClient, settings: Settings
) -> None:
    """A made-up signature, another secret's, an expired one, or the wrong digits: all 403."""
    code = book(client)["tracking_code"]
    other_secret = settings.model_copy(update={"secret_key": "another-secret-" * 4})
    expired = int(time.time()) - 1
    cookies = [
        f"{PHONE}.{int(time.time()) + 600}.{'0' * 64}",
        grant_cookie(other_secret, code)[1],
        f"{PHONE}.{expired}.{grants._signature(settings, code, PHONE, expired)}",
        grant_cookie(settings, code, suffix="0000")[1],
        "garbage",
    ]
    for value in cookies:
        client.cookies.set(grants.PREFIX + code, value)
        assert client.get(f"/track/{code}/booked").status_code == 403, value
        assert client.get(f"/track/{code}/slip.pdf").status_code == 403, value


def test_a_malformed_code_gets_the_same_page_as_no_grant(client: TestClient) -> None:
    """A code that is no tracking code answers the explanation page, escaped, not an error."""
    answer = client.get("/track/%3Cb%3Ex%22/booked")
    assert answer.status_code == 403
    assert "<B>X" not in answer.text
    assert "&lt;B&gt;X" in answer.text


def test_the_slip_is_a_one_page_pdf_named_after_the_code(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    """application/pdf, inline as phieu-hen-<code>.pdf, not stored, one A4 page titled in vi."""
    code = granted(client, settings)
    answer = client.get(f"/track/{code}/slip.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-disposition"] == f'inline; filename="phieu-hen-{code}.pdf"'
    pdf = answer.content
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    if shutil.which("pdfinfo"):
        (tmp_path / "slip.pdf").write_bytes(pdf)
        info = subprocess.run(
            ["pdfinfo", str(tmp_path / "slip.pdf")], capture_output=True, text=True, check=True
        ).stdout
        assert re.search(r"^Pages:\s+1$", info, re.M)
        assert f"Phiếu hẹn thu gom hồ sơ {code}" in info
        assert re.search(r"^Page size:.* pts \(A4\)$", info, re.M), info


def test_the_slip_follows_the_visitors_language(client: TestClient, settings: Settings) -> None:
    """With English chosen the PDF is the English slip (its title, stored as UTF-16, says so)."""
    code = granted(client, settings)
    client.cookies.set("lang", "en")
    pdf = client.get(f"/track/{code}/slip.pdf").content
    assert f"Pickup appointment slip {code}".encode("utf-16-be") in pdf
