"""The consent to personal-data processing a citizen gives when booking, by version.

A booking records the version it agreed to (`Dossier.consent_version`), so each version's text
stays here unchanged once published; a new text is a new version and a new setting
(`COURIER_CONSENT_VERSION`). Written under Vietnam's Law on Personal Data Protection
(No. 91/2025/QH15) and Decree 13/2023/ND-CP: what, why, who receives it, how long, the rights.
The texts are legal texts, kept whole per version, not split into gettext messages.
"""

from courier.settings import Settings

LANGUAGES = ("vi", "en")

_VI_2026_11_01 = """\
Đồng ý xử lý dữ liệu cá nhân khi đặt lịch thu gom hồ sơ

Bên xử lý: Trung tâm Phục vụ hành chính công của tỉnh và doanh nghiệp bưu chính thực hiện \
thu gom, chuyển phát hồ sơ.

Dữ liệu được xử lý: họ và tên, số điện thoại, địa chỉ và vị trí thu gom, thủ tục hành chính \
và giấy tờ trong hồ sơ; khi bàn giao: chữ ký, ảnh chụp hồ sơ và thời gian, địa điểm bàn giao.

Mục đích: thu gom hồ sơ tại địa chỉ của bạn, chuyển đến nơi tiếp nhận, trả kết quả theo hình \
thức bạn chọn, và nhắn tin SMS báo tình trạng hồ sơ. Dữ liệu không được dùng cho quảng cáo \
và không được bán cho bất kỳ ai.

Bên nhận dữ liệu: bưu tá và bưu cục phụ trách; cơ quan giải quyết thủ tục; nhà mạng gửi tin \
nhắn (chỉ nhận số điện thoại và nội dung tin nhắn).

Thời gian lưu: ảnh chụp bàn giao được xóa sau 12 tháng; thông tin hồ sơ và biên nhận bàn \
giao được lưu theo thời hạn lưu trữ hồ sơ thủ tục hành chính.

Quyền của bạn: được biết, xem, yêu cầu sửa hoặc xóa dữ liệu, hạn chế hoặc phản đối việc xử \
lý, rút lại sự đồng ý, và khiếu nại hoặc khởi kiện theo quy định của pháp luật.

Rút lại sự đồng ý: trước khi bưu tá nhận hồ sơ, hãy hủy đặt lịch trên trang tra cứu hồ sơ; \
sau đó, hãy liên hệ Trung tâm Phục vụ hành chính công. Việc rút lại không ảnh hưởng đến việc \
xử lý đã thực hiện trước đó; hồ sơ đã nhận sẽ được giải quyết hoặc trả lại tại quầy."""

_EN_2026_11_01 = """\
Consent to personal-data processing when booking a dossier pickup

Who processes your data: the province's Public Administration Service Center and the postal \
company that collects and delivers the dossiers.

What data: your full name, phone number, the pickup address and location, the procedure and \
the documents of the dossier; at each handover: the signature, photos of the dossier, and the \
time and place of the handover.

Why: to collect the dossier at your address, carry it to the receiving site, return the \
result the way you chose, and send you SMS about the dossier's progress. Your data is not \
used for advertising and is never sold.

Who receives it: the courier and the post office in charge; the agency that handles the \
procedure; the mobile network that sends the SMS (only the phone number and the message).

How long: handover photos are deleted after 12 months; the dossier's record and its handover \
receipts are kept as long as administrative-procedure records must be kept.

Your rights: to be informed, to see your data, to have it corrected or deleted, to restrict \
or object to its processing, to withdraw this consent, and to complain or go to court as the \
law provides.

Withdrawing consent: before the courier collects the dossier, cancel the booking on the \
tracking page; after that, contact the Public Administration Service Center. Withdrawing does \
not undo processing already done; a dossier already received is handled or handed back at \
the counter."""

TEXTS: dict[str, dict[str, str]] = {
    "2026-11-01": {"vi": _VI_2026_11_01, "en": _EN_2026_11_01},
}


class UnknownConsentVersion(LookupError):
    """`COURIER_CONSENT_VERSION` names a version this code has no text for."""


def texts(settings: Settings) -> dict[str, str]:
    """The current version's text in every language."""
    try:
        return TEXTS[settings.consent_version]
    except KeyError:
        raise UnknownConsentVersion(
            f"no consent text for version {settings.consent_version!r}; known: {sorted(TEXTS)}"
        ) from None


def current(settings: Settings, lang: str) -> tuple[str, str]:
    """(version, text) of the consent a booking must agree to, in the language (vi by default)."""
    by_language = texts(settings)
    return settings.consent_version, by_language.get(lang, by_language["vi"])


def title(text: str) -> str:
    """The text's first line, its heading."""
    return text.split("\n", 1)[0]


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs after its heading."""
    return [part.strip() for part in text.split("\n\n")[1:] if part.strip()]
