"""Atomic integer ids: one counter item per entity, advanced with UpdateItem ADD."""
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.core.tables import register, table_name


@register
class Counter(Model):
    class Meta:
        table_name = table_name("counters")
        billing_mode = "PAY_PER_REQUEST"

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)


def next_id(entity: str) -> int:
    """The next integer id for `entity` (1, 2, ...). Never repeats, even under concurrency; may skip."""
    counter = Counter(entity)
    counter.update(actions=[Counter.value.add(1)])
    return int(counter.value)
