"""The coaching listings' keys on records stored before they existed (core/backfill.py): `listing` (a Superadmin's
listings), a user's `listed_by` (a Coach's `/users`) and a client's records' `coach_id` (a Coach's listings), read
off the client as a create writes them."""
import functools
from typing import Any

from chalicelib.coaching.models import ALL, CoachingUser, HelpRequest, Media, Message, Org, Task, listed_by
from chalicelib.core.backfill import fill
from chalicelib.core.telemetry import Tally

# Each record kind, and the attribute that names its client.
RECORDS = ((Task, "user_id"), (HelpRequest, "user_id"), (Message, "client_id"))


def run() -> Tally:
    tally = Tally()
    for model in (Org, CoachingUser, Task, Media, Message, HelpRequest):
        fill(model, model.id, model.listing, lambda _: {"listing": ALL}, tally)
    fill(CoachingUser, CoachingUser.id, CoachingUser.listed_by, _listed_by, tally)
    clients: dict[int, CoachingUser | None] = {}
    for model, client in RECORDS:
        fill(model, model.id, model.coach_id, functools.partial(_coach, clients, client), tally)
    return tally


def _listed_by(user: CoachingUser) -> dict[str, Any]:
    coach = listed_by(user)
    return {} if coach is None else {"listed_by": coach}


def _coach(clients: dict[int, CoachingUser | None], client: str, record: Any) -> dict[str, Any]:
    """The record's `coach_id`: the `listed_by` of its client (its attribute `client`; none for a record without a
    client, or whose client has no coach or is gone)."""
    client_id = getattr(record, client)
    if client_id is None:
        return {}
    key = int(client_id)
    if key not in clients:
        clients[key] = next(iter(CoachingUser.batch_get([key])), None)
    user = clients[key]
    coach = listed_by(user) if user is not None else None
    return {} if coach is None else {"coach_id": coach}
