"""Messages between a client and their staff (and the check-ins the job sends). A message is in the scope
of its client: the party who is a Client, or else its recipient."""
from typing import Any

from chalicelib.coaching import access, scope, users
from chalicelib.coaching.access import Caller
from chalicelib.coaching.coercions import coerced, moment
from chalicelib.coaching.errors import invalid_field
from chalicelib.coaching.models import CLIENT, CoachingUser, HelpRequest, Media, Message, ViewedMedia, listed_by
from chalicelib.coaching.records import ClientRecords
from chalicelib.core import clock
from chalicelib.core.counters import next_id
from chalicelib.core.errors import Conflict
from chalicelib.core.transactions import Step, transact_steps

# A message is also seen by whoever sent or received it.
_records = ClientRecords(Message, lambda message: int(message.client_id),
                         lambda message: (int(message.to_user), int(message.from_user)))
get, visible, listing, of_client = _records.get, _records.visible, _records.listing, _records.of_client


def _may_send(caller: Caller, sender: CoachingUser, recipient: CoachingUser) -> None:
    """Staff send between users they see; a client sends as themselves to staff of their org."""
    if caller.role == CLIENT:
        access.require(int(sender.id) == caller.id and recipient.type != CLIENT
                       and int(recipient.org_id) == caller.org_id)
        return
    access.require(access.sees_user(caller, sender) and access.sees_user(caller, recipient))


def _references(message: Message, change: int) -> list[Step]:
    """The media and help request a message names count it (they are not deleted while it refers)."""
    named = ((Media, message.media_id, "media_id", "media"), (HelpRequest, message.request_id, "request_id",
                                                             "request"))
    return [access.refer(model, int(key), change, field, what) for model, key, field, what in named if key is not None]


def _party_step(user_id: int, message: Message, client: CoachingUser) -> Step:
    """Count the message on a party (a user with messages is not deleted); on its client also as theirs, while the
    client is still in the listing the message was written for."""
    if user_id != int(client.id):
        return (lambda tx: tx.update(CoachingUser(user_id), actions=[CoachingUser.message_count.add(1)],
                                     condition=CoachingUser.id.exists()),
                invalid_field("to_user", "must be the id of an existing user"))
    return (lambda tx: tx.update(CoachingUser(user_id), actions=[
        CoachingUser.message_count.add(1), CoachingUser.client_messages.add(1),
        *users.kept_ids(client, CoachingUser.message_ids, {int(message.id)})], condition=users.still_listed(client)),
        Conflict("conflict", "The user changed meanwhile: try again"))


def message_steps(message: Message, client: CoachingUser) -> list[Step]:
    """Write a message (of `client`'s) and count it on both users."""
    parties = {int(message.to_user), int(message.from_user)}
    return [
        (lambda tx: tx.save(message, condition=Message.id.does_not_exist()), Conflict("conflict", "Try again")),
        *[_party_step(user_id, message, client) for user_id in sorted(parties)],
    ]


def client_of(sender: CoachingUser, recipient: CoachingUser) -> CoachingUser:
    """Whose scope a message is in: the party who is a Client, or else its recipient."""
    return recipient if recipient.type == CLIENT or sender.type != CLIENT else sender


def new_message(sender: CoachingUser, recipient: CoachingUser, **values: Any) -> Message:
    """A message in its client's scope (not yet written)."""
    client = client_of(sender, recipient)
    return Message(next_id("coaching-messages"), to_user=int(recipient.id), from_user=int(sender.id),
                   client_id=int(client.id), org_id=int(client.org_id), coach_id=listed_by(client),
                   **{"timestamp": clock.now(), **{key: value for key, value in values.items() if value is not None}})


def named_in(body: Any) -> list[tuple[Any, Any]]:
    """What a create's body names (`scope.named`): the parties, media and request, and the sender's view of the media
    (a Client sends as themselves: their scope holds the media they were sent)."""
    found = scope.named(body, {"from_user": CoachingUser, "to_user": CoachingUser, "media_id": Media,
                               "request_id": HelpRequest})
    sender, media = (body.get(key) if isinstance(body, dict) else None for key in ("from_user", "media_id"))
    return found + ([(ViewedMedia, (sender, media))] if scope.an_id(sender) and scope.an_id(media) else [])


def create(caller: Caller, values: dict[str, Any]) -> Message:
    """The parties, media and help request named are read at once: the parties by the sending rules (403), the
    media and request in the caller's scope (403 naming them: else a message would keep another org's)."""
    values = coerced(values, trimmed=("text",), times={"timestamp": moment})
    refs = [scope.Ref(key, model, values[key]) for key, model in (
        ("from_user", CoachingUser), ("to_user", CoachingUser), ("media_id", Media), ("request_id", HelpRequest))
        if values.get(key) is not None]
    named = scope.records(caller, refs, unchecked={"from_user", "to_user"})
    sender, recipient = named["from_user"], named["to_user"]
    _may_send(caller, sender, recipient)
    message = new_message(sender, recipient, **{k: v for k, v in values.items() if k not in ("to_user", "from_user")})
    transact_steps([*message_steps(message, client_of(sender, recipient)), *_references(message, 1)])
    return message


def _uncounted(user_id: int, message: Message) -> list[Any]:
    """A party's counts without the message (on a user from before `client_messages` was kept, the count starts
    below their real number: a change of coach reads it as "at most", so it only checks less)."""
    actions = [CoachingUser.message_count.add(-1)]
    return actions + [CoachingUser.client_messages.add(-1), CoachingUser.message_ids.delete({int(message.id)})] if (
        user_id == int(message.client_id)) else actions


def delete(caller: Caller, message_id: int) -> None:
    message = visible(caller, message_id)
    access.require(access.is_staff(caller))
    parties = {int(message.to_user), int(message.from_user)}
    transact_steps([
        (lambda tx: tx.delete(message), Conflict("conflict", "Try again")),
        *[(lambda tx, user_id=user_id: tx.update(CoachingUser(user_id), actions=_uncounted(user_id, message)),
           Conflict("conflict", "Try again")) for user_id in sorted(parties)],
        *_references(message, -1),
    ])
