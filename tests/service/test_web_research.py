"""The research page's server side: the clusters chart (escaped, sized by cluster),
and the fragments that show a job only to the key that submitted it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from okf.service.web.chart import cluster_bubbles, dominant_intent

ROWS = [
    {"head": "energia solar", "size": 16, "documents": 3, "intent_mix": "informational:10"},
    {"head": "<script>x</script>", "size": 4, "documents": 1, "intent_mix": "commercial:3"},
    {"head": "bateria", "size": 1, "documents": 1, "intent_mix": "transactional:1 x:y"},
]


def test_the_chart_escapes_labels_and_sizes_bubbles_by_cluster() -> None:
    svg = cluster_bubbles(ROWS)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    radii = [float(r) for r in re.findall(r'<circle [^>]*r="([\d.]+)"', svg)]
    assert len(radii) == 3 and radii == sorted(radii, reverse=True)
    assert abs(radii[0] / radii[1] - 2.0) < 1e-6  # area ∝ size: 16 vs 4
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert cluster_bubbles([]).count("<circle") == 0


def test_dominant_intent_reads_the_mix() -> None:
    assert dominant_intent("commercial:2 informational:5") == "informational"
    assert dominant_intent("") == "informational"
    assert dominant_intent("transactional:1 broken") == "transactional"


def _submit(client: TestClient, headers: dict[str, str]) -> str:
    files = [
        ("files", ("a.txt", "Energia solar em casa: painéis solares e energia solar.".encode())),
        ("files", ("b.txt", "Painéis solares baratos; energia solar para escolas.".encode())),
    ]
    response = client.post(
        "/v1/research", files=files, data={"options": '{"model": "statistical"}'}, headers=headers
    )
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def test_fragments_show_a_job_to_its_own_key_only(
    make_settings: Callable[..., Any], keys_file: Any, tmp_path: Any
) -> None:
    from okf.service.app import create_app
    from okf.service.keys import add_key

    alice = {"Authorization": "Bearer " + add_key(keys_file, "alice", user="a", client="c")}
    bob = {"Authorization": "Bearer " + add_key(keys_file, "bob", user="b", client="c")}
    # The real registry: the job workers (other processes) build their own from settings.
    app = create_app(make_settings(data_dir=tmp_path, default_model="statistical"))
    with TestClient(app) as client:
        _check_ownership(client, alice, bob)


def _check_ownership(client: TestClient, alice: dict[str, str], bob: dict[str, str]) -> None:
    assert client.get("/research").status_code == 200  # the page itself is public
    job = _submit(client, alice)
    assert client.get(f"/web/research/{job}/progress").status_code == 401
    assert client.get(f"/web/research/{job}/progress", headers=bob).status_code == 404
    deadline = time.monotonic() + 120
    while "job-done" not in (page := client.get(f"/web/research/{job}/progress",
                                                headers=alice)).text:
        assert page.status_code == 200 and "<progress" in page.text
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.2)
    table = client.get(f"/web/research/{job}/table/keywords?sort=phrase&q=solar", headers=alice)
    assert table.status_code == 200 and 'aria-sort="ascending"' in table.text
    assert client.get(f"/web/research/{job}/clusters", headers=bob).status_code == 404
    chart = client.get(f"/web/research/{job}/clusters", headers=alice)
    assert chart.status_code == 200 and "<svg" in chart.text
    assert job[:8] in client.get("/web/research/jobs", headers=alice).text
    assert job[:8] not in client.get("/web/research/jobs", headers=bob).text
