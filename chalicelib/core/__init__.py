"""Plumbing every surface shares; it imports no surface."""
