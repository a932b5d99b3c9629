"""Recorded sessions: audio uploaded to S3 (presigned POST, or the legacy multipart form), then claimed out
of staging and recorded."""
import uuid
from typing import Any, cast

from pynamodb.exceptions import QueryError
from pynamodb.pagination import ResultIterator

from chalicelib.core import clock
from chalicelib.core.errors import BadRequest
from chalicelib.core.pagination import decode_cursor, encode_cursor, key_types
from chalicelib.files import layout, storage
from chalicelib.identity import service as accounts
from chalicelib.identity.models import Account, EmailClaim
from chalicelib.recordings.models import Participant, Project, PromptedTopic, RecordedSession

MAX_RECORDING_BYTES = 500 * 1024 * 1024
# What fits through API Gateway and Lambda's 6 MB payload once base64-encoded.
MAX_LEGACY_BYTES = 4 * 1024 * 1024
AUDIO_TYPES = ("audio/aac", "audio/mp4", "audio/mpeg", "audio/ogg", "audio/wav", "audio/webm", "audio/x-m4a")
DOWNLOAD_SECONDS = 3600


def _key_prefix(project: Project) -> str:
    return f"{layout.RECORDINGS}{int(project.id)}/"


def upload_form(project: Project) -> dict[str, Any]:
    """A presigned POST for one new recording of `project`; its key then creates the session."""
    key = storage.upload_key(_key_prefix(project))
    return storage.upload_form(key, max_bytes=MAX_RECORDING_BYTES, content_types=AUDIO_TYPES)


def create(project: Project, account: Account, fields: dict[str, Any], known: dict[str, Account]) -> RecordedSession:
    """Record a session (fields checked against contracts.UPLOADED_SESSION) whose audio was uploaded under
    `recording_key` (checked, never trusted), keeping the audio out of staging. `known` is `accounts_of`'s."""
    prompts, recording_key = checked_prompts(fields["prompts"]), fields["recording_key"]
    if not storage.is_upload_key(recording_key, _key_prefix(project)):
        raise BadRequest("SESSION_RECORDING_KEY_INVALID", "The key is not one of this project's uploads")
    topics, people = _prompted_topics(project, prompts), _participants(fields["participants"], known)
    try:
        stored = storage.stored_object(recording_key, max_bytes=MAX_RECORDING_BYTES)
        with storage.claimed([recording_key]) as (kept,):
            session = RecordedSession(uuid.uuid4().hex, project_id=project.id, creator_id=account.id,
                                      recording_key=kept, recording_bytes=stored.size,
                                      recording_type=stored.content_type, participants=people,
                                      topics=topics, created_at=clock.now(), annotations_copied=True)
            session.save(condition=RecordedSession.id.does_not_exist())
    except storage.FileMissing as error:
        raise BadRequest("SESSION_RECORDING_NOT_UPLOADED", "Nothing was uploaded under that key") from error
    except storage.FileTooLarge as error:
        raise BadRequest("SESSION_RECORDING_TOO_LARGE", "The recording is too large") from error
    return session


def create_from_upload(project: Project, account: Account, recording: bytes, content_type: str | None,
                       metadata: dict[str, Any], known: dict[str, Account]) -> RecordedSession:
    """The legacy path: the recording came in the request with its metadata (contracts.FORM_METADATA); store
    it, then record the session."""
    checked_prompts(metadata["prompts"])
    if not recording:
        raise BadRequest("SESSION_RECORDING_REQUIRED", "A recording is required")
    if not (content_type or "").startswith("audio/"):
        raise BadRequest("SESSION_RECORDING_NOT_AUDIO", "The recording must be sent with an audio/* type")
    if len(recording) > MAX_LEGACY_BYTES:
        raise BadRequest("SESSION_RECORDING_TOO_LARGE", "Upload recordings this large with a presigned POST")
    _prompted_topics(project, metadata["prompts"])  # refuse bad prompts before anything is stored
    key = storage.upload_key(_key_prefix(project))
    storage.put(key, recording, cast(str, content_type))  # an audio/* type: checked above
    try:
        return create(project, account, {**metadata, "recording_key": key}, known)
    except Exception:
        storage.delete(key)  # no session claims it: leave nothing behind
        raise


def checked_prompts(prompts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Prompts that each end no sooner than they start (the rest is contracts.PROMPT)."""
    if any(prompt["Start"] > prompt["End"] for prompt in prompts):
        raise BadRequest("SESSION_PROMPTS_INVALID", "A prompt ends before it starts")
    return prompts


def _prompted_topics(project: Project, prompts: list[dict[str, Any]]) -> list[PromptedTopic]:
    topics = {int(topic.id): topic for topic in project.topics}
    if any(prompt["PromptID"] not in topics for prompt in prompts):
        raise BadRequest("SESSION_PROMPT_NOT_IN_PROJECT", "A prompt is not one of this project's topics")
    return [PromptedTopic(  # type: ignore[no-untyped-call]  # pynamodb's MapAttribute.__init__ is unannotated
        topic_id=int(p["PromptID"]), start=int(p["Start"]), end=int(p["End"]), text=topics[p["PromptID"]].text)
        for p in prompts]


def _emails(participants: Any) -> list[str]:
    """The emails participants give (trimmed), in a body not yet checked: anything else is left to the checks."""
    listed = participants if isinstance(participants, list) else []
    return [p["Email"].strip() for p in listed if isinstance(p, dict) and isinstance(p.get("Email"), str)
            and p["Email"].strip()]


def claim_keys(participants: Any) -> list[tuple[Any, Any]]:
    """The email claims of the participants' emails, as (model, key) pairs to read with the path."""
    return [(EmailClaim, accounts.email_key(email)) for email in _emails(participants)]


def accounts_of(participants: Any, claims: dict[Any, Any]) -> dict[str, Account]:
    """The accounts that hold the participants' emails, by email, from their claims (read with the path): one
    BatchGetItem."""
    holders = {email: claim.account_id for email in _emails(participants)
               if (claim := claims.get((EmailClaim, accounts.email_key(email)))) is not None}
    found = accounts.get_many(holders.values())
    return {email: found[account_id] for email, account_id in holders.items() if account_id in found}


def _participants(participants: list[dict[str, Any]], known: dict[str, Account]) -> list[Participant]:
    """Participants (names and emails trimmed, `Role` 1 the interviewer), each linked to the account with their
    email where one exists and has verified it (an unverified address may have been registered by anyone)."""
    people = [(p["Name"].strip(), (p.get("Email") or "").strip() or None, bool(p["Role"])) for p in participants]
    linked: dict[str | None, str] = {email: account.id for email, account in known.items() if account.email_verified}
    return [Participant(  # type: ignore[no-untyped-call]  # pynamodb's MapAttribute.__init__ is unannotated
        name=name, email=email, role="interviewer" if interviewer else "interviewee", account_id=linked.get(email))
        for name, email, interviewer in people]


def page(project_id: int, limit: int, cursor: str | None) -> tuple[list[RecordedSession], str | None]:
    """A page of the project's sessions, newest first, and the cursor of the next page."""
    start = decode_cursor(cursor, key_types(RecordedSession, RecordedSession.by_project), project_id=project_id)
    results: ResultIterator[RecordedSession] = RecordedSession.by_project.query(
        project_id, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    try:
        sessions = list(results)
    except QueryError as error:  # a cursor of another list: DynamoDB refuses its key
        if error.cause_response_code != "ValidationException":
            raise
        raise BadRequest("invalid_cursor", "The page cursor is not valid") from error
    return sessions, encode_cursor(results.last_evaluated_key) if len(sessions) == limit else None


def recording_url(session: RecordedSession) -> str:
    return storage.download_url(session.recording_key, expires_in=DOWNLOAD_SECONDS,
                                content_type=session.recording_type)
