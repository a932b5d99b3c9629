"""The OpenAPI document generated from the routes' contracts: valid OpenAPI 3.1, one operation per route and one
route per contract, the same as the committed openapi.json, and served with its docs page."""
import json
import sys
from pathlib import Path

import pytest
from chalice.test import Client

from app import app
from chalicelib.core import openapi
from chalicelib.core.contracts import Contract

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def document():
    return openapi.document(app)


def _operations(document: dict) -> list[tuple[str, str, dict]]:
    return [(method.upper(), path, operation) for path, methods in document["paths"].items()
            for method, operation in methods.items()]


def test_the_document_is_valid_openapi_3_1(document):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

    validate(document, cls=OpenAPIV31SpecValidator)
    assert document["openapi"] == "3.1.0"


def test_every_route_has_a_contract():
    missing = [f"{method} {path}" for path, entries in app.routes.items() for method, entry in entries.items()
               if openapi.declared(entry)[0] is None and not getattr(entry.view_function, "refusal", False)]
    assert missing == []


def _declared_contracts() -> list[Contract]:
    """Every Contract the application's modules hold, alone or in a dict or list of them."""
    found = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("chalicelib."):
            continue
        for value in vars(module).values():
            items = list(value.values()) if isinstance(value, dict) else value
            found += [item for item in (items if isinstance(items, (list, tuple)) else [items])
                      if isinstance(item, Contract)]
    return found


def test_every_contract_belongs_to_a_route():
    routed = {id(openapi.declared(entry)[0]) for entries in app.routes.values() for entry in entries.values()}
    declared = _declared_contracts()
    assert len(declared) > 50 and [c.summary for c in declared if id(c) not in routed] == []


def test_each_operation_has_a_unique_id_a_surface_and_its_error_answers(document):
    operations = _operations(document)
    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids)) == sum(len(entries) for entries in app.routes.values()) - _refusals()
    for method, path, operation in operations:
        assert len(operation["tags"]) == 1, (method, path)
        errors = {status for status in operation["responses"] if status.startswith("4")}
        if "requestBody" in operation:
            assert {"400", "413"} <= errors, (method, path)
        if any(operation["security"]):
            assert "401" in errors, (method, path)


def _refusals() -> int:
    return sum(getattr(entry.view_function, "refusal", False) for entries in app.routes.values()
               for entry in entries.values())


def test_each_surface_declares_the_security_schemes_it_accepts(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["Bearer"] == {**schemes["Bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["BareToken"] == {**schemes["BareToken"], "type": "apiKey", "in": "header", "name": "Authorization"}
    assert schemes["Authentication"] == {**schemes["Authentication"], "in": "header", "name": "Authentication"}
    used = {name for _, _, operation in _operations(document) for entry in operation["security"] for name in entry}
    assert used == set(schemes)


def test_the_committed_openapi_json_is_the_generated_document(document):
    committed = json.loads((ROOT / "openapi.json").read_text())
    assert committed == json.loads(json.dumps(document)), "run `make openapi` and commit openapi.json"


def test_the_app_serves_the_document_and_its_docs_page(document):
    with Client(app) as client:
        served = client.http.get("/openapi.json")
        page = client.http.get("/docs")
        script = client.http.get("/docs/swagger-ui-bundle.js")
        unknown = client.http.get("/docs/secrets.txt")

    assert served.status_code == 200
    assert json.loads(served.body) == json.loads(json.dumps(document))
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert b'src="/docs/swagger-ui-bundle.js"' in page.body and b'url: "/openapi.json"' in page.body
    assert b"//cdn" not in page.body and b"https://" not in page.body
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.body
    assert unknown.status_code == 404


def test_a_method_a_path_does_not_serve_is_405_with_allow_in_the_surface_shape():
    with Client(app) as client:
        login = client.http.request("DELETE", "/api/auth/login")
        docs = client.http.request("POST", "/docs")
        nearest = client.http.request("PUT", "/api/v04/requests/nearest")

    assert login.status_code == 405 and login.headers["Allow"] == "POST, OPTIONS"
    assert json.loads(login.body)["meta"]["errors"] == ["GENERAL_METHOD_NOT_ALLOWED"]
    assert docs.status_code == 405 and json.loads(docs.body) == {"message": "Method not allowed"}
    assert nearest.status_code == 405 and json.loads(nearest.body) == {"error": "METHOD_NOT_ALLOWED"}
    assert nearest.headers["Allow"] == "GET, OPTIONS"
