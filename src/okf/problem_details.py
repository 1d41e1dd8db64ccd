"""Every RFC 9457 problem document okf returns is built by :func:`problem_body`.

A leaf module (standard library only), so both the service and the monitoring
middleware (which knows no service code) build their documents here, with one ``type``
scheme: ``urn:okf:problem:<slug>`` (the slugs are listed in docs/api.md).
"""

from __future__ import annotations

from typing import Any

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:okf:problem:"

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "body-too-large",
    415: "unsupported-media-type",
    422: "invalid-request",
    429: "rate-limited",
    500: "internal-error",
    503: "unavailable",
    504: "timeout",
}


def problem_body(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    instance: str | None = None,
    request_id: str | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    """The document: type, title, status, detail, [instance], request_id, extensions."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + (slug or SLUGS.get(status, "error")),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    body["request_id"] = request_id
    body.update(extensions)
    return body
