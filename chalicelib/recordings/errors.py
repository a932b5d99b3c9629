"""The recordings document answers in the envelope that /api/auth uses, kept in accounts."""
from chalicelib.accounts.errors import envelope, render

__all__ = ["envelope", "render"]
