#!/usr/bin/env python3
"""A stand-in for Slack's incoming webhook (and any JSON webhook), for local runs and tests.

Listens on 127.0.0.1, accepts the JSON that Alertmanager's slack_configs (or
webhook_configs: the Watchdog heartbeat) POST, keeps every message with its headers and
(when run as a script) prints each one. `make stack` starts it when
no real webhook URL file is given; the stack tests use :class:`SlackSink` directly.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SlackSink:
    """An HTTP server in a thread that records the Slack payloads it receives."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, echo: bool = False) -> None:
        self.messages: list[dict] = []
        self._cond = threading.Condition()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    payload = json.loads(body)
                except ValueError:
                    self.send_response(400)
                    self.end_headers()
                    return
                with sink._cond:
                    sink.messages.append(
                        {"path": self.path, "payload": payload, "headers": dict(self.headers)}
                    )
                    sink._cond.notify_all()
                if echo:
                    sink.print_message(payload)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}/services/local/sink"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> SlackSink:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, predicate, timeout: float) -> dict | None:
        """The first payload for which predicate(payload) is true, waiting up to timeout."""
        msg = self.wait_for_message(lambda m: predicate(m["payload"]), timeout)
        return None if msg is None else msg["payload"]

    def wait_for_message(self, predicate, timeout: float) -> dict | None:
        """The first message (path, payload, headers) matching predicate, up to timeout."""
        import time

        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for msg in self.messages[seen:]:
                    if predicate(msg):
                        return msg
                seen = len(self.messages)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    @staticmethod
    def print_message(payload: dict) -> None:
        for att in payload.get("attachments") or [payload]:
            print(f"--- Slack {payload.get('channel', '')}: {att.get('title', '')}", flush=True)
            print(att.get("text", ""), flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--url-file", help="write the webhook URL to this file")
    parser.add_argument("--quiet", action="store_true", help="keep, do not print, messages")
    args = parser.parse_args(argv)
    sink = SlackSink(port=args.port, echo=not args.quiet).start()
    if args.url_file:
        with open(args.url_file, "w", encoding="utf-8") as f:
            f.write(sink.url + "\n")
    if not args.quiet:
        print(f"fake Slack webhook listening on {sink.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
