"""A path no route serves answers 404: in its surface's error shape where its prefix names a surface, else
`{"message": "Not found"}`; a method a path does not serve stays a 405. Served through the app's greedy route,
as API Gateway does after every specific route; the local server matches that route as API Gateway does
(local/gateway.py)."""
import json

import chalice.local
import pytest

from local.gateway import GreedyRouteMatcher
from tests.conftest import ROOT

ACCOUNTS_NOT_FOUND = {"data": None, "meta": {"success": False, "errors": ["not_found"]}}


@pytest.fixture
def gateway_api(aws, monkeypatch):
    """chalice.test.Client matching routes as local/gateway.py has `make run` match them."""
    from chalice.test import Client

    from app import app
    from tests.conftest import Api

    monkeypatch.setattr(chalice.local, "RouteMatcher", GreedyRouteMatcher)
    with Client(app, project_dir=str(ROOT / "tests")) as client:
        yield Api(client)


@pytest.mark.parametrize(("method", "path", "answer"), [
    ("GET", "/nothing", (404, {"message": "Not found"})),
    ("POST", "/no/such/path", (404, {"message": "Not found"})),
    ("GET", "/api/nothing/here", (404, {"message": "Not found"})),
    ("GET", "/api/auth/nothing", (404, ACCOUNTS_NOT_FOUND)),
    ("PUT", "/api/auth/a/b/c", (404, ACCOUNTS_NOT_FOUND)),
    ("GET", "/api/projects/1/nothing/else", (404, ACCOUNTS_NOT_FOUND)),
    ("GET", "/api/v04/nothing", (404, {"error": "not_found"})),
    ("DELETE", "/api/v4/nothing/at/all", (404, {"errors": [{"param": "base", "message": "Not found"}]})),
    ("PATCH", "/channels/1/nothing", (404, {"type": "not_found", "message": "Not found", "details": {}})),
    ("GET", "/docs/a/b", (404, {"message": "Not found"})),
])
def test_an_unknown_path_answers_404_in_its_surfaces_shape(gateway_api, method, path, answer):
    assert gateway_api.call(method, path) == answer


def test_a_served_path_is_not_taken_by_the_greedy_route(gateway_api):
    assert gateway_api.get("/api/auth/me/") == (401, {"data": None, "meta": {"success": False,
                                                                            "errors": ["AUTH_TOKEN_MISSING"]}})
    assert gateway_api.get("/api/auth/login/")[0] == 405


def test_the_lambda_answers_the_event_api_gateways_greedy_resource_sends(aws):
    from app import app

    event = {"resource": "/{proxy+}", "path": "/api/auth/no/thing", "httpMethod": "GET", "headers": {},
             "multiValueQueryStringParameters": None, "pathParameters": {"proxy": "api/auth/no/thing"},
             "stageVariables": None, "body": None, "isBase64Encoded": False,
             "requestContext": {"resourcePath": "/{proxy+}", "httpMethod": "GET", "path": "/dev/api/auth/no/thing"}}

    response = app(event, None)

    assert (response["statusCode"], json.loads(response["body"])) == (404, ACCOUNTS_NOT_FOUND)


def test_the_greedy_route_is_not_in_the_openapi_document(api):
    status, document = api.get("/openapi.json")

    assert status == 200 and "/{proxy+}" not in document["paths"] and "get" in document["paths"]["/health"]
