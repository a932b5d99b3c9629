"""Chalice's local gateway, closer to API Gateway as deployed: a `{name+}` route takes the rest of the path once no
other route matches, and a path no route serves answers the 404 the gateway response gives on AWS
(infra: MISSING_AUTHENTICATION_TOKEN), not 403 "Missing Authentication Token"."""
from typing import Any
from urllib.parse import parse_qs, urlparse

import chalice.local
from chalice.local import ForbiddenError, LocalGatewayException, MatchResult, RouteMatcher

NOT_FOUND_BODY = b'{"message":"Not found"}'


class GreedyRouteMatcher(RouteMatcher):
    """API Gateway's order: the specific routes first, then the greedy ones, the longest parent first."""

    def __init__(self, route_urls: list[str]) -> None:
        super().__init__([url for url in route_urls if not url.endswith("+}")])
        self.greedy = sorted((url for url in route_urls if url.endswith("+}")), key=len, reverse=True)

    def match_route(self, url: str) -> MatchResult:
        try:
            return super().match_route(url)
        except ValueError:
            parsed = urlparse(url)
            for route in self.greedy:
                parent, name = route.rsplit("/", 1)
                rest = parsed.path.removeprefix(parent + "/").rstrip("/")
                if rest and parsed.path.startswith(parent + "/"):
                    return MatchResult(route, {name[1:-2]: rest}, parse_qs(parsed.query, keep_blank_values=True))
            raise


class UnknownPath(LocalGatewayException):
    CODE = 404


class DeployedGateway(chalice.local.LocalGateway):
    def handle_request(self, method: str, path: str, headers: Any, body: bytes | None) -> Any:
        try:
            return super().handle_request(method, path, headers, body)
        except ForbiddenError as error:
            if b"Missing Authentication Token" not in error.body:
                raise
            raise UnknownPath({"Content-Type": "application/json"}, NOT_FOUND_BODY) from None


def install() -> None:
    """Make Chalice's local server (and chalice.test.Client) route as above."""
    chalice.local.RouteMatcher = GreedyRouteMatcher  # type: ignore[misc]
    chalice.local.LocalGateway = DeployedGateway  # type: ignore[misc]
