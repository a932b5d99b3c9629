"""The /api/projects routes of the recordings document (thin: parse, authorize, call, shape)."""
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from chalice.app import Blueprint, Request, Response

from chalicelib.core import batch, contracts
from chalicelib.core.bodies import json_body, parse_json
from chalicelib.core.errors import ApiError, BadRequest, InvalidJSON, PayloadTooLarge
from chalicelib.core.imports import deferred
from chalicelib.core.routing import no_content, parse_id, path_id, routes
from chalicelib.identity import service as accounts
from chalicelib.identity.auth import authenticate, claims, optional_claims
from chalicelib.identity.models import Account
from chalicelib.recordings import contracts as c
from chalicelib.recordings.errors import SURFACE, envelope, render
from chalicelib.recordings.models import Annotation, Code, Comment, Membership, Project, RecordedSession
from chalicelib.recordings.paths import Path, unknown

if TYPE_CHECKING:
    from chalicelib.files import multipart
    from chalicelib.recordings import annotations, comments, projects, sessions, shapes, threads
else:  # the services, imported on a request's first use (core/imports.py)
    annotations, comments, projects, sessions, shapes, threads = deferred(
        "chalicelib.recordings", "annotations comments projects sessions shapes threads")
    (multipart,) = deferred("chalicelib.files", "multipart")  # the legacy upload's form only

bp = Blueprint(__name__)
route = routes(bp, render, SURFACE)


def _request() -> Request:
    return bp.current_request


def _project_id(pid: str, missing: str = "PROJECT_DOES_NOT_EXIST") -> int:
    return path_id(pid, unknown(missing))


def _read(pid: str, sid: str | None = None, aid: str | None = None, cid: str | None = None, write: bool = False,
          extra: Any = ()) -> Path:
    """The path's items and the caller's account, read in one BatchGetItem (paths.Path)."""
    request = _request()
    return Path(pid, sid, aid, cid, claims(request) if write else optional_claims(request)).read(extra)


def _sent() -> Any:
    """The request's JSON body before it is checked, to name what the path's read should fetch with it (None if it
    cannot be read): its checks and their errors come after the path's, as they always did."""
    try:
        return json_body(_request())
    except ApiError:
        return None


def _cast(project_list: list[Project], caller: Account | None = None,
          known: dict[str, Account] | None = None) -> tuple[dict[int, list[Membership]], dict[str, Account]]:
    """Each project's members, and the accounts they and the creators are: the caller's and those `known` (already
    read) are not read again, the rest are one BatchGetItem."""
    memberships = projects.members(project_list)
    wanted = {p.creator_id for p in project_list} | {m.account_id for ms in memberships.values() for m in ms}
    people = {**(known or {}), **({caller.id: caller} if caller is not None else {})}
    return memberships, people | accounts.get_many(wanted - set(people))


def _shaped(project_list: list[Project], caller: Account | None = None, known: dict[str, Account] | None = None,
            cast: tuple[dict[int, list[Membership]], dict[str, Account]] | None = None) -> list[dict[str, Any]]:
    """Projects in the document's shape, with their members and the accounts they name (`cast`, or _cast's)."""
    memberships, people = cast or _cast(project_list, caller, known)
    return [shapes.project(p, memberships[p.id], people) for p in project_list]


@route("/", methods=("GET",), contract=c.INDEX)
def index() -> Response:
    """The caller's projects and the public ones. The caller's public projects are among the public ones read, so
    only their private ones are read by id: with the caller's account and the people of the public projects, in
    one BatchGetItem."""
    vouched_for = optional_claims(_request())
    if vouched_for is None:
        return envelope({"personal": [], "public": _shaped(projects.public())})
    sub = vouched_for["sub"]
    ids, public = projects.member_of(sub), projects.public()
    people = _people(public)
    found = batch.read([(Account, sub)] + [(Project, pid) for pid in sorted(ids - {int(p.id) for p in public})] +
                       [(Account, account_id) for account_id in sorted(people - {sub})])
    account = accounts.vouched(vouched_for, found.get((Account, sub)))
    known = {item.id: item for (model, _), item in found.items() if model is Account}
    private = [item for (model, _), item in found.items() if model is Project and item.is_active]
    personal = sorted([p for p in public if p.id in ids] + private, key=lambda p: p.id)
    return envelope({"personal": _shaped(personal, account, known),
                     "public": _shaped([p for p in public if p.id not in ids], account, known)})


def _people(project_list: list[Project]) -> set[str]:
    """The accounts projects name: their creators and members."""
    memberships = projects.members(project_list)
    return {p.creator_id for p in project_list} | {m.account_id for ms in memberships.values() for m in ms}


@route("/", methods=("POST",), contract=c.CREATE)
def create() -> Response:
    account = authenticate(_request())
    project = projects.create(account, contracts.body(_request()))
    return envelope(_shaped([project], account)[0], 201)


@route("/{pid}/", methods=("GET",), contract=c.SHOW)
def show(pid: str) -> Response:
    account, project = _read(pid).readable()
    return envelope(_shaped([project], account)[0])


@route("/{pid}/", methods=("PUT",), contract=c.UPDATE)
def update(pid: str) -> Response:
    path = _read(pid, write=True)
    account = cast(Account, path.account())  # read with the token's claims
    project_id = _project_id(pid)
    fields = contracts.body(_request())
    if "id" in fields and fields["id"] != project_id:
        raise BadRequest("ID_404", "The id in the body is not the project's")
    project = path.project()
    projects.require_creator(project, account)
    # Its people, read before the write: a numeric `creator` naming one of them is known without a Query, and the
    # answer (the members do not change) reads nothing after it.
    people = _cast([project], account)
    return envelope(_shaped([projects.update(project, account, fields, people[1])], cast=people)[0])


@route("/{pid}/", methods=("DELETE",), contract=c.DESTROY)
def destroy(pid: str) -> Response:
    path = _read(pid, write=True)
    account = cast(Account, path.account())
    projects.delete(path.project(), account)
    return envelope(None)


@route("/{pid}/membership/", methods=("POST",), contract=c.JOIN)
def join(pid: str) -> Response:
    path = _read(pid, write=True)
    account = cast(Account, path.account())
    projects.join(path.project("PROJECT_UNKNOWN"), account)
    return envelope(None)


@route("/{pid}/membership/", methods=("DELETE",), contract=c.LEAVE)
def leave(pid: str) -> Response:
    path = _read(pid, write=True)
    account = cast(Account, path.account())
    projects.leave(path.project("PROJECT_UNKNOWN"), account)
    return envelope(None)


# --- codes, the tags of annotations ---

@route("/{pid}/codes/", methods=("GET",), contract=c.CODES)
def list_codes(pid: str) -> Response:
    project = _read(pid).readable()[1]
    return envelope([shapes.code(c) for c in annotations.codes(project)])


@route("/{pid}/codes/", methods=("POST",), contract=c.CREATE_CODE)
def create_code(pid: str) -> Response:
    project = _read(pid, write=True).writable()[1]
    return envelope(shapes.code(annotations.add_code(project, contracts.body(_request()))), 201)


# --- sessions ---

def _named(project_id: int | None, found: list[RecordedSession], annotated: list[Annotation],
           commented: list[Comment]) -> list[tuple[Any, Any]]:
    """The codes and the people that sessions, their annotations and comments name, as (model, key) pairs to read
    in one BatchGetItem (with a path's items, or after them)."""
    people = {s.creator_id for s in found} | {p.account_id for s in found for p in s.participants if p.account_id}
    people |= {a.creator_id for a in annotated} | {c.creator_id for c in commented}
    tags = sorted({int(tag) for a in annotated for tag in a.tags}) if project_id is not None else []
    return [(Code, (project_id, tag)) for tag in tags] + [(Account, account_id) for account_id in sorted(people)]


def _known(found: dict[Any, Any]) -> tuple[dict[int, Code], dict[str, Account]]:
    """The codes (by id) and the accounts (by id) among items read together."""
    codes = {int(item.id): item for (model, _), item in found.items() if model is Code}
    return codes, {item.id: item for (model, _), item in found.items() if model is Account}


def _with_named(path: Path, found: list[RecordedSession], annotated: list[Annotation],
                commented: list[Comment]) -> tuple[dict[int, Code], dict[str, Account]]:
    """The codes and people these name: those the path did not read with it (none, unless they were found after
    it) in one BatchGetItem."""
    wanted = _named(path.project_id, found, annotated, commented)
    return _known({**path.found, **batch.read([key for key in wanted if key not in path.asked])})


def _shaped_annotations(items: list[Annotation], commented: list[Comment], codes: dict[int, Code],
                        people: dict[str, Account]) -> list[dict[str, Any]]:
    """Annotations with their comments (`commented`, of these annotations or more), labels and people."""
    by_annotation: dict[int, list[Comment]] = {}
    for item in commented:
        by_annotation.setdefault(int(item.annotation_id), []).append(item)
    return [shapes.annotation(a, by_annotation.get(int(a.id), []), codes, people) for a in items]


def _shaped_sessions(found: list[RecordedSession], annotated: list[Annotation], commented: list[Comment],
                     codes: dict[int, Code], people: dict[str, Account]) -> list[dict[str, Any]]:
    """Sessions with their annotations (`annotated`, with `commented`), labels and people."""
    shaped = _shaped_annotations(annotated, commented, codes, people)
    by_session: dict[str, list[dict[str, Any]]] = {}
    for item, shown in zip(annotated, shaped, strict=True):
        by_session.setdefault(item.session_id, []).append(shown)
    return [shapes.session(s, by_session.get(s.id, []), people, sessions.recording_url(s)) for s in found]


@route("/{pid}/sessions/uploads/", methods=("POST",), contract=c.UPLOAD)
def session_upload(pid: str) -> Response:
    project = _read(pid, write=True).writable()[1]
    return envelope(sessions.upload_form(project), 201)


@route("/{pid}/sessions/", methods=("GET",), contract=c.SESSIONS)
def list_sessions(pid: str) -> Response:
    """A page of sessions with their threads: the page (a Query) and its annotations and comments (one Query:
    threads.of_sessions) are read first, so that the path and every code and person they name are one
    BatchGetItem after them. Nothing read is answered before the path's checks, which come first as they always
    did, and then the query's."""
    project_id, refused = parse_id(pid), None
    found: list[RecordedSession] = []
    annotated: list[Annotation] = []
    commented: list[Comment] = []
    cursor = None
    if project_id is not None:
        try:
            query = contracts.query(_request())
            found, cursor = sessions.page(project_id, min(query.get("limit", 20), 50), query.get("cursor"))
        except ApiError as error:
            refused = error
        annotated, commented = threads.of_sessions(found)
    path = _read(pid, extra=_named(project_id, found, annotated, commented))
    path.readable()
    if refused is not None:
        raise refused
    return envelope(_shaped_sessions(found, annotated, commented, *_known(path.found)), next_cursor=cursor)


@route("/{pid}/sessions/", methods=("POST",), contract=c.CREATE_SESSION)
def create_session(pid: str) -> Response:
    request = _request()
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith(multipart.FORM_DATA):
        return _create_from_form(pid, cast(bytes, request.raw_body) or b"", content_type)  # bytes, typed str | bytes
    sent = _sent()
    participants = sent.get("participants") if isinstance(sent, dict) else None
    path = _read(pid, write=True, extra=sessions.claim_keys(participants))
    account, project = path.writable()
    fields = contracts.checked(c.UPLOADED_SESSION, json_body(request), SURFACE)
    known = sessions.accounts_of(fields["participants"], path.found)
    return envelope(_shaped_new_session(sessions.create(project, account, fields, known), account, known), 201)


def _shaped_new_session(session: RecordedSession, account: Account, known: dict[str, Account]) -> dict[str, Any]:
    """A session just recorded: no annotations yet; its people are the caller and its participants' accounts,
    `known` (by email) from linking them."""
    people = {account.id: account} | {linked.id: linked for linked in known.values()}
    return shapes.session(session, [], people, sessions.recording_url(session))


def _create_from_form(pid: str, raw: bytes, content_type: str) -> Response:
    """The legacy upload: `recording` (file), `participants` and `prompts` (JSON text) in one form."""
    path = _read(pid, write=True, extra=sessions.claim_keys(_form_participants(raw, content_type)))
    account, project = path.writable()
    if len(raw) > sessions.MAX_LEGACY_BYTES + 64 * 1024:
        raise PayloadTooLarge("SESSION_RECORDING_TOO_LARGE", "Upload recordings this large with a presigned POST")
    try:
        form = multipart.parse_form(raw, content_type)
        metadata: dict[str, Any] = {name: parse_json(form[name].text())
                                    for name in ("participants", "prompts") if name in form}
    except (multipart.MultipartError, InvalidJSON) as error:
        raise BadRequest("SESSION_FORM_INVALID", "The form or its JSON fields could not be read") from error
    recording = form.get("recording")
    checked = contracts.checked(c.FORM_METADATA, metadata, SURFACE)
    known = sessions.accounts_of(checked["participants"], path.found)
    session = sessions.create_from_upload(project, account, recording.data if recording else b"",
                                          recording.content_type if recording else None, checked, known)
    return envelope(_shaped_new_session(session, account, known), 201)


def _form_participants(raw: bytes, content_type: str) -> Any:
    """The participants a legacy form names, before the form is checked (None if they cannot be read)."""
    if len(raw) > sessions.MAX_LEGACY_BYTES + 64 * 1024:
        return None
    try:
        form = multipart.parse_form(raw, content_type)
        return parse_json(form["participants"].text()) if "participants" in form else None
    except (multipart.MultipartError, ApiError):
        return None


@route("/{pid}/sessions/{sid}/", methods=("GET",), contract=c.SHOW_SESSION)
def show_session(pid: str, sid: str) -> Response:
    """A session with its threads: the path, then its annotations and comments (one Query: threads.of_session),
    then their codes and people in one BatchGetItem."""
    path = _read(pid, sid)
    session = path.session(path.readable()[1])
    annotated, commented = threads.of_session(session)
    codes, people = _with_named(path, [session], annotated, commented)
    return envelope(_shaped_sessions([session], annotated, commented, codes, people)[0])


# --- annotations ---

@overload
def _annotation(pid: str, sid: str, aid: str, write: Literal[True], fields: Any = None,
                extra: Any = ()) -> tuple[Account, Path, RecordedSession, Annotation]: ...
@overload
def _annotation(pid: str, sid: str, aid: str, write: bool = False, fields: Any = None,
                extra: Any = ()) -> tuple[Account | None, Path, RecordedSession, Annotation]: ...
def _annotation(pid: str, sid: str, aid: str, write: bool = False, fields: Any = None,
                extra: Any = ()) -> tuple[Account | None, Path, RecordedSession, Annotation]:
    """The caller, the path read, and the session and annotation it names, after the access checks; the codes the
    (unchecked) `fields` tag and the `extra` (model, key) pairs are read with it."""
    path = _read(pid, sid, aid, write=write, extra=[*annotations.code_keys(parse_id(pid), fields), *extra])
    account, project = path.writable() if write else path.readable()
    session = path.session(project)
    return account, path, session, path.annotation(session)


@overload
def _thread(pid: str, sid: str, aid: str, write: Literal[True],
            fields: Any = None) -> tuple[Account, Path, RecordedSession, Annotation, list[Comment]]: ...
@overload
def _thread(pid: str, sid: str, aid: str, write: bool = False,
            fields: Any = None) -> tuple[Account | None, Path, RecordedSession, Annotation, list[Comment]]: ...
def _thread(pid: str, sid: str, aid: str, write: bool = False,
            fields: Any = None) -> tuple[Account | None, Path, RecordedSession, Annotation, list[Comment]]:
    """As _annotation, with the annotation's comments. They are Queried first, with the annotation's copy, which
    names its tags and creator (threads.of_annotation): the path, those codes and every person are then one
    BatchGetItem. Nothing Queried is answered before the path's checks pass."""
    number = parse_id(aid)
    copy, commented = threads.of_annotation(number) if number is not None else (None, [])
    named = _named(parse_id(pid), [], [copy] if copy is not None else [], commented)
    account, path, session, annotation = _annotation(pid, sid, aid, write, fields, named)
    return account, path, session, annotation, commented


@route("/{pid}/sessions/{sid}/annotations/", methods=("GET",), contract=c.ANNOTATIONS)
def list_annotations(pid: str, sid: str) -> Response:
    """As show_session, but the annotations alone."""
    path = _read(pid, sid)
    session = path.session(path.readable()[1])
    annotated, commented = threads.of_session(session)
    return envelope(_shaped_annotations(annotated, commented, *_with_named(path, [], annotated, commented)))


@route("/{pid}/sessions/{sid}/annotations/", methods=("POST",), contract=c.CREATE_ANNOTATION)
def create_annotation(pid: str, sid: str) -> Response:
    path = _read(pid, sid, write=True, extra=annotations.code_keys(parse_id(pid), _sent()))
    account, project = path.writable()
    session = path.session(project)
    fields = contracts.body(_request())
    codes = path.codes(project.id, fields.get("tags") or [])
    created = annotations.create(session, account, fields, codes)
    return envelope(shapes.annotation(created, [], codes, {account.id: account}), 201)


@route("/{pid}/sessions/{sid}/annotations/{aid}/", methods=("GET",), contract=c.SHOW_ANNOTATION)
def show_annotation(pid: str, sid: str, aid: str) -> Response:
    _, path, _, annotation, commented = _thread(pid, sid, aid)
    return envelope(_shaped_annotations([annotation], commented, *_with_named(path, [], [annotation], commented))[0])


@route("/{pid}/sessions/{sid}/annotations/{aid}/", methods=("PUT",), contract=c.UPDATE_ANNOTATION)
def update_annotation(pid: str, sid: str, aid: str) -> Response:
    """The comments (Queried first: _thread), the path with the codes and people, then the write: its answer
    is the annotation as written, and reads nothing again."""
    account, path, session, annotation, commented = _thread(pid, sid, aid, write=True, fields=_sent())
    fields = contracts.body(_request())
    codes = path.codes(annotation.project_id, fields.get("tags") or [])
    changed = annotations.update(annotation, session, account, fields, codes)
    return envelope(_shaped_annotations([changed], commented, *_with_named(path, [], [changed], commented))[0])


@route("/{pid}/sessions/{sid}/annotations/{aid}/", methods=("DELETE",), contract=c.DELETE_ANNOTATION)
def delete_annotation(pid: str, sid: str, aid: str) -> Response:
    account, _, session, annotation = _annotation(pid, sid, aid, write=True)
    annotations.delete(annotation, session, account)
    return envelope(None)


# --- comments ---

@overload
def _comment(pid: str, sid: str, aid: str, cid: str, write: Literal[True]) -> tuple[Account, Annotation, Comment]: ...
@overload
def _comment(pid: str, sid: str, aid: str, cid: str,
             write: bool = False) -> tuple[Account | None, Annotation, Comment]: ...
def _comment(pid: str, sid: str, aid: str, cid: str,
             write: bool = False) -> tuple[Account | None, Annotation, Comment]:
    path = _read(pid, sid, aid, cid, write=write)
    account, project = path.writable() if write else path.readable()
    annotation = path.annotation(path.session(project))
    return account, annotation, path.comment(annotation)


def _shaped_comment(comment: Comment, known: Account | None = None) -> dict[str, Any]:
    """A comment with its creator (`known` when that is the caller, who is not read again)."""
    people = {known.id: known} if known is not None and known.id == comment.creator_id else \
        accounts.get_many({comment.creator_id})
    return shapes.comment(comment, people)


@route("/{pid}/sessions/{sid}/annotations/{aid}/comments/", methods=("GET",), contract=c.COMMENTS)
def list_comments(pid: str, sid: str, aid: str) -> Response:
    _, path, _, _, commented = _thread(pid, sid, aid)
    people = _with_named(path, [], [], commented)[1]
    return envelope([shapes.comment(c, people) for c in commented])


@route("/{pid}/sessions/{sid}/annotations/{aid}/comments/", methods=("POST",), contract=c.CREATE_COMMENT)
def create_comment(pid: str, sid: str, aid: str) -> Response:
    account, _, _, annotation = _annotation(pid, sid, aid, write=True)
    return envelope(_shaped_comment(comments.create(annotation, account, contracts.body(_request())), account), 201)


@route("/{pid}/sessions/{sid}/annotations/{aid}/comments/{cid}/", methods=("GET",), contract=c.SHOW_COMMENT)
def show_comment(pid: str, sid: str, aid: str, cid: str) -> Response:
    return envelope(_shaped_comment(_comment(pid, sid, aid, cid)[2]))


@route("/{pid}/sessions/{sid}/annotations/{aid}/comments/{cid}/", methods=("POST",), contract=c.REPLY)
def reply_to_comment(pid: str, sid: str, aid: str, cid: str) -> Response:
    account, annotation, parent = _comment(pid, sid, aid, cid, write=True)
    reply = comments.create(annotation, account, contracts.body(_request()), parent)
    return envelope(_shaped_comment(reply, account), 201)


@route("/{pid}/sessions/{sid}/annotations/{aid}/comments/{cid}/", methods=("PUT",), contract=c.UPDATE_COMMENT)
def update_comment(pid: str, sid: str, aid: str, cid: str) -> Response:
    account, _, comment = _comment(pid, sid, aid, cid, write=True)
    return envelope(_shaped_comment(comments.update(comment, account, contracts.body(_request())), account))


@route("/{pid}/sessions/{sid}/annotations/{aid}/comments/{cid}/", methods=("DELETE",), contract=c.DELETE_COMMENT)
def delete_comment(pid: str, sid: str, aid: str, cid: str) -> Response:
    account, _, comment = _comment(pid, sid, aid, cid, write=True)
    comments.delete(comment, account)
    return no_content()
