"""The booking slip: what the citizen keeps after booking, on the confirmation page and on paper.

`slip_data` resolves a dossier to what the slip shows in one language; `render` draws it with
the receipts' pages and fonts (one A4 page, more only for a very long checklist) as a PDF. The
texts are English catalogue ids translated by the caller's `Wording`, which also formats days,
times and money the way the visitor's language does.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from courier import calendar
from courier.dossiers.booking import Quote, quote
from courier.dossiers.models import Dossier, DossierStatus, ResultReturn
from courier.proofs import receipts
from courier.proofs.receipts import MARGIN, PAGE, Page, font, line_height, wrap
from courier.settings import Settings
from courier.text import mark

WIDTH = PAGE[0] - 2 * MARGIN
QR_SCALE = 8
TITLE = mark("Pickup appointment slip")

RETURNS = {
    ResultReturn.POST: mark("By post to the pickup address"),
    ResultReturn.CENTER: mark("At the counter of the receiving site"),
}
NEXT_STEPS = (
    mark("An SMS confirms the booking; its link opens the tracking page."),
    mark("On the pickup day the courier calls you before coming."),
    mark("Have the documents ready: the courier checks them, seals the dossier and you both sign."),
    mark("You pay the courier at pickup, in cash or by bank transfer."),
)


@dataclass(frozen=True, slots=True)
class Document:
    """One document of the procedure's checklist: original or copy, and how many."""

    name: str
    original: bool
    copies: int


@dataclass(frozen=True, slots=True)
class SlipData:
    """Everything the slip shows, in the visitor's language where the catalogue has both."""

    code: str
    tracking_url: str
    procedure: str
    site_name: str
    site_address: str
    pickup_on: date
    window: tuple[datetime, datetime]
    result_return: ResultReturn
    documents: tuple[Document, ...]
    fees: Quote
    cancelled: bool

    @property
    def return_label(self) -> str:
        """The catalogue id saying how the result comes back."""
        return RETURNS[self.result_return]


@dataclass(frozen=True, slots=True)
class Wording:
    """How the slip speaks the visitor's language: gettext and the formatters."""

    text: Callable[[str], str]
    day: Callable[[date], str]
    clock: Callable[[datetime], str]
    money: Callable[[int], str]


def tracking_url(settings: Settings, code: str) -> str:
    """The public tracking page of a dossier, as SMS and QR codes give it."""
    return f"{settings.public_base_url.rstrip('/')}/track/{code}"


def booked_fees(dossier: Dossier, settings: Settings) -> Quote:
    """The fees as booked: the amounts stored with the dossier, split as the booking quoted."""
    quoted = quote(dossier.procedure, dossier.result_return, settings)
    return_fee = min(quoted.return_fee_vnd, dossier.service_fee_vnd)
    return Quote(dossier.procedure_fee_vnd, dossier.service_fee_vnd - return_fee, return_fee)


def slip_data(dossier: Dossier, settings: Settings, lang: str) -> SlipData:
    """The dossier resolved to what its slip shows in `lang` (vi or en)."""
    vi = lang == "vi"
    procedure, site = dossier.procedure, dossier.receiving_site
    return SlipData(
        code=dossier.tracking_code,
        tracking_url=tracking_url(settings, dossier.tracking_code),
        procedure=procedure.name_vi if vi else procedure.name_en,
        site_name=site.name_vi if vi else site.name_en,
        site_address=site.address,
        pickup_on=dossier.preferred_on,
        window=calendar.slot_window(dossier.preferred_on, dossier.slot, settings.zone),
        result_return=dossier.result_return,
        documents=tuple(
            Document(d.name_vi if vi else d.name_en, d.original, d.copies)
            for d in procedure.documents
        ),
        fees=booked_fees(dossier, settings),
        cancelled=dossier.status is DossierStatus.CANCELLED,
    )


def render(data: SlipData, words: Wording) -> tuple[bytes, Page]:
    """The slip as a PDF, and the pages drawn (their images and lines, for checking)."""
    page = Page()
    _header(page, data, words)
    _appointment(page, data, words)
    _documents(page, data, words)
    _fees(page, data, words)
    _next_steps(page, words)
    _footer(page, data, words)
    title = f"{words.text(TITLE)} {data.code}"
    return receipts.pdf_of(page.images, title), page


def _header(page: Page, data: SlipData, words: Wording) -> None:
    _ = words.text
    qr = receipts.qr_image(data.tracking_url, QR_SCALE)
    page.paste(qr, (PAGE[0] - MARGIN - qr.width, MARGIN))
    width = WIDTH - qr.width - 20  # beside the code
    page.text(_("PICKUP APPOINTMENT SLIP"), "title", gap=2, width=width)
    service = _("Public postal service") + " · " + _("Dossier courier")
    page.text(service, "small", gap=24, width=width)
    if data.cancelled:
        page.text(_("This booking was cancelled."), "heading", gap=12, width=width)
    page.text(_("Tracking code"), "small", gap=2, width=width)
    page.text(data.code, "large", gap=6, width=width)
    scan = _("Scan the QR code or open %(url)s") % {"url": data.tracking_url}
    page.text(scan, "small", width=width)
    page.y = max(page.y, MARGIN + qr.height) + 16


def _appointment(page: Page, data: SlipData, words: Wording) -> None:
    _ = words.text
    start, end = data.window
    _fact(
        page, _("Pickup"), f"{words.day(data.pickup_on)}, {words.clock(start)}–{words.clock(end)}"
    )
    _fact(page, _("Procedure"), data.procedure)
    _fact(page, _("Receiving site"), f"{data.site_name}, {data.site_address}")
    _fact(page, _("Result returned"), _(data.return_label))


def _documents(page: Page, data: SlipData, words: Wording) -> None:
    _ = words.text
    page.ensure(line_height("heading", 8) * 3)
    page.text(_("Documents to prepare"), "heading", gap=8)
    for number, document in enumerate(data.documents, start=1):
        form = _("Original") if document.original else _("Copy")
        quantity = _("Quantity: %(n)d") % {"n": document.copies}
        name = f"{number}. {document.name}"
        lines = len(wrap(name, "body", WIDTH - 10))
        page.ensure(line_height("body", 2) * lines + line_height("small", 10))  # kept together
        page.text(name, "body", x=MARGIN + 10, gap=2)
        page.text(f"{form} · {quantity}", "small", x=MARGIN + 40, gap=10)
    page.y += 10


def _fees(page: Page, data: SlipData, words: Wording) -> None:
    _ = words.text
    rows = [
        (_("Procedure fee"), data.fees.procedure_fee_vnd, "body"),
        (_("Pickup fee"), data.fees.pickup_fee_vnd, "body"),
        (_("Return fee"), data.fees.return_fee_vnd, "body"),
        (_("Total"), data.fees.total_vnd, "strong"),
    ]
    page.ensure(line_height("heading", 8) + line_height("body", 8) * len(rows))
    page.text(_("Fees"), "heading", gap=8)
    right = MARGIN + WIDTH // 2 + 120
    for label, amount, style in rows:
        shown = words.money(amount)
        page.write(shown, style, (right - int(font(style).getlength(shown)), page.y))
        page.text(label, style, x=MARGIN + 10)
    page.y += 10


def _next_steps(page: Page, words: Wording) -> None:
    _ = words.text
    page.ensure(line_height("heading", 8) + line_height("body", 6) * 3)
    page.text(_("What happens next"), "heading", gap=8)
    for step in NEXT_STEPS:
        page.text("• " + _(step), "body", x=MARGIN + 10, gap=6)


def _footer(page: Page, data: SlipData, words: Wording) -> None:
    _ = words.text
    page.text(_("Times are Vietnam time (GMT+7)."), "small", gap=4)
    caption = _("Slip %(code)s, page %(page)d of %(count)d")
    receipts.number_pages(
        page, lambda n, count: caption % {"code": data.code, "page": n, "count": count}
    )


def _fact(page: Page, label: str, value: str) -> None:
    page.ensure(line_height("small", 2) + line_height("body", 12))
    page.text(label, "small", gap=2)
    page.text(value, "body", gap=12)
