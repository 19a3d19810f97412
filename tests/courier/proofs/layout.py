"""What every printed page must show: nothing past the margins, nothing lying on anything else."""

from courier.proofs import receipts
from courier.proofs.receipts import MARGIN, PAGE, Page

Box = tuple[float, float, float, float]


def line_box(line: receipts.Line) -> Box:
    """The ink of a line on its page."""
    left, top, right, bottom = receipts.font(line.style).getbbox(line.text)
    return (line.xy[0] + left, line.xy[1] + top, line.xy[0] + right, line.xy[1] + bottom)


def _apart(a: Box, b: Box) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def assert_laid_out(page: Page) -> None:
    """Every line and picture within the margins, no line on a picture or on another line, no
    picture on another, and on every page's image the strip right of the margin blank (white)."""
    right, foot = PAGE[0] - MARGIN, PAGE[1] - MARGIN
    for line in page.lines:
        box = line_box(line)
        assert box[0] >= MARGIN - 3, line  # a glyph may lean left of its origin
        assert box[2] <= right, line
        assert box[3] <= foot, line
    for picture in page.pictures:
        box = picture.box
        assert box[0] >= MARGIN, picture
        assert box[1] >= MARGIN, picture
        assert box[2] <= right, picture
        assert box[3] <= foot, picture
    for number in range(len(page.images)):
        lines = [line for line in page.lines if line.page == number and line.text.strip()]
        pictures = [p.box for p in page.pictures if p.page == number]
        for line in lines:
            assert all(_apart(line_box(line), box) for box in pictures), line
            others = (other for other in lines if other is not line)
            assert all(_apart(line_box(line), line_box(other)) for other in others), line
        for index, box in enumerate(pictures):
            assert all(_apart(box, other) for other in pictures[index + 1 :]), box
    for image in page.images:
        strip = image.crop((right + 1, 0, PAGE[0], PAGE[1]))
        assert strip.getextrema() == ((255, 255),) * 3, "something is drawn right of the margin"


def printed(page: Page, text: str) -> bool:
    """Whether every word of `text` is printed, in order, over the page's lines."""
    return " ".join(text.split()) in " ".join(" ".join(line.text.split()) for line in page.lines)
