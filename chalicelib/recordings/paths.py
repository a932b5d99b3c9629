"""What a /api/projects path names, read in one round trip: the caller's account, the project, the caller's
membership, and the session, annotation and comment the path goes down to (with any codes and email claims the
route will need), in one BatchGetItem. The checks then run in the order the path reads, with the answers each
level always gave, so an error is the one the walk down the path would have met first."""
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from chalicelib.core import batch
from chalicelib.core.errors import BadRequest, Forbidden, NotFound
from chalicelib.core.routing import parse_id, path_id
from chalicelib.identity import service as accounts
from chalicelib.identity.models import Account
from chalicelib.recordings.models import Annotation, Code, Comment, Membership, Project, RecordedSession

_SESSION_ID = re.compile(r"[0-9a-f]{32}")


def unknown(code: str) -> NotFound:
    """The 404 for an `<int:...>` path part that is not an id (only ASCII digits name anything)."""
    return NotFound(code, "Nothing has that id")


@dataclass
class Path:
    """The ids of a path (as sent) and, once read, what they name."""

    pid: str
    sid: str | None = None
    aid: str | None = None
    cid: str | None = None
    claims: dict[str, Any] | None = None
    found: dict[Any, Any] = field(default_factory=dict)
    asked: set[Any] = field(default_factory=set)  # every (model, key) read, found or not

    @property
    def project_id(self) -> int | None:
        """The project id the path names (None if its part names nothing)."""
        return parse_id(self.pid)

    def read(self, extra: Iterable[Any] = ()) -> "Path":
        """Read, in one BatchGetItem, every item the path names and `extra` (model, key) pairs."""
        project_id, sub = self.project_id, self.claims["sub"] if self.claims else None
        wanted: list[Any] = [*extra]
        if sub is not None:
            wanted.append((Account, sub))
        if project_id is not None:
            wanted += [(Project, project_id)] + ([(Membership, (project_id, sub))] if sub is not None else [])
        if self.sid is not None and _SESSION_ID.fullmatch(self.sid):
            wanted.append((RecordedSession, self.sid))
        for model, part in ((Annotation, self.aid), (Comment, self.cid)):
            number = parse_id(part) if part is not None else None
            if number is not None:
                wanted.append((model, number))
        self.found, self.asked = batch.read(wanted), set(wanted)
        return self

    def get(self, model: Any, key: Any) -> Any:
        """An item read with the path (None if there is none)."""
        return self.found.get((model, key))

    def account(self) -> Account | None:
        """The caller, if a token was sent: refused as authenticate refuses it."""
        if self.claims is None:
            return None
        return accounts.vouched(self.claims, self.get(Account, self.claims["sub"]))

    def project(self, missing: str = "PROJECT_DOES_NOT_EXIST") -> Project:
        project = self.get(Project, path_id(self.pid, unknown(missing)))
        if project is None or not project.is_active:
            raise NotFound(missing, "The project does not exist")
        return project  # type: ignore[no-any-return]

    def is_member(self, project: Project, account: Account | None) -> bool:
        return account is not None and self.get(Membership, (project.id, account.id)) is not None

    def readable(self) -> tuple[Account | None, Project]:
        """A project the caller may see: any public one, or a private one they are a member of. Anyone else, an
        anonymous caller (no token) included, is refused as the document says: 403 `PROJECT_UNAUTHORIZED`."""
        account = self.account()
        project = self.project()
        if project.is_public or self.is_member(project, account):
            return account, project
        raise Forbidden("PROJECT_UNAUTHORIZED", "Only members may see this project")

    def writable(self) -> tuple[Account, Project]:
        """A project the caller may add to: they must be a member."""
        account = cast(Account, self.account())  # a write's path is read with its token's claims
        project = self.project()
        if not self.is_member(project, account):
            raise Forbidden("PROJECT_UNAUTHORIZED", "Only members may do this")
        return account, project

    def session(self, project: Project) -> RecordedSession:
        session = self.get(RecordedSession, self.sid) if self.sid and _SESSION_ID.fullmatch(self.sid) else None
        if session is None:
            raise NotFound("SESSION_UNKNOWN", "The session does not exist")
        if session.project_id != project.id:
            raise NotFound("SESSION_NOT_IN_PROJECT", "The session is not one of this project's")
        return session  # type: ignore[no-any-return]

    def annotation(self, session: RecordedSession) -> Annotation:
        annotation = self.get(Annotation, path_id(self.aid or "", unknown("ANNOTATION_404")))
        if annotation is None or not annotation.is_active or annotation.session_id != session.id:
            raise NotFound("ANNOTATION_404", "The annotation does not exist on this session")
        return annotation  # type: ignore[no-any-return]

    def comment(self, annotation: Annotation) -> Comment:
        comment = self.get(Comment, path_id(self.cid or "", unknown("COMMENT_404")))
        if comment is None or not comment.is_active:
            raise NotFound("COMMENT_404", "The comment does not exist")
        if comment.annotation_id != annotation.id:
            raise BadRequest("COMMENT_NOT_IN_SESSION", "The comment is not on this annotation")
        return comment  # type: ignore[no-any-return]

    def codes(self, project_id: int, tags: Iterable[int]) -> dict[int, Code]:
        """The project's codes among `tags` that were read with the path, by id."""
        return {int(tag): code for tag in tags if (code := self.get(Code, (project_id, int(tag)))) is not None}
