"""Time arithmetic the statistics need, written once per dialect: epoch seconds and local dates."""

from typing import Any

from sqlalchemy import Date, Double
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class epoch(FunctionElement[float]):  # noqa: N801 (an SQL function, named like one)
    """Seconds since 1970-01-01 UTC of a stored timestamp; of a date, of its midnight in UTC."""

    type = Double()
    inherit_cache = True


class local_date(FunctionElement[Any]):  # noqa: N801
    """The calendar date of a stored (UTC) timestamp at a fixed offset from UTC, in seconds."""

    type = Date()
    inherit_cache = True


@compiles(epoch)
def _epoch_sqlite(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' text in UTC, dates as 'YYYY-MM-DD'
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return (
        f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS DOUBLE PRECISION)"
    )


@compiles(local_date)
def _local_date_sqlite(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    at, offset = (compiler.process(c, **kw) for c in element.clauses)
    # SQLite's date functions round to the millisecond: 23:59:59.9999 would become the next day
    return f"date(substr({at}, 1, 19), ({offset}) || ' seconds')"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    at, offset = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(({at} AT TIME ZONE 'UTC') + ({offset}) * INTERVAL '1 second' AS DATE)"


def days_between(start: ColumnElement[Any], end: ColumnElement[Any]) -> ColumnElement[float]:
    """The time from `start` to `end` in days (fractional)."""
    return (epoch(end) - epoch(start)) / 86400.0


class month_of(FunctionElement[Any]):  # noqa: N801
    """The first day of a date's month."""

    type = Date()
    inherit_cache = True


@compiles(month_of)
def _month_of_sqlite(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_of, "postgresql")
def _month_of_postgresql(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"
