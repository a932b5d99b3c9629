"""The files of a content request: upload forms for the recipient, completion (which checks every file in
the bucket before recording it), and the owner's listing of what was sent."""
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from pynamodb.expressions.update import Action

from chalicelib.content_requests import fields, requests
from chalicelib.content_requests.errors import Invalid
from chalicelib.content_requests.models import (
    COMPLETED,
    ONE_TIME,
    PENDING,
    PHOTO,
    ContentRequest,
    MediaFile,
    RequestToken,
)
from chalicelib.core import batch, clock, mail
from chalicelib.core.errors import Conflict, TooManyRequests
from chalicelib.core.retry import TryAgain, retried
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.files import storage
from chalicelib.files.layout import UPLOADS_KEPT_DAYS
from chalicelib.identity.models import Account

CONTENT_TYPES = fields.CONTENT_TYPES
# A large video needs time to start; the form is good for one upload to one key all the same.
UPLOAD_SECONDS = 3600
# What one link may issue: a completion names at most 50 files, so two completions' worth of forms an hour (a
# recipient retrying failed uploads is never stopped), and forms allowing 5 GB in all over the request's life
# (five videos at their 1 GB most, or a hundred photos at their 50 MB most). A leaked link thus costs at most 5 GB
# kept, however it is used (docs/decisions.md).
FORMS_PER_HOUR = 100
UPLOAD_BYTES_MAX = 5 * 1024 ** 3
# An issued file that no completion names is forgotten (DynamoDB TTL) as its upload is (the bucket's lifecycle).
ISSUED_KEPT = timedelta(days=UPLOADS_KEPT_DAYS)
DOWNLOAD_SECONDS = 3600
CHECK_THREADS = 8


class SentFile(NamedTuple):
    """A file named in a completion: its key, and what the recipient says of it."""

    s3_key: str
    name: str
    format_type: str
    media_type: str
    size: int
    note: str | None


def sent_file(entry: dict[str, Any]) -> SentFile:
    """A checked entry of a completion's `media_files`, its texts trimmed and its extension as stored."""
    return SentFile(entry["s3_key"].strip(), entry["name"].strip(), fields.extension(entry["format_type"]),
                    entry["media_type"], int(entry["size"]), (entry.get("note") or "").strip() or None)


LISTED_TWICE = "Is listed twice"


def listed_twice(keys: list[str | None]) -> list[int]:
    """The indexes of the keys a completion lists again (trimmed; None for a key that is no text)."""
    keys = [key.strip() if key is not None else None for key in keys]
    return [index for index, key in enumerate(keys) if key is not None and key in keys[:index]]


def upload_form(request: ContentRequest, upload: dict[str, Any]) -> dict[str, Any]:
    """A presigned POST for one file of at most `upload["size"]` bytes, staged under the request's prefix.

    `upload` is the checked body. The key is recorded as issued, so that a completion can name only keys this route
    gave out. The form pins the extension's one type (the contract accepts only the extensions of CONTENT_TYPES),
    and counts against the request's caps before anything is issued."""
    now = clock.now()
    name, extension, media_type, size = (upload["name"].strip(), fields.extension(upload["format_type"]),
                                         upload["media_type"], int(upload["size"]))
    requests.require_open(request, now)
    key = storage.upload_key(requests.key_prefix(request), extension)
    content_type = CONTENT_TYPES[media_type][extension]
    _reserve(request, size, now, MediaFile(request.id, key, name=name, format_type=extension, media_type=media_type,
                                           size=size, issued_at=now, forget_at=now + ISSUED_KEPT))
    form = storage.upload_form(key, max_bytes=size, content_types=[content_type], expires_in=UPLOAD_SECONDS)
    return {"url": form["url"], "fields": form["fields"], "s3_key": key, "expires_in": UPLOAD_SECONDS}


def _reserve(request: ContentRequest, size: int, now: datetime, issued: MediaFile) -> None:
    """Count one more form, and `size` more bytes, on the request item, under both caps, and record the form as
    `issued`: each try is one transaction of a conditional UpdateItem (ADD) and the record, so concurrent forms
    never pass a cap together and a refused form records nothing.

    The hourly count lives with the hour it counts: the same hour adds one under the cap; another hour starts the
    count afresh at one. The hour the request was read in is tried first (so a form costs one write), the other
    next; a try lost to a concurrent form of the other kind is tried again."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    room = ContentRequest.upload_bytes.does_not_exist() | (ContentRequest.upload_bytes <= UPLOAD_BYTES_MAX - size)
    still_open = (ContentRequest.status == PENDING) & (ContentRequest.expires_at > now)
    same_hour: tuple[list[Action], Any] = ([ContentRequest.forms_in_hour.add(1), ContentRequest.upload_bytes.add(size)],
                 (ContentRequest.forms_hour == hour) & (ContentRequest.forms_in_hour < FORMS_PER_HOUR))
    new_hour: tuple[list[Action], Any] = ([ContentRequest.forms_hour.set(hour), ContentRequest.forms_in_hour.set(1),
                 ContentRequest.upload_bytes.add(size)],
                ContentRequest.forms_hour.does_not_exist() | (ContentRequest.forms_hour != hour))

    tries = (same_hour, new_hour) if request.forms_hour == hour else (new_hour, same_hour)

    def write(actions: list[Action], condition: Any) -> Callable[[Any], None]:
        def counted(transaction: Any) -> None:
            transaction.update(ContentRequest(request.id), actions=actions, condition=still_open & room & condition)
            transaction.save(issued)
        return counted

    def once() -> None:
        for actions, condition in tries:
            try:
                transact_write(write(actions, condition))
                return
            except ConditionFailed:
                continue
        stored = requests.current(request)
        requests.require_open(stored, now)
        left = UPLOAD_BYTES_MAX - int(stored.upload_bytes or 0)
        if size > left:
            raise Invalid([{"param": "size", "message": f"Must be at most {max(left, 0)}: the files of a request "
                                                        f"may total at most {UPLOAD_BYTES_MAX} bytes"}])
        if stored.forms_hour == hour and int(stored.forms_in_hour or 0) >= FORMS_PER_HOUR:
            next_hour = hour + timedelta(hours=1)
            raise TooManyRequests("too_many_upload_forms",
                                  f"At most {FORMS_PER_HOUR} upload forms an hour per request: try again later",
                                  retry_after=int((next_hour - now).total_seconds()) + 1)
        raise TryAgain

    retried(once, Conflict("contended", "Too many upload forms at once for this request: try again"))


def completion_keys(claim: RequestToken, files: list[SentFile]) -> list[tuple[Any, Any]]:
    """What a completion reads, by (model, key), once its link's token is read: the request the token names, the
    files the completion names and the owner to tell (whom the token names too; tokens stored before they did
    leave the owner to complete's own read)."""
    request_id = int(claim.request_id)
    return [(ContentRequest, request_id), *((MediaFile, (request_id, sent.s3_key)) for sent in files),
            *([(Account, claim.owner_id)] if claim.owner_id is not None else [])]


def complete(request: ContentRequest, files: list[SentFile], read: dict[Any, Any] | None = None,
             asked: Collection[Any] = ()) -> None:
    """Record the files the recipient uploaded, and close a one-time request, in one transaction.

    Every key must be one this request issued and not yet received, and its object must be in the bucket
    with the stated size and a type of the stated media; otherwise nothing is recorded. The files are
    claimed out of staging before they are recorded, so that a recorded file is never one that expires.
    `read` holds the items already read by (model, key) (`asked`, found or not: completion_keys), with the
    request: what else is needed is read in one BatchGetItem."""
    now = clock.now()
    requests.require_open(request, now)
    # Read strongly consistent (a form issued a moment ago must count as issued), with the owner to tell.
    wanted = [(MediaFile, (request.id, sent.s3_key)) for sent in files] + [(Account, request.owner_id)]
    read = {**(read or {}), **batch.read([key for key in wanted if key not in asked])}
    issued = {item.s3_key: item for (model, _), item in read.items() if model is MediaFile}
    with ThreadPoolExecutor(min(CHECK_THREADS, len(files))) as pool:
        found = list(pool.map(lambda sent: _checked(sent, issued.get(sent.s3_key)), files))
    problems = [{"param": f"media_files[{index}][{field}]", "message": message}
                for index, (entries, _) in enumerate(found) for field, message in entries]
    if problems:  # a concurrent completion may have closed the request: that is the answer then
        requests.require_open(requests.current(request), now)
        raise Invalid(problems)
    try:
        with storage.claimed([sent.s3_key for sent in files]) as kept:
            types = cast("list[str]", [content_type for _, content_type in found])  # no problems: all typed
            transact_write(lambda transaction: _record(transaction, request, files, kept, types, now))
    except ConditionFailed as error:
        _explain(request, files, error)
    except storage.FileMissing as error:
        _explain_claimed(request, files, error)
    _tell_owner(request, read.get((Account, request.owner_id)), len(files))


def _checked(sent: SentFile, issued: MediaFile | None) -> tuple[list[tuple[str, str]], str | None]:
    """What is wrong with one named file, as (field, message) pairs, and the type it is stored as if nothing is.

    The stored object's own Content-Type (what the uploader sent S3) must be the one type of the form's
    extension: an SVG, HTML or XML file uploaded under a form for a png is refused here."""
    if issued is None:
        return [("s3_key", "Was not issued by this request's upload route")], None
    if issued.received_at is not None:
        return [("s3_key", "Was already sent")], None
    if sent.media_type != issued.media_type:
        return [("media_type", f"Does not match the upload form ({issued.media_type})")], None
    if sent.format_type != issued.format_type:
        return [("format_type", f"Does not match the upload form ({issued.format_type})")], None
    try:
        stored = storage.stored_object(sent.s3_key, max_bytes=int(issued.size))
    except storage.FileMissing:
        return [("s3_key", "No file was uploaded under this key")], None
    except storage.FileTooLarge:
        return [("size", "The uploaded file is larger than its upload form allowed")], None
    if stored.size != sent.size:
        return [("size", f"Does not match the uploaded file ({stored.size} bytes)")], None
    accepted = CONTENT_TYPES[issued.media_type]
    if stored.content_type == accepted.get(issued.format_type):
        return [], stored.content_type
    if stored.content_type in accepted.values():
        return [("format_type", f"Does not match the uploaded file's type ({stored.content_type})")], None
    if stored.content_type.startswith("image/" if sent.media_type == PHOTO else "video/"):
        return [("media_type", f"The uploaded file's type is not accepted: a {sent.media_type} is one of "
                               f"{', '.join(sorted(set(accepted.values())))}")], None
    return [("media_type", "Does not match the uploaded file's type")], None


def _record(transaction: Any, request: ContentRequest, files: list[SentFile], kept: list[str], types: list[str],
            now: datetime) -> None:
    for position, (sent, stored_key, content_type) in enumerate(zip(files, kept, types, strict=True)):
        note = MediaFile.note.set(sent.note) if sent.note else MediaFile.note.remove()
        transaction.update(
            MediaFile(request.id, sent.s3_key),
            actions=[MediaFile.name.set(sent.name), MediaFile.size.set(sent.size), note, MediaFile.received_at.set(now),
                     MediaFile.position.set(position), MediaFile.stored_key.set(stored_key),
                     MediaFile.content_type.set(content_type), MediaFile.forget_at.remove()],
            condition=MediaFile.issued_at.exists() & MediaFile.received_at.does_not_exist())
    # One conditional write closes a one-time request: of two concurrent completions, one finds it pending.
    closing = requests.status_actions(COMPLETED, request.owner_id) if request.time_type == ONE_TIME else []
    transaction.update(
        ContentRequest(request.id),
        actions=[*closing, ContentRequest.file_count.add(len(files)), ContentRequest.updated_at.set(now)],
        condition=(ContentRequest.status == PENDING) & (ContentRequest.expires_at > now)
        & (ContentRequest.expiration_date == request.expiration_date))  # the day its tally count is under
    if closing:
        requests.recount(transaction, request.owner_id, requests.live(request), None)


def _explain(request: ContentRequest, files: list[SentFile], error: ConditionFailed) -> None:
    """Why the transaction's conditions failed: the request changed, or a file was sent meanwhile."""
    if len(files) in error.items:
        requests.require_open(requests.current(request), clock.now())
    sent = [{"param": f"media_files[{index}][s3_key]", "message": "Was already sent"}
            for index in error.items if index < len(files)]
    if not sent:  # the request was changed and changed back between the writes: a retry will tell
        raise Conflict("contended", "The request changed while the files were recorded: try again") from error
    raise Invalid(sent) from error


def _explain_claimed(request: ContentRequest, files: list[SentFile], missing: storage.FileMissing) -> None:
    """Why an upload left staging between its check and its claim: a completion that succeeded took it (a
    failed one leaves it staged), and may have closed the request too."""
    requests.require_open(requests.current(request), clock.now())
    index = next(index for index, sent in enumerate(files) if sent.s3_key == missing.args[0])
    raise Invalid([{"param": f"media_files[{index}][s3_key]", "message": "Was already sent"}]) from missing


def _tell_owner(request: ContentRequest, owner: Account | None, count: int) -> None:
    if owner is None:
        return
    files = "1 file" if count == 1 else f"{count} files"
    recipient, name = (" ".join(text.split()) for text in (request.recipient, request.name))  # one-line subject
    mail.notify(mail.Email(owner.email, f"{recipient} sent {files} for \u201c{name}\u201d",
                           f"{request.recipient} answered your content request \u201c{request.name}\u201d "
                           f"with {files}. Open the request to see them.\n"))


def received(request: ContentRequest) -> list[MediaFile]:
    """The files sent for a request, in the order they arrived (and were listed in their completion)."""
    files = MediaFile.query(request.id, filter_condition=MediaFile.received_at.exists(), consistent_read=True)
    return sorted(files, key=lambda item: (item.received_at, item.position))


def download_url(item: MediaFile) -> str:
    """A presigned GET of the file, as an attachment named as sent (with its extension) of its checked type."""
    name = item.name if item.name.lower().endswith(f".{item.format_type}") else f"{item.name}.{item.format_type}"
    return storage.download_url(item.stored_key, expires_in=DOWNLOAD_SECONDS, content_type=item.content_type,
                                filename=name)
