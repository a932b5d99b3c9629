"""Who is calling and what their permissions allow: the one place that reads the document's permission rules.

admin allows everything; projects:create allows new projects; project:admin allows everything on one project's
dialogues (create, archive, read, write, publish) and the project itself; project:dialogues:read|write and
dialogue:read|write allow reading or writing a project's dialogues, or one dialogue. Writing implies reading."""
from typing import Any, NamedTuple

from pynamodb.models import Model

from chalicelib.core import batch
from chalicelib.dialogues import permissions
from chalicelib.dialogues.errors import forbidden
from chalicelib.dialogues.permissions import Grant
from chalicelib.identity import auth
from chalicelib.identity import service as accounts
from chalicelib.identity.auth import authenticate
from chalicelib.identity.models import Account

ADMIN, PROJECTS_CREATE, PROJECT_ADMIN = "admin", "projects:create", "project:admin"
PROJECT_READ, PROJECT_WRITE = "project:dialogues:read", "project:dialogues:write"
DIALOGUE_READ, DIALOGUE_WRITE = "dialogue:read", "dialogue:write"


class Caller(NamedTuple):
    """The signed-in account and its grants: all of them (`caller`, `signed_in`), or those among a route's
    questions that it holds (`asking`)."""

    account: Account
    grants: tuple[Grant, ...]

    @property
    def id(self) -> str:
        return self.account.id

    @property
    def is_admin(self) -> bool:
        return any(grant.type == ADMIN for grant in self.grants)

    def _holds(self, types: tuple[str, ...], project_id: int, dialogue_id: int | None = None) -> bool:
        return self.is_admin or any(
            grant.type in types and grant.project_id == project_id
            and (grant.dialogue_id is None or grant.dialogue_id == dialogue_id) for grant in self.grants)

    def may_create_projects(self) -> bool:
        return self.is_admin or any(grant.type == PROJECTS_CREATE for grant in self.grants)

    def administers(self, project_id: int) -> bool:
        return self._holds((PROJECT_ADMIN,), project_id)

    def sees_project(self, project_id: int) -> bool:
        """Any permission on the project, or on one of its dialogues, lets the caller see the project."""
        return self.is_admin or project_id in self.project_ids()

    def project_ids(self) -> set[int]:
        return {grant.project_id for grant in self.grants if grant.project_id is not None}

    def can_edit(self, project_id: int, dialogue_id: int) -> bool:
        return self._holds((PROJECT_ADMIN, PROJECT_WRITE, DIALOGUE_WRITE), project_id, dialogue_id)

    def can_view(self, project_id: int, dialogue_id: int) -> bool:
        return self.can_edit(project_id, dialogue_id) or self._holds((PROJECT_READ, DIALOGUE_READ), project_id,
                                                                     dialogue_id)


def caller(request: Any) -> Caller:
    """The signed-in account and its grants (one Query); the platform admin holds `admin`."""
    account = authenticate(request)
    return Caller(account, tuple(permissions.held(account)))


def signed_in(request: Any, wanted: list[batch.Wanted],
              fields: dict[type[Model], list[str]] | None = None) -> tuple[Caller, dict[batch.Wanted, Any]]:
    """The caller, and the items under `wanted` that exist, read with the caller's account in one BatchGetItem:
    two round trips in all with the grants' Query, where `caller` and a GetItem each would take three. The
    caller's own account among `wanted` is `Caller.account`, not in the answer."""
    vouched_for = auth.claims(request)
    items = permissions.stored(vouched_for["sub"])
    found = batch.read([(Account, (vouched_for["sub"],)), *wanted], fields)
    account = accounts.vouched(vouched_for, found.pop((Account, (vouched_for["sub"],)), None))
    return Caller(account, tuple(permissions.held_of(account, items))), found


def asking(request: Any, asked: list[tuple[str, int | None]],
           wanted: list[batch.Wanted]) -> tuple[Caller, dict[batch.Wanted, Any]]:
    """As `signed_in` in one round trip: a grant's id names what it grants (`permissions.grant_id`), so whether
    the caller holds each of `asked` (a type, and the project it is on if any) is a read by key in the same
    BatchGetItem as the account and `wanted`. The Caller holds only those of `asked` it has: for a route whose
    every question of the caller is among them (such as `administers`: `admin`, or `project:admin` on the
    project), not for one that asks about grants on any dialogue of a project (`sees_project`)."""
    vouched_for = auth.claims(request)
    user = vouched_for["sub"]
    keys = [permissions.key(user, permissions.grant_id(user, kind, project_id, None)) for kind, project_id in asked]
    found = batch.read([(Account, (user,)), *keys, *wanted])
    account = accounts.vouched(vouched_for, found.pop((Account, (user,)), None))
    items = [found.pop(key) for key in keys if key in found]
    return Caller(account, tuple(permissions.held_of(account, items))), found


def require(allowed: bool, permission: str, **scope: object) -> None:
    """403 naming `permission` unless `allowed`."""
    if not allowed:
        raise forbidden(permission, **scope)


def require_admin(who: Caller) -> None:
    require(who.is_admin, ADMIN)
