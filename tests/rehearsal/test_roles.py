"""The deploy rehearsal's last step: every AWS call each function made in this session (the API walk and the
jobs' runs) is judged against that function's role as the template writes it, by a real IAM policy evaluator.
It runs after test_api.py and test_jobs.py (pytest takes the files in order), on the calls they recorded."""
from collections import defaultdict
from pathlib import Path

from tests.conftest import ROOT
from tests.rehearsal import iam
from tests.rehearsal.lambdas import principal

REPORT = ROOT / ".cache" / "rehearsal"


def _role_logical(stage, function: str) -> str:
    role = stage.template.resources[function]["Properties"]["Role"]
    return role["Fn::GetAtt"][0]


def _shown(resource: str) -> str:
    """A resource as the report lists it: an object key by its first folder, the rest as it is."""
    if resource.startswith("arn:aws:s3:::") and "/" in resource:
        bucket, key = resource.removeprefix("arn:aws:s3:::").split("/", 1)
        return f"s3 {key.split('/')[0]}/..."
    return resource.rsplit(":", 1)[-1] if resource.startswith("arn:aws:dynamodb") else resource


def _report(stage, judged: list[tuple[str, iam.Need, str]]) -> Path:
    lines = defaultdict(int)
    for function, need, verdict in judged:
        lines[(function, need.call, need.action, _shown(need.resource), verdict)] += 1
    REPORT.mkdir(parents=True, exist_ok=True)
    path = REPORT / f"iam-{stage.name}.txt"
    path.write_text("".join(f"{f:<22} {c:<36} {a:<30} {r:<70} {v} x{n}\n"
                            for (f, c, a, r, v), n in sorted(lines.items())))
    return path


def test_every_call_each_function_made_is_allowed_by_its_own_role(stage):
    functions = stage.template.of_type("AWS::Serverless::Function")
    assert {function for function, _ in stage.calls} == set(functions), "run the whole rehearsal: some functions " \
        "were never invoked"
    requests, judged = [], []
    policies = {f: iam.policies(stage.template, _role_logical(stage, f)) for f in functions}
    for function, call in stage.calls:
        for need in iam.needs(call):
            requests.append({"principal": principal(stage.template, function), "policies": policies[function],
                             "action": need.action, "resource": need.resource})
            judged.append((function, need))
    verdicts = iam.judge(requests)
    judged = [(function, need, verdict) for (function, need), verdict in zip(judged, verdicts, strict=True)]
    report = _report(stage, judged)

    denied = sorted({(f, n.action, n.resource, v) for f, n, v in judged if v != "Allowed"})
    assert denied == [], f"denied calls (all calls: {report})"
