"""The WAF in front of the API, rehearsed against the routes the gateway really has: a web ACL whose rate-based
rule, keyed on the client's IP, scopes down to every auth route as WAF sees its path (after the `/api` stage at the
execute-api URL, without it at a custom domain) and to no other route, associated with the API's stage."""
from urllib.parse import unquote

from tests.rehearsal.template import REGION

# The routes a password guesser, an address prober or a mail bomber calls. Any other route under /api/auth/ is one
# too (the verification routes among them); /me/ and /refresh/ take a signed token, which no rate helps to guess.
DIALOGUES_AUTH = ("/password-resets", "/password-confirmations", "/user/password-changes")
REQUIRED = ("/api/auth/login", "/api/auth/register", "/api/auth/forgot", "/api/auth/reset/{token}", *DIALOGUES_AUTH)
TOKEN_ROUTES = ("/api/auth/me", "/api/auth/refresh")
TRANSFORMS = {"NONE": lambda text: text, "LOWERCASE": str.lower, "URL_DECODE": unquote}
MATCH = {"CONTAINS": lambda value, text: text in value, "STARTS_WITH": str.startswith, "ENDS_WITH": str.endswith,
         "EXACTLY": lambda value, text: value == text}


def _matches(statement: dict, path: str) -> bool:
    """Whether WAF's statement matches a request for `path` (what this template's statements use; others fail)."""
    if "OrStatement" in statement:
        return any(_matches(s, path) for s in statement["OrStatement"]["Statements"])
    if "AndStatement" in statement:
        return all(_matches(s, path) for s in statement["AndStatement"]["Statements"])
    if "NotStatement" in statement:
        return not _matches(statement["NotStatement"]["Statement"], path)
    (kind, match), = statement.items()
    assert kind == "ByteMatchStatement" and match["FieldToMatch"] == {"UriPath": {}}, statement
    value = path
    for transform in sorted(match["TextTransformations"], key=lambda t: t["Priority"]):
        value = TRANSFORMS[transform["Type"]](value)
    return MATCH[match["PositionalConstraint"]](value, match["SearchString"])


def _sent(template: str, stage: str) -> list[str]:
    """The paths a client sends for a route: at the execute-api URL (after the stage) and at a custom domain, with
    and without the trailing slash the documents use, and as a client evading a plain match would write them."""
    path = "/".join("0123abcd" if part.startswith("{") else part for part in template.split("/"))
    forms = [f"/{stage}{path}", path]
    forms += [f"{form}/" for form in forms]
    return [*forms, path.upper(), path.replace("a", "%61").replace("o", "%6F")]


def _routes(stage) -> tuple[list[str], list[str]]:
    """The gateway's routes: the auth ones, and the others."""
    paths = list(stage.gateway.swagger["paths"])
    auth = [p for p in paths if (p.startswith("/api/auth/") and p not in TOKEN_ROUTES) or p in DIALOGUES_AUTH]
    return auth, [p for p in paths if p not in auth]


def _rate_rule(stage) -> tuple[str, dict, dict]:
    (logical, acl), = stage.template.of_type("AWS::WAFv2::WebACL").items()
    acl = stage.template.resolve(acl)
    (rule,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    return logical, acl, rule


def test_a_rate_rule_per_ip_blocks_with_429_and_everything_else_is_allowed(stage):
    _, acl, rule = _rate_rule(stage)
    rate = rule["Statement"]["RateBasedStatement"]

    assert (acl["Scope"], acl["DefaultAction"]) == ("REGIONAL", {"Allow": {}})
    # Keyed on the IP the connection came from, never on a header a client writes (X-Forwarded-For).
    assert rate["AggregateKeyType"] == "IP" and "ForwardedIPConfig" not in rate and "CustomKeys" not in rate
    assert (rate["Limit"], rate.get("EvaluationWindowSec", 300)) == (100, 300)
    assert rule["Action"] == {"Block": {"CustomResponse": {
        "ResponseCode": 429, "ResponseHeaders": [{"Name": "Retry-After", "Value": "300"}]}}}
    assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True


def test_the_rate_rule_counts_every_auth_route_as_the_gateway_sees_it_and_no_other(stage):
    _, _, rule = _rate_rule(stage)
    scope = rule["Statement"]["RateBasedStatement"]["ScopeDownStatement"]
    auth, others = _routes(stage)

    assert set(REQUIRED) <= set(auth), sorted(auth)
    missed = [(route, sent) for route in auth for sent in _sent(route, stage.gateway.stage)
              if not _matches(scope, sent)]
    counted = [(route, sent) for route in others for sent in _sent(route, stage.gateway.stage)[:4]
               if _matches(scope, sent)]
    assert (missed, counted) == ([], [])


def test_the_web_acl_is_associated_with_the_apis_stage_once_sam_has_made_it(stage):
    acl_logical, _, _ = _rate_rule(stage)
    (logical, association), = stage.template.of_type("AWS::WAFv2::WebACLAssociation").items()
    (api_logical,) = stage.template.of_type("AWS::Serverless::Api")
    gateway = stage.gateway

    assert stage.template.resolve(association["ResourceArn"]) == (
        f"arn:aws:apigateway:{REGION}::/restapis/{gateway.api_id}/stages/{gateway.stage}")
    assert association["WebACLArn"] == {"Fn::GetAtt": [acl_logical, "Arn"]}
    # SAM names the stage it makes of an AWS::Serverless::Api `<api><stage name>Stage`.
    assert stage.template.resources[logical]["DependsOn"] == [f"{api_logical}{gateway.stage}Stage"]
