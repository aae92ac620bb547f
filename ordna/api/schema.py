from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ordna.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Personal API token: `Token <key>`.",
        }


PROBLEM = {
    "type": "object",
    "description": "Problem details (RFC 9457). `errors` names each field that was wrong.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "message": {"type": "string"},
                },
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status"],
}

ERRORS = {
    "400": "The request has errors (see `errors`).",
    "401": "Authentication required: send `Authorization: Token <key>`.",
    "403": "Refused, e.g. a browser session without its CSRF token.",
    "404": "Not found, or not yours to see (the two look the same).",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "Conflict: the record changed after you read its version; read it again.",
    "415": "Unsupported media type: send JSON.",
}


# Integer bounds that come from the database backend's column types, not from Ordna's
# rules: SQLite and PostgreSQL differ, and the committed schema must not depend on which
# database generated it.
BACKEND_LIMITS = {32767, 2147483647, 9223372036854775807}


def _drop_backend_limits(node) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer":
            if node.get("maximum") in BACKEND_LIMITS:
                node.pop("maximum")
                if node.get("format") == "int64":
                    node.pop("format")
            if node.get("minimum") is not None and -node["minimum"] - 1 in BACKEND_LIMITS:
                node.pop("minimum")
        for value in node.values():
            _drop_backend_limits(value)
    elif isinstance(node, list):
        for value in node:
            _drop_backend_limits(value)


def add_problem_responses(result, generator, request, public):
    """Document the problem-details answers every operation can give, so that clients
    (and the API fuzzer) know them as part of the contract."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    _drop_backend_limits(schemas)
    schemas["Problem"] = PROBLEM
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            body = operation.get("requestBody", {}).get("content", {})
            for code, text in ERRORS.items():
                if code in {"415", "409"} and method == "get":
                    continue
                if code == "415" and "multipart/form-data" in body:  # a file upload
                    text = "Unsupported media type: send multipart/form-data."
                responses.setdefault(
                    code,
                    {"description": text, "content": {"application/problem+json": {"schema": ref}}},
                )
            # Answered by the web server in front of Ordna, before the request reaches it.
            responses.setdefault("414", {"description": "URI too long (more than 4 KB)."})
    return result
