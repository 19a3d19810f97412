"""`courier bench ...`: benchmarks run from the project's environment."""

import typer

app = typer.Typer(help="Benchmarks.", no_args_is_help=True)


@app.command("routing")
def routing_bench() -> None:
    """Placeholder until the routing benchmark lands."""
    raise typer.Exit(2)
