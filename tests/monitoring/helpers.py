"""Small helpers shared by the monitoring tests."""

from __future__ import annotations

import json
from typing import Any

from okf.testing import free_port, log_lines

__all__ = ["OtlpReceiver", "attributes", "free_port", "log_lines"]


class OtlpReceiver:
    """The real `oteltap` OTLP/HTTP receiver in a subprocess, its spans read from stdout."""

    def __init__(self) -> None:
        import shutil
        import subprocess
        import sys
        import threading
        import time

        self.port = free_port()
        exe = shutil.which("oteltap") or f"{sys.prefix}/bin/oteltap"
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.spans: list[dict[str, Any]] = []
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(15):
            self.stop()
            raise RuntimeError("oteltap did not start listening")
        time.sleep(0.1)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("Listening"):
                self._ready.set()
            elif line.startswith("{"):
                record = json.loads(line)
                if "spanId" in record:
                    self.spans.append(record)

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> list[dict[str, Any]]:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [s for s in list(self.spans) if predicate(s)]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no matching span arrived; got {[s['name'] for s in self.spans]}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def attributes(span: dict[str, Any]) -> dict[str, Any]:
    """A received span's attributes as a plain dict."""
    out: dict[str, Any] = {}
    for item in span.get("attributes", []):
        value = item["value"]
        out[item["key"]] = next(iter(value.values())) if value else None
    return out
