"""A backend named by a setting (SES or a folder; SNS or a folder), built on first use; tests put their own."""
from collections.abc import Callable
from typing import Generic, TypeVar

from chalicelib.core.settings import Settings, get_settings

T = TypeVar("T")


class Backends(Generic[T]):
    def __init__(self, variable: str, choose: Callable[[Settings], tuple[str, dict[str, Callable[[], T]]]]):
        """`choose(settings)` gives the chosen name and the makers by name; `variable` names the setting."""
        self.variable, self.choose = variable, choose
        self._current: T | None = None

    def current(self) -> T:
        if self._current is None:
            name, makers = self.choose(get_settings())
            if name not in makers:
                raise RuntimeError(f"{self.variable} must be one of {sorted(makers)}")
            self._current = makers[name]()
        return self._current

    def use(self, backend: T | None) -> T | None:
        """Put `backend` in use; None goes back to the setting's. Returns the one it replaces."""
        previous, self._current = self._current, backend
        return previous
