"""A live table gains one GSI per stack update (CloudFormation refuses two), and `make deploy` (infra/deploy.py)
updates the stack as many times as its tables' new indexes take."""
import json

import pytest
from botocore.exceptions import ClientError

from infra import deploy
from infra.tables import specs, staged


@pytest.fixture(scope="module")
def tables():
    return {table.name: table for table in specs()}


def _names(table) -> list[str]:
    return [index["name"] for index in table.indexes]


def _defined(table) -> set[str]:
    return {attribute["AttributeName"] for attribute in table.attributes}


def test_a_table_not_created_yet_gets_every_index_at_once(tables):
    users = tables["coaching-users"]

    assert staged(users, None) == users
    assert len(_names(users)) > 2


def test_a_live_table_gains_only_its_first_missing_index_and_declares_only_the_keys_in_use(tables):
    users = tables["coaching-users"]
    deployed = ["by-coach", "everything"]

    one_update = staged(users, deployed)

    assert _names(one_update) == ["by-coach", "by-listing", "everything"]
    in_use = {key["AttributeName"] for schema in [one_update.key_schema, *(i["key_schema"] for i in one_update.indexes)]
              for key in schema}
    assert _defined(one_update) == in_use
    assert _defined(one_update) < _defined(users)


def test_a_live_table_with_all_its_indexes_is_unchanged(tables):
    users = tables["coaching-users"]

    assert staged(users, _names(users)) == users


def test_the_template_adds_one_index_to_each_live_table_that_lacks_some():
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.stack import PlatformStack

    deployed = {"coaching-users": ["by-coach"], "content-requests": [], "accounts": ["by-number", "everyone"]}
    app = cdk.App(context={"deployedIndexes": json.dumps(deployed)})
    stack = PlatformStack(app, "serverless-platform-dev", stage="dev", with_app=False,
                          env=cdk.Environment(account="123456789012", region="us-east-1"))
    resources = Template.from_stack(stack).to_json()["Resources"].values()
    indexes = {table["Properties"]["TableName"].removeprefix("serverless-platform-dev-"):
               [index["IndexName"] for index in table["Properties"].get("GlobalSecondaryIndexes", [])]
               for table in resources if table["Type"] == "AWS::DynamoDB::Table"}

    assert indexes["coaching-users"] == ["by-coach", "by-listing"]
    assert indexes["content-requests"] == ["by-created"]
    assert indexes["accounts"] == ["by-number", "everyone"]
    assert indexes["coaching-tasks"] == ["by-coach", "by-org", "by-user", "checkins-due", "everything"]  # a new table


class FakeStack:
    """DynamoDB's DescribeTable of the stage's tables as CloudFormation leaves them after each update."""

    def __init__(self, tables, live):
        self.tables, self.live, self.updates = tables, live, []

    def describe(self, TableName):
        name = TableName.removeprefix("serverless-platform-dev-")
        if name not in self.live:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "DescribeTable")
        return {"Table": {"GlobalSecondaryIndexes": [{"IndexName": index} for index in self.live[name]]}}

    def update(self, deployed):
        self.updates.append(json.loads(json.dumps(deployed)))
        for table in self.tables:
            self.live[table.name] = _names(staged(table, deployed.get(table.name)))


def test_a_first_deploy_is_one_update(tables):
    stack = FakeStack(list(tables.values()), {})

    assert deploy.deploy("dev", list(tables.values()), stack.describe, stack.update) == 1
    assert stack.updates == [{}]
    assert stack.live == {name: _names(table) for name, table in tables.items()}


def test_an_upgrade_takes_an_update_per_index_the_most_lacking_table_misses(tables):
    live = {name: _names(table) for name, table in tables.items()}
    live["coaching-users"] = ["everything"]  # lacks five
    live["content-requests"] = live["content-requests"][1:]  # lacks one
    stack = FakeStack(list(tables.values()), {name: list(indexes) for name, indexes in live.items()})

    rounds = deploy.deploy("dev", list(tables.values()), stack.describe, stack.update)

    assert rounds == 5
    assert [len(update["coaching-users"]) for update in stack.updates] == [1, 2, 3, 4, 5]
    assert stack.live == {name: _names(table) for name, table in tables.items()}


def test_an_update_that_adds_no_missing_index_stops_the_deploy(tables):
    live = {name: _names(table) for name, table in tables.items()}
    live["coaching-users"] = []
    stack = FakeStack(list(tables.values()), live)

    with pytest.raises(SystemExit, match="added none"):
        deploy.deploy("dev", list(tables.values()), stack.describe, lambda deployed: None)
