"""Services imported on their first use, so that the cold start loads only the routes and what they declare.

One Lambda serves every surface, and a container's first request needs one surface's services; `import app` (the
cold start's share that every request waits for) stays near its libraries' own (bench/cold_start.py).
"""
import importlib
from typing import Any


class Deferred:
    """A module imported when an attribute is first read from it (through the import system, so one thread imports
    it and others wait). Every read goes to the module itself, so a test that patches the module is seen."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<deferred module {self._name!r}>"


def deferred(package: str, names: str) -> tuple[Any, ...]:
    """The modules of `package` that `names` lists (separated by spaces), each imported on its first use."""
    return tuple(Deferred(f"{package}.{name}") for name in names.split())
