"""GET /health: no auth; 200 when the tables and the media bucket answer, 503 naming the piece that does not, with
no names or endpoints; a result is kept for KEEP_SECONDS, so a flood of calls makes few AWS calls."""
import pytest

from chalicelib.health import checks


@pytest.fixture(autouse=True)
def fresh():
    checks.forget()
    yield
    checks.forget()


def test_health_answers_200_without_a_token_when_every_piece_answers(api, bucket):
    assert api.get("/health") == (200, {"status": "ok", "checks": {"dynamodb": "ok", "s3": "ok"}})


def test_health_answers_503_naming_only_the_piece_that_does_not_answer(api):
    status, body = api.get("/health")  # no bucket

    assert (status, body) == (503, {"status": "degraded", "checks": {"dynamodb": "ok", "s3": "unreachable"}})


def test_health_calls_aws_once_per_piece_within_the_kept_seconds(aws, bucket, aws_calls):
    first = checks.report(now=lambda: 100.0)
    again = checks.report(now=lambda: 100.0 + checks.KEEP_SECONDS - 1)
    calls_within = [(service, operation) for service, operation, _ in aws_calls]
    checks.report(now=lambda: 100.0 + checks.KEEP_SECONDS)

    assert first == again == {"status": "ok", "checks": {"dynamodb": "ok", "s3": "ok"}}
    assert calls_within == [("dynamodb", "DescribeTable"), ("s3", "HeadBucket")]
    assert len(aws_calls) == 4
