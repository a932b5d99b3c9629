"""DynamoDB transactions with the two outcomes services care about: a failed condition, or done."""
from collections.abc import Callable
from typing import Any, cast

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.core.errors import Conflict
from chalicelib.core.retry import TryAgain, retried
from chalicelib.core.tables import connection

ITEMS = 100  # TransactWriteItems' limit on the items of one transaction


class ConditionFailed(Exception):
    """A condition in the transaction did not hold; `items` are the positions of the failing writes, in the
    order `write` made them."""

    def __init__(self, items: list[int]):
        super().__init__(f"condition failed on items {items}")
        self.items = items


# PynamoDB sends a transaction's condition checks first, then deletes, puts and updates, and DynamoDB
# reports failures by the position sent.
_SENT_ORDER = ("condition_check", "delete", "save", "update")


class _CallOrder:
    """The transaction as `write` sees it, noting the kind of each call so that a failure's position can be
    told in the order `write` made the calls."""

    def __init__(self, transaction: TransactWrite):
        self._transaction = transaction
        self.kinds: list[str] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method: Callable[..., Any] = getattr(self._transaction, name)
        if name not in _SENT_ORDER:
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            self.kinds.append(name)
            return method(*args, **kwargs)

        return call

    def called(self, sent: int) -> int:
        order = sorted(range(len(self.kinds)), key=lambda i: (_SENT_ORDER.index(self.kinds[i]), i))
        return order[sent]


def transact_write(write: Callable[[TransactWrite], object]) -> None:
    """Run `write(tx)` as one all-or-nothing transaction.

    A conflict with a concurrent transaction on the same items is tried again (core.retry): the conditions
    decide the outcome on the next try. A failed condition raises ConditionFailed; a conflict that outlasts
    the tries is a 409 (`contended`).
    """

    def once() -> None:
        try:
            with TransactWrite(connection=connection()) as transaction:
                calls = _CallOrder(transaction)
                write(cast(TransactWrite, calls))  # the proxy stands for the transaction
        except TransactWriteError as error:
            codes = [reason.code if reason else None for reason in error.cancellation_reasons]
            failed = sorted(calls.called(i) for i, code in enumerate(codes) if code == "ConditionalCheckFailed")
            if failed:
                raise ConditionFailed(failed) from error
            if "TransactionConflict" not in codes:
                raise
            raise TryAgain from error

    retried(once, Conflict("contended", "Too many changes at once to the same items: try again"))


Step = tuple[Callable[[TransactWrite], None], Exception]


def transact_steps(steps: list[Step]) -> None:
    """One transaction of `(write one item, error if its condition fails)` steps: the first failing step's
    error is raised, so a service says in one place what each condition means."""
    try:
        transact_write(lambda transaction: [write(transaction) for write, _ in steps])
    except ConditionFailed as error:
        raise steps[error.items[0]][1] from error
