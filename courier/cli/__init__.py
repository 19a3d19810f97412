"""The `courier` operator command line."""

from collections.abc import Callable
from datetime import date
from pathlib import Path

import typer
from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session

from courier.cli import bench, data, stats
from courier.enums import Role
from courier.errors import DomainError
from courier.settings import get_settings

app = typer.Typer(help="Courier service: operator commands.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo province (Binh Duong).", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for center systems and enterprises.", no_args_is_help=True)
outbox_app = typer.Typer(help="The task outbox.", no_args_is_help=True)
plan_app = typer.Typer(help="Daily route plans.", no_args_is_help=True)
devices_app = typer.Typer(
    help="Phones signed in to accounts (device sessions).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
app.add_typer(outbox_app, name="outbox")
app.add_typer(plan_app, name="plan")
app.add_typer(devices_app, name="devices")
app.add_typer(bench.app, name="bench")
app.add_typer(stats.app, name="stats")
app.add_typer(data.app, name="data")


def alembic_config(url: str | None = None) -> Config:
    """Alembic's config for this project, on the settings' database unless a URL is given."""
    root = Path(__file__).resolve().parents[2]
    ini = root / "alembic.ini" if (root / "alembic.ini").exists() else Path("alembic.ini")
    config = Config(str(ini))
    config.set_main_option("script_location", str(ini.parent / "alembic"))
    config.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    return config


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations up to REVISION (head by default)."""
    command.upgrade(alembic_config(), revision)


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION ('base' for an empty database)."""
    command.downgrade(alembic_config(), revision)


@demo_app.command("load")
def demo_load() -> None:
    """Load the demo province: sites, procedures, couriers and demo accounts."""
    from courier import runtime
    from courier.demo.load import load_demo

    with runtime.unit_of_work() as session:
        report = load_demo(session)
    typer.echo(
        f"demo province loaded: {report.sites} sites, {report.procedures} procedures, "
        f"{report.couriers} couriers, {report.accounts} accounts, {report.wards} wards and communes"
    )


@demo_app.command("bookings")
def demo_bookings(
    on: str = typer.Option(..., "--date", help="YYYY-MM-DD, a working day"),
    count: int = typer.Option(100, "--count", min=1, max=100_000),
    seed: int = typer.Option(1, "--seed"),
) -> None:
    """Book COUNT realistic pickups spread over the populated area for a date."""
    from courier import runtime
    from courier.demo.load import load_bookings

    try:
        day = date.fromisoformat(on)
        with runtime.unit_of_work() as session:
            made = load_bookings(session, get_settings(), on=day, count=count, seed=seed)
    except (ValueError, DomainError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{made} bookings created for {day.isoformat()}")


@demo_app.command("day")
def demo_day(
    courier: str = typer.Option("bd-cr-tdm-01", "--courier", help="courier code"),
    count: int = typer.Option(8, "--count", min=1, max=200),
    on: str = typer.Option("today", "--date", help="YYYY-MM-DD or 'today'"),
) -> None:
    """Book COUNT pickups near a courier's post office for a day and assign them to the courier by
    hand: the courier app then opens on a real route. Running it again adds more."""
    from courier import calendar, runtime
    from courier.db import utcnow
    from courier.demo.day import book_day

    settings = get_settings()
    try:
        day = (
            calendar.local_today(utcnow(), settings.zone)
            if on == "today"
            else date.fromisoformat(on)
        )
        with runtime.unit_of_work() as session:
            made = book_day(session, settings, courier_code=courier, on=day, count=count)
    except (ValueError, DomainError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"{len(made.tracking_codes)} pickups booked on {made.on.isoformat()} and assigned to "
        f"{made.courier_code}: {', '.join(made.tracking_codes)}"
    )


@devices_app.command("list")
def devices_list(
    user: str | None = typer.Option(None, "--user", help="username (all accounts if left out)"),
) -> None:
    """List device sessions, newest first: id, account, phone name, last use, state."""
    from sqlalchemy import select

    from courier import runtime
    from courier.accounts import devices
    from courier.accounts.models import User
    from courier.actors import SYSTEM
    from courier.db import utcnow

    with runtime.unit_of_work() as session:
        user_id = session.scalar(select(User.id).where(User.username == user)) if user else None
        if user and user_id is None:
            typer.echo(f"error: no user {user}", err=True)
            raise typer.Exit(1)
        now = utcnow()
        for view in devices.list_sessions(session, SYSTEM, user_id=user_id):
            d = view.device
            state = (
                "active"
                if devices.is_active(d, now)
                else (f"revoked: {d.revoke_reason}" if d.revoked_at else "expired")
            )
            typer.echo(
                f"{d.id}\t{d.user.username}\t{d.name}\t{d.last_used_at:%Y-%m-%d %H:%M}Z\t{state}"
            )


@devices_app.command("revoke")
def devices_revoke(
    device_id: int = typer.Argument(..., help="device session id (courier devices list)"),
    reason: str = typer.Option(..., "--reason", help="told to the phone, e.g. 'lost phone'"),
) -> None:
    """Sign a phone out: its tokens stop working at once."""
    from courier import runtime
    from courier.accounts import devices
    from courier.actors import SYSTEM

    if not 1 <= len(reason.strip()) <= 200:
        typer.echo("error: --reason takes 1 to 200 characters", err=True)
        raise typer.Exit(2)
    try:
        with runtime.unit_of_work() as session:
            view = devices.revoke(session, device_id, SYSTEM, reason=reason.strip())
    except DomainError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"device session {view.device.id} ({view.device.user.username}) revoked")


@users_app.command("create")
def users_create(
    role: Role = typer.Option(..., "--role"),
    username: str = typer.Option(..., "--username"),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True),
    site: str | None = typer.Option(
        None, "--site", help="site code (center staff); post office code (dispatcher)"
    ),
    full_name: str = typer.Option("", "--full-name"),
) -> None:
    """Create an account."""
    from courier import runtime
    from courier.accounts.service import create_user

    try:
        with runtime.unit_of_work() as session:
            user = create_user(
                session,
                username=username,
                password=password,
                role=role,
                full_name=full_name,
                site_code=site,
            )
    except DomainError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"user {user.username} ({user.role.value}) created with id {user.id}")


def _change(work: Callable[[Session], str]) -> None:
    """Run `work` in one transaction and print what it did once committed; a refusal is printed
    as an error, exits 1 and changes nothing."""
    from courier import runtime

    try:
        with runtime.unit_of_work() as session:
            done = work(session)
    except DomainError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(done)


@users_app.command("deactivate")
def users_deactivate(username: str = typer.Argument(...)) -> None:
    """Shut an account out at once: no sign-in, its tokens and phones refused; its data stays."""
    from courier.accounts import revocation

    def deactivate(session: Session) -> str:
        user, phones = revocation.deactivate_user(session, username)
        return f"user {user.username} deactivated; {phones} phone(s) signed out"

    _change(deactivate)


@users_app.command("reactivate")
def users_reactivate(username: str = typer.Argument(...)) -> None:
    """Let a deactivated account sign in again (its phones must sign in anew)."""
    from courier.accounts import revocation

    def reactivate(session: Session) -> str:
        return f"user {revocation.reactivate_user(session, username).username} reactivated"

    _change(reactivate)


@keys_app.command("signing-key")
def keys_signing_key() -> None:
    """Create the Ed25519 key that signs the custody chain (never overwrites an existing one)."""
    from courier.proofs import custody

    path = get_settings().signing_key_file
    if path.exists():
        typer.echo(
            f"error: {path} already exists; a new key would not verify old records", err=True
        )
        raise typer.Exit(1)
    key = custody.write_new_key(path)
    typer.echo(f"signing key {key.key_id} written to {path}")


@keys_app.command("create")
def keys_create(
    name: str = typer.Option(..., "--name"),
    site: str | None = typer.Option(None, "--site", help="site code of a center system"),
    owner: str | None = typer.Option(None, "--owner", help="username of an enterprise account"),
) -> None:
    """Create an API key; its secret is printed once."""
    from sqlalchemy import select

    from courier import runtime
    from courier.accounts.models import User
    from courier.accounts.service import create_api_key
    from courier.catalogue.service import get_site

    with runtime.unit_of_work() as session:
        site_obj = get_site(session, site) if site else None
        user = session.scalar(select(User).where(User.username == owner)) if owner else None
        if (site and site_obj is None) or (owner and user is None):
            typer.echo("error: unknown site or owner", err=True)
            raise typer.Exit(1)
        try:
            _, secret = create_api_key(
                session,
                name=name,
                site_id=site_obj.id if site_obj else None,
                owner_id=user.id if user else None,
            )
        except DomainError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
    typer.echo(secret)


@keys_app.command("list")
def keys_list() -> None:
    """List API keys: id, prefix, name, site or owner, state (never a secret)."""
    from courier import runtime
    from courier.accounts import revocation

    with runtime.unit_of_work() as session:
        for key in revocation.api_keys(session):
            bound = f"site {key.site_id}" if key.site_id else f"owner {key.owner_id}"
            state = "active" if key.active else "revoked"
            typer.echo(f"{key.id}\tck_{key.prefix}\t{key.name}\t{bound}\t{state}")


@keys_app.command("revoke")
def keys_revoke(
    key: str = typer.Argument(..., help="key id, or its prefix (the 8 characters after ck_)"),
) -> None:
    """Revoke an API key: its next request is refused (401), as an unknown key's."""
    from courier.accounts import revocation

    def revoke(session: Session) -> str:
        revoked = revocation.revoke_api_key(session, key.removeprefix("ck_"))
        return f"API key {revoked.id} (ck_{revoked.prefix}, {revoked.name}) revoked"

    _change(revoke)


@outbox_app.command("relay")
def outbox_relay() -> None:
    """Send the outbox messages that are waiting (after a broker outage)."""
    from courier import runtime
    from courier.outbox.service import relay_pending

    result = relay_pending(runtime.session_factory())
    typer.echo(f"sent {result.sent}, failed {result.failed}")


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers"),
) -> None:
    """Serve the HTTP API."""
    import uvicorn

    try:
        get_settings()  # refuse placeholder secrets before binding a port
    except ValueError as exc:
        typer.echo(f"error: invalid settings: {exc}", err=True)
        raise typer.Exit(2) from None
    # the app trusts X-Forwarded-For from COURIER_FORWARDED_ALLOW_IPS itself (testable there)
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        # requests still running this long after SIGTERM are cut: the process always stops
        timeout_graceful_shutdown=get_settings().shutdown_grace_s,
    )


@plan_app.command("build")
def plan_build(
    day: str = typer.Option(..., "--date", help="service day, YYYY-MM-DD"),
    depots: list[str] | None = typer.Option(None, "--depot", help="post office code (repeat)"),
    publish: bool = typer.Option(False, "--publish", help="publish the plan once built"),
) -> None:
    """Build the plan of a day with a progress bar: here, or on the workers when a broker is set."""
    from datetime import date

    from courier.planning import cli as planning_cli

    try:
        service_on = date.fromisoformat(day)
    except ValueError:
        typer.echo(f"error: --date {day!r} is not YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None
    code = planning_cli.build(service_on, depots or None, publish=publish)
    raise typer.Exit(code)
