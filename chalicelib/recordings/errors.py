"""The recordings document answers in the envelope that /api/auth uses, kept in accounts."""
from chalicelib.accounts.errors import ERROR_SCHEMA, envelope, envelope_schema, render
from chalicelib.accounts.errors import invalid as envelope_invalid
from chalicelib.core.contracts import Failure, Surface
from chalicelib.core.errors import BadRequest

__all__ = ["ERROR_SCHEMA", "SURFACE", "envelope", "envelope_schema", "invalid", "render"]


def invalid(failures: list[Failure]) -> BadRequest:
    """400 with one key per failing value: the first keyword that fails it, in its schema's order (a null is
    "required" before it is "not a string"; a blank string is "required" before it is "too long")."""
    first = {failure.path: failure for failure in reversed(failures)}
    return envelope_invalid([failure for failure in failures if first[failure.path] is failure])


SURFACE = Surface(tag="Recordings", invalid=invalid, error_schema=ERROR_SCHEMA, invalid_status=400)
