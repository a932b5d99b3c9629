"""The shared path-id parsing and get-or-error read every surface uses."""
import pytest

from chalicelib.core.errors import NotFound
from chalicelib.core.routing import no_content, parse_id, path_id
from chalicelib.core.store import get_or


@pytest.mark.parametrize(("raw", "number"), [
    ("7", 7), ("007", 7), ("0", 0), ("9" * 15, 10**15 - 1),
    ("9" * 16, None), ("", None), ("-1", None), ("+1", None), (" 1", None), ("1\n", None), ("1.0", None),
    ("\u0661", None), ("\u00b2", None), ("abc", None),
])
def test_parse_id_reads_one_to_fifteen_ascii_digits(raw, number):
    assert parse_id(raw) == number


def test_parse_id_can_demand_a_least_id():
    assert parse_id("0", least=1) is None
    assert parse_id("000", least=1) is None
    assert parse_id("01", least=1) == 1


def test_path_id_raises_the_surfaces_own_error_given_or_made():
    given = NotFound("MINE", "gone")
    with pytest.raises(NotFound) as caught:
        path_id("x", given)
    assert caught.value is given
    with pytest.raises(NotFound) as caught:
        path_id("x", lambda: NotFound("MADE"))
    assert caught.value.code == "MADE"
    assert path_id("42", given) == 42


def test_no_content_is_an_empty_204():
    answer = no_content()
    assert (answer.status_code, answer.body) == (204, "")


class _Model:
    class DoesNotExist(Exception):
        pass

    calls: list = []

    @classmethod
    def get(cls, *key, consistent_read=False):
        cls.calls.append((key, consistent_read))
        if key == (1, 2):
            return "found"
        raise cls.DoesNotExist()


def test_get_or_reads_consistently_and_raises_the_error_given():
    assert get_or(_Model, 1, 2, missing=NotFound("NONE")) == "found"
    with pytest.raises(NotFound) as caught:
        get_or(_Model, 3, missing=NotFound("NONE"), consistent=False)
    assert caught.value.code == "NONE"
    assert isinstance(caught.value.__cause__, _Model.DoesNotExist)
    assert _Model.calls == [((1, 2), True), ((3,), False)]
