"""app.py, the Lambda's cold start, in a fresh interpreter as Lambda loads it."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_app_leaves_the_collector_on_with_its_imports_frozen():
    probe = "import gc, app; print(gc.isenabled(), gc.get_freeze_count() > 10_000)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "True"]


# Services that only their routes' requests need (core/imports.py), and the libraries only some requests use.
NOT_AT_COLD_START = (
    "chalicelib.coaching.users", "chalicelib.coaching.tasks", "chalicelib.coaching.access",
    "chalicelib.content_requests.requests", "chalicelib.content_requests.media",
    "chalicelib.dialogues.dialogues", "chalicelib.dialogues.revisions", "chalicelib.dialogues.access",
    "chalicelib.nearby.requests", "chalicelib.nearby.responses",
    "chalicelib.recordings.sessions", "chalicelib.recordings.annotations", "chalicelib.files.storage",
    "chalicelib.files.multipart", "jsonschema", "fastjsonschema", "jsonpatch",
)


def test_importing_the_app_loads_the_routes_but_not_the_services_they_call():
    probe = ("import sys, app; print(sum(len(methods) for methods in app.app.routes.values())); "
             f"print(' '.join(name for name in {NOT_AT_COLD_START!r} if name in sys.modules) or '-')")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr[-2000:]
    routes, loaded = done.stdout.split("\n", 1)
    assert int(routes) > 200  # every operation, 405 refusals included
    assert loaded.strip() == "-"
