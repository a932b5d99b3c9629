"""Providers and their channels. A channel is used by at most one project at a time (one `project_id`
attribute): attaching, or moving it from another project, is one transaction conditioned on the project existing."""
from typing import Any

from chalicelib.core.contracts import checked
from chalicelib.core.counters import next_id
from chalicelib.core.errors import Conflict
from chalicelib.core.transactions import Step, transact_steps
from chalicelib.dialogues import patches
from chalicelib.dialogues.access import ADMIN, Caller, require, require_admin
from chalicelib.dialogues.contracts import CHANNEL, NEW_CHANNEL, NEW_PROVIDER
from chalicelib.dialogues.errors import SURFACE, invalid, not_found
from chalicelib.dialogues.ids import fetch
from chalicelib.dialogues.models import ALL, Channel, Project, Provider


def providers_of(channels: list[Channel]) -> dict[int, Provider]:
    wanted = {channel.provider_id for channel in channels}
    return {provider.id: provider for provider in Provider.batch_get(wanted)} if wanted else {}


def every_channel(who: Caller) -> list[Channel]:
    require_admin(who)
    return list(Channel.everything.query(ALL))


def of_project(project: Project) -> list[Channel]:
    return list(Channel.by_project.query(project.id))


def visible(who: Caller, raw_id: str) -> Channel:
    """A channel, for an admin or a caller who sees the project using it."""
    channel = fetch(Channel, "Channel", raw_id)
    require(who.is_admin or (channel.project_id is not None and who.sees_project(channel.project_id)), ADMIN)
    return channel


def administered(who: Caller, raw_id: str) -> Channel:
    require_admin(who)
    return fetch(Channel, "Channel", raw_id)


def _project_id(body: dict[str, Any]) -> int | None:
    raw = body.get("project_id")
    return None if raw is None else int(raw)


def _attach(channel: Channel, project_id: int | None) -> Channel:
    """Give the channel to `project_id` (None frees it), moving it from the project using it if any. The channel's
    one `project_id` attribute is its attachment, so the move is one TransactWriteItems: the check that the new
    project exists and the update that takes the channel from the old project and gives it to the new one. At
    every moment the channel is in exactly one project (or none); of two concurrent moves the last one wins."""
    if project_id is None:
        channel.update(actions=[Channel.project_id.remove()], condition=Channel.id.exists())
        return channel
    steps: list[Step] = [(lambda tx: tx.condition_check(Project, project_id, condition=Project.id.exists()),
              invalid("not_found", "/project_id", f"Project {project_id} not found")),
             (lambda tx: tx.update(channel, actions=[Channel.project_id.set(project_id)],
                                   condition=Channel.id.exists()),
              not_found("Channel", channel.id))]
    transact_steps(steps)
    channel.project_id = project_id
    return channel


def replace(channel: Channel, body: dict[str, Any]) -> Channel:
    """PUT: the project the body names (its read-only fields ignored)."""
    return _attach(channel, _project_id(body))


def patch(channel: Channel, operations: Any) -> Channel:
    current = {"project_id": None if channel.project_id is None else str(channel.project_id)}
    return _attach(channel, _project_id(checked(CHANNEL, patches.apply(current, operations), SURFACE)))


def create_channel(who: Caller, body: Any) -> Channel:
    """An operator's new channel (admins only); its provider must exist, and the project it names if any."""
    require_admin(who)
    checked(NEW_CHANNEL, body, SURFACE)
    channel = Channel(next_id("dialogue-channels"), provider_id=int(body["provider_id"]), title=body["title"],
                      address=body["address"], type=body["type"], project_id=_project_id(body))
    steps: list[Step] = [(lambda tx: tx.condition_check(Provider, channel.provider_id, condition=Provider.id.exists()),
              invalid("not_found", "/provider_id", f"Provider {channel.provider_id} not found"))]
    if channel.project_id is not None:
        steps.append((lambda tx: tx.condition_check(Project, channel.project_id, condition=Project.id.exists()),
                      invalid("not_found", "/project_id", f"Project {channel.project_id} not found")))
    steps.append((lambda tx: tx.save(channel, condition=Channel.id.does_not_exist()),
                  Conflict("conflict", "The channel exists")))
    transact_steps(steps)
    return channel


def every_provider(who: Caller) -> list[Provider]:
    require_admin(who)
    return list(Provider.everything.query(ALL))


def provider(who: Caller, raw_id: str) -> tuple[Provider, list[Channel]]:
    """A provider with the channels the caller may see: all for an admin, else those of the caller's projects
    (and then only if there is one)."""
    found = fetch(Provider, "Provider", raw_id)
    channels = list(Channel.by_provider.query(found.id))
    if not who.is_admin:
        channels = [channel for channel in channels
                    if channel.project_id is not None and who.sees_project(channel.project_id)]
        require(bool(channels), ADMIN)
    return found, channels


def create_provider(who: Caller, body: Any) -> Provider:
    require_admin(who)
    checked(NEW_PROVIDER, body, SURFACE)
    created = Provider(next_id("dialogue-providers"), title=body["title"])
    created.save(condition=Provider.id.does_not_exist())
    return created


# What `make run` offers on a fresh stack: a provider of each kind the document names, each with one channel.
EXAMPLES = (("Twitter", "twitter", "@foo"), ("Vodacom ZA", "sms", "2233"), ("MTN Nigeria", "ussd", "*120*321#"))


def seed_examples() -> list[Provider]:
    """Providers and channels to try the API with (local stack only), unless some provider exists already."""
    if next(iter(Provider.everything.query(ALL, limit=1)), None) is not None:
        return []
    created = []
    for title, kind, address in EXAMPLES:
        provider = Provider(next_id("dialogue-providers"), title=title)
        provider.save(condition=Provider.id.does_not_exist())
        Channel(next_id("dialogue-channels"), provider_id=provider.id, title=address, address=address,
                type=kind).save(condition=Channel.id.does_not_exist())
        created.append(provider)
    return created
