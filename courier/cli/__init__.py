"""The `courier` operator command line."""

import typer

from courier.cli import bench

app = typer.Typer(help="Courier service: operator commands.", no_args_is_help=True)
app.add_typer(bench.app, name="bench")
