"""Permission grants: listing, granting and revoking them, and the grants an account holds."""
import contextlib
import hashlib
from typing import Any, NamedTuple

from pynamodb.exceptions import DeleteError

from chalicelib.core import clock
from chalicelib.core.batch import Wanted
from chalicelib.core.contracts import checked
from chalicelib.core.errors import Conflict
from chalicelib.core.transactions import Step, transact_steps
from chalicelib.dialogues.contracts import PERMISSION
from chalicelib.dialogues.errors import SURFACE, invalid, not_found
from chalicelib.dialogues.models import Dialogue, Permission, Project
from chalicelib.identity.models import Account

# The document's own example spells project:admin this way.
_ALIASES = {"projects:admin": "project:admin"}


class Grant(NamedTuple):
    id: str
    type: str
    project_id: int | None = None
    dialogue_id: int | None = None


def grant_id(user_id: str, kind: str, project_id: int | None, dialogue_id: int | None) -> str:
    """32 hex digits that name what is granted to whom: the same grant twice is the same permission."""
    return hashlib.blake2b(f"{user_id}|{kind}|{project_id}|{dialogue_id}".encode(), digest_size=16).hexdigest()


def _grant(item: Permission) -> Grant:
    return Grant(item.id, item.type, item.project_id, item.dialogue_id)


def held(account: Account) -> list[Grant]:
    """The account's grants (one strongly consistent Query); the platform admin also holds `admin`."""
    return held_of(account, stored(account.id))


def stored(account_id: str) -> list[Permission]:
    """The permission items of an account (one strongly consistent Query)."""
    return list(Permission.query(account_id, consistent_read=True))


def held_of(account: Account, items: list[Permission]) -> list[Grant]:
    """The grants an account holds, from its permission items: the platform admin also holds `admin`."""
    grants = [_grant(item) for item in items]
    if account.is_admin:
        platform = Grant(grant_id(account.id, "admin", None, None), "admin")
        grants = [platform] + [grant for grant in grants if grant.id != platform.id]
    return grants


def key(user_id: str, permission_id: str) -> Wanted:
    """The permission `permission_id` of `user_id` as a batch read names it (core/batch.py)."""
    return Permission, (user_id, permission_id)


def granted(account: Account, permission_id: str, item: Permission | None) -> Grant:
    """The account's grant `permission_id`, from its permission item read by key (None: there is none); the
    platform admin's `admin` comes with the account, as in `held_of`."""
    if account.is_admin and permission_id == grant_id(account.id, "admin", None, None):
        return Grant(permission_id, "admin")
    if item is None:
        raise not_found("Permission", permission_id, user_id=account.id)
    return _grant(item)


def item(user_id: str, kind: str, project_id: int | None = None, dialogue_id: int | None = None) -> Permission:
    """A new permission item for `user_id` (written by grant, or by a project's creation)."""
    return Permission(user_id, grant_id(user_id, kind, project_id, dialogue_id), type=kind,
                      project_id=project_id, dialogue_id=dialogue_id, created=clock.to_millis(clock.now()))


def requested(body: Any) -> tuple[str, int | None, int | None]:
    """The grant a request body asks for, checked against the permission schema."""
    if isinstance(body, dict) and isinstance(body.get("type"), str) and body["type"] in _ALIASES:
        body = {**body, "type": _ALIASES[body["type"]]}
    checked(PERMISSION, body, SURFACE)
    details = body.get("details", {})
    project_id, dialogue_id = details.get("project_id"), details.get("dialogue_id")
    return body["type"], int(project_id) if project_id else None, int(dialogue_id) if dialogue_id else None


class _AlreadyGranted(Exception):
    pass


def grant(account: Account, kind: str, project_id: int | None, dialogue_id: int | None) -> Grant:
    """Grant `kind` to the account, once: what it names must exist (checked in the same transaction)."""
    permission = item(account.id, kind, project_id, dialogue_id)
    steps: list[Step] = []
    if project_id is not None:
        steps.append((lambda tx: tx.condition_check(Project, project_id, condition=Project.id.exists()),
                      invalid("not_found", "/details/project_id", f"Project {project_id} not found")))
    if dialogue_id is not None:
        steps.append((lambda tx: tx.condition_check(Dialogue, project_id, dialogue_id, condition=Dialogue.id.exists()),
                      invalid("not_found", "/details/dialogue_id",
                              f"Dialogue {dialogue_id} not found in project {project_id}")))
    steps.append((lambda tx: tx.save(permission, condition=Permission.id.does_not_exist()), _AlreadyGranted()))
    with contextlib.suppress(_AlreadyGranted):  # granted before: the same permission
        transact_steps(steps)
    return _grant(permission)


def revoke(account: Account, permission_id: str, item: Permission | None) -> Grant:
    """Remove a grant (`item`, its permission read by key) and answer it; the platform admin's `admin` comes with
    the account and stays."""
    revoked = granted(account, permission_id, item)
    if revoked.type == "admin" and account.is_admin:
        raise Conflict("conflict", "The platform admin holds admin through the account")
    try:
        Permission(account.id, permission_id).delete(condition=Permission.id.exists())
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise not_found("Permission", permission_id, user_id=account.id) from error
    return revoked
