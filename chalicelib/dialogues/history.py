"""Paging through a dialogue's numbered history (revisions, releases): `page`, `per_page` and `ordering`.

Numbers run 1..N without gaps, so a page ordered by number is one key range; ordering by creation time reads the
numbers and times of the whole history first."""
from typing import Any, NamedTuple

from chalicelib.core.errors import BadRequest
from chalicelib.core.pagination import Page, page_of

ORDERINGS = ("number", "-number", "created", "-created")


class Window(NamedTuple):
    page: Page
    ordering: tuple[str, ...]

    def _by_number(self) -> bool:
        return self.ordering[0].lstrip("-") == "number"

    def _numbers(self, total: int) -> tuple[int, int]:
        """The range of numbers on this page when ordered by number (empty when low > high)."""
        start = (self.page.number - 1) * self.page.per_page
        if self.ordering[0] == "number":
            return start + 1, min(total, start + self.page.per_page)
        return max(1, total - start - self.page.per_page + 1), total - start

    def read(self, model: Any, dialogue_id: int, total: int) -> list[Any]:
        """This page of a dialogue's `total` numbered items of `model` (hash key `dialogue_id`, range `number`):
        ordered by number, one key range; else every item, sorted by each ordering in turn, then paged."""
        if self._by_number():
            low, high = self._numbers(total)
            found = list(model.query(dialogue_id, model.number.between(low, high))) if low <= high else []
        else:
            found = list(model.query(dialogue_id))
        for field in reversed(self.ordering):  # the first ordering given decides first
            found.sort(key=lambda item: getattr(item, field.lstrip("-")), reverse=field.startswith("-"))
        return found if self._by_number() else self.page.slice(found)


def window(query: Any) -> Window:
    """The page and orderings a request asks for; `ordering` may repeat, or list several with commas."""
    query = query or {}
    raw = query.getlist("ordering") if "ordering" in query and hasattr(query, "getlist") else [query.get("ordering")]
    ordering = tuple(part.strip() for value in raw if value for part in value.split(",") if part.strip())
    unknown = [value for value in ordering if value not in ORDERINGS]
    if unknown:
        raise BadRequest("invalid_param", f"ordering must be one of {', '.join(ORDERINGS)}, not {unknown[0]}",
                         details={"param": "ordering"})
    return Window(page_of(query, 30, 100), ordering or ("-number",))
