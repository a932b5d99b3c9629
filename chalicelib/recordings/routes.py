"""The /api/projects routes of the recordings document (thin: parse, authorize, call, shape)."""
import re
from typing import Any, Literal, cast, overload

from chalice.app import Blueprint, Request, Response

from chalicelib.core import contracts
from chalicelib.core.bodies import json_body, parse_json
from chalicelib.core.errors import BadRequest, InvalidJSON, NotFound, PayloadTooLarge
from chalicelib.core.routing import no_content, path_id, routes
from chalicelib.files import multipart
from chalicelib.identity import service as accounts
from chalicelib.identity.auth import authenticate, optional_account
from chalicelib.identity.models import Account
from chalicelib.recordings import annotations, comments, projects, sessions, shapes
from chalicelib.recordings import contracts as c
from chalicelib.recordings.errors import SURFACE, envelope, render
from chalicelib.recordings.models import Annotation, Comment, Project, RecordedSession

bp = Blueprint(__name__)
route = routes(bp, render, SURFACE)


def _request() -> Request:
    return bp.current_request


_SESSION_ID = re.compile(r"[0-9a-f]{32}")


def _unknown(code: str) -> NotFound:
    """The 404 for an `<int:...>` path part that is not an id (only ASCII digits name anything)."""
    return NotFound(code, "Nothing has that id")


def _project_id(pid: str, missing: str = "PROJECT_DOES_NOT_EXIST") -> int:
    return path_id(pid, _unknown(missing))


def _shaped(project_list: list[Project]) -> list[dict[str, Any]]:
    """Projects in the document's shape, with their members and the accounts they name."""
    memberships = projects.members(project_list)
    people = accounts.get_many({p.creator_id for p in project_list} |
                               {m.account_id for ms in memberships.values() for m in ms})
    return [shapes.project(p, memberships[p.id], people) for p in project_list]


@route("/", methods=("GET",), contract=c.INDEX)
def index() -> Response:
    personal, public = projects.lists(optional_account(_request()))
    return envelope({"personal": _shaped(personal), "public": _shaped(public)})


@route("/", methods=("POST",), contract=c.CREATE)
def create() -> Response:
    account = authenticate(_request())
    project = projects.create(account, contracts.body(_request()))
    return envelope(_shaped([project])[0], 201)


@route("/{pid}/", methods=("GET",), contract=c.SHOW)
def show(pid: str) -> Response:
    project = projects.readable(_project_id(pid), optional_account(_request()))
    return envelope(_shaped([project])[0])


@route("/{pid}/", methods=("PUT",), contract=c.UPDATE)
def update(pid: str) -> Response:
    account = authenticate(_request())
    project_id = _project_id(pid)
    return envelope(_shaped([projects.update(project_id, account, contracts.body(_request()))])[0])


@route("/{pid}/", methods=("DELETE",), contract=c.DESTROY)
def destroy(pid: str) -> Response:
    projects.delete(_project_id(pid), authenticate(_request()))
    return envelope(None)


@route("/{pid}/membership/", methods=("POST",), contract=c.JOIN)
def join(pid: str) -> Response:
    projects.join(_project_id(pid, "PROJECT_UNKNOWN"), authenticate(_request()))
    return envelope(None)


@route("/{pid}/membership/", methods=("DELETE",), contract=c.LEAVE)
def leave(pid: str) -> Response:
    projects.leave(_project_id(pid, "PROJECT_UNKNOWN"), authenticate(_request()))
    return envelope(None)


# --- codes, the tags of annotations ---

@route("/{pid}/codes/", methods=("GET",), contract=c.CODES)
def list_codes(pid: str) -> Response:
    project = projects.readable(_project_id(pid), optional_account(_request()))
    return envelope([shapes.code(c) for c in annotations.codes(project)])


@route("/{pid}/codes/", methods=("POST",), contract=c.CREATE_CODE)
def create_code(pid: str) -> Response:
    account = authenticate(_request())
    project = projects.writable(_project_id(pid), account)
    return envelope(shapes.code(annotations.add_code(project, contracts.body(_request()))), 201)


# --- sessions ---

@overload
def _session(pid: str, sid: str, write: Literal[True]) -> tuple[Account, Project, RecordedSession]: ...
@overload
def _session(pid: str, sid: str, write: bool = False) -> tuple[Account | None, Project, RecordedSession]: ...
def _session(pid: str, sid: str, write: bool = False) -> tuple[Account | None, Project, RecordedSession]:
    """The caller, the project and the session a path names, after the access check."""
    request = _request()
    account = authenticate(request) if write else optional_account(request)
    project_id = _project_id(pid)
    # authenticate() gives an account whenever `write`
    project = projects.writable(project_id, cast(Account, account)) if write else projects.readable(project_id, account)
    if not _SESSION_ID.fullmatch(sid):
        raise NotFound("SESSION_UNKNOWN", "The session does not exist")
    return account, project, sessions.in_project(project, sid)


def _shaped_annotations(session: RecordedSession, items: list[Annotation]) -> list[dict[str, Any]]:
    """Annotations with their comments, labels and people: one Query and two batch reads in all."""
    by_annotation: dict[int, list[Comment]] = {}
    for item in comments.of_session(session) if items else []:
        by_annotation.setdefault(int(item.annotation_id), []).append(item)
    codes = annotations.labels(session.project_id, sorted({int(t) for a in items for t in a.tags}))
    people = accounts.get_many({a.creator_id for a in items} |
                               {c.creator_id for cs in by_annotation.values() for c in cs})
    return [shapes.annotation(a, by_annotation.get(int(a.id), []), codes, people) for a in items]


def _shaped_session(session: RecordedSession) -> dict[str, Any]:
    people = accounts.get_many({session.creator_id} | {p.account_id for p in session.participants if p.account_id})
    return shapes.session(session, _shaped_annotations(session, annotations.of_session(session)), people,
                          sessions.recording_url(session))


@route("/{pid}/sessions/uploads/", methods=("POST",), contract=c.UPLOAD)
def session_upload(pid: str) -> Response:
    project = projects.writable(_project_id(pid), authenticate(_request()))
    return envelope(sessions.upload_form(project), 201)


@route("/{pid}/sessions/", methods=("GET",), contract=c.SESSIONS)
def list_sessions(pid: str) -> Response:
    request = _request()
    project = projects.readable(_project_id(pid), optional_account(request))
    query = contracts.query(request)
    found, cursor = sessions.page(project, min(query.get("limit", 20), 50), query.get("cursor"))
    return envelope([_shaped_session(s) for s in found], next_cursor=cursor)


@route("/{pid}/sessions/", methods=("POST",), contract=c.CREATE_SESSION)
def create_session(pid: str) -> Response:
    request = _request()
    account = authenticate(request)
    project = projects.writable(_project_id(pid), account)
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith(multipart.FORM_DATA):
        raw = cast(bytes, request.raw_body)  # typed str | bytes by Chalice; always bytes
        session = _create_from_form(project, account, raw or b"", content_type)
    else:
        session = sessions.create(project, account, contracts.checked(c.UPLOADED_SESSION, json_body(request), SURFACE))
    return envelope(_shaped_session(session), 201)


def _create_from_form(project: Project, account: Account, raw: bytes, content_type: str) -> RecordedSession:
    """The legacy upload: `recording` (file), `participants` and `prompts` (JSON text) in one form."""
    if len(raw) > sessions.MAX_LEGACY_BYTES + 64 * 1024:
        raise PayloadTooLarge("SESSION_RECORDING_TOO_LARGE", "Upload recordings this large with a presigned POST")
    try:
        form = multipart.parse_form(raw, content_type)
        metadata: dict[str, Any] = {name: parse_json(form[name].text())
                                    for name in ("participants", "prompts") if name in form}
    except (multipart.MultipartError, InvalidJSON) as error:
        raise BadRequest("SESSION_FORM_INVALID", "The form or its JSON fields could not be read") from error
    recording = form.get("recording")
    return sessions.create_from_upload(project, account, recording.data if recording else b"",
                                       recording.content_type if recording else None,
                                       contracts.checked(c.FORM_METADATA, metadata, SURFACE))


@route("/{pid}/sessions/{sid}/", methods=("GET",), contract=c.SHOW_SESSION)
def show_session(pid: str, sid: str) -> Response:
    return envelope(_shaped_session(_session(pid, sid)[2]))


# --- annotations ---

@overload
def _annotation(pid: str, sid: str, aid: str, write: Literal[True]) -> tuple[Account, RecordedSession, Annotation]: ...
@overload
def _annotation(pid: str, sid: str, aid: str,
                write: bool = False) -> tuple[Account | None, RecordedSession, Annotation]: ...
def _annotation(pid: str, sid: str, aid: str,
                write: bool = False) -> tuple[Account | None, RecordedSession, Annotation]:
    account, _, session = _session(pid, sid, write)
    return account, session, annotations.in_session(session, path_id(aid, _unknown("ANNOTATION_404")))


@route("/{pid}/sessions/{sid}/annotations/", methods=("GET",), contract=c.ANNOTATIONS)
def list_annotations(pid: str, sid: str) -> Response:
    session = _session(pid, sid)[2]
    return envelope(_shaped_annotations(session, annotations.of_session(session)))


@route("/{pid}/sessions/{sid}/annotations/", methods=("POST",), contract=c.CREATE_ANNOTATION)
def create_annotation(pid: str, sid: str) -> Response:
    account, _, session = _session(pid, sid, write=True)
    created = annotations.create(session, account, contracts.body(_request()))
    return envelope(_shaped_annotations(session, [created])[0], 201)


@route("/{pid}/sessions/{sid}/annotations/{aid}/", methods=("GET",), contract=c.SHOW_ANNOTATION)
def show_annotation(pid: str, sid: str, aid: str) -> Response:
    _, session, annotation = _annotation(pid, sid, aid)
    return envelope(_shaped_annotations(session, [annotation])[0])


@route("/{pid}/sessions/{sid}/annotations/{aid}/", methods=("PUT",), contract=c.UPDATE_ANNOTATION)
def update_annotation(pid: str, sid: str, aid: str) -> Response:
    account, session, annotation = _annotation(pid, sid, aid, write=True)
    changed = annotations.update(annotation, account, contracts.body(_request()))
    return envelope(_shaped_annotations(session, [changed])[0])


@route("/{pid}/sessions/{sid}/annotations/{aid}/", methods=("DELETE",), contract=c.DELETE_ANNOTATION)
def delete_annotation(pid: str, sid: str, aid: str) -> Response:
    account, _, annotation = _annotation(pid, sid, aid, write=True)
    annotations.delete(annotation, account)
    return envelope(None)


# --- comments ---

@overload
def _comment(pid: str, sid: str, aid: str, cid: str, write: Literal[True]) -> tuple[Account, Annotation, Comment]: ...
@overload
def _comment(pid: str, sid: str, aid: str, cid: str,
             write: bool = False) -> tuple[Account | None, Annotation, Comment]: ...
def _comment(pid: str, sid: str, aid: str, cid: str,
             write: bool = False) -> tuple[Account | None, Annotation, Comment]:
    account, _, annotation = _annotation(pid, sid, aid, write)
    return account, annotation, comments.in_annotation(annotation, path_id(cid, _unknown("COMMENT_404")))


def _shaped_comment(comment: Comment) -> dict[str, Any]:
    return shapes.comment(comment, accounts.get_many({comment.creator_id}))


@route("/{pid}/sessions/{sid}/annotations/{aid}/comments/", methods=("GET",), contract=c.COMMENTS)
def list_comments(pid: str, sid: str, aid: str) -> Response:
    _, session, annotation = _annotation(pid, sid, aid)
    found = [c for c in comments.of_session(session) if c.annotation_id == annotation.id]
    people = accounts.get_many({c.creator_id for c in found})
    return envelope([shapes.comment(c, people) for c in found])


@route("/{pid}/sessions/{sid}/annotations/{aid}/comments/", methods=("POST",), contract=c.CREATE_COMMENT)
def create_comment(pid: str, sid: str, aid: str) -> Response:
    account, _, annotation = _annotation(pid, sid, aid, write=True)
    return envelope(_shaped_comment(comments.create(annotation, account, contracts.body(_request()))), 201)


@route("/{pid}/sessions/{sid}/annotations/{aid}/comments/{cid}/", methods=("GET",), contract=c.SHOW_COMMENT)
def show_comment(pid: str, sid: str, aid: str, cid: str) -> Response:
    return envelope(_shaped_comment(_comment(pid, sid, aid, cid)[2]))


@route("/{pid}/sessions/{sid}/annotations/{aid}/comments/{cid}/", methods=("POST",), contract=c.REPLY)
def reply_to_comment(pid: str, sid: str, aid: str, cid: str) -> Response:
    account, annotation, parent = _comment(pid, sid, aid, cid, write=True)
    return envelope(_shaped_comment(comments.create(annotation, account, contracts.body(_request()), parent)), 201)


@route("/{pid}/sessions/{sid}/annotations/{aid}/comments/{cid}/", methods=("PUT",), contract=c.UPDATE_COMMENT)
def update_comment(pid: str, sid: str, aid: str, cid: str) -> Response:
    account, _, comment = _comment(pid, sid, aid, cid, write=True)
    return envelope(_shaped_comment(comments.update(comment, account, contracts.body(_request()))))


@route("/{pid}/sessions/{sid}/annotations/{aid}/comments/{cid}/", methods=("DELETE",), contract=c.DELETE_COMMENT)
def delete_comment(pid: str, sid: str, aid: str, cid: str) -> Response:
    account, _, comment = _comment(pid, sid, aid, cid, write=True)
    comments.delete(comment, account)
    return no_content()
