"""Providers and their channels. A channel is used by at most one project at a time (one `project_id`
attribute): attaching, or moving it from another project, is one transaction conditioned on the project existing.
A channel carries its provider's title (`provider_title`), so that it is shown without reading its provider.

The routes read the channel or provider their path names in one batch with the caller's account (access.py), and
give it here: None when there is none."""
from typing import Any, TypeVar

from chalicelib.core import batch
from chalicelib.core.batch import Wanted
from chalicelib.core.contracts import checked
from chalicelib.core.counters import next_id
from chalicelib.core.errors import Conflict
from chalicelib.core.transactions import Step, transact_steps
from chalicelib.dialogues import patches
from chalicelib.dialogues.access import ADMIN, Caller, require, require_admin
from chalicelib.dialogues.contracts import CHANNEL, NEW_CHANNEL, NEW_PROVIDER
from chalicelib.dialogues.errors import SURFACE, invalid, not_found
from chalicelib.dialogues.ids import number
from chalicelib.dialogues.models import ALL, Channel, Project, Provider

ItemT = TypeVar("ItemT", Channel, Provider)


def provider_titles(channels: list[Channel]) -> dict[int, str]:
    """The titles of the channels' providers, by provider id: those the channels carry, and for channels written
    before `provider_title`, their providers' (read in one BatchGetItem a hundred providers, only then)."""
    titles = {channel.provider_id: channel.provider_title for channel in channels if channel.provider_title}
    unknown = {channel.provider_id for channel in channels} - set(titles)
    found = batch.read([(Provider, (provider_id,)) for provider_id in sorted(unknown)])
    return {**titles, **{provider.id: provider.title for provider in found.values()}}


def key(model: type[Channel] | type[Provider], raw_id: str) -> Wanted | None:
    """The channel or provider a path names, as a batch read names it; None if the id can name none."""
    found = number(raw_id)
    return None if found is None else (model, (found,))


def _existing(item: ItemT | None, kind: str, raw_id: str) -> ItemT:
    if item is None:
        raise not_found(kind, raw_id)
    return item


def every_channel(who: Caller) -> list[Channel]:
    require_admin(who)
    return list(Channel.everything.query(ALL))


def of_project(project: Project) -> list[Channel]:
    return list(Channel.by_project.query(project.id))


def visible(who: Caller, raw_id: str, channel: Channel | None) -> Channel:
    """A channel, for an admin or a caller who sees the project using it."""
    channel = _existing(channel, "Channel", raw_id)
    require(who.is_admin or (channel.project_id is not None and who.sees_project(channel.project_id)), ADMIN)
    return channel


def administered(who: Caller, raw_id: str, channel: Channel | None) -> Channel:
    require_admin(who)
    return _existing(channel, "Channel", raw_id)


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


def provider_key(body: Any) -> Wanted | None:
    """The provider a new channel's body names, if it names one, to read with the caller's account."""
    raw = body.get("provider_id") if isinstance(body, dict) else None
    return key(Provider, raw) if isinstance(raw, str) else None


def create_channel(who: Caller, body: Any, provider: Provider | None) -> Channel:
    """An operator's new channel (admins only); its provider must exist (`provider`, read under
    `provider_key(body)`), and the project it names if any."""
    require_admin(who)
    checked(NEW_CHANNEL, body, SURFACE)
    missing = invalid("not_found", "/provider_id", f"Provider {body['provider_id']} not found")
    if provider is None:
        raise missing
    channel = Channel(next_id("dialogue-channels"), provider_id=provider.id, provider_title=provider.title,
                      title=body["title"], address=body["address"], type=body["type"],
                      project_id=_project_id(body))
    steps: list[Step] = [(lambda tx: tx.condition_check(Provider, channel.provider_id, condition=Provider.id.exists()),
                          missing)]
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


def provider(who: Caller, raw_id: str, found: Provider | None) -> tuple[Provider, list[Channel]]:
    """A provider with the channels the caller may see: all for an admin, else those of the caller's projects
    (and then only if there is one)."""
    found = _existing(found, "Provider", raw_id)
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
        Channel(next_id("dialogue-channels"), provider_id=provider.id, provider_title=title, title=address,
                address=address, type=kind).save(condition=Channel.id.does_not_exist())
        created.append(provider)
    return created
