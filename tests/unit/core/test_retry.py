"""The one retry: tries within a per-request budget shared by nested retries, pauses from the injected sleep."""
import pytest

from chalicelib.core import collaborators
from chalicelib.core.errors import Conflict
from chalicelib.core.retry import BUDGET, CAP, TRIES, TryAgain, retried

CONTENDED = Conflict("contended", "try again")


def losing(calls: list):
    def once():
        calls.append(1)
        raise TryAgain

    return once


def test_a_try_that_succeeds_is_not_repeated_and_its_result_is_returned():
    pauses = []

    assert retried(lambda: "done", CONTENDED, sleep=pauses.append) == "done"
    assert pauses == []


def test_a_lost_race_is_tried_again_with_a_jittered_pause_between_tries_then_answers_contended():
    calls, pauses = [], []

    with pytest.raises(Conflict) as raised:
        retried(losing(calls), CONTENDED, sleep=pauses.append)

    assert raised.value is CONTENDED and isinstance(raised.value.__cause__, TryAgain)
    assert len(calls) == TRIES and len(pauses) == TRIES - 1
    assert all(0 <= pause <= CAP for pause in pauses)


def test_the_pause_comes_from_the_collaborators_sleep_when_none_is_passed():
    pauses = []

    with collaborators.using(sleep=pauses.append), pytest.raises(Conflict):
        retried(losing([]), CONTENDED, tries=3)

    assert len(pauses) == 2


def test_the_listed_exceptions_are_retried_and_any_other_goes_through_at_once():
    calls = []

    def once():
        calls.append(1)
        if len(calls) == 1:
            raise KeyError("lost")
        raise ValueError("a real failure")

    with pytest.raises(ValueError, match="a real failure"):
        retried(once, CONTENDED, on=(KeyError,), sleep=lambda _: None)
    assert len(calls) == 2


def test_nested_retries_share_one_budget_so_a_request_makes_at_most_budget_tries():
    """An outer retry of many rounds, each round an inner retry that keeps losing: once nested 40 x 5 tries
    (200 transactions for one request); now BUDGET in all."""
    inner_calls, outer_rounds = [], []

    def round_():
        outer_rounds.append(1)
        retried(losing(inner_calls), CONTENDED, tries=TRIES, sleep=lambda _: None)

    with pytest.raises(Conflict):
        retried(round_, CONTENDED, tries=40, on=(Conflict,), sleep=lambda _: None)

    assert len(inner_calls) + len(outer_rounds) == BUDGET  # every try, outer or inner, draws on the one budget
    assert len(outer_rounds) == 2


def test_each_request_starts_with_a_full_budget():
    first, second = [], []
    for calls in (first, second):
        with pytest.raises(Conflict):
            retried(losing(calls), CONTENDED, tries=BUDGET + 5, sleep=lambda _: None)

    assert len(first) == len(second) == BUDGET
