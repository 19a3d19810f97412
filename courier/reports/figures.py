"""What a report shows: one center's figures (or every center's, side by side) over a period,
the bars of its charts, and the trend of received and returned dossiers across the period.

Everything is read through `courier.stats.service`; the trend asks it once per day (periods of
up to 31 days), per week (up to 26 weeks) or per month, so at most 31 calls of two queries each.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from courier import calendar
from courier.actors import Actor
from courier.catalogue.models import Site
from courier.errors import FieldProblem, InvalidInput
from courier.settings import Settings
from courier.stats import service as stats
from courier.stats.periods import Period, period
from courier.stats.service import OnTime, SiteStats, StageDays
from courier.text import mark

BAD_MONTH = mark("Choose a month as YYYY-MM.")
BAD_DATES = mark("Give both dates of the period, as YYYY-MM-DD.")
LEGS = (
    ("pickup", mark("Pickup within the citizen's slot")),
    ("arrival", mark("Arrival at the center the same day")),
    ("return_by_due", mark("Result returned by the due date")),
    ("end_to_end", mark("End to end (all three on time)")),
)
STAGES = (
    ("booked_to_picked_up", mark("Booked → picked up")),
    ("picked_up_to_received", mark("Picked up → received at the center")),
    ("received_to_result_ready", mark("Received → result ready")),
    ("result_ready_to_returned", mark("Result ready → returned")),
)
REASONS = {
    "not_home": mark("Nobody at home"),
    "refused": mark("Refused"),
    "wrong_address": mark("Wrong address"),
    "documents_incomplete": mark("Documents missing"),
    "unreachable": mark("Could not be reached by phone"),
    "site_closed": mark("Counter closed"),
    "other": mark("Other reason"),
}
ALL_CENTERS = mark("All centers")


@dataclass(frozen=True, slots=True)
class Bucket:
    """One step of the trend: its dates (both included) and what happened in it."""

    from_on: date
    to_on: date
    received: int
    returned: int


@dataclass(frozen=True, slots=True)
class Report:
    """The figures of one center (`rows` of one) or of every center with their `total`."""

    period: Period
    rows: tuple[SiteStats, ...]
    total: SiteStats
    trend: tuple[Bucket, ...]
    generated_at: datetime

    @property
    def comparison(self) -> bool:
        """True when the report sets several centers side by side."""
        return len(self.rows) != 1


def asked_period(
    month: str, from_text: str, to_text: str, today: date, settings: Settings
) -> Period:
    """The period a report asks for: two dates when either is given, else a month (YYYY-MM),
    else the last full month; `InvalidInput` naming what is wrong."""
    if from_text or to_text:
        try:
            first, last = date.fromisoformat(from_text), date.fromisoformat(to_text)
        except ValueError:
            raise InvalidInput([FieldProblem(("from",), BAD_DATES, "dates_invalid")]) from None
        return period(first, last, settings.zone)
    return month_period(month or last_full_month(today), settings, today)


def month_period(month: str, settings: Settings, today: date) -> Period:
    """The period of a calendar month written YYYY-MM, up to today in this month ("this month so
    far": no day to come); `InvalidInput` otherwise."""
    try:
        first = datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise InvalidInput([FieldProblem(("month",), BAD_MONTH, "month_invalid")]) from None
    if problems := calendar.outside_service_years("month", first):
        raise InvalidInput(problems)
    last = _next_month(first) - timedelta(days=1)
    return period(first, today if first <= today < last else last, settings.zone)


def last_full_month(today: date) -> str:
    """YYYY-MM of the month before today's: the last month whose figures are complete."""
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def _next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def report(
    session: Session,
    actor: Actor,
    code: str | None,
    span: Period,
    settings: Settings,
    now: datetime,
) -> Report:
    """One center's report (`NotFound`, `PermissionDenied` as the statistics say), or with no
    code every center the actor may read, side by side."""
    if code:
        rows = [stats.site_stats(session, actor, code, span, settings)]
        sites = [s for s in stats.visible_sites(session, actor) if s.code == code]
    else:
        sites = stats.visible_sites(session, actor)
        rows = stats.stats_of(session, sites, span, settings)
    return Report(
        span, tuple(rows), total_of(rows, span), trend(session, sites, span, settings), now
    )


def steps(span: Period) -> list[tuple[date, date]]:
    """The trend's steps: days up to 31 days, weeks (Monday first) up to 26 weeks, else months."""
    days = (span.to_on - span.from_on).days + 1
    found: list[tuple[date, date]] = []
    start = span.from_on
    while start <= span.to_on:
        if days <= 31:
            end = start
        elif days <= 26 * 7:
            end = start + timedelta(days=6 - start.weekday())
        else:
            end = _next_month(start.replace(day=1)) - timedelta(days=1)
        found.append((start, min(end, span.to_on)))
        start = found[-1][1] + timedelta(days=1)
    return found


def trend(
    session: Session, sites: Sequence[Site], span: Period, settings: Settings
) -> tuple[Bucket, ...]:
    """Received and returned per step of the period, summed over the sites."""
    buckets = []
    for first, last in steps(span):
        found = stats.stats_of(session, list(sites), period(first, last, settings.zone), settings)
        received = sum(s.received for s in found)
        buckets.append(Bucket(first, last, received, sum(s.returned for s in found)))
    return tuple(buckets)


def total_of(rows: Sequence[SiteStats], span: Period) -> SiteStats:
    """The sites' figures added up (a single site's as they are); days per stage cannot be added
    without their counts, so a sum of several has none."""
    if len(rows) == 1:
        return rows[0]

    def added(leg: str) -> OnTime:
        return OnTime(
            sum(getattr(r, leg).on_time for r in rows), sum(getattr(r, leg).total for r in rows)
        )

    failed: dict[str, int] = {}
    for row in rows:
        for reason, n in row.failed_attempts.items():
            failed[reason] = failed.get(reason, 0) + n
    return SiteStats(
        site_code="",
        site_name_vi=ALL_CENTERS,  # a catalogue id: whoever shows it translates it
        site_name_en=ALL_CENTERS,
        from_on=span.from_on,
        to_on=span.to_on,
        received=sum(r.received for r in rows),
        returned=sum(r.returned for r in rows),
        delivered=sum(r.delivered for r in rows),
        collected_at_center=sum(r.collected_at_center for r in rows),
        pickup=added("pickup"),
        arrival=added("arrival"),
        return_by_due=added("return_by_due"),
        end_to_end=added("end_to_end"),
        failed_attempts=dict(sorted(failed.items(), key=lambda kv: (-kv[1], kv[0]))),
        average_days=StageDays(None, None, None, None),
    )


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a chart: its catalogue label, the figure, out of how many (None for a count),
    and its length as a share of the chart's width (0 to 1)."""

    label: str
    value: int
    out_of: int | None
    share: float


NONE_YET = mark("none in the period")
X_OF_Y = mark("%(on_time)s of %(total)s")
DAYS = mark("%(days)s days")


def bar_text(bar: Bar, lang: str, gettext: Callable[[str], str]) -> str:
    """What a bar says: '83,3 % (5 of 6)' for a rate (or that there was none), else its count."""
    if bar.out_of is None:
        return str(bar.value)
    if not bar.out_of:
        return gettext(NONE_YET)
    x_of_y = gettext(X_OF_Y) % {"on_time": bar.value, "total": bar.out_of}
    return f"{percent(bar.value / bar.out_of, lang)} ({x_of_y})"


def days_text(days: float | None, lang: str, gettext: Callable[[str], str]) -> str:
    """'2,5 days' in the language, or a dash when no dossier went through the stage."""
    if days is None:
        return "—"
    number = f"{days:.1f}".removesuffix(".0")
    return gettext(DAYS) % {"days": number.replace(".", ",") if lang == "vi" else number}


def leg_bars(figures: SiteStats) -> list[Bar]:
    """On time per leg and end to end, each bar as long as its rate."""
    bars = []
    for key, label in LEGS:
        leg: OnTime = getattr(figures, key)
        bars.append(Bar(label, leg.on_time, leg.total, leg.rate or 0.0))
    return bars


def failure_bars(figures: SiteStats) -> list[Bar]:
    """Failed attempts per reason, the most frequent the longest."""
    top = max(figures.failed_attempts.values(), default=0)
    return [
        Bar(REASONS.get(reason, REASONS["other"]), n, None, n / top if top else 0.0)
        for reason, n in figures.failed_attempts.items()
    ]


def stage_days(figures: SiteStats) -> list[tuple[str, float | None]]:
    """The average days of each stage with its catalogue label."""
    return [(label, getattr(figures.average_days, key)) for key, label in STAGES]


def trend_top(buckets: Sequence[Bucket]) -> int:
    """The trend chart's scale: the largest count, at least 1."""
    return max([1, *(b.received for b in buckets), *(b.returned for b in buckets)])


def percent(rate: float | None, lang: str) -> str:
    """0.8333 -> '83,3 %' in Vietnamese, '83.3%' in English; a dash for no rate."""
    if rate is None:
        return "—"
    text = f"{rate * 100:.1f}".removesuffix(".0")
    return f"{text.replace('.', ',')} %" if lang == "vi" else f"{text}%"
