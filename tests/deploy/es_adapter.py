"""A small HTTP adapter that lets the real Filebeat 8 write to osmem-server.

osmem-server (the in-memory OpenSearch-API store the tests run) answers ``GET /`` with
OpenSearch 3.x and knows no ``/_license``, ILM or data streams. Filebeat, seeing a
"3.x" cluster, would fall back to the bulk format of Elasticsearch < 7 (``_type``),
which the store rejects; and its setup (ILM policy, data stream) would fail, so it
would never send a single event. The adapter makes the store look like the cluster the
config is written for — Elasticsearch 8 — and nothing more:

- ``GET /``: the store's answer with ``version.number`` set to Filebeat's own version;
- ``GET /_license``: an active basic license;
- ``/_ilm/policy/*``: kept here (recorded for the tests), as the store has no ILM;
- ``PUT /_index_template/*``: recorded, then forwarded without the Elasticsearch-only
  parts (``data_stream``, ``index.lifecycle``), so the store still applies the mappings;
- ``PUT /_data_stream/NAME``: creates a plain index NAME in the store;
- gzip request bodies are decoded; every other request (``_bulk`` above all) is
  forwarded unchanged.

So the events, the bulk requests and the mappings under test are Filebeat's real ones.
"""

from __future__ import annotations

import gzip
import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ElasticsearchAdapter:
    def __init__(self, upstream: str, version: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.version = version
        self.policies: dict[str, Any] = {}
        self.templates: dict[str, Any] = {}
        self.data_streams: set[str] = set()
        self.bulk_requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ElasticsearchAdapter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def upstream_request(self, method: str, path: str, body: bytes | None = None):
        request = urllib.request.Request(
            self.upstream + path,
            data=body,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def _handler(self):  # type: ignore[no-untyped-def]
        adapter = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _reply(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _json(self, status: int, obj: Any) -> None:
                self._reply(status, json.dumps(obj).encode())

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if body and self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                path = self.path.split("?")[0]
                parts = [p for p in path.split("/") if p]

                if path == "/":
                    status, data = adapter.upstream_request("GET", "/")
                    info = json.loads(data)
                    info["version"]["number"] = adapter.version
                    info["version"].pop("distribution", None)
                    info["version"]["build_flavor"] = "default"
                    info["tagline"] = "You Know, for Search"
                    return self._json(status, info)
                if parts[:1] == ["_license"]:
                    return self._json(
                        200, {"license": {"status": "active", "type": "basic", "uid": "osmem"}}
                    )
                if parts[:2] == ["_ilm", "policy"] and len(parts) == 3:
                    name = parts[2]
                    if self.command == "PUT":
                        adapter.policies[name] = json.loads(body or b"{}")
                        return self._json(200, {"acknowledged": True})
                    if name in adapter.policies:
                        return self._json(200, {name: adapter.policies[name]})
                    return self._json(404, {"error": f"no policy {name}", "status": 404})
                if parts[:1] == ["_data_stream"] and len(parts) == 2:
                    name = parts[1]
                    if self.command == "PUT":
                        status, data = adapter.upstream_request("PUT", f"/{name}", b"{}")
                        if status == 200:
                            adapter.data_streams.add(name)
                        return self._reply(status, data)
                    if name in adapter.data_streams:
                        return self._json(200, {"data_streams": [{"name": name}]})
                    return self._json(404, {"error": f"no data stream {name}", "status": 404})
                if parts[:1] == ["_index_template"] and self.command == "PUT":
                    template = json.loads(body or b"{}")
                    adapter.templates[parts[1]] = json.loads(json.dumps(template))
                    template.pop("data_stream", None)
                    settings = template.get("template", {}).get("settings", {})
                    settings.get("index", {}).pop("lifecycle", None)
                    body = json.dumps(template).encode()
                if parts[-1:] == ["_bulk"]:
                    adapter.bulk_requests += 1
                status, data = adapter.upstream_request(self.command, self.path, body)
                return self._reply(status, data)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle

        return Handler
