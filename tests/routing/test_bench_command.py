"""`courier bench routing`: bad input ends with one clear line and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from courier.cli.bench import app

DATA = Path(__file__).resolve().parent.parent / "data"


def _bench(*args: str) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(app, ["routing", *args])
    return result.exit_code, result.stdout, result.stderr, result.exception


@pytest.mark.parametrize("limit", ["0", "-1", "nan", "inf"])
def test_a_time_limit_that_is_not_positive_is_refused_in_one_line(limit: str) -> None:
    """--time-limit 0 (or negative, NaN, infinite) is a usage error, not a traceback."""
    code, _, err, exception = _bench(str(DATA / "C101.txt"), "--time-limit", limit)
    assert code == 2
    assert isinstance(exception, SystemExit)
    assert err == f"error: --time-limit must be a positive number of seconds, not {float(limit)}\n"


def test_a_missing_file_is_named_in_one_line(tmp_path: Path) -> None:
    """A file that does not exist is named with the reason, and nothing is solved."""
    missing = tmp_path / "nowhere.txt"
    code, out, err, exception = _bench(str(missing), "--time-limit", "1")
    assert (code, out) == (1, "")
    assert isinstance(exception, SystemExit)
    assert err == f"error: {missing}: No such file or directory\n"


@pytest.mark.parametrize(
    "text", ["", "not an instance at all\n", "C101\nVEHICLE\n25 200\nCUSTOMER\n0 1 2\n"]
)
def test_a_file_that_is_no_instance_is_named_in_one_line(tmp_path: Path, text: str) -> None:
    """Empty, foreign or truncated files give one line naming the file, before any solve."""
    bad = tmp_path / "bad.txt"
    bad.write_text(text)
    code, out, err, exception = _bench(str(DATA / "lc101.txt"), str(bad), "--time-limit", "1")
    assert (code, out) == (1, "")
    assert isinstance(exception, SystemExit)
    assert err.startswith(f"error: {bad}: not a Solomon or Li & Lim instance: ")
    assert err.count("\n") == 1


def test_a_good_file_still_gives_its_json_line() -> None:
    """The command still reports an instance as one JSON line with the promised fields."""
    code, out, _, _ = _bench(str(DATA / "C101.txt"), "--time-limit", "0.5", "--json")
    assert code == 0
    row = json.loads(out)
    assert row["instance"] == "C101"
    assert {"vehicles", "distance", "seconds", "feasible", "routes"} <= row.keys()
