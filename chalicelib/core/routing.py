"""Route registration shared by every surface: documented paths, any content type, one error shape."""
import functools
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core.errors import ApiError

Render = Callable[[ApiError], Response]
# The documents send JSON with and without a JSON content type (curl -d sends a form type);
# the surfaces parse bodies themselves, so Chalice's own 415 check is switched off.
ANY_CONTENT_TYPE = ["*/*"]


def chalice_path(path: str) -> str:
    """A documented path in the form Chalice accepts: no trailing slash.

    API Gateway and Chalice's local gateway drop a request's trailing slash before
    matching, so `/register/` and `/register` both reach the route `/register`.
    """
    return path.rstrip("/") or "/"


def routes(blueprint: Blueprint, render: Render) -> Callable[..., Callable]:
    """A `route(path, methods=...)` decorator for one surface: its ApiErrors become `render(error)`."""

    def route(path: str, methods: tuple = ("GET",), **options: Any) -> Callable:
        def register(view: Callable) -> Callable:
            @functools.wraps(view)
            def handle(**params: Any) -> Any:
                try:
                    return view(**params)
                except ApiError as error:
                    response = render(error)
                    response.headers.update(error.headers)
                    return response

            blueprint.route(chalice_path(path), methods=list(methods),
                            content_types=ANY_CONTENT_TYPE, **options)(handle)
            return view

        return register

    return route


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(body=body, status_code=status,
                    headers={"Content-Type": "application/json", **(headers or {})})
