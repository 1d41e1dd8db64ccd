"""API keys: a JSON file holding only hashes, and constant-time lookup.

Why SHA-256 and not bcrypt/argon2: those slow hashes exist to protect *low-entropy*
secrets (passwords) from offline guessing. Our keys are 256 random bits from
:mod:`secrets`, so guessing a key from its hash is infeasible whatever the hash speed,
while a slow hash would add milliseconds to every request. The plain key is shown once
by ``okf keys add`` and never written anywhere.

The file is re-read when its modification time changes (checked at most once every
``reload_interval_s``), so ``okf keys add/remove`` takes effect without a restart.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from okf.files import atomic_writer

KEY_PREFIX = "okf_"
_FORMAT_VERSION = 1


class KeyFileError(RuntimeError):
    """The key file exists but cannot be used; the service must not start open."""


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One stored key: who uses it, and the SHA-256 of the key itself."""

    name: str
    user: str
    client: str
    sha256: str
    created: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A fresh key: 32 random bytes, URL-safe, with a prefix secret scanners recognise."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def read_records(path: Path) -> list[KeyRecord]:
    """The records in ``path``; none when the file does not exist."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc}") from exc
    try:
        data = json.loads(raw)
        return [KeyRecord(**item) for item in data["keys"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyFileError(f"key file {path} is not a valid okf key store: {exc}") from exc


def write_records(path: Path, records: list[KeyRecord]) -> None:
    """Replace the file atomically, readable by its owner only."""
    payload = {"version": _FORMAT_VERSION, "keys": [asdict(r) for r in records]}
    with atomic_writer(path, mode=0o600) as fh:
        json.dump(payload, fh, indent=2)
        fh.write("\n")


def add_key(path: Path, name: str, user: str | None = None, client: str | None = None) -> str:
    """Create a key named ``name``, store its hash, and return the plain key (once)."""
    records = read_records(path)
    if any(r.name == name for r in records):
        raise ValueError(f"a key named {name!r} already exists in {path}")
    key = new_key()
    records.append(
        KeyRecord(
            name=name,
            user=user or name,
            client=client or name,
            sha256=hash_key(key),
            created=datetime.now(UTC).isoformat(timespec="seconds"),
        )
    )
    write_records(path, records)
    return key


def remove_key(path: Path, name: str) -> bool:
    records = read_records(path)
    kept = [r for r in records if r.name != name]
    if len(kept) == len(records):
        return False
    write_records(path, kept)
    return True


class KeyStore:
    """The keys the service accepts, looked up by hash in constant time."""

    def __init__(self, path: Path, *, reload_interval_s: float = 2.0) -> None:
        self.path = path
        self.reload_interval_s = reload_interval_s
        self._records: list[KeyRecord] = []
        self._stamp: tuple[int, int] | None = None
        self._checked_at = 0.0
        self._load()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _load(self) -> None:
        self._stamp = self._file_stamp()
        self._records = read_records(self.path)
        self._checked_at = time.monotonic()

    def _maybe_reload(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < self.reload_interval_s:
            return
        self._checked_at = now
        if self._file_stamp() != self._stamp:
            # A broken file while running keeps the last good keys rather than opening up.
            with contextlib.suppress(KeyFileError):
                self._load()

    def __len__(self) -> int:
        self._maybe_reload()
        return len(self._records)

    def lookup(self, key: str) -> KeyRecord | None:
        """The record whose hash matches ``key``, comparing against every record.

        Every stored hash is compared (no early exit) with :func:`hmac.compare_digest`,
        so the time taken does not reveal how much of a hash matched or which one did.
        """
        self._maybe_reload()
        digest = hash_key(key)
        found: KeyRecord | None = None
        for record in self._records:
            if hmac.compare_digest(digest, record.sha256):
                found = record
        return found
