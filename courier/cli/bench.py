"""`courier bench ...`: benchmarks run from the project's environment."""

import json
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from routing.literature import customer_routes, euclidean_distance, read_instance
from routing.solver import SolveParams, solve
from routing.validate import validate

app = typer.Typer(help="Benchmarks.", no_args_is_help=True)


class ObjectiveChoice(StrEnum):
    """Objective offered on the command line."""

    hierarchical = "hierarchical"
    distance = "distance"


@app.callback()
def main() -> None:
    """Benchmarks of the project's components."""


@app.command("routing")
def routing_bench(
    files: Annotated[list[Path], typer.Argument(help="Solomon or Li & Lim instance files.")],
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds per instance.")],
    objective: Annotated[
        ObjectiveChoice, typer.Option("--objective", help="What to minimise.")
    ] = ObjectiveChoice.hierarchical,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per instance.")] = False,
) -> None:
    """Solve literature instances and report vehicles, distance, time and feasibility."""
    if not 0 < time_limit < float("inf"):  # also refuses NaN
        typer.echo(
            f"error: --time-limit must be a positive number of seconds, not {time_limit}", err=True
        )
        raise typer.Exit(2)
    for path in files:  # every file is read before the first, possibly long, solve
        try:
            read_instance(path)
        except OSError as error:
            typer.echo(f"error: {path}: {error.strerror or error}", err=True)
            raise typer.Exit(1) from None
        except (ValueError, IndexError, OverflowError) as error:
            typer.echo(f"error: {path}: not a Solomon or Li & Lim instance: {error}", err=True)
            raise typer.Exit(1) from None
    if not as_json:
        typer.echo(f"{'instance':<10} {'vehicles':>8} {'distance':>10} {'seconds':>8} feasible")
    for path in files:
        row = _run(path, time_limit, objective.value)
        if as_json:
            typer.echo(json.dumps(row))
        else:
            typer.echo(
                f"{row['instance']:<10} {row['vehicles']:>8} {row['distance']:>10.2f} "
                f"{row['seconds']:>8.1f} {'yes' if row['feasible'] else 'NO'}"
            )


def _run(path: Path, time_limit: float, objective: str) -> dict[str, object]:
    """Solve one instance file and describe the outcome as plain JSON-able values."""
    instance = read_instance(path, "distance" if objective == "distance" else "hierarchical")
    started = time.monotonic()
    plan = solve(instance.problem, SolveParams(time_limit_s=time_limit))
    seconds = time.monotonic() - started
    violations = validate(instance.problem, plan)
    return {
        "instance": instance.name,
        "vehicles": plan.vehicles_used,
        "distance": euclidean_distance(instance, plan),
        "seconds": round(seconds, 3),
        "feasible": not violations,
        "violations": [f"{v.kind}: {v.where}: {v.message}" for v in violations],
        "dropped": list(plan.dropped),
        "routes": customer_routes(instance, plan),
    }
