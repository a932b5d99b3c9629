"""The local stack behind `make run`, `make job` and the integration tests (never deployed)."""
