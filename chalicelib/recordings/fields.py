"""What the recordings document asks of each request body, checked field by field into its keys."""
from dataclasses import dataclass

from chalicelib.core.errors import BadRequest
from chalicelib.core.fields import Problems, is_int, text

TITLE_MAX, DESCRIPTION_MAX, TOPIC_MAX, TOPICS_MAX = 200, 5000, 1000, 100
PRIVACY = {"public": True, "private": False}


@dataclass(frozen=True)
class TopicChange:
    id: int | None
    text: str
    is_active: bool


@dataclass(frozen=True)
class ProjectChanges:
    """What a PUT asks to change; None means leave it as it is."""

    title: str | None = None
    description: str | None = None
    is_public: bool | None = None
    creator: int | None = None
    topics: list[TopicChange] | None = None


def _bounded(value: str | None, limit: int, key: str, problems: Problems) -> str | None:
    if value is not None and len(value) > limit:
        problems.add(key)
        return None
    return value.strip() if value is not None else None


def _privacy(body: dict, problems: Problems) -> bool | None:
    privacy = text(body, "privacy", problems, missing="PROJECTS_PRIVACY_REQUIRED",
                   not_string="PROJECTS_PRIVACY_IS_NOT_STRING")
    if privacy is not None and privacy not in PRIVACY:
        problems.add("PROJECTS_PRIVACY_INVALID")
        return None
    return PRIVACY.get(privacy)


def _title_and_description(body: dict, problems: Problems) -> tuple[str | None, str | None]:
    title = text(body, "title", problems, missing="PROJECTS_TITLE_REQUIRED", not_string="PROJECTS_TITLE_IS_NOT_STRING")
    description = text(body, "description", problems, missing="PROJECTS_DESCRIPTION_REQUIRED",
                       not_string="PROJECTS_DESCRIPTION_IS_NOT_STRING")
    return (_bounded(title, TITLE_MAX, "PROJECTS_TITLE_TOO_LONG", problems),
            _bounded(description, DESCRIPTION_MAX, "PROJECTS_DESCRIPTION_TOO_LONG", problems))


def new_project(body: dict) -> tuple[str, str, bool, list[str]]:
    """title, description, is_public and topic texts of a project to create."""
    problems = Problems()
    title, description = _title_and_description(body, problems)
    is_public = _privacy(body, problems)
    topics = body.get("topics")
    if topics is None:
        problems.add("PROJECTS_TOPICS_REQUIRED")
    elif not isinstance(topics, list):
        problems.add("PROJECTS_TOPIC_MUST_BE_LIST")
    else:
        _check_topic_texts(topics, problems)
    problems.raise_any()
    return title, description, is_public, [t.strip() for t in topics]


def _check_topic_texts(topics: list, problems: Problems) -> None:
    if len(topics) > TOPICS_MAX:
        problems.add("PROJECTS_TOPICS_TOO_MANY")
    if any(not isinstance(t, str) for t in topics):
        problems.add("PROJECTS_TOPIC_IS_NOT_STRING")
    elif any(not t.strip() for t in topics):
        problems.add("PROJECTS_TOPIC_IS_EMPTY")
    elif any(len(t) > TOPIC_MAX for t in topics):
        problems.add("PROJECTS_TOPIC_TOO_LONG")


def project_changes(body: dict, project_id: int) -> ProjectChanges:
    """The fields of a PUT on a project: each optional, each checked as on create."""
    if "id" in body and body["id"] != project_id:
        raise BadRequest("ID_404", "The id in the body is not the project's")
    problems = Problems()
    present = {key: key in body for key in ("title", "description", "privacy")}
    title, description = _title_and_description({"title": "-", "description": "-", **body}, problems)
    is_public = _privacy(body, problems) if present["privacy"] else None
    creator = body.get("creator")
    if creator is not None and not is_int(creator):
        problems.add("USER_404")
    topics = _topic_changes(body["topics"], problems) if body.get("topics") is not None else None
    problems.raise_any()
    return ProjectChanges(title if present["title"] else None, description if present["description"] else None,
                          is_public, creator, topics)


def _topic_changes(topics: object, problems: Problems) -> list[TopicChange]:
    if not isinstance(topics, list):
        problems.add("PROJECTS_TOPIC_MUST_BE_LIST")
        return []
    if len(topics) > TOPICS_MAX:
        problems.add("PROJECTS_TOPICS_TOO_MANY")
    changes = []
    for entry in topics:
        change = _topic_change(entry, problems)
        if change is not None:
            changes.append(change)
    return changes


def _topic_change(entry: object, problems: Problems) -> TopicChange | None:
    if not isinstance(entry, dict):
        problems.add("TOPICS_IS_NOT_DICT")
        return None
    active = entry.get("is_active")
    if "is_active" not in entry:
        problems.add("TOPICS_IS_ACTIVE_KEY_404")
    elif not isinstance(active, int):  # 0 and 1, or true and false
        problems.add("TOPICS_IS_ACTIVE_MUST_BE_INT")
    elif active not in (0, 1):
        problems.add("TOPICS_IS_ACTIVE_MUST_BE_0_OR_1")
    topic_text = text(entry, "text", problems, missing="TOPICS_TEXT_KEY_404", not_string="TOPICS_TEXT_IS_NOT_STRING")
    topic_text = _bounded(topic_text, TOPIC_MAX, "PROJECTS_TOPIC_TOO_LONG", problems)
    topic_id = entry.get("id")
    if topic_id is not None and not is_int(topic_id):
        problems.add("TOPICS_ID_NOT_PROJECT")
    if problems.keys:
        return None
    return TopicChange(topic_id, topic_text, bool(active))
