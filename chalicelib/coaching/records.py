"""Records that belong to a client (tasks, help requests, messages): who sees one, and each scope's listing."""
from collections.abc import Callable
from typing import Any

from chalicelib.coaching import access, users
from chalicelib.coaching.access import Caller
from chalicelib.coaching.models import CLIENT


class ClientRecords:
    def __init__(self, model: Any, client: Callable[[Any], int],
                 parties: Callable[[Any], tuple[Any, ...]] = lambda _: ()):
        """`client(record)`: the client a record belongs to; `parties(record)`: users who see it besides."""
        self.model, self.client, self.parties = model, client, parties

    def get(self, key: int, caller: Caller | None = None) -> Any:
        return access.fetch(self.model, key, caller)

    def sees(self, caller: Caller, record: Any) -> bool:
        if caller.id in self.parties(record):
            return True
        client = self.client(record)
        return access.sees_record(caller, client, int(record.org_id), lambda: users.get(client),
                                  None if record.coach_id is None else int(record.coach_id))

    def visible(self, caller: Caller, key: int) -> Any:
        record = self.get(key, caller)
        access.require(self.sees(caller, record))
        return record

    def listing(self, caller: Caller) -> list[Any]:
        return access.records(caller, self.model)

    def of_client(self, caller: Caller, client_id: int) -> list[Any]:
        users.visible(caller, client_id, CLIENT)
        return sorted(self.model.by_user.query(client_id), key=lambda record: int(record.id))
