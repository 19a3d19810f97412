"""`courier stats ...`: the statistics' daily rollup."""

from datetime import date, datetime
from typing import Annotated

import typer

app = typer.Typer(help="Statistics per center.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """The daily rollup the statistics endpoints read."""


@app.command("rebuild")
def rebuild(
    from_on: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First local day (default: all)."),
    ] = None,
    to_on: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Last local day (default: all)."),
    ] = None,
) -> None:
    """Recompute the rollup's days from the tracking events (after a definition changes, or
    events were written without the services, e.g. by COPY)."""
    from courier import runtime
    from courier.settings import get_settings
    from courier.stats import rollup

    first: date | None = from_on.date() if from_on else None
    last: date | None = to_on.date() if to_on else None
    if first and last and last < first:
        raise typer.BadParameter("--to is before --from")
    with runtime.unit_of_work() as session:
        days = rollup.rebuild(session, get_settings(), first, last)
    span = f"{first or 'the first day'} to {last or 'the last day'}"
    typer.echo(f"statistics rebuilt from {span}: {days} site-days with figures")
