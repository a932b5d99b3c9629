"""Integer ids by hi/lo: one counter item per entity, from which each process reserves a block of ids with one
UpdateItem ADD and then serves them from memory.

The counter item holds the highest id ever reserved, so ids are unique across processes (Lambda containers,
`make job` runs, the local server's threads) and never reused. They may skip (a process that ends forgets what is
left of its blocks) and, across processes, need not follow creation order: a container still serving 101..200
gives 150 after another, on a later block, gave 201.

Why blocks of 100: one item takes at most 1,000 writes a second, so one write per 100 creates lifts the ceiling
of an entity to about 100,000 creates a second (and a create costs a hundredth of a counter write). What a block
costs is the ids a process leaves unused when it ends: at most 99 per entity a container, a few thousand a day even
with hundreds of cold starts, far inside the integers that JSON and DynamoDB carry exactly (2^53). Larger blocks
would skip more for no gain that matters; smaller ones give the hot item back its writes.
"""
import threading

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.core.tables import register, table_meta

BLOCK = 100


@register
class Counter(Model):
    Meta = table_meta("counters")

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)  # the highest id reserved by any process


def reserve(entity: str, count: int) -> range:
    """`count` ids of `entity` no one else has had or will have: one write to its counter item."""
    counter = Counter(entity)
    counter.update(actions=[Counter.value.add(count)])
    last = int(counter.value)
    return range(last - count + 1, last + 1)


class Allocator:
    """One process's blocks of ids, per entity. Thread-safe: one lock per entity, held across the write that
    reserves a block, so that threads short of ids wait for that one block rather than each reserving one."""

    def __init__(self, block: int = BLOCK) -> None:
        if block < 1:
            raise ValueError("a block holds at least one id")
        self.block = block
        self._guard = threading.Lock()  # guards the two dicts' membership, never held across a write
        self._locks: dict[str, threading.Lock] = {}
        self._left: dict[str, range] = {}  # what is left of each entity's block

    def next_ids(self, entity: str, count: int) -> list[int]:
        """`count` new ids of `entity`, ascending: from this process's block, and if it has fewer left, the rest
        from one new reservation rounded up to whole blocks (so one write whatever the count)."""
        if count < 1:
            return []
        with self._lock_of(entity):
            left = self._left.get(entity, range(0))
            taken = list(left[:count])
            if len(taken) < count:
                need = count - len(taken)
                fresh = reserve(entity, -(-need // self.block) * self.block)
                taken += fresh[:need]
                left = fresh[need:]
            else:
                left = left[count:]
            self._left[entity] = left
            return taken

    def forget(self) -> None:
        """Drop every block (what a new process starts with): for a test that starts from empty tables."""
        with self._guard:
            self._left.clear()

    def held(self) -> dict[str, range]:
        """What is left of each block: to put back with `hold` beside a copy of the tables it came from."""
        with self._guard:
            return dict(self._left)

    def hold(self, blocks: dict[str, range]) -> None:
        with self._guard:
            self._left = dict(blocks)

    def _lock_of(self, entity: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(entity, threading.Lock())


_allocator = Allocator()


def next_id(entity: str) -> int:
    """A new integer id for `entity` (1, 2, ... in a fresh store and one process). Never repeats, even across
    processes and threads; may skip; across processes not in creation order."""
    return _allocator.next_ids(entity, 1)[0]


def next_ids(entity: str, count: int) -> list[int]:
    """`count` new ids for `entity`, ascending, with at most one write."""
    return _allocator.next_ids(entity, count)


def forget() -> None:
    """Forget this process's blocks. Tests call it whenever the tables start afresh, since a block held from
    earlier tables would hand out ids that the new counter item also gives."""
    _allocator.forget()


def held() -> dict[str, range]:
    """This process's blocks, for a test that copies the tables and later puts the copy back (`hold`)."""
    return _allocator.held()


def hold(blocks: dict[str, range]) -> None:
    _allocator.hold(blocks)
