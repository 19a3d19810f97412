"""The Dockerfile, compose file and settings agree with each other."""

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from courier.settings import DEFAULT_SECRET, Settings

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict[str, dict[str, dict[str, object]]]:
    loaded: dict[str, dict[str, dict[str, object]]] = yaml.safe_load(
        (ROOT / "compose.yaml").read_text()
    )
    return loaded


def test_compose_sets_only_settings_that_exist() -> None:
    """Every COURIER_* variable in compose.yaml is a field of the settings class."""
    fields = {f"COURIER_{name.upper()}" for name in Settings.model_fields}
    for name, service in _compose()["services"].items():
        env = service.get("environment", {})
        assert isinstance(env, dict)
        unknown = {key for key in env if key.startswith("COURIER_")} - fields
        assert not unknown, f"{name} sets unknown settings {unknown}"


def test_compose_runs_every_role_of_the_image() -> None:
    """api, worker, beat and migrate run from the one image, and the entrypoint knows each."""
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    roles = {
        str(service["command"][0])  # type: ignore[index]
        for service in _compose()["services"].values()
        if service.get("build")
    }
    assert roles == {"api", "worker", "beat", "migrate"}
    for role in roles:
        assert f"  {role})" in entrypoint


def test_only_the_api_keeps_the_images_http_health_check() -> None:
    """Worker, beat and migrate serve no HTTP, so compose gives each its own check or none."""
    services = _compose()["services"]
    for name in ("worker", "beat", "migrate"):
        check = services[name].get("healthcheck")
        assert isinstance(check, dict), f"{name} inherits the image's HTTP check"
        assert check.get("disable") or "healthz" not in str(check.get("test")), name
    assert "healthcheck" not in services["api"]


def test_production_refuses_a_placeholder_secret() -> None:
    """The service does not start in production with the development secret."""
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(
            environment="production",
            secret_key=DEFAULT_SECRET,
            password_hash_profile="rfc_9106_low_memory",
        )


def test_production_refuses_the_test_password_profile() -> None:
    """The cheap Argon2 profile of the test suite cannot reach production."""
    with pytest.raises(ValidationError, match="for tests only"):
        Settings(environment="production", secret_key="x" * 40, password_hash_profile="cheapest")
