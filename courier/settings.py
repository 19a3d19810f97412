"""The one settings class of the service, read from `COURIER_*` environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "dev-secret-change-me-not-for-production"}
)
DEFAULT_SECRET = "dev-secret-change-me-not-for-production"


class InsecureSettings(ValueError):
    """The settings would run a non-development service with a placeholder secret."""


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="COURIER_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/courier.sqlite3"
    broker_url: str | None = None
    media_dir: Path = Path("var/media")
    storage_backend: Literal["local", "s3"] = "local"
    s3_bucket: str = "courier-media"
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    # Ed25519 key that signs the custody chain; made on first use in development and tests
    signing_key_file: Path = Path("var/signing-key.pem")
    # public keys (PEM, one after another) of signing keys retired by a rotation: old links verify
    signing_retired_keys_file: Path = Path("var/retired-signing-keys.pem")
    upload_max_bytes: int = Field(default=15_000_000, ge=10_000)
    # every request body but a multipart upload: JSON above all (a 500-row batch booking is about
    # 0.2 MB, 1.2 MB with every field at its longest in Vietnamese, escaped), forms, anything else
    body_max_bytes: int = Field(default=2_000_000, ge=100_000)
    photo_max_side: int = Field(default=2000, ge=320, le=8000)
    photo_target_bytes: int = Field(default=300_000, ge=20_000)
    # JPEG is decoded scaled down (DCT draft), so a 50 MP phone photo costs little memory;
    # PNG, WebP and HEIC are decoded whole (3-4 bytes a pixel), so they get a lower bound
    photo_max_pixels: int = Field(default=50_000_000, ge=1_000_000)
    photo_max_pixels_full_decode: int = Field(default=25_000_000, ge=1_000_000)
    proof_retention_days: int = Field(default=365, ge=1)
    # a closed dossier's personal fields are kept this long after it closed (delivered or
    # cancelled): the administrative record's retention; then erased (courier.privacy.erasure)
    personal_data_retention_days: int = Field(default=1825, ge=1, le=36_500)
    personal_data_purge_at: str = Field(default="02:45", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # daily plan: seconds of OR-Tools per part, jobs per part, jobs a courier is expected to carry
    plan_part_seconds: int = Field(default=20, ge=1, le=600)
    plan_part_max_jobs: int = Field(default=80, ge=5, le=500)
    plan_jobs_per_courier: int = Field(default=20, ge=1, le=200)
    plan_nightly_at: str = Field(default="20:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # a dossier picked up too late for its center may be left at the courier's post office for
    # the night, which the plan weighs as this many metres of extra riding (none: never)
    # 50 km: on the benchmark day 14 of 1,000 dossiers wait a night, every pickup in its slot
    # (15 km held 65 with the same result; bench/README.md, "A night at the post office")
    plan_hold_cost_m: int | None = Field(default=50_000, ge=0, le=1_000_000)
    # a stop done (or still pending) later than its planned arrival plus this is late
    plan_late_minutes: int = Field(default=15, ge=0, le=240)
    secret_key: str = DEFAULT_SECRET
    timezone: str = "Asia/Ho_Chi_Minh"
    public_base_url: str = "http://127.0.0.1:8000"
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # a phone's device session lasts this long since its last refresh, and never beyond the cap
    device_session_days: int = Field(default=7, ge=1, le=365)
    device_session_max_days: int = Field(default=30, ge=1, le=3650)
    # how far ahead of the server a phone's clock may be (capture times of handovers, attempts)
    clock_skew_seconds: int = Field(default=300, ge=0, le=86_400)
    max_attempts: int = Field(default=3, ge=1, le=10)
    consent_version: str = "2026-11-01"
    # south, west, north, east: the province a booking address must lie in
    service_area: tuple[float, float, float, float] = (10.85, 106.33, 11.50, 106.98)
    track_rate_limit: str = "30/minute"
    # anonymous bookings: per client address (a moving window), and per phone number over the
    # last 24 hours, counted in the database (so every booking SMS to a number is capped too)
    booking_rate_limit: str = "10/hour"
    bookings_per_phone_per_day: int = Field(default=3, ge=1)
    # Web pages: where `npm ci` put the browser libraries (the project's node_modules by
    # default), and the map tiles' URL template; empty on a closed network, where the booking
    # page places the address by ward or commune instead of on a map
    web_vendor_dir: Path | None = None
    map_tiles_url: str = ""
    map_tiles_attribution: str = ""
    rate_limit_storage: str = "memory://"
    # reverse proxies whose X-Forwarded-For names the real client (comma-separated addresses or
    # networks, "*" for any): rate limits then count per citizen, not per proxy. Empty, the
    # default, trusts nobody: a client (even one on this host) cannot pose as another address
    forwarded_allow_ips: str = ""
    pickup_fee_vnd: int = Field(default=25_000, ge=0)
    return_fee_vnd: int = Field(default=25_000, ge=0)
    outbox_relay_seconds: float = Field(default=30.0, gt=0)
    # Database connections and request admission, per API process (README "Sizing"). A request
    # holds a session only once it has one of `api_db_slots`, taken without a thread: a thread
    # never waits for a connection, so the thread pool and the pool cannot deadlock. Requests
    # beyond the slots queue (at most `api_queue_max`, `api_queue_wait_s` each), then get 503.
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=5, ge=0, le=200)
    db_pool_timeout_s: float = Field(default=10.0, gt=0, le=120)
    api_threads: int = Field(default=40, ge=1, le=1000)
    api_db_slots: int | None = Field(default=None, ge=1)
    api_queue_max: int = Field(default=200, ge=0)
    api_queue_wait_s: float = Field(default=5.0, gt=0, le=60)
    shutdown_grace_s: int = Field(default=20, ge=1, le=600)
    # Tasks: how long a relayed task may run before the outbox relays it again (a worker died),
    # and the embedded mode's task thread (the app runs the outbox itself when no broker is set)
    task_lease_s: int = Field(default=120, ge=10)
    # how long a message may wait in the broker's queue before it is presumed lost (a broker that
    # kept nothing on a restart) and sent again; a worker that starts it renews the lease
    task_queued_lease_s: int = Field(default=900, ge=5)
    task_queue: str = "courier"
    # Webhooks (README "Webhooks"): each POST waits this long for an answer; a failed one is
    # tried again after each of these waits in turn, then the delivery is listed as failed
    webhook_timeout_s: float = Field(default=5.0, gt=0, le=30)
    webhook_retry_s: tuple[int, ...] = (30, 120, 600, 3600, 21600)
    embedded_worker: bool = True
    # "cheapest" exists for test suites only; production refuses it
    password_hash_profile: Literal["rfc_9106_low_memory", "cheapest"] = "rfc_9106_low_memory"

    @field_validator("plan_hold_cost_m", mode="before")
    @classmethod
    def _hold_off(cls, value: object) -> object:
        """COURIER_PLAN_HOLD_COST_M=off (or empty) plans no night at a post office."""
        return None if isinstance(value, str) and value.strip().lower() in ("", "off") else value

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> "Settings":
        if self.environment != "development" and self.secret_key in PLACEHOLDER_SECRETS:
            raise InsecureSettings(
                "COURIER_SECRET_KEY is a placeholder; set a long random value outside development"
            )
        if self.environment == "production" and self.password_hash_profile == "cheapest":
            raise InsecureSettings("COURIER_PASSWORD_HASH_PROFILE=cheapest is for tests only")
        if self.environment == "production" and len(self.secret_key) < 32:
            raise InsecureSettings(
                "COURIER_SECRET_KEY must be at least 32 characters in production"
            )
        return self

    @model_validator(mode="after")
    def _slots_fit_the_pool(self) -> "Settings":
        if self.api_db_slots and self.api_db_slots > self.db_pool_size + self.db_max_overflow:
            raise ValueError(
                "COURIER_API_DB_SLOTS must not exceed COURIER_DB_POOL_SIZE + COURIER_DB_MAX_OVERFLOW"
                " (a request holding a slot must never wait for a connection)"
            )
        return self

    @model_validator(mode="after")
    def _images_go_before_the_record(self) -> "Settings":
        if self.personal_data_retention_days < self.proof_retention_days:
            raise ValueError(
                "COURIER_PERSONAL_DATA_RETENTION_DAYS must not be shorter than "
                "COURIER_PROOF_RETENTION_DAYS (signatures and photos go first, with their proof)"
            )
        return self

    @property
    def upload_max_request_bytes(self) -> int:
        """A whole handover request: two signatures, six photos and the form fields."""
        return 8 * self.upload_max_bytes + 1_000_000

    @property
    def db_slots(self) -> int:
        """Requests of one process that may hold a session: the pool, less the relay's two."""
        capacity = self.db_pool_size + self.db_max_overflow
        return self.api_db_slots or max(1, capacity - 2)

    @property
    def map_tiles_origin(self) -> str:
        """scheme://host of the map tiles, for the pages' Content-Security-Policy ('' if none)."""
        if not self.map_tiles_url:
            return ""
        parts = urlsplit(self.map_tiles_url.replace("{s}", "*"))
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def zone(self) -> ZoneInfo:
        """The zone in which times are shown and days are counted."""
        return ZoneInfo(self.timezone)

    @property
    def tasks_in_process(self) -> bool:
        """True when no broker is configured and Celery tasks run inside the caller."""
        return not self.broker_url


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
