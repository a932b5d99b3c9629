"""The OpenAPI 3.1 document of the application, generated from the contracts its routes declare."""
import copy
import re
from http import HTTPStatus
from typing import Any, cast

from chalicelib.core.contracts import AUTHENTICATION, BARE_TOKEN, BEARER, Contract, Surface

TITLE = "Serverless platform"
SECURITY_SCHEMES = {
    BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
             "description": "`Authorization: Bearer <access token>` (from `POST /api/auth/login/`)."},
    BARE_TOKEN: {"type": "apiKey", "in": "header", "name": "Authorization",
                 "description": "`Authorization: <access token>`, the bare token the nearby document sends."},
    AUTHENTICATION: {"type": "apiKey", "in": "header", "name": "Authentication",
                     "description": "`Authentication: Bearer <access token>`, as the content request document "
                                    "names the header."},
}
_DEFS_REF = re.compile(r"^#/\$defs/")


def document(app: Any, server: str | None = None) -> dict[str, Any]:
    """The OpenAPI document of every route of `app` that declares a contract, grouped by surface."""
    components: dict[str, dict[str, Any]] = {}
    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, Surface] = {}
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            contract, surface = declared(entry)
            if contract is None or surface is None:
                continue
            tags.setdefault(surface.tag, surface)
            operation = _operation(contract, surface, entry.view_name, path, components)
            paths.setdefault(path, {})[method.lower()] = operation
    for tag, surface in tags.items():
        components[_error_name(tag)] = _hoisted(surface.error_schema, components)
    spec: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": "1.0.0",
                 "description": "Five APIs served by one application. Each operation lists the security schemes "
                                "it accepts and its surface's own error shape."},
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {"schemas": dict(sorted(components.items())), "securitySchemes": SECURITY_SCHEMES},
    }
    if server:
        spec["servers"] = [{"url": server}]
    return spec


def declared(entry: Any) -> tuple[Contract | None, Surface | None]:
    """The contract and surface a Chalice route entry's view was registered with (None when it has none)."""
    view = entry.view_function
    return getattr(view, "contract", None), getattr(view, "surface", None)


def _operation(contract: Contract, surface: Surface, name: str, path: str,
               components: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": f"{surface.tag.lower().replace(' ', '_')}_{name}",
        "tags": [surface.tag],
        "summary": contract.summary,
        "responses": _responses(contract, surface, components),
        "security": _security(contract),
    }
    if contract.description:
        operation["description"] = contract.description
    parameters = _parameters(contract, path, components)
    if parameters:
        operation["parameters"] = parameters
    if contract.body is not None:
        content: dict[str, Any] = {"schema": _hoisted(contract.body, components)}
        if "request" in contract.examples:
            content["example"] = contract.examples["request"]
        operation["requestBody"] = {"required": contract.body_required,
                                    "content": {contract.media_type: content}}
    return operation


def _parameters(contract: Contract, path: str, components: dict[str, Any]) -> list[dict[str, Any]]:
    found = [{"name": name, "in": "path", "required": True,
              "schema": _hoisted(contract.params.get(name, {"type": "string"}), components)}
             for name in re.findall(r"{(\w+)}", path)]
    return found + [_query_parameter(name, schema, name in contract.required_query, components)
                    for name, schema in contract.query.items()]


def _query_parameter(name: str, schema: dict[str, Any], required: bool, components: dict[str, Any]) -> dict[str, Any]:
    parameter = {"name": name, "in": "query", "required": required, "schema": _hoisted(schema, components)}
    # contracts.query() reads `?name=` as absent: an optional parameter may be sent empty.
    return parameter if required else {**parameter, "allowEmptyValue": True}


def _responses(contract: Contract, surface: Surface, components: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for status, schema in sorted(contract.answers.items()):
        answer: dict[str, Any] = {"description": HTTPStatus(status).phrase}
        if schema is not None:
            content: dict[str, Any] = {"schema": _hoisted(schema, components)}
            if "response" in contract.examples and status < 300:
                content["example"] = contract.examples["response"]
            answer["content"] = {"application/json": content}
        answers[str(status)] = answer
    error = {"$ref": f"#/components/schemas/{_error_name(surface.tag)}"}
    for status in sorted(error_statuses(contract, surface)):
        answers[str(status)] = {"description": HTTPStatus(status).phrase,
                                "content": {"application/json": {"schema": error}}}
    return answers


def error_statuses(contract: Contract, surface: Surface) -> set[int]:
    """Every error status the route may answer: those it declares, and those its body and token imply."""
    statuses = set(contract.errors)
    if contract.body is not None:
        statuses |= {400, 413, surface.invalid_status}
    if contract.query:
        statuses.add(surface.invalid_status)
    if contract.security:
        statuses.add(401)
    return statuses


def _security(contract: Contract) -> list[dict[str, Any]]:
    schemes: list[dict[str, Any]] = [{scheme: []} for scheme in contract.security]
    return schemes + [{}] if contract.optional_auth else schemes


def _error_name(tag: str) -> str:
    return tag.replace(" ", "") + "Error"


def _hoisted(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schema` whose `$defs` live in `components` (refs rewritten), as OpenAPI resolves refs against
    the whole document rather than the schema."""
    schema = copy.deepcopy(schema)
    for name, definition in schema.pop("$defs", {}).items():
        definition = _rewritten(definition)
        if components.setdefault(name, definition) != definition:
            raise ValueError(f"Two schemas define {name} differently")
    return cast("dict[str, Any]", _rewritten(schema))


def _rewritten(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: (_DEFS_REF.sub("#/components/schemas/", item) if key == "$ref" and isinstance(item, str)
                      else _rewritten(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_rewritten(item) for item in value]
    return value
