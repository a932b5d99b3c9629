"""GET /openapi.json and GET /docs: the API described by its contracts, readable by clients and people."""
from functools import cache
from pathlib import Path
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.core import openapi
from chalicelib.core.contracts import Contract, Surface
from chalicelib.core.errors import NotFound
from chalicelib.core.routing import MESSAGE_SCHEMA, invalid_message, json_response, render_message, routes, stage_prefix

bp = Blueprint(__name__)
HERE = Path(__file__).parent
# Swagger UI's files, copied from the npm package by `make assets` (never fetched from a CDN at run time).
ASSETS = HERE / "assets"
_TYPES = {"swagger-ui.css": "text/css; charset=utf-8", "swagger-ui-bundle.js": "text/javascript; charset=utf-8"}


SURFACE = Surface(tag="Reference", invalid=invalid_message, error_schema=MESSAGE_SCHEMA)
route = routes(bp, render_message, SURFACE)


def _base() -> str:
    return stage_prefix(bp.current_request)


@cache
def _document() -> dict[str, Any]:
    return openapi.document(bp.current_app)


@route("/openapi.json", contract=Contract(
        summary="This API's OpenAPI 3.1 document",
        answers={200: {"type": "object", "required": ["openapi", "paths"]}}))
def openapi_document() -> Response:
    base = _base()
    return json_response({**_document(), **({"servers": [{"url": base}]} if base else {})})


@route("/docs", contract=Contract(summary="The docs page (Swagger UI), grouped by API",
                                  answers={200: None}))
def docs_page() -> Response:
    page = (HERE / "page.html").read_text().replace("{base}", _base())
    return Response(page, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


@route("/docs/{asset}", contract=Contract(
        summary="A file of the docs page", answers={200: None}, errors=(404,),
        params={"asset": {"type": "string", "enum": sorted(_TYPES)}}))
def docs_asset(asset: str) -> Any:
    path = ASSETS / asset
    if asset not in _TYPES or not path.is_file():
        raise NotFound("not_found", "No such file (run `make assets` to bundle the docs page)")
    return Response(_read(path), status_code=200,
                    headers={"Content-Type": _TYPES[asset], "Cache-Control": "public, max-age=86400"})


@cache
def _read(path: Path) -> str:
    return path.read_text()
