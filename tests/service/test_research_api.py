"""Research jobs over HTTP: submit → progress → done → every table and export; cancel
and delete; one key cannot see another's jobs; limits; bad uploads refused with nothing
written outside the job's storage. The jobs run in real worker processes on the real
research path (statistical model, no phrase vectors, to stay quick)."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from okf.service.keys import add_key

from .support import zipped

pytestmark = pytest.mark.slow

PAGES = [
    {
        "id": "cafe-1",
        "url": "https://loja.example/cafe-coado",
        "text": "Como fazer café "
        "coado. O café coado precisa de água quente e pó de café moído na hora. Qual a melhor "
        "moagem para café coado?",
    },
    {
        "id": "cafe-2",
        "url": "https://loja.example/cafeteira",
        "text": "Melhor cafeteira para "
        "café coado: comparativo de preço. A cafeteira elétrica faz café coado rápido.",
    },
    {
        "id": "cha-1",
        "url": "https://loja.example/cha-verde",
        "text": "Chá verde tem cafeína? "
        "O chá verde tem menos cafeína que o café. Como preparar chá verde sem amargar.",
    },
]
RIVALS = [
    {
        "id": "r1",
        "text": "Moedor de café manual: comprar moedor de café barato com "
        "frete grátis. O moedor de café manual dá moagem uniforme.",
    }
]
OPTIONS = {"vectors": False, "top_n": 10}
TABLES = ("keywords", "clusters", "questions", "gap", "cannibalization", "pages")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def jobs_client(make_client, data_dir):
    def make(**overrides):
        values = {
            "data_dir": data_dir,
            "rate_limit_per_s": 1000.0,
            "rate_limit_burst": 1000,
            "job_lease_s": 5.0,
            "job_nice": 0,
        }
        values.update(overrides)
        return make_client(**values)

    return make


def wait_done(client, location: str, headers=None, timeout: float = 120.0) -> list[dict]:
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(location, headers=headers).json()
        seen.append(body)
        if body["state"] in ("done", "failed", "cancelled"):
            return seen
        time.sleep(0.1)
    raise AssertionError(f"job not finished: {seen[-1]}")


def test_submit_follow_and_read_every_table_and_export(jobs_client):
    client = jobs_client()
    r = client.post(
        "/v1/research", json={"documents": PAGES, "compare": RIVALS, "options": OPTIONS}
    )
    assert r.status_code == 202, r.text
    location = r.headers["location"]
    assert location == f"/v1/research/{r.json()['id']}" and r.json()["state"] == "queued"
    seen = wait_done(client, location)
    final = seen[-1]
    assert final["state"] == "done", final
    assert final["progress"] == {"done": 4, "total": 4, "stage": "done"}
    dones = [s["progress"]["done"] for s in seen]
    assert dones == sorted(dones)
    assert final["timings"]["running_s"] > 0 and final["error"] is None
    for table in TABLES:
        page = client.get(f"{location}/{table}")
        assert page.status_code == 200, (table, page.text)
        assert page.json()["total"] == len(page.json()["items"]) or page.json()["next"]
    keywords = client.get(f"{location}/keywords").json()
    top = keywords["items"][0]["phrase"]
    assert keywords["total"] > 5
    intent = keywords["items"][0]["intent"]
    only = client.get(f"{location}/keywords", params={"intent": intent, "limit": 1000}).json()
    assert only["items"] and {i["intent"] for i in only["items"]} == {intent}
    cluster = keywords["items"][0]["cluster"]
    members = client.get(f"{location}/keywords", params={"cluster": cluster}).json()["items"]
    assert members and {m["cluster"] for m in members} == {cluster}
    by_docs = client.get(
        f"{location}/keywords", params={"sort": "documents", "order": "desc", "limit": 3}
    ).json()
    counts = [i["documents"] for i in by_docs["items"]]
    assert by_docs["items"][0]["phrase"] == "café"  # the one word in all three pages
    assert counts == sorted(counts, reverse=True) and by_docs["next"]
    second = client.get(by_docs["next"]).json()
    assert second["offset"] == 3 and second["items"][0] not in by_docs["items"]
    assert client.get(f"{location}/keywords", params={"sort": "nope"}).status_code == 422
    assert any("moedor" in g["phrase"] for g in client.get(f"{location}/gap").json()["items"])

    xlsx = client.get(f"{location}/export.xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == [*TABLES, "summary"]
    assert book["keywords"]["A2"].value == top
    with zipfile.ZipFile(io.BytesIO(client.get(f"{location}/export.csv.zip").content)) as z:
        assert "keywords.csv" in z.namelist() and "café" in z.read("keywords.csv").decode()
    report = client.get(f"{location}/export.json").json()
    assert (
        report["keywords"]
        == client.get(f"{location}/keywords", params={"limit": 1000}).json()["items"]
    )
    assert client.get(f"{location}/export.pdf").status_code in (404, 422)


def test_multipart_zip_upload_runs(jobs_client):
    client = jobs_client()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for page in PAGES:
            z.writestr(f"site/{page['id']}.md", page["text"])
    r = client.post(
        "/v1/research",
        files=[("files", ("site.zip", archive.getvalue()))],
        data={"options": json.dumps(OPTIONS)},
    )
    assert r.status_code == 202, r.text
    final = wait_done(client, r.headers["location"])[-1]
    assert final["state"] == "done" and final["progress"]["total"] == 3
    docs = client.get(f"{r.headers['location']}/pages").json()["items"]
    assert all(d["owner"].startswith("site/") for d in docs)


def test_delete_a_queued_job_and_a_finished_one(jobs_client):
    client = jobs_client(job_workers=0)  # nothing runs: the job stays queued
    location = client.post("/v1/research", json={"documents": PAGES}).headers["location"]
    assert client.get(f"{location}/keywords").status_code == 409
    assert client.delete(location).status_code == 204
    assert client.get(location).status_code == 404
    assert client.delete(location).status_code == 404


def test_cancel_a_running_job(jobs_client):
    client = jobs_client()
    docs = [
        {"id": str(i), "text": f"{p['text']} Página {i}."} for i in range(40) for p in PAGES[:1]
    ] * 10
    location = client.post("/v1/research", json={"documents": docs, "options": OPTIONS}).headers[
        "location"
    ]
    deadline = time.monotonic() + 60
    while client.get(location).json()["state"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    r = client.delete(location)
    assert r.status_code == 202 and r.json()["cancel_requested"]
    final = wait_done(client, location)[-1]
    assert final["state"] == "cancelled" and final["error"] == "cancelled by its owner"


def test_a_key_sees_only_its_own_jobs(jobs_client, keys_file):
    alice = {"X-API-Key": add_key(keys_file, "alice")}
    bob = {"X-API-Key": add_key(keys_file, "bob")}
    client = jobs_client(job_workers=0)
    location = client.post("/v1/research", json={"documents": PAGES}, headers=alice).headers[
        "location"
    ]
    assert client.get(location, headers=alice).status_code == 200
    for method, path in (
        ("GET", location),
        ("GET", f"{location}/keywords"),
        ("GET", f"{location}/export.json"),
        ("DELETE", location),
    ):
        r = client.request(method, path, headers=bob)
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert client.get(location, headers=alice).json()["state"] == "queued"
    assert client.get(location).status_code == 401


def test_limits_are_problem_documents(jobs_client):
    client = jobs_client(
        job_workers=0, research_max_documents=3, research_max_bytes=4000, research_max_active_jobs=1
    )
    r = client.post("/v1/research", json={"documents": PAGES + RIVALS})
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    r = client.post("/v1/research", json={"documents": [{"text": "x" * 5000}]})
    assert r.status_code == 413
    assert client.post("/v1/research", json={"documents": PAGES}).status_code == 202
    r = client.post("/v1/research", json={"documents": PAGES})
    assert r.status_code == 429 and "limit 1" in r.json()["detail"]


@pytest.mark.parametrize(
    ("upload", "status", "words"),
    [
        ({"files": ("bomb.zip", zipped({"a.txt": b"a" * 8_000_000}))}, 413, "exceeds"),
        ({"files": ("slip.zip", zipped({"../../escape.txt": b"texto"}))}, 422, "outside"),
        ({"files": ("photo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")}, 422, "binary"),
        ({"files": ("pages.csv", "id,text\n1,Café\n".encode("latin-1"))}, 422, "UTF-8"),
        ({"files": ("empty.jsonl", b"\n\n")}, 422, "no documents"),
    ],
)
def test_bad_uploads_are_clear_4xx_and_write_nothing(
    jobs_client, data_dir, tmp_path, upload, status, words
):
    client = jobs_client(research_max_bytes=1_000_000)
    before = set(tmp_path.rglob("*"))
    r = client.post("/v1/research", files=upload)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]
    assert set(tmp_path.rglob("*")) == before  # no file, no database, no escape


def test_unknown_option_and_model_are_named(jobs_client):
    client = jobs_client(job_workers=0)
    r = client.post("/v1/research", json={"documents": PAGES, "options": {"colour": "red"}})
    assert r.status_code == 422 and "colour" in r.json()["detail"]
    r = client.post("/v1/research", json={"documents": PAGES, "options": {"model": "nope"}})
    assert r.status_code == 422 and r.json()["valid"]


def test_list_this_keys_jobs_newest_first(jobs_client, keys_file):
    alice = {"X-API-Key": add_key(keys_file, "alice")}
    bob = {"X-API-Key": add_key(keys_file, "bob")}
    client = jobs_client(job_workers=0, research_max_active_jobs=5)
    ids = [
        client.post("/v1/research", json={"documents": PAGES}, headers=alice).json()["id"]
        for _ in range(3)
    ]
    client.post("/v1/research", json={"documents": PAGES}, headers=bob)
    page = client.get("/v1/research", params={"limit": 2}, headers=alice).json()
    assert page["total"] == 3 and [j["id"] for j in page["items"]] == ids[::-1][:2]
    rest = client.get(page["next"], headers=alice).json()
    assert [j["id"] for j in rest["items"]] == [ids[0]] and rest["next"] is None
    client.delete(f"/v1/research/{ids[0]}", headers=alice)
    queued = client.get("/v1/research", params={"state": "queued"}, headers=alice).json()
    assert {j["id"] for j in queued["items"]} == set(ids[1:])
    assert client.get("/v1/research", params={"state": "done"}, headers=alice).json()["total"] == 0
    assert client.get("/v1/research", headers=bob).json()["total"] == 1


def test_cross_site_browser_requests_cannot_submit_or_delete(jobs_client):
    client = jobs_client(job_workers=0)  # open mode: the case a forged form would abuse
    r = client.post(
        "/v1/research",
        files={"files": ("a.txt", b"texto")},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert r.status_code == 403 and r.json()["type"].endswith("cross-site")
    location = client.post("/v1/research", json={"documents": PAGES}).headers["location"]
    r = client.delete(location, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert client.get(location).json()["state"] == "queued"
    same = client.post(
        "/v1/research",
        json={"documents": PAGES},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert same.status_code == 202
