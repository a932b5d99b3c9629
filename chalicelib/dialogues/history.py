"""Paging through a dialogue's numbered history (revisions, releases): `page`, `per_page` and `ordering`.

Numbers run 1..N without gaps, so a page ordered by number is one key range; ordering by creation time reads the
numbers and times of the whole history first."""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import BadRequest
from chalicelib.core.pagination import Page, page_of

ORDERINGS = ("number", "-number", "created", "-created")


@dataclass(frozen=True)
class Window:
    page: Page
    ordering: tuple[str, ...]

    def by_number(self) -> bool:
        return self.ordering[0].lstrip("-") == "number"

    def numbers(self, total: int) -> tuple[int, int]:
        """The range of numbers on this page when ordered by number (empty when low > high)."""
        start = (self.page.number - 1) * self.page.per_page
        if self.ordering[0] == "number":
            return start + 1, min(total, start + self.page.per_page)
        return max(1, total - start - self.page.per_page + 1), total - start

    def arrange(self, items: list, key: Callable[[Any, str], Any]) -> list:
        """`items` sorted by each ordering in turn (the first one given decides first), then paged."""
        arranged = list(items)
        for field in reversed(self.ordering):
            arranged.sort(key=lambda item: key(item, field.lstrip("-")), reverse=field.startswith("-"))
        return self.page.slice(arranged) if not self.by_number() else arranged


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
