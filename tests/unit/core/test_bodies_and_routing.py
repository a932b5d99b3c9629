"""Body parsing and route registration shared by every surface."""
import pytest
from chalice import Blueprint, Chalice
from chalice.test import Client

from chalicelib.core.bodies import json_body, json_object
from chalicelib.core.errors import InvalidJSON, NotFound, PayloadTooLarge
from chalicelib.core.routing import chalice_path, json_response, routes
from tests.conftest import ROOT


class Raw:
    def __init__(self, raw_body):
        self.raw_body = raw_body


@pytest.mark.parametrize(("raw", "reason", "line", "column"), [
    (b'{\n  "a": 1,\n  "b": }', "Expecting value", 3, 8),
    (b'{"a": 1', "Expecting ',' delimiter", 1, 8),
    (b"\xff", "Body is not UTF-8", 1, 1),
    (b"[" * 100_000, "Nesting too deep", 1, 1),
])
def test_json_body_reports_the_parsers_reason_line_and_column(raw, reason, line, column):
    with pytest.raises(InvalidJSON) as caught:
        json_body(Raw(raw))

    assert caught.value.details == {"reason": reason, "line": line, "column": column}


def test_json_body_reads_json_and_an_empty_body_as_none():
    assert json_body(Raw(b'{"a": [1, 2]}')) == {"a": [1, 2]}
    assert json_body(Raw(b"  ")) is None


def test_json_object_wants_an_object():
    with pytest.raises(InvalidJSON):
        json_object(Raw(b"[1]"))


def test_json_body_refuses_a_body_over_the_limit(settings_env):
    settings_env(MAX_JSON_BYTES="10")

    with pytest.raises(PayloadTooLarge):
        json_body(Raw(b'{"a": "0123456789"}'))


@pytest.mark.parametrize(("documented", "registered"), [
    ("/register/", "/register"), ("/reset/{token}/", "/reset/{token}"), ("/", "/"), ("/me", "/me")])
def test_chalice_path_drops_the_trailing_slash_chalice_refuses(documented, registered):
    assert chalice_path(documented) == registered


def _app_with_one_surface():
    bp = Blueprint(__name__)
    route = routes(bp, lambda error: json_response({"error": error.code}, error.status))

    @route("/things/{thing_id}/", methods=("GET", "PUT"))
    def thing(thing_id):
        if thing_id == "missing":
            raise NotFound("THING_NOT_FOUND")
        return {"id": thing_id}

    app = Chalice("surface-test")
    app.register_blueprint(bp, url_prefix="/api/v1")
    return app


@pytest.mark.parametrize("path", ["/api/v1/things/7/", "/api/v1/things/7"])
def test_a_surface_route_answers_with_and_without_the_trailing_slash(path):
    with Client(_app_with_one_surface(), project_dir=str(ROOT / "tests")) as client:
        response = client.http.get(path)

    assert (response.status_code, response.json_body) == (200, {"id": "7"})


def test_a_surface_route_renders_its_errors_in_the_surface_shape_for_any_content_type():
    with Client(_app_with_one_surface(), project_dir=str(ROOT / "tests")) as client:
        response = client.http.put("/api/v1/things/missing", headers={"Content-Type": "text/xml"}, body=b"<a/>")

    assert (response.status_code, response.json_body) == (404, {"error": "THING_NOT_FOUND"})


def test_json_body_refuses_a_lone_surrogate_escape_that_no_store_could_encode():
    with pytest.raises(InvalidJSON) as caught:
        json_body(Raw(b'{"email": "\\ud800@example.com"}'))

    assert "lone surrogate" in caught.value.details["reason"]
    assert json_body(Raw(b'{"name": "\\u00e9\\ud83d\\ude00"}')) == {"name": "\u00e9\U0001F600"}


def test_json_body_refuses_a_number_too_long_to_convert():
    with pytest.raises(InvalidJSON):
        json_body(Raw(b'{"title": ' + b"1" * 5000 + b"}"))



@pytest.mark.parametrize("path", ["/api/v4/content_requests", "/api/projects/", "/api/v04/requests/nearest"])
def test_every_route_answers_browsers_of_any_origin(client, path):
    answer = client.http.get(path, headers={"Origin": "https://app.example.com"})

    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authentication" in answer.headers["Access-Control-Allow-Headers"].split(",")
