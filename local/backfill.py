"""`make backfill [STAGE=dev|prod]`: the index keys that items stored before those keys existed lack, written as a
create writes them, on the running local stack, or with STAGE on that deployed stage's tables with your AWS
credentials. Run it once after upgrading a stage; running it again changes nothing.

Each backfill reads its table whole (a Scan: the app's roles grant none, and no route ever needs one), and every
write is conditioned on the item existing and the key still missing, so a run can be repeated, interrupted, or race
the app's own writes."""
import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from local.services import ROOT


def fill(model: Any, key: Any, attribute: Any, values: Callable[[Any], dict[str, Any]], tally: Any) -> Any:
    """Set `values(item)` on each item of `model` (hash key `key`) that lacks `attribute`; an empty answer leaves
    the item as it is. Counts into `tally` (a telemetry Tally), and returns it."""
    for item in model.scan(attribute.does_not_exist()):
        tally.take(functools.partial(_set, model, key, attribute, item, values))
    return tally


def _set(model: Any, key: Any, attribute: Any, item: Any, values: Callable[[Any], dict[str, Any]]) -> bool:
    from pynamodb.exceptions import UpdateError

    found = values(item)
    if not found:
        return False
    try:
        item.update(actions=[getattr(model, name).set(value) for name, value in found.items()],
                    condition=key.exists() & attribute.does_not_exist())
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False  # deleted, or written by the app meanwhile
    return True


def coaching() -> Any:
    """`listing` (a Superadmin's listings) on every record, a user's `listed_by` (a Coach's `/users`), and a client's
    records' `coach_id` (a Coach's listings), read off the client."""
    from chalicelib.coaching.models import ALL, CoachingUser, HelpRequest, Media, Message, Org, Task, listed_by
    from chalicelib.core.store import find
    from chalicelib.core.telemetry import Tally

    @functools.cache
    def coach_of_client(client_id: int) -> int | None:
        client = find(CoachingUser, client_id)
        return listed_by(client) if client is not None else None

    def coach_of(client: str, record: Any) -> dict[str, Any]:
        client_id = getattr(record, client)
        return _present("coach_id", coach_of_client(int(client_id)) if client_id is not None else None)

    tally = Tally()
    for model in (Org, CoachingUser, Task, Media, Message, HelpRequest):
        fill(model, model.id, model.listing, lambda _: {"listing": ALL}, tally)
    fill(CoachingUser, CoachingUser.id, CoachingUser.listed_by, lambda user: _present("listed_by", listed_by(user)),
         tally)
    for model, client in ((Task, "user_id"), (HelpRequest, "user_id"), (Message, "client_id")):
        fill(model, model.id, model.coach_id, functools.partial(coach_of, client), tally)
    return tally


def _present(name: str, value: Any) -> dict[str, Any]:
    """`{name: value}`, or nothing to write when there is no value."""
    return {} if value is None else {name: value}


def content_requests() -> Any:
    """The owner's shelf, the sorted shelves' keys, and `expiring` on pending requests (the expiry job's index)."""
    from chalicelib.content_requests.models import PENDING, ContentRequest, shelf, sort_keys
    from chalicelib.core.telemetry import Tally

    tally = Tally()
    fill(ContentRequest, ContentRequest.id, ContentRequest.shelf,
         lambda request: {"shelf": shelf(request.owner_id, request.status)}, tally)
    fill(ContentRequest, ContentRequest.id, ContentRequest.created_key, lambda request: sort_keys(
        int(request.id), request.created_at, request.name, request.recipient, request.expiration_date), tally)
    fill(ContentRequest, ContentRequest.id, ContentRequest.expiring,
         lambda request: {"expiring": PENDING} if request.status == PENDING else {}, tally)
    return tally


def main(argv: list) -> int:
    from local import stack

    if argv:
        variables = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"][argv[0]]
        os.environ["TABLE_PREFIX"] = variables["environment_variables"]["TABLE_PREFIX"]
    else:
        os.environ.update(stack.load())  # before any import: table names come from it
    sys.path.insert(0, str(ROOT))
    for name, run in (("coaching", coaching), ("content requests", content_requests)):
        tally = run()
        print(f"{name}: {tally.seen} items lacking a key, {tally.changed} written, {tally.failed} failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
