"""Solver settings changed from the command line of a bench, to measure a lever."""

from __future__ import annotations

import dataclasses
import json

from routing.solver import SolveParams


def parse_overrides(pairs: list[str]) -> dict[str, object]:
    """`name=value` pairs of SolveParams fields; values read as JSON when they parse (numbers,
    booleans, lists as tuples), else as strings."""
    fields = {f.name for f in dataclasses.fields(SolveParams)}
    overrides: dict[str, object] = {}
    for pair in pairs:
        name, _, text = pair.partition("=")
        if name == "time_limit_s":
            raise SystemExit("--params: the time limit is the bench's own option")
        if name not in fields:
            raise SystemExit(f"--params: SolveParams has no field {name!r}")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        overrides[name] = tuple(value) if isinstance(value, list) else value
    chosen = SolveParams(**overrides)  # type: ignore[arg-type]  # refuse bad values before any run
    if chosen.switch_metaheuristics and chosen.metaheuristic != "GUIDED_LOCAL_SEARCH":
        raise SystemExit(
            "--params: switch_metaheuristics replaces the stages of guided local search only: "
            "add metaheuristic=GUIDED_LOCAL_SEARCH"
        )
    return overrides
