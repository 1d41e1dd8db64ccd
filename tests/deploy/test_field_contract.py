"""The log field names are a contract (docs/monitoring.md): the index template maps each
with a fixed type, and the docs list each. Renaming one here is a breaking change."""

from __future__ import annotations

import json

from tests.deploy.conftest import ELK, ROOT

CONTRACT = {
    "@timestamp": "date",
    "log.level": "keyword",
    "message": "keyword",
    "service.name": "keyword",
    "ecs.version": "keyword",
    "request_id": "keyword",
    "trace_id": "keyword",
    "span_id": "keyword",
    "method": "keyword",
    "path": "keyword",
    "client": "keyword",
    "user": "keyword",
    "duration": "double",
    "status": "keyword",
    "error": "text",
    "error_type": "keyword",
    "error_message": "text",
    "context": "object",
    "model": "keyword",
    "input_text": "text",
    "input_sha256": "keyword",
    "input_length": "long",
}


def mapped_type(properties: dict, dotted: str) -> str | None:
    head, _, rest = dotted.partition(".")
    if dotted in properties:
        return properties[dotted].get("type", "object")
    node = properties.get(head)
    if node is None or not rest:
        return None
    return mapped_type(node.get("properties", {}), rest)


def test_index_template_maps_every_contract_field_with_its_type():
    template = json.loads((ELK / "okf-logs-template.json").read_text())
    properties = template["template"]["mappings"]["properties"]
    wrong = {
        field: (mapped_type(properties, field), expected)
        for field, expected in CONTRACT.items()
        if mapped_type(properties, field) != expected
    }
    assert not wrong, wrong


def test_docs_list_every_contract_field():
    docs = (ROOT / "docs" / "monitoring.md").read_text()
    section = docs.split("## Compatibility policy", 1)[1]
    missing = [f for f in CONTRACT if f"`{f}`" not in section]
    assert not missing, missing
