"""``okf serve``: run the HTTP API with uvicorn.

Flags override ``OKF_*`` settings by being written into the environment: uvicorn builds
the app through the factory (:func:`okf.service.app.create_app_from_env`), in each
worker process, and a worker inherits nothing else. That is the one place okf writes
``OKF_*`` variables; everything reads them back through :class:`~okf.settings.Settings`. The
open-mode rule is checked here first, so a refused start is one clear line, not a
traceback from every worker.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from okf.service.auth import check_open_mode
from okf.service.keys import KeyStore
from okf.settings import Settings

FACTORY = "okf.service.app:create_app_from_env"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "serve",
        help="run the HTTP API (docs at /docs)",
        description="Run the HTTP API. Flags override the OKF_* environment variables.",
    )
    parser.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="TCP port (default 8000)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default 1)")
    parser.add_argument(
        "--insecure",
        action="store_true",
        default=None,
        help="allow serving without API keys on a non-loopback address",
    )
    parser.add_argument("--keys-file", default=None, help="API key store (OKF_API_KEYS_FILE)")
    parser.set_defaults(func=run)


def _apply_flags(args: argparse.Namespace) -> None:
    flags = {
        "OKF_HOST": args.host,
        "OKF_PORT": args.port,
        "OKF_WORKERS": args.workers,
        "OKF_INSECURE": "true" if args.insecure else None,
        "OKF_API_KEYS_FILE": args.keys_file,
    }
    for name, value in flags.items():
        if value is not None:
            # Written, not read: uvicorn starts each worker from the factory's import
            # string, and the environment is all a worker inherits (see the docstring).
            os.environ[name] = str(value)


def run(args: argparse.Namespace) -> int:
    _apply_flags(args)
    settings = Settings()
    keys = KeyStore(settings.api_keys_file)
    notice = check_open_mode(settings.host, len(keys), settings.insecure)  # may refuse
    if notice:
        print(f"okf serve: WARNING: {notice}", file=sys.stderr)
    else:
        print(f"okf serve: {len(keys)} API key(s) from {settings.api_keys_file}", file=sys.stderr)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(
        f"okf serve: http://{host}:{settings.port} (API docs at /docs), "
        f"{settings.workers} worker(s)",
        file=sys.stderr,
    )

    import uvicorn

    from okf.monitoring.logging import configure_logging

    _share_metrics_between_workers(settings)
    configure_logging(level=settings.log_level, service_name=settings.service_name)
    uvicorn.run(
        FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        server_header=False,
        log_config=None,  # logs are JSON lines from okf.monitoring, in every process
    )
    return 0


def _share_metrics_between_workers(settings: Settings) -> None:
    """With several workers, counters must add up across them: prometheus_client's
    multiprocess mode, in a directory emptied now so an earlier run does not count."""
    if settings.workers <= 1:
        return
    from okf.monitoring.multiprocess import reset_multiprocess_dir

    path = settings.metrics_multiproc_dir or Path(tempfile.mkdtemp(prefix="okf-metrics-"))
    reset_multiprocess_dir(str(path))
    # Read by prometheus_client itself in every worker (and by the workers' Settings).
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
