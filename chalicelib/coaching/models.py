"""Coaching storage: orgs, users (clients, coaches, admins), tasks, messages, media, viewed media and help
requests. Items that belong to a client carry its org, so each role's listing is a Query on an index."""
from typing import Any, cast

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.core.tables import index, register, table_meta

CLIENT, COACH, ADMIN, SUPERADMIN = "Client", "Coach", "Admin", "Superadmin"
USER_TYPES = (CLIENT, COACH, ADMIN, SUPERADMIN)
USER_STATUSES = ("AWAITING_HELP", "WORKING", "NON_RESPONSIVE")
PLATFORMS = ("SMS", "FBOOK")
TASK_STATUSES = ("ACTIVE", "COMPLETED", "ARCHIVED")
DIFFICULTIES = ("EASY", "MODERATE", "DIFFICULT")
MEDIA_TYPES = ("TASK_CONTENT", "TASK_RESOURCE", "STORY", "GENERAL_EDUCATION")
REQUEST_STATUSES = ("NEEDS_ASSISTANCE", "REPLIED", "RESOLVED")
# The value of the sparse `checkins` key while an item has a check-in to send.
DUE = "due"
# The one `listing` key of the orgs and the media library: each is listed whole through its index.
ALL = "all"


def update_of(item: "CoachingUser | Task", names: set[str] | list[str]) -> tuple[list[Any], Any]:
    """Actions that write the named attributes of `item` as it now holds them (REMOVE for None) and move its
    revision on, and the condition that it is still at the revision read. Only these attributes are written:
    a whole-item save would overwrite the counters that other writes keep on the same item."""
    model = type(item)
    actions = [getattr(model, name).remove() if getattr(item, name) is None else getattr(model, name).set(
        getattr(item, name)) for name in sorted(set(names))]
    return actions + [model.revision.add(1)], model.revision == int(item.revision)


def listed_by(user: "CoachingUser") -> int | None:
    """The Coach whose listings hold the user's tasks, requests and messages (their `coach_id`): a Client's coach,
    a Coach themselves, nobody for other users. One Query on `by-coach` then lists a Coach's records."""
    if user.type == COACH:
        return int(user.id)
    return int(user.coach_id) if user.type == CLIENT and user.coach_id is not None else None


class DueCheckins(GlobalSecondaryIndex[Any]):
    """Items with a check-in to send, by due time: only they carry `checkins`, so the job Queries."""

    class Meta:
        index_name = "checkins-due"
        projection = KeysOnlyProjection()

    checkins = UnicodeAttribute(hash_key=True)
    next_checkin_at = UTCDateTimeAttribute(range_key=True)


@register
class Org(Model):
    Meta = table_meta("coaching-orgs")

    id = NumberAttribute(hash_key=True)
    name = UnicodeAttribute()
    sms_number = UnicodeAttribute()
    logo = UnicodeAttribute(null=True)
    user_count = NumberAttribute(default=0)  # an org with users cannot be deleted
    listing = UnicodeAttribute(default=ALL)

    everything = index("everything", "listing", UnicodeAttribute)


class Checkin(MapAttribute[str, Any]):
    topic = UnicodeAttribute(null=True)
    message = UnicodeAttribute(null=True)
    time = NumberAttribute()  # epoch milliseconds


@register
class CoachingUser(Model):
    Meta = table_meta("coaching-users")

    id = NumberAttribute(hash_key=True)
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    email = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    coach_id = NumberAttribute(null=True)
    org_id = NumberAttribute()
    color = UnicodeAttribute(null=True)
    goals = ListAttribute(of=UnicodeAttribute, default=list)
    status = UnicodeAttribute()
    type = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    platform = UnicodeAttribute(default="SMS")
    image = UnicodeAttribute(null=True)
    follow_up_date = UTCDateTimeAttribute(null=True)
    plan_url = UnicodeAttribute(null=True)
    checkin_times = ListAttribute(of=Checkin, default=list)
    topic = UnicodeAttribute(null=True)
    fb_id = UnicodeAttribute(null=True)
    temp_help_response = UnicodeAttribute(null=True)
    auth0_id = UnicodeAttribute(null=True)
    # What refers to the user: while any count is above 0 the user cannot be deleted, nor change org.
    task_count = NumberAttribute(default=0)
    request_count = NumberAttribute(default=0)
    message_count = NumberAttribute(default=0)
    viewed_count = NumberAttribute(default=0)
    client_count = NumberAttribute(default=0)
    # Messages whose client is the user (they carry its `listed_by`): a change of coach checks it moved them all.
    # None on users from before it was kept.
    client_messages = NumberAttribute(null=True)
    # At least every order of the user's tasks: a task given no order goes after it (see `tasks.create`).
    last_task_order = NumberAttribute(default=0)
    checkins = UnicodeAttribute(null=True)  # DUE while checkin_times is not empty
    next_checkin_at = UTCDateTimeAttribute(null=True)
    revision = NumberAttribute(default=0)  # moved by every change of fields: see `update_of`
    listing = UnicodeAttribute(default=ALL)  # None on users from before: a Superadmin's `/users` misses them
    # `listed_by(user)`, written when the user is created and when it changes: a Coach's `/users` is one Query of
    # `by-listing` (themselves and their clients). None on users from before (a Coach's own then lacks it: see
    # `users.listing`), as on Admins and Superadmins.
    listed_by = NumberAttribute(null=True)
    # The ids of the user's tasks, requests and messages (those whose client they are), so that a change of their
    # listing moves them without a Query (see `users._relisting`). Kept only on users created since (`ids_kept`),
    # and only while their records number at most `users.RELISTED_MAX` (more are not moved at once anyway): a set
    # holds them all while its count (task_count, request_count, client_messages) is its size.
    task_ids = NumberSetAttribute(null=True)
    request_ids = NumberSetAttribute(null=True)
    message_ids = NumberSetAttribute(null=True)
    ids_kept = BooleanAttribute(null=True)

    by_org = index("by-org", "org_id")
    by_coach = index("by-coach", "coach_id")
    by_listing = index("by-listing", "listed_by")
    by_type = index("by-type", "type", UnicodeAttribute)
    everything = index("everything", "listing", UnicodeAttribute)
    due = DueCheckins()


@register
class CoachingEmail(Model):
    """A claim on an email (case-insensitive): emails are unique among coaching users. It also carries the user's
    type and org, written in every transaction that changes them, so that the caller's role is this one read."""

    Meta = table_meta("coaching-emails")

    email = UnicodeAttribute(hash_key=True)
    user_id = NumberAttribute()
    type = UnicodeAttribute(null=True)  # None on claims written before it was kept: the user is read instead
    org_id = NumberAttribute(null=True)


class Recurrence(MapAttribute[str, Any]):
    frequency = NumberAttribute()  # days between check-ins
    duration = NumberAttribute()  # days from date_assigned


class Step(MapAttribute[str, Any]):
    task_id = NumberAttribute(null=True)
    text = UnicodeAttribute()


@register
class Task(Model):
    Meta = table_meta("coaching-tasks")

    id = NumberAttribute(hash_key=True)
    title = UnicodeAttribute()
    category = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    created_by = NumberAttribute(null=True)
    user_id = NumberAttribute(null=True)
    org_id = NumberAttribute(null=True)  # the user's, so that an Admin's listing is one Query
    coach_id = NumberAttribute(null=True)  # whose listing holds it: see `listed_by`
    difficulty = UnicodeAttribute(null=True)
    date_assigned = UTCDateTimeAttribute()
    date_created = UTCDateTimeAttribute()
    date_completed = UTCDateTimeAttribute(null=True)
    recurring = Recurrence(null=True)  # type: ignore[no-untyped-call]  # MapAttribute.__init__ is unannotated
    steps = ListAttribute(of=Step, default=list)
    order = NumberAttribute(null=True)
    original_task_id = NumberAttribute(null=True)
    request_count = NumberAttribute(default=0)
    referrers = NumberAttribute(default=0)  # media naming the task: see `access.refer`
    checkins = UnicodeAttribute(null=True)  # DUE while a recurring check-in is still to come
    next_checkin_at = UTCDateTimeAttribute(null=True)
    revision = NumberAttribute(default=0)  # moved by every change of fields: see `update_of`
    listing = UnicodeAttribute(default=ALL)  # a Superadmin's listing (items from before lack it)

    by_user = index("by-user", "user_id")
    by_org = index("by-org", "org_id")
    by_coach = index("by-coach", "coach_id")
    everything = index("everything", "listing", UnicodeAttribute)
    due = DueCheckins()


@register
class Media(Model):
    Meta = table_meta("coaching-media")

    id = NumberAttribute(hash_key=True)
    task_id = NumberAttribute(null=True)
    title = UnicodeAttribute()
    category = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    url = UnicodeAttribute(null=True)
    image = UnicodeAttribute(null=True)
    published_by = NumberAttribute(default=-1)
    type = UnicodeAttribute(null=True)
    view_count = NumberAttribute(default=0)
    referrers = NumberAttribute(default=0)  # messages naming the media
    org_id = NumberAttribute(null=True)  # its publisher's org, whose Admins may delete it (none: Superadmins only)
    listing = UnicodeAttribute(default=ALL)

    library = index("everything", "listing", UnicodeAttribute)


@register
class Message(Model):
    Meta = table_meta("coaching-messages")

    id = NumberAttribute(hash_key=True)
    text = UnicodeAttribute()
    to_user = NumberAttribute()
    from_user = NumberAttribute()
    media_id = NumberAttribute(null=True)
    request_id = NumberAttribute(null=True)
    timestamp = UTCDateTimeAttribute()
    responses = cast("ListAttribute[str]", ListAttribute(null=True))
    topic = UnicodeAttribute(null=True)
    client_id = NumberAttribute()  # the client the message is about (or its recipient): whose scope it is in
    org_id = NumberAttribute()
    coach_id = NumberAttribute(null=True)  # whose listing holds it: see `listed_by`
    listing = UnicodeAttribute(default=ALL)  # a Superadmin's listing (items from before lack it)

    by_user = index("by-user", "client_id")
    by_org = index("by-org", "org_id")
    by_coach = index("by-coach", "coach_id")
    everything = index("everything", "listing", UnicodeAttribute)


class MediaCopy(MapAttribute[str, Any]):
    """The fields of a media as its listing shows them: media never change (they are created and deleted, not
    updated) and are not deleted while viewed, so a view's copy stays the media's."""

    task_id = NumberAttribute(null=True)
    title = UnicodeAttribute()
    category = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    url = UnicodeAttribute(null=True)
    image = UnicodeAttribute(null=True)
    published_by = NumberAttribute()
    type = UnicodeAttribute(null=True)

    @classmethod
    def of(cls, media: "Media") -> "MediaCopy":
        return cls(**{name: getattr(media, name) for name in cls.get_attributes()})

    def media(self, media_id: int) -> "Media":
        return Media(media_id, **{name: getattr(self, name) for name in self.get_attributes()})


@register
class ViewedMedia(Model):
    """One record per client and media: marking media viewed twice keeps one. It carries the media's fields, so that
    a client's viewed media are one Query (views from before lack them: their media are read)."""

    Meta = table_meta("coaching-viewed-media")

    client_id = NumberAttribute(hash_key=True)
    media_id = NumberAttribute(range_key=True)
    id = NumberAttribute()
    media = MediaCopy(null=True)  # type: ignore[no-untyped-call]  # MapAttribute.__init__ is unannotated


@register
class HelpRequest(Model):
    Meta = table_meta("coaching-requests")

    id = NumberAttribute(hash_key=True)
    status = UnicodeAttribute(null=True)
    user_id = NumberAttribute()
    task_id = NumberAttribute()
    org_id = NumberAttribute()
    coach_id = NumberAttribute(null=True)  # whose listing holds it: see `listed_by`
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    referrers = NumberAttribute(default=0)  # messages naming the request
    listing = UnicodeAttribute(default=ALL)  # a Superadmin's listing (items from before lack it)

    by_user = index("by-user", "user_id")
    by_org = index("by-org", "org_id")
    by_coach = index("by-coach", "coach_id")
    everything = index("everything", "listing", UnicodeAttribute)
