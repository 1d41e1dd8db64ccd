"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS=tests.reliability.fuzz_hooks).

One rule of the API cannot be written in JSON Schema: a text must hold a visible
character (``str.isprintable`` and not whitespace), and Unicode's printable set is not
a regular expression one can reasonably write. The schema says so in words; this hook
keeps generated bodies whose texts break that rule out of the run, since the API rightly
answers them 422 (``invalid-text``), which Schemathesis would report as a schema-valid
request rejected (research documents, own and competitor, included). Nothing else is
filtered.
"""

from __future__ import annotations

from typing import Any

import schemathesis


def _visible(text: Any) -> bool:
    return not isinstance(text, str) or any(c.isprintable() and not c.isspace() for c in text)


@schemathesis.hook
def filter_body(context: Any, body: Any) -> bool:
    if not isinstance(body, dict):
        return True
    texts = [body.get("text")]
    for key in ("documents", "compare"):
        items = body.get(key)
        if isinstance(items, list):
            texts += [d.get("text") for d in items if isinstance(d, dict)]
    return all(_visible(t) for t in texts)
