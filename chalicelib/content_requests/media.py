"""The files of a content request: upload forms for the recipient, completion (which checks every file in
the bucket before recording it), and the owner's listing of what was sent."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.content_requests import requests
from chalicelib.content_requests.errors import Invalid
from chalicelib.content_requests.fields import Problems, SentFile, Upload
from chalicelib.content_requests.models import COMPLETED, ONE_TIME, PENDING, PHOTO, VIDEO, ContentRequest, MediaFile
from chalicelib.core import clock, mail
from chalicelib.core.errors import Conflict
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.files import storage
from chalicelib.files.layout import UPLOADS_KEPT_DAYS

CONTENT_TYPES = {
    PHOTO: {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
            "heic": "image/heic", "heif": "image/heif", "webp": "image/webp"},
    VIDEO: {"mp4": "video/mp4", "m4v": "video/x-m4v", "mov": "video/quicktime", "webm": "video/webm",
            "3gp": "video/3gpp"},
}
# A large video needs time to start; the form is good for one upload to one key all the same.
UPLOAD_SECONDS = 3600
# An issued file that no completion names is forgotten (DynamoDB TTL) as its upload is (the bucket's lifecycle).
ISSUED_KEPT = timedelta(days=UPLOADS_KEPT_DAYS)
DOWNLOAD_SECONDS = 3600
CHECK_THREADS = 8


def upload_form(request: ContentRequest, upload: Upload) -> dict:
    """A presigned POST for one file of at most `upload.size` bytes, staged under the request's prefix.

    The key is recorded as issued, so that a completion can name only keys this route gave out."""
    now = clock.now()
    requests.require_open(request, now)
    key = storage.upload_key(requests.key_prefix(request), upload.format_type)
    types = CONTENT_TYPES[upload.media_type]
    # A known extension gets its one type; another may be any type of the media (image/..., video/...).
    allowed = [types[upload.format_type]] if upload.format_type in types else sorted(set(types.values()))
    MediaFile(request.id, key, name=upload.name, format_type=upload.format_type, media_type=upload.media_type,
              size=upload.size, issued_at=now, forget_at=now + ISSUED_KEPT).save()
    form = storage.upload_form(key, max_bytes=upload.size, content_types=allowed, expires_in=UPLOAD_SECONDS)
    return {"url": form["url"], "fields": form["fields"], "s3_key": key, "expires_in": UPLOAD_SECONDS}


def complete(request: ContentRequest, files: list[SentFile]) -> None:
    """Record the files the recipient uploaded, and close a one-time request, in one transaction.

    Every key must be one this request issued and not yet received, and its object must be in the bucket
    with the stated size and a type of the stated media; otherwise nothing is recorded. The files are
    claimed out of staging before they are recorded, so that a recorded file is never one that expires."""
    now = clock.now()
    requests.require_open(request, now)
    # Read strongly consistent: a form issued a moment ago must count as issued.
    issued = {item.s3_key: item for item in MediaFile.batch_get([(request.id, sent.s3_key) for sent in files],
                                                                consistent_read=True)}
    with ThreadPoolExecutor(min(CHECK_THREADS, len(files))) as pool:
        found = list(pool.map(lambda sent: _problems_of(sent, issued.get(sent.s3_key)), files))
    problems = Problems()
    for index, entries in enumerate(found):
        for field, message in entries:
            problems.add(f"media_files[{index}][{field}]", message)
    if problems.errors:  # a concurrent completion may have closed the request: that is the answer then
        requests.require_open(requests.current(request), now)
        problems.raise_any()
    try:
        with storage.claimed([sent.s3_key for sent in files]) as kept:
            transact_write(lambda transaction: _record(transaction, request, files, kept, now))
    except ConditionFailed as error:
        _explain(request, files, error)
    except storage.FileMissing as error:
        _explain_claimed(request, files, error)
    _tell_owner(request, len(files))


def _problems_of(sent: SentFile, issued: MediaFile | None) -> list[tuple[str, str]]:
    """What is wrong with one named file, as (field, message) pairs."""
    if issued is None:
        return [("s3_key", "Was not issued by this request's upload route")]
    if issued.received_at is not None:
        return [("s3_key", "Was already sent")]
    if sent.media_type != issued.media_type:
        return [("media_type", f"Does not match the upload form ({issued.media_type})")]
    if sent.format_type != issued.format_type:
        return [("format_type", f"Does not match the upload form ({issued.format_type})")]
    try:
        stored = storage.stored_object(sent.s3_key, max_bytes=int(issued.size))
    except storage.FileMissing:
        return [("s3_key", "No file was uploaded under this key")]
    except storage.FileTooLarge:
        return [("size", "The uploaded file is larger than its upload form allowed")]
    if stored.size != sent.size:
        return [("size", f"Does not match the uploaded file ({stored.size} bytes)")]
    if not stored.content_type.startswith("image/" if sent.media_type == PHOTO else "video/"):
        return [("media_type", "Does not match the uploaded file's type")]
    return []


def _record(transaction: Any, request: ContentRequest, files: list[SentFile], kept: list[str], now: datetime) -> None:
    for position, (sent, stored_key) in enumerate(zip(files, kept, strict=True)):
        note = MediaFile.note.set(sent.note) if sent.note else MediaFile.note.remove()
        transaction.update(
            MediaFile(request.id, sent.s3_key),
            actions=[MediaFile.name.set(sent.name), MediaFile.size.set(sent.size), note, MediaFile.received_at.set(now),
                     MediaFile.position.set(position), MediaFile.stored_key.set(stored_key),
                     MediaFile.forget_at.remove()],
            condition=MediaFile.issued_at.exists() & MediaFile.received_at.does_not_exist())
    # One conditional write closes a one-time request: of two concurrent completions, one finds it pending.
    closing = requests.status_actions(COMPLETED, request.owner_id) if request.time_type == ONE_TIME else []
    transaction.update(
        ContentRequest(request.id),
        actions=[*closing, ContentRequest.file_count.add(len(files)), ContentRequest.updated_at.set(now)],
        condition=(ContentRequest.status == PENDING) & (ContentRequest.expires_at > now))


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


def _tell_owner(request: ContentRequest, count: int) -> None:
    owner = accounts.get(request.owner_id)
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
    return storage.download_url(item.stored_key, expires_in=DOWNLOAD_SECONDS)
