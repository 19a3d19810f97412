"""Enterprises book from a CSV file: UTF-8 only, up to 500 rows, all or nothing, every error."""

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.dossiers import csvbatch
from courier.dossiers.models import Dossier, PointSource
from courier.settings import Settings
from tests.builders import booking_day, counts, headers_for

ENTERPRISE = "enterprise.minhphat"
VI_HEADERS = [c.vi for c in csvbatch.COLUMNS]
EN_HEADERS = [c.en for c in csvbatch.COLUMNS]


def row(**overrides: str) -> list[str]:
    """A good row near Thu Dau Mot, in the template's column order."""
    cells = {
        **csvbatch.EXAMPLE,
        "preferred_on": f"{booking_day():%d/%m/%Y}",
        **overrides,
    }
    return [cells[c.key] for c in csvbatch.COLUMNS]


def table(
    rows: list[list[str]], *, headers: list[str] = VI_HEADERS, bom: bool = True, sep: str = ","
) -> bytes:
    """A CSV file as Excel writes it: CRLF, UTF-8 with or without its BOM."""
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows([headers, *rows])
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def upload(
    client: TestClient,
    headers: dict[str, str],
    data: bytes,
    *,
    consent: str = "true",
    lang: str = "vi",
) -> Any:
    """POST the file as an enterprise's system would."""
    return client.post(
        "/api/v1/bookings/csv",
        files={"file": ("hoso.csv", data, "text/csv")},
        data={"consent": consent, "consent_version": Settings().consent_version},
        headers={**headers, "Accept-Language": lang},
    )


def test_a_file_with_a_bom_books_every_row_for_the_enterprise(
    client: TestClient, session: Session
) -> None:
    """Excel's «CSV UTF-8» (with BOM): one dossier per row, in row order, owned by the account."""
    enterprise = headers_for(session, ENTERPRISE)
    names = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường"]
    response = upload(client, enterprise, table([row(applicant_name=n) for n in names]))
    assert response.status_code == 201, response.text
    booked = response.json()["bookings"]
    assert [b["row"] for b in booked] == [2, 3, 4]
    assert all(b["pickup_window"]["start"] for b in booked)
    owner = session.scalar(select(User.id).where(User.username == ENTERPRISE))
    stored = session.scalars(select(Dossier).where(Dossier.owner_id == owner)).all()
    assert sorted(d.applicant_name for d in stored) == sorted(names)


def test_english_headers_semicolons_decimal_commas_and_no_bom_are_read(
    client: TestClient, session: Session
) -> None:
    """What a Vietnamese-locale Excel or another tool writes is read the same way."""
    rows = [row(lat="10,9804", lon="106,6519", slot="Chiều", result_return="Tại quầy")]
    data = table(rows, headers=EN_HEADERS, bom=False, sep=";")
    response = upload(client, headers_for(session, ENTERPRISE), data)
    assert response.status_code == 201, response.text
    code = response.json()["bookings"][0]["tracking_code"]
    dossier = session.scalar(select(Dossier).where(Dossier.tracking_code == code))
    assert dossier is not None
    assert (dossier.slot.value, dossier.result_return.value) == ("afternoon", "center")
    assert abs(dossier.lat - 10.9804) < 1e-9


def test_five_hundred_rows_are_booked_and_five_hundred_and_one_refused(
    client: TestClient, session: Session
) -> None:
    """The cap is 500 rows; a larger file is refused whole, with one clear message."""
    enterprise = headers_for(session, ENTERPRISE)
    before = counts(session)
    too_many = upload(client, enterprise, table([row()] * 501), lang="en")
    assert too_many.status_code == 422
    [problem] = too_many.json()["detail"]
    assert problem["type"] == "csv_too_many_rows"
    assert "501" in problem["msg"]
    assert counts(session) == before
    response = upload(client, enterprise, table([row()] * 500))
    assert response.status_code == 201, response.text[:500]
    assert len(response.json()["bookings"]) == 500
    assert counts(session)["dossier"] == before["dossier"] + 500


def test_a_bad_row_among_good_ones_stores_nothing_and_every_error_is_listed(
    client: TestClient, session: Session
) -> None:
    """Errors of every row come at once, by spreadsheet row and column, in the language."""
    rows = [
        row(),
        row(phone="12345", preferred_on="31/02/2026"),
        row(),
        row(procedure_code="KHONG-CO"),
        row(slot="tối"),
    ]
    before = counts(session)
    response = upload(client, headers_for(session, ENTERPRISE), table(rows))
    assert response.status_code == 422
    found = [(p["row"], p["field"]) for p in response.json()["detail"]]
    assert found == [(3, "phone"), (3, "preferred_on"), (5, "procedure_code"), (6, "slot")]
    first = response.json()["detail"][0]
    assert first["column"] == "Số điện thoại"
    assert first["msg"].startswith("«Số điện thoại»:")
    assert response.headers["content-language"] == "vi"
    assert counts(session) == before


def test_a_latin_1_file_is_refused_with_a_clear_message(
    client: TestClient, session: Session
) -> None:
    """A file saved in another encoding is refused as a whole, saying how to save it."""
    cells = row(
        applicant_name="José Àlvarez",
        address_text="12 Yersin, Thu Dau Mot",
        ward="Phu Cuong",
        slot="morning",
        result_return="post",
    )
    latin_bytes = table([cells], headers=EN_HEADERS, bom=False).decode().encode("latin-1")
    response = upload(client, headers_for(session, ENTERPRISE), latin_bytes, lang="en")
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["type"] == "csv_encoding"
    assert "CSV UTF-8" in problem["msg"]


def test_a_formula_is_stored_as_text_and_a_huge_cell_is_never_echoed(
    client: TestClient, session: Session
) -> None:
    """«=…» is kept as the text typed; an oversized cell gives a short answer without it."""
    formula = '=HYPERLINK("http://evil.example","Bấm vào đây")'
    enterprise = headers_for(session, ENTERPRISE)
    response = upload(client, enterprise, table([row(applicant_name=formula)]))
    assert response.status_code == 201, response.text
    code = response.json()["bookings"][0]["tracking_code"]
    dossier = session.scalar(select(Dossier).where(Dossier.tracking_code == code))
    assert dossier is not None
    assert dossier.applicant_name == formula
    exported = csvbatch.codes_file([(2, dossier)], "vi").decode("utf-8-sig")
    assert "'=HYPERLINK" in exported
    huge = "Ẩ" * 100_000
    refused = upload(client, enterprise, table([row(address_text=huge)]))
    assert refused.status_code == 422
    assert len(refused.content) < 2_000
    assert "ẨẨẨ" not in refused.text


def test_missing_and_unknown_columns_are_named(client: TestClient, session: Session) -> None:
    """A header row that is not the template's says which columns are missing or unknown."""
    headers = [h for h in VI_HEADERS if h != "Số điện thoại"] + ["Ghi chú"]
    cells = [c for h, c in zip(VI_HEADERS, row(), strict=True) if h != "Số điện thoại"] + ["x"]
    response = upload(client, headers_for(session, ENTERPRISE), table([cells], headers=headers))
    assert response.status_code == 422
    found = {(p["type"], p["column"]) for p in response.json()["detail"]}
    assert found == {("csv_column", "Dòng tiêu đề"), ("csv_missing", "Số điện thoại")}


def test_without_consent_nothing_is_booked(client: TestClient, session: Session) -> None:
    """The uploader must confirm the applicants' consent; one error, not one per row."""
    before = counts(session)
    response = upload(
        client, headers_for(session, ENTERPRISE), table([row(), row()]), consent="false"
    )
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["detail"]] == ["consent"]
    assert counts(session) == before


def test_only_enterprises_book_from_files(client: TestClient, session: Session) -> None:
    """Anonymous 401, a citizen account 403, an enterprise's API key 201."""
    data = table([row()])
    assert upload(client, {}, data).status_code == 401
    assert upload(client, headers_for(session, "citizen.an"), data).status_code == 403
    owner = session.scalar(select(User.id).where(User.username == ENTERPRISE))
    _, key = accounts.create_api_key(session, name="Minh Phat ERP", owner_id=owner)
    session.commit()
    assert upload(client, {"X-API-Key": key}, data).status_code == 201


def test_the_template_books_as_it_is(client: TestClient, session: Session) -> None:
    """The downloadable template (BOM, Vietnamese headers, one example by ward) books one row."""
    data = csvbatch.template(booking_day())
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines()[0].split(",") == VI_HEADERS
    response = upload(client, headers_for(session, ENTERPRISE), data)
    assert response.status_code == 201, response.text


def test_a_ward_places_the_row_at_its_centre(client: TestClient, session: Session) -> None:
    """A ward named with or without «Phường», or with its district, gives its centre's point."""
    rows = [
        row(applicant_name="Lý Thị Mai", ward="Phú Cường"),
        row(applicant_name="Lý Văn Nam", ward="tan dinh, Bac Tan Uyen"),
    ]
    response = upload(client, headers_for(session, ENTERPRISE), table(rows))
    assert response.status_code == 201, response.text
    codes = [b["tracking_code"] for b in response.json()["bookings"]]
    points = [
        session.scalar(select(Dossier).where(Dossier.tracking_code == code)) for code in codes
    ]
    assert [(d.lat, d.lon) for d in points if d] == [(10.98, 106.652), (11.2, 106.86)]
    assert {d.point_source for d in points if d} == {PointSource.WARD}  # the courier corrects it


def test_an_unknown_or_ambiguous_ward_is_named(client: TestClient, session: Session) -> None:
    """A ward the province lacks, one whose name two districts share, none and no point."""
    rows = [row(ward="Phường Không Có"), row(ward="Tân Định"), row(ward="")]
    response = upload(client, headers_for(session, ENTERPRISE), table(rows))
    assert response.status_code == 422
    found = [(p["row"], p["field"], p["type"]) for p in response.json()["detail"]]
    assert found == [
        (2, "ward", "unknown_ward"),
        (3, "ward", "ambiguous_ward"),
        (4, "ward", "missing"),
    ]
