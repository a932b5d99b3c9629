"""Collaborators are passed for a block, never swapped for the process."""
import threading
from datetime import UTC, datetime

from chalicelib.core import clock, collaborators

AT = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)


def test_using_passes_a_clock_for_the_block_only():
    with collaborators.using(clock=clock.FixedClock(AT)) as given:
        assert clock.now() == AT and collaborators.current() is given
    assert clock.now() != AT


def test_another_thread_keeps_the_process_collaborators():
    seen = []
    with collaborators.using(clock=clock.FixedClock(AT)):
        thread = threading.Thread(target=lambda: seen.append(clock.now()))
        thread.start()
        thread.join()

    assert seen and seen[0] != AT


def test_nested_blocks_change_only_what_they_name():
    def sleep(_: float) -> None:
        return None

    with collaborators.using(clock=clock.FixedClock(AT)), collaborators.using(sleep=sleep):
        assert (clock.now(), collaborators.current().sleep) == (AT, sleep)
