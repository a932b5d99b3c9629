"""Every model and transaction shares one PynamoDB connection: one botocore session, one DynamoDB client."""
from botocore.session import Session

from chalicelib.core import tables
from chalicelib.core.counters import next_id
from chalicelib.core.transactions import transact_write
from chalicelib.identity.models import Account, EmailClaim


def test_every_registered_model_reaches_its_table_through_the_one_connection(aws):
    import app  # noqa: F401  (registers every model)

    connections = {id(model._get_connection().connection) for model in tables.registered()}

    assert connections == {id(tables.connection())}


def test_reads_writes_and_a_transaction_on_several_tables_create_one_dynamodb_client(aws, monkeypatch):
    created, real = [], Session.create_client

    def create_client(self, service_name, *args, **kwargs):
        created.append(service_name)
        return real(self, service_name, *args, **kwargs)

    monkeypatch.setattr(Session, "create_client", create_client)
    tables.connection.cache_clear()
    for model in tables.registered():
        model._connection = None  # as in a fresh process

    next_id("accounts")  # an UpdateItem on the counters table
    assert (Account.count(), EmailClaim.count()) == (0, 0)  # a Scan on each of two more tables
    transact_write(lambda tx: tx.save(EmailClaim("a@example.com", account_id="x")))
    assert EmailClaim.count() == 1

    assert created.count("dynamodb") == 1
