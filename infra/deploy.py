"""`make deploy`: a stage's stack, in as many updates as its tables' new indexes take.

CloudFormation creates at most one GSI of a table per stack update and refuses an update that adds two. Each round
reads which indexes the stage's live tables have, deploys with them as the `deployedIndexes` context (so
`infra.tables.staged` adds one missing index a table), and stops once every table has all of its indexes. A first
deploy, and an update that adds no index, is one round.

Usage: python infra/deploy.py STAGE -- CDK DEPLOY COMMAND...
"""
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from botocore.exceptions import ClientError  # noqa: E402

from infra.resources import APP  # noqa: E402
from infra.tables import TableSpec, specs  # noqa: E402

Live = dict[str, list[str]]


def live_indexes(stage: str, tables: list[TableSpec], describe: Callable[..., Any]) -> Live:
    """The indexes of each of the stage's tables that exist, by table name (a table not created yet is left out)."""
    found: Live = {}
    for table in tables:
        try:
            described = describe(TableName=f"{APP}-{stage}-{table.name}")["Table"]
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            continue
        found[table.name] = sorted(index["IndexName"] for index in described.get("GlobalSecondaryIndexes", []))
    return found


def missing(tables: list[TableSpec], live: Live) -> dict[str, list[str]]:
    """The indexes live tables still lack, by table."""
    lacking = {table.name: [index["name"] for index in table.indexes if index["name"] not in live[table.name]]
               for table in tables if table.name in live}
    return {name: names for name, names in lacking.items() if names}


def deploy(stage: str, tables: list[TableSpec], describe: Callable[..., Any], update: Callable[[Live], None]) -> int:
    """Update the stack until no live table lacks an index; returns the number of updates."""
    rounds, live = 0, live_indexes(stage, tables, describe)
    while True:
        lacking = missing(tables, live)
        if rounds and not lacking:
            return rounds
        if lacking:
            print(f"update {rounds + 1}: one new index of each of {', '.join(sorted(lacking))}", flush=True)
        update(live)
        rounds, live = rounds + 1, live_indexes(stage, tables, describe)
        if lacking and missing(tables, live) == lacking:
            raise SystemExit(f"the update added none of the missing indexes: {lacking}")


def main() -> None:
    import boto3

    stage, command = sys.argv[1], sys.argv[sys.argv.index("--") + 1:]
    describe = boto3.client("dynamodb").describe_table

    def update(live: Live) -> None:
        # The operator's own command line (the Makefile's CDK deploy), with the live indexes added.
        subprocess.run([*command, "--context", f"deployedIndexes={json.dumps(live)}"], check=True)  # noqa: S603

    rounds = deploy(stage, specs(), describe, update)
    print(f"{APP}-{stage}: deployed in {rounds} update{'s' if rounds > 1 else ''}")


if __name__ == "__main__":
    main()
