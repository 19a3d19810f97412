"""`courier data ...`: citizens' personal data (Law 91/2025)."""

import typer

app = typer.Typer(help="Citizens' personal data.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Retention of the personal data of closed dossiers."""


@app.command("purge")
def purge() -> None:
    """Erase the personal fields of every dossier closed more than
    COURIER_PERSONAL_DATA_RETENTION_DAYS ago (what beat runs daily); safe to run again, e.g.
    from cron."""
    from courier.privacy.tasks import purge as run_purge

    erased = run_purge()
    typer.echo(f"personal data erased from {erased} closed dossiers past retention")
