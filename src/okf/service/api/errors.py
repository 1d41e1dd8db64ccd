"""The error responses each route documents in OpenAPI (all problem+json)."""

from __future__ import annotations

from okf.service.problems import problem_responses

ERRORS = problem_responses(
    {
        400: "Malformed JSON or invalid UTF-8",
        401: "Missing or invalid API key",
        413: "Body over the size limit",
        415: "Body is not application/json",
        422: "Invalid field, unknown model or language, text without keywords",
        429: "Rate limit exceeded (see Retry-After)",
        504: "Model work exceeded the time budget",
    }
)
