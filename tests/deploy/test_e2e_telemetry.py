"""End to end, on the real service: its log lines travel through the real Filebeat
(with monitoring/elk/filebeat.yml) into an Elasticsearch-API store and are found by
request_id and by trace_id; its spans reach a real OTLP receiver on loopback.

Started here, all on 127.0.0.1 and stopped at the end: `okf serve` (one process, the
OTLP endpoint pointing at oteltap), oteltap (OTLP/HTTP receiver), osmem-server (the
in-memory OpenSearch-API store) behind tests/deploy/es_adapter.py (why: its
docstring), and Filebeat 8.1.3 reading the service's stdout as the kubelet writes it
(CRI format, in a file whose name matches inputs.d/kubernetes.yml's glob).
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.deploy.conftest import ELK
from tests.deploy.es_adapter import ElasticsearchAdapter

pytestmark = pytest.mark.slow

oteltap = pytest.importorskip("oteltap", reason="missing input: oteltap (PyPI, dev extra)")
osmem_server = pytest.importorskip(
    "osmem_server", reason="missing input: osmem-server (PyPI, dev extra)"
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span  # noqa: E402

from okf.testing import free_port  # noqa: E402
from okf.testing import wait_until as wait_for  # noqa: E402

TEXT = (
    "O Omni Keywords Finder extrai palavras-chave de textos em português e inglês. "
    "A extração de palavras-chave usa estatística de frequência e posição no texto."
)
CONTAINER_ID = "0f" * 32
LOG_NAME = f"okf-6b8f9c7d5-x2x7q_okf_okf-{CONTAINER_ID}.log"


class Tap:
    """oteltap's receiver on its own event loop thread; keeps every span received."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.spans: list[Span] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Tap:
        self._thread.start()
        if not self._ready.wait(20) or self._error is not None:
            raise RuntimeError(f"oteltap did not start: {self._error!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)

    def snapshot(self) -> list[Span]:
        with self._lock:
            return list(self.spans)

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._main())
        except BaseException as e:
            self._error = e
            self._ready.set()

    async def _main(self) -> None:
        settings = oteltap.OtelTapHttpProtobufReceiverSettings(http_port=self.port)
        self._stop = asyncio.Event()
        async with oteltap.OtelTapHttpProtobufReceiver(settings) as receiver:

            async def collect() -> None:
                async for span in receiver.stream_traces():
                    with self._lock:
                        self.spans.append(span)

            task = asyncio.create_task(collect())
            await asyncio.sleep(0.2)  # the stream subscribes on its first step
            self._ready.set()
            await self._stop.wait()
            task.cancel()


class ContainerLog:
    """What the kubelet does: the service's stdout, line by line, as CRI log lines."""

    def __init__(self, stream, path: Path) -> None:  # type: ignore[no-untyped-def]
        self.lines: list[str] = []
        self._stream = stream
        self._path = path
        self._lock = threading.Lock()
        path.touch()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        with self._path.open("a", encoding="utf-8") as out:
            for line in self._stream:
                self._write(out, line.rstrip("\n"))

    def _write(self, out, line: str) -> None:  # type: ignore[no-untyped-def]
        with self._lock:
            self.lines.append(line)
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
            out.write(f"{now} stdout F {line}\n")
            out.flush()

    def print_raw(self, line: str) -> None:
        """A line on the container's stdout that is not the service's JSON (a crash)."""
        with self._path.open("a", encoding="utf-8") as out:
            self._write(out, line)

    def events(self) -> list[dict[str, Any]]:
        parsed = []
        for line in list(self.lines):
            try:
                parsed.append(json.loads(line))
            except ValueError:
                continue
        return parsed


@pytest.fixture(scope="module")
def stack(tmp_path_factory, filebeat_bin) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("e2e")
    containers = tmp / "containers"
    containers.mkdir()
    with (
        Tap(free_port()) as tap,
        osmem_server.OsmemServer.start(japanese=False) as store,
        ElasticsearchAdapter(store.url, version="8.1.3") as adapter,
    ):
        # Filebeat: the shipped filebeat.yml itself (-c), with a config folder holding
        # the shipped template and policy and the Kubernetes input pointed at this
        # folder (its add_kubernetes_metadata processor needs a cluster, so it goes).
        config_dir = tmp / "filebeat-config"
        (config_dir / "inputs.d").mkdir(parents=True)
        for name in ("okf-logs-template.json", "okf-logs-ilm-policy.json"):
            shutil.copy(ELK / name, config_dir / name)
        [k8s_input] = yaml.safe_load((ELK / "inputs.d" / "kubernetes.yml").read_text())
        assert any(
            fnmatch.fnmatch(f"/var/log/containers/{LOG_NAME}", p) for p in k8s_input["paths"]
        )
        k8s_input["paths"] = [str(containers / Path(p).name) for p in k8s_input["paths"]]
        k8s_input.pop("processors")
        k8s_input["backoff.max"] = "1s"  # test pace: read new lines within a second
        inputs_file = config_dir / "inputs.d" / "kubernetes.yml"
        inputs_file.write_text(yaml.safe_dump([k8s_input]))
        inputs_file.chmod(0o600)

        service_port = free_port()
        env = {
            **os.environ,
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{tap.port}",
            "OTEL_SERVICE_NAME": "okf",
            "OKF_API_KEYS_FILE": str(tmp / "no-keys.json"),
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        okf = Path(sys.executable).with_name("okf")
        service = subprocess.Popen(
            [str(okf), "serve", "--host", "127.0.0.1", "--port", str(service_port)],
            stdout=subprocess.PIPE,
            stderr=(tmp / "okf.stderr").open("w"),
            text=True,
            env=env,
        )
        log = ContainerLog(service.stdout, containers / LOG_NAME)
        filebeat = subprocess.Popen(
            [
                str(filebeat_bin),
                "-e",
                "-c",
                str(ELK / "filebeat.yml"),
                "--path.config",
                str(config_dir),
                "--path.data",
                str(tmp / "filebeat-data"),
                "--path.home",
                str(tmp / "filebeat-home"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=(tmp / "filebeat.stderr").open("w"),
            env={**os.environ, "ELASTICSEARCH_HOSTS": adapter.url},
        )
        try:
            base = f"http://127.0.0.1:{service_port}"
            client = httpx.Client(base_url=base, timeout=30)

            def ready() -> bool:
                assert service.poll() is None, (tmp / "okf.stderr").read_text()[-3000:]
                try:
                    return client.get("/readyz").status_code == 200
                except httpx.TransportError:
                    return False

            wait_for(ready, 90, "okf /readyz")
            yield {
                "client": client,
                "tap": tap,
                "store": store,
                "adapter": adapter,
                "log": log,
                "tmp": tmp,
                "filebeat": filebeat,
            }
        finally:
            for process in (filebeat, service):
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)


def extract(stack: dict[str, Any], request_id: str, trace_id: str, parent_span: str):
    return stack["client"].post(
        "/v1/keywords/extract",
        json={"text": TEXT, "top_n": 5},
        headers={"X-Request-ID": request_id, "traceparent": f"00-{trace_id}-{parent_span}-01"},
    )


def search(stack: dict[str, Any], field: str, value: str) -> list[dict[str, Any]]:
    status, body = stack["adapter"].upstream_request(
        "POST",
        "/okf-logs/_search",
        json.dumps({"size": 100, "query": {"term": {field: value}}}).encode(),
    )
    if status != 200:
        return []
    return [hit["_source"] for hit in json.loads(body)["hits"]["hits"]]


def test_log_lines_of_real_requests_land_in_the_store_and_are_found(stack):
    requests = []
    for _ in range(3):
        request_id, trace_id, parent = (
            f"e2e-{secrets.token_hex(6)}",
            secrets.token_hex(16),
            secrets.token_hex(8),
        )
        response = extract(stack, request_id, trace_id, parent)
        assert response.status_code == 200, response.text
        assert response.headers.get("x-request-id") == request_id, (
            "no X-Request-ID echoed: okf.monitoring.instrument is not wired into create_app"
        )
        requests.append((request_id, trace_id))
    missing_id = f"e2e-404-{secrets.token_hex(4)}"
    assert (
        stack["client"].get("/no/such/path", headers={"X-Request-ID": missing_id}).status_code
        == 404
    )

    for request_id, trace_id in requests:
        # Log lines leave through the service's queue (written every 50 ms): wait for them.
        deadline = time.monotonic() + 10
        while True:
            printed = [e for e in stack["log"].events() if e.get("request_id") == request_id]
            wanted = {"api_request", "model_prediction"}
            if {e["message"] for e in printed} >= wanted or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert {e["message"] for e in printed} >= {"api_request", "model_prediction"}

        # every line the service printed for the request, once: no loss, no duplicate
        def all_found(rid: str = request_id, n: int = len(printed)) -> list[dict[str, Any]]:
            docs = search(stack, "request_id", rid)
            return docs if len(docs) >= n else []

        found = wait_for(all_found, 60, f"{len(printed)} documents of {request_id} in the store")
        assert len(found) == len(printed)
        by_trace = search(stack, "trace_id", trace_id)
        assert {d["request_id"] for d in by_trace} == {request_id}
        assert len(by_trace) == len(printed)

        api = next(d for d in found if d["message"] == "api_request")
        # JSON decoded into fields, dotted keys expanded, runtime framing removed
        assert api["method"] == "POST"
        assert api["path"] == "/v1/keywords/extract"
        assert int(api["status"]) == 200
        assert isinstance(api["duration"], float)
        assert api["log"]["level"] == "info"
        assert api["log"]["file"]["path"].endswith(LOG_NAME)
        assert api["service"]["name"] == "okf"
        assert api["stream"] == "stdout"
        assert api["trace_id"] == trace_id and len(api["span_id"]) == 16
        assert "error.message" not in json.dumps(api)  # the ndjson parser had no error
        datetime.fromisoformat(api["@timestamp"].replace("Z", "+00:00"))
        prediction = next(d for d in found if d["message"] == "model_prediction")
        assert prediction["model"] and prediction["status"] == "ok"
        assert prediction["input_sha256"] and prediction["trace_id"] == trace_id

    not_found = wait_for(lambda: search(stack, "request_id", missing_id), 30, "the 404's line")
    assert int(not_found[0]["status"]) == 404 and not_found[0]["log"]["level"] == "warning"


def test_filebeat_installed_our_template_and_policy(stack):
    wait_for(lambda: stack["adapter"].bulk_requests, 60, "a bulk request")
    adapter = stack["adapter"]
    assert adapter.policies["okf-logs"] == json.loads(
        (ELK / "okf-logs-ilm-policy.json").read_text()
    )
    template = json.loads((ELK / "okf-logs-template.json").read_text())
    assert adapter.templates["okf-logs"]["index_patterns"] == template["index_patterns"]
    assert adapter.templates["okf-logs"]["template"]["mappings"] == template["template"]["mappings"]
    assert adapter.data_streams == {"okf-logs"}
    # the store applied the template's mappings to the index Filebeat writes to
    status, body = adapter.upstream_request("GET", "/okf-logs/_mapping")
    assert status == 200
    properties = json.loads(body)["okf-logs"]["mappings"]["properties"]
    for field in ("request_id", "trace_id", "span_id", "status", "method", "model"):
        assert properties[field]["type"] == "keyword", field
    assert properties["duration"]["type"] == "double"


def test_spans_of_real_requests_reach_the_otlp_receiver(stack):
    trace_id, parent = secrets.token_hex(16), secrets.token_hex(8)
    request_id = f"e2e-trace-{secrets.token_hex(4)}"
    response = extract(stack, request_id, trace_id, parent)
    assert response.status_code == 200, response.text
    tid = bytes.fromhex(trace_id)

    def spans_of_trace() -> list[Span]:
        spans = [s for s in stack["tap"].snapshot() if s.trace_id == tid]
        names = [s.name for s in spans]
        has_model = any(n.startswith("model.predict") for n in names)
        return spans if has_model and any(s.kind == Span.SPAN_KIND_SERVER for s in spans) else []

    spans = wait_for(spans_of_trace, 30, "the request's spans at oteltap")
    server = [s for s in spans if s.kind == Span.SPAN_KIND_SERVER]
    assert len(server) == 1
    [server] = server
    assert server.name == "POST /v1/keywords/extract"
    assert server.parent_span_id == bytes.fromhex(parent)  # W3C traceparent honoured
    attrs = {a.key: a.value for a in server.attributes}
    assert attrs["http.request.method"].string_value == "POST"
    assert attrs["http.route"].string_value == "/v1/keywords/extract"
    assert attrs["http.response.status_code"].int_value == 200

    [model] = [s for s in spans if s.name.startswith("model.predict")]
    assert model.trace_id == server.trace_id
    assert model.parent_span_id == server.span_id  # the model span is the request's child
    assert server.start_time_unix_nano <= model.start_time_unix_nano
    assert model.end_time_unix_nano <= server.end_time_unix_nano
    m = {a.key: a.value for a in model.attributes}
    name = m["okf.model.name"].string_value
    assert name and model.name == f"model.predict {name}"
    assert m["okf.model.version"].string_value
    assert m["okf.language"].string_value == "pt"
    assert m["okf.text.length"].int_value == len(TEXT)
    assert m["okf.keywords.count"].int_value == len(response.json()["keywords"]) > 0
    # never the raw text
    for value in m.values():
        assert TEXT[:40] not in str(value)
    # the trace id in the request's log lines is the span's
    lines = [e for e in stack["log"].events() if e.get("request_id") == request_id]
    assert lines and {e["trace_id"] for e in lines} == {trace_id}
    api_line = next(e for e in lines if e["message"] == "api_request")
    assert api_line["span_id"] == server.span_id.hex()


def test_a_line_that_is_not_json_reaches_the_store_and_is_searchable(stack):
    """A crash's stack trace is not JSON: Filebeat's ndjson parser fails on it and flags
    the event. The event must still be stored (not rejected by the `error` mapping) and
    found by a word of it."""
    marker = f"Crash{secrets.token_hex(4)}Error"
    stack["log"].print_raw("Traceback (most recent call last):")
    stack["log"].print_raw(f'  File "/app/okf/x.py", line 7, in f: raise {marker}("boom & <b>")')
    stack["log"].print_raw(f"{marker}: boom & <b>")

    def found() -> list[dict[str, Any]]:
        status, body = stack["adapter"].upstream_request(
            "POST",
            "/okf-logs/_search",
            json.dumps({"size": 10, "query": {"match": {"message.text": marker}}}).encode(),
        )
        return [h["_source"] for h in json.loads(body)["hits"]["hits"]] if status == 200 else []

    docs = wait_for(lambda: len(found()) >= 2 and found(), 60, "the crash lines in the store")
    assert {d["message"] for d in docs} == {
        f'  File "/app/okf/x.py", line 7, in f: raise {marker}("boom & <b>")',
        f"{marker}: boom & <b>",
    }
    for doc in docs:
        # the parser's complaint is kept, where it does not clash with the service's field
        assert doc["decode_error"]["type"] == "json" and doc["decode_error"]["message"]
        assert "error" not in doc
        assert doc["log"]["file"]["path"].endswith(LOG_NAME)
    # and the service's own text `error` field still maps as text
    _, body = stack["adapter"].upstream_request("GET", "/okf-logs/_mapping")
    properties = json.loads(body)["okf-logs"]["mappings"]["properties"]
    assert properties["error"]["type"] == "text"
    assert properties["decode_error"]["properties"]["type"]["type"] == "keyword"
