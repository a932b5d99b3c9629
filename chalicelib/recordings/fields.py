"""What the recordings document asks of each request body, checked field by field into its keys."""
from dataclasses import dataclass

from chalicelib.core.errors import BadRequest
from chalicelib.core.fields import Problems, integer, is_int, text

# Bounds that keep every item well under DynamoDB's 400 KB, even in 4-byte UTF-8 characters.
TITLE_MAX, DESCRIPTION_MAX, TOPIC_MAX, TOPICS_MAX = 200, 5000, 280, 100
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
    if isinstance(creator, dict):  # the GET body sent back: creator is read-only there
        creator = None
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


CONTENT_MAX, TAGS_MAX, CODE_MAX, PARTICIPANTS_MAX, PROMPTS_MAX = 5000, 50, 200, 50, 100


@dataclass(frozen=True)
class AnnotationFields:
    content: str
    start_interval: int
    end_interval: int
    tags: list[int] | None  # None: leave the tags as they are


def annotation(body: dict) -> AnnotationFields:
    problems = Problems()
    content = text(body, "content", problems, missing="CONTENT_REQUIRED", not_string="CONTENT_IS_NOT_STRING",
                   empty="CONTENT_IS_EMPTY")
    content = _bounded(content, CONTENT_MAX, "CONTENT_TOO_LONG", problems)
    start = integer(body, "start_interval", problems, missing="START_INTERVAL_REQUIRED",
                    not_int="START_INTERVAL_IS_NOT_INT", negative="START_INTERVAL_MUST_BE_POSITIVE_INT")
    end = integer(body, "end_interval", problems, missing="END_INTERVAL_REQUIRED", not_int="END_INTERVAL_IS_NOT_INT",
                  negative="END_INTERVAL_MUST_BE_POSITIVE_INT")
    if start is not None and end is not None and start > end:
        problems.add("START_BEFORE_END")
    tags = body.get("tags")
    if tags is not None and not isinstance(tags, list):
        problems.add("TAGS_IS_NOT_LIST")
    elif tags is not None and not all(is_int(tag) for tag in tags):
        problems.add("TAG_IS_NOT_INT")
    elif tags is not None and len(tags) > TAGS_MAX:
        problems.add("TAGS_TOO_MANY")
    problems.raise_any()
    return AnnotationFields(content, start, end, None if tags is None else sorted(set(tags)))


def comment(body: dict) -> str:
    problems = Problems()
    content = text(body, "content", problems, missing="USER_COMMENT_CONTENT_KEY_REQUIRED",
                   not_string="USER_COMMENT_IS_NOT_STRING", empty="USER_COMMENT_IS_EMPTY")
    content = _bounded(content, CONTENT_MAX, "USER_COMMENT_TOO_LONG", problems)
    problems.raise_any()
    return content


def code(body: dict) -> str:
    problems = Problems()
    code_text = text(body, "text", problems, missing="CODE_TEXT_REQUIRED", not_string="CODE_TEXT_IS_NOT_STRING")
    code_text = _bounded(code_text, CODE_MAX, "CODE_TEXT_TOO_LONG", problems)
    problems.raise_any()
    return code_text


@dataclass(frozen=True)
class ParticipantFields:
    name: str
    email: str | None
    interviewer: bool


@dataclass(frozen=True)
class PromptFields:
    topic_id: int
    start: int
    end: int


def session_metadata(participants: object, prompts: object) -> tuple[list[ParticipantFields], list[PromptFields]]:
    """A session's `participants` ({Name, Email, Role}) and `prompts` ({Start, End, PromptID})."""
    problems = Problems()
    metadata = _metadata(participants, prompts, problems)
    problems.raise_any()
    return metadata


def uploaded_session(body: dict) -> tuple[str, list[ParticipantFields], list[PromptFields]]:
    """A session whose recording was uploaded with a presigned POST: its key, and the same metadata."""
    problems = Problems()
    key = text(body, "recording_key", problems, missing="SESSION_RECORDING_KEY_REQUIRED",
               not_string="SESSION_RECORDING_KEY_IS_NOT_STRING")
    people, prompts = _metadata(body.get("participants"), body.get("prompts"), problems)
    problems.raise_any()
    return key, people, prompts


def _metadata(participants: object, prompts: object, problems: Problems) -> tuple[list, list]:
    return (_entries(participants, "PARTICIPANTS", PARTICIPANTS_MAX, problems, _participant),
            _entries(prompts, "PROMPTS", PROMPTS_MAX, problems, _prompt))


def _entries(value: object, name: str, limit: int, problems: Problems, read) -> list:
    if value is None:
        problems.add(f"SESSION_{name}_REQUIRED")
        return []
    if not isinstance(value, list) or len(value) > limit:
        problems.add(f"SESSION_{name}_MUST_BE_LIST")
        return []
    entries = [read(entry) for entry in value]
    if any(entry is None for entry in entries):
        problems.add(f"SESSION_{name}_INVALID")
    return entries


def _participant(entry: object) -> ParticipantFields | None:
    if not isinstance(entry, dict):
        return None
    name, email, role = entry.get("Name"), entry.get("Email"), entry.get("Role")
    if not isinstance(name, str) or not name.strip() or len(name) > TITLE_MAX:
        return None
    if email is not None and (not isinstance(email, str) or len(email) > 254):
        return None
    if role not in (0, 1):  # 0 and 1, or false and true: was this the interviewer?
        return None
    return ParticipantFields(name.strip(), (email or "").strip() or None, bool(role))


def _prompt(entry: object) -> PromptFields | None:
    if not isinstance(entry, dict):
        return None
    start, end, topic_id = entry.get("Start"), entry.get("End"), entry.get("PromptID")
    if not all(is_int(value) and value >= 0 for value in (start, end, topic_id)) or start > end:
        return None
    return PromptFields(topic_id, start, end)
