"""Dialogue storage: permissions, projects, dialogues with their revisions and releases, providers and channels.

Ids the document shows as strings are integers from a counter, kept as numbers so that they sort; a dialogue's
revisions and releases are numbered within it, and a revision's id is its number."""
import json
from typing import Any

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.core.tables import IntegerAttribute, index, register, table_meta

# The one `listing` key of tables that are listed whole through their `everything` index.
ALL = "all"


@register
class Permission(Model):
    """A grant to one account. Its id is a digest of what it grants, so granting the same thing twice is one item."""

    Meta = table_meta("dialogue-permissions")

    user_id = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)
    type = UnicodeAttribute()
    project_id = IntegerAttribute(null=True)
    dialogue_id = IntegerAttribute(null=True)
    created = NumberAttribute()


@register
class Project(Model):
    Meta = table_meta("dialogue-projects")

    id = IntegerAttribute(hash_key=True)
    title = UnicodeAttribute()
    is_archived = BooleanAttribute(default=False)
    created = NumberAttribute()
    listing = UnicodeAttribute(default=ALL)

    everything = index("everything", "listing", UnicodeAttribute)


class Stored(JSONAttribute):
    """A JSON document held in the item, or a reference `{"s3": key}` to one in the media bucket (documents.py).
    Written as UTF-8 rather than ASCII escapes, so that its size in the item is the size documents.py measured."""

    def serialize(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@register
class Dialogue(Model):
    """A dialogue's head: what access and listing read (ids, title, flags, counts, the latest revision number), and
    where its description is. The description is `base`, a snapshot as of revision `base_number` (in the item while
    small, else in the media bucket), followed by `tail`, the patches of the revisions since, so that a revision
    rewrites its patch and not the description (revisions.py). Items written before `base` hold the whole
    description as of `head` in `description`, which reads as a base with no tail."""

    Meta = table_meta("dialogues")

    project_id = IntegerAttribute(hash_key=True)
    id = IntegerAttribute(range_key=True)
    title = UnicodeAttribute()
    is_archived = BooleanAttribute(default=False)
    head = IntegerAttribute()
    release_count = IntegerAttribute(default=0)
    released_revision = IntegerAttribute(null=True)
    created = NumberAttribute()
    base = Stored(null=True)
    base_number = IntegerAttribute(null=True)
    tail = Stored(null=True)
    description = Stored(null=True)


@register
class Revision(Model):
    """One numbered change: its body (details and properties, the patch among them) and, when it is where its
    dialogue's base moved, the description it produced (the same reference as the base)."""

    Meta = table_meta("dialogue-revisions")

    dialogue_id = IntegerAttribute(hash_key=True)
    number = IntegerAttribute(range_key=True)
    user_id = UnicodeAttribute()
    created = NumberAttribute()
    type = UnicodeAttribute()
    body = Stored()
    snapshot = Stored(null=True)


@register
class Release(Model):
    Meta = table_meta("dialogue-releases")

    dialogue_id = IntegerAttribute(hash_key=True)
    number = IntegerAttribute(range_key=True)
    revision = IntegerAttribute()
    created = NumberAttribute()


@register
class Provider(Model):
    Meta = table_meta("dialogue-providers")

    id = IntegerAttribute(hash_key=True)
    title = UnicodeAttribute()
    listing = UnicodeAttribute(default=ALL)

    everything = index("everything", "listing", UnicodeAttribute)


@register
class Channel(Model):
    """An address. `project_id` is the one project using it, if any: a single attribute, so one at a time.
    `provider_title` is its provider's title, copied when the channel is created (a provider is never renamed
    nor deleted), so that a channel is shown without reading its provider; channels written before it have
    none, and are shown with their providers read."""

    Meta = table_meta("dialogue-channels")

    id = IntegerAttribute(hash_key=True)
    provider_id = IntegerAttribute()
    title = UnicodeAttribute()
    address = UnicodeAttribute()
    type = UnicodeAttribute()
    project_id = IntegerAttribute(null=True)
    provider_title = UnicodeAttribute(null=True)
    listing = UnicodeAttribute(default=ALL)

    everything = index("everything", "listing", UnicodeAttribute)
    by_project = index("by-project", "project_id")
    by_provider = index("by-provider", "provider_id")
