"""axe-core for the browser tests (the browser and the server are ``okf.testing``'s
``chromium`` and ``running_service``)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).parent / "vendor"


def axe_source() -> str:
    """axe-core's script, after checking it is the vendored version."""
    data = (VENDOR / "axe.min.js").read_bytes()
    expected = next(
        line.split("|")[5].strip()
        for line in (VENDOR / "VENDOR.md").read_text().splitlines()
        if line.startswith("| axe.min.js")
    )
    actual = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert actual == expected, "tests/web/vendor/axe.min.js differs from VENDOR.md"
    return data.decode("utf-8")


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page (injected by the test) and keep serious/critical ones."""
    page.evaluate(axe_source())
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
