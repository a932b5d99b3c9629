"""Atomic integer ids: one counter item per entity, advanced with UpdateItem ADD."""
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.core.tables import register, table_meta


@register
class Counter(Model):
    Meta = table_meta("counters")

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)


def next_id(entity: str) -> int:
    """The next integer id for `entity` (1, 2, ...). Never repeats, even under concurrency; may skip."""
    return next_ids(entity, 1)[0]


def next_ids(entity: str, count: int) -> list[int]:
    """`count` consecutive new ids for `entity`, reserved with one write."""
    if count < 1:
        return []
    counter = Counter(entity)
    counter.update(actions=[Counter.value.add(count)])
    last = int(counter.value)
    return list(range(last - count + 1, last + 1))
