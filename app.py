"""The Chalice application: each surface's Blueprint under its prefix, and the scheduled jobs."""
import gc

# The cold start: the imports below build some 60k objects that live as long as the process, and the
# collector's passes over them cost about a tenth of the import (docs/decisions.md, "Cold start"). No
# collection while importing; then freeze what was built, so later passes skip it.
gc.disable()

from chalice.app import Chalice, CORSConfig

from chalicelib import jobs
from chalicelib.accounts.routes import bp as accounts
from chalicelib.apidocs.routes import bp as apidocs
from chalicelib.coaching.routes import bp as coaching
from chalicelib.content_requests.page.routes import bp as content_request_page
from chalicelib.content_requests.routes import bp as content_requests
from chalicelib.core import telemetry
from chalicelib.core.routing import answer_unknown_paths, refuse_other_methods
from chalicelib.dialogues.routes import bp as dialogues
from chalicelib.health.routes import bp as health
from chalicelib.jobs import checkins, content_expiry, expiry, reindexing  # noqa: F401  (registers the jobs)
from chalicelib.nearby.routes import bp as nearby
from chalicelib.recordings.routes import bp as recordings

app = Chalice(app_name="serverless-platform")
# Browser apps on other origins call every route. Tokens travel in headers, never cookies, so any origin may;
# the content request document's `Authentication` header joins the standard ones. Set before the Blueprints.
app.api.cors = CORSConfig(allow_origin="*", allow_headers=["Authentication"], max_age=600)
# The legacy recording upload is a multipart form carrying audio: API Gateway must pass it as bytes.
app.api.binary_types.append("multipart/form-data")
app.register_blueprint(accounts, url_prefix="/api/auth")
app.register_blueprint(recordings, url_prefix="/api/projects")
app.register_blueprint(nearby, url_prefix="/api/v04")
app.register_blueprint(content_requests, url_prefix="/api/v4")
app.register_blueprint(coaching, url_prefix="/api")
app.register_blueprint(dialogues)
app.register_blueprint(apidocs)
app.register_blueprint(content_request_page)  # the page a request's link opens: /content_requests/<token>
app.register_blueprint(health)
refuse_other_methods(app)
answer_unknown_paths(app)
app.register_middleware(telemetry.requests(app), "http")
telemetry.trace_aws_calls()
gc.freeze()
gc.enable()

# A handler of its own per job: the packaged template calls `app.<function name>`, and each is named after
# its job (`send-checkins` -> `send_checkins`), so each name below must be that.
send_checkins = jobs.scheduled(app, "send-checkins")
expire_content_requests = jobs.scheduled(app, "expire-content-requests")
expire_requests = jobs.scheduled(app, "expire-requests")
reindex_requests = jobs.scheduled(app, "reindex-requests")
