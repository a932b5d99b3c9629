"""The /api/projects routes of the recordings document (thin: parse, authorize, call, shape)."""
from chalice import Blueprint

from chalicelib.accounts import service as accounts
from chalicelib.accounts.auth import authenticate, optional_account
from chalicelib.core.bodies import json_object
from chalicelib.core.errors import NotFound
from chalicelib.core.routing import routes
from chalicelib.recordings import fields, projects, shapes
from chalicelib.recordings.errors import envelope, render

bp = Blueprint(__name__)
route = routes(bp, render)


def _request():
    return bp.current_request


def _project_id(pid: str) -> int:
    """`<int:pid>`: anything but a positive integer names no project."""
    if not pid.isdigit() or len(pid) > 18:
        raise NotFound("PROJECT_DOES_NOT_EXIST", "The project does not exist")
    return int(pid)


def _shaped(project_list: list) -> list[dict]:
    """Projects in the document's shape, with their members and the accounts they name."""
    memberships = projects.members(project_list)
    people = accounts.get_many({p.creator_id for p in project_list} |
                               {m.account_id for ms in memberships.values() for m in ms})
    return [shapes.project(p, memberships[p.id], people) for p in project_list]


@route("/", methods=("GET",))
def index():
    personal, public = projects.lists(optional_account(_request()))
    return envelope({"personal": _shaped(personal), "public": _shaped(public)})


@route("/", methods=("POST",))
def create():
    account = authenticate(_request())
    title, description, is_public, topics = fields.new_project(json_object(_request()))
    project = projects.create(account, title, description, is_public, topics)
    return envelope(_shaped([project])[0], 201)


@route("/{pid}/", methods=("GET",))
def show(pid):
    project = projects.readable(_project_id(pid), optional_account(_request()))
    return envelope(_shaped([project])[0])


@route("/{pid}/", methods=("PUT",))
def update(pid):
    account = authenticate(_request())
    project_id = _project_id(pid)
    changes = fields.project_changes(json_object(_request()), project_id)
    return envelope(_shaped([projects.update(project_id, account, changes)])[0])


@route("/{pid}/", methods=("DELETE",))
def destroy(pid):
    projects.delete(_project_id(pid), authenticate(_request()))
    return envelope(None)


@route("/{pid}/membership/", methods=("POST",))
def join(pid):
    projects.join(_project_id(pid), authenticate(_request()))
    return envelope(None)


@route("/{pid}/membership/", methods=("DELETE",))
def leave(pid):
    projects.leave(_project_id(pid), authenticate(_request()))
    return envelope(None)
