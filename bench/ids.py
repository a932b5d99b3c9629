"""Writes to counter items for integer ids (hi/lo): 1,000 creates of one entity, before and after.

Before, every create advanced the entity's one counter item (one UpdateItem each), so every create on the platform
of that entity wrote one item, which DynamoDB caps at 1,000 writes a second. Now a process reserves a block of ids
with one write and serves it from memory. "after" counts the UpdateItem calls that the real allocator
(core.counters) makes on moto for 1,000 next_id calls, in one container and spread over 4 (each with its own
blocks, as Lambda containers or `make job` runs have), and checks that the ids are unique; "before" is the same
allocator with blocks of one id, which is exactly the old counter (one ADD of 1 per create).
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for _name in [n for n in os.environ if n.startswith("AWS_")]:
    del os.environ[_name]
os.environ.update({"STAGE": "bench", "TABLE_PREFIX": "bench", "AWS_ACCESS_KEY_ID": "bench",
                   "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})

CREATES = 1000


def main() -> None:
    from botocore.client import BaseClient
    from moto import mock_aws

    from chalicelib.core import counters

    writes = []
    real = BaseClient._make_api_call

    def record(client, operation, params):
        if operation == "UpdateItem" and params.get("TableName") == counters.Counter.Meta.table_name:
            writes.append(params)
        return real(client, operation, params)

    BaseClient._make_api_call = record
    try:
        with mock_aws():
            counters.Counter.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
            rows = []
            for block, containers in ((1, 1), (counters.BLOCK, 1), (counters.BLOCK, 4)):
                holders = [counters.Allocator(block) for _ in range(containers)]
                writes.clear()
                entity = f"bench-{block}-{containers}"
                ids = [holders[n % containers].next_ids(entity, 1)[0] for n in range(CREATES)]
                assert len(set(ids)) == CREATES and min(ids) >= 1
                rows.append((block, containers, len(writes), max(ids)))
    finally:
        BaseClient._make_api_call = real

    print(f"Counter item writes for {CREATES:,} creates of one entity (blocks of {counters.BLOCK}, moto):")
    for block, containers, count, highest in rows:
        label = "before (one ADD per create)" if block == 1 else \
            f"after, {containers} container{'s' if containers > 1 else ''}"
        print(f"  {label:28} {count:5,} writes  {count / CREATES:5.2f} per create   highest id {highest:,}"
              f" ({highest - CREATES} still in blocks)")
    before, after = rows[0][2], rows[1][2]
    print(f"  write amplification on the counter item: {before / CREATES:.2f} -> {after / CREATES:.2f} writes per "
          f"create ({before // after}x fewer); one item's 1,000 writes/s caps an entity's creates at "
          f"{1000 * CREATES // before:,}/s before, {1000 * CREATES // after:,}/s after")


if __name__ == "__main__":
    main()
