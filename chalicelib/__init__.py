"""The platform's code: shared plumbing in core/, identity in accounts/, one package per API surface."""
