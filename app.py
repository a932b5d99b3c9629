"""The Chalice application: each surface's Blueprint under its prefix, and the scheduled jobs."""
from chalice import Chalice

from chalicelib import jobs
from chalicelib.accounts.routes import bp as accounts
from chalicelib.jobs import expiry  # noqa: F401  (registers the job)
from chalicelib.nearby.routes import bp as nearby
from chalicelib.recordings.routes import bp as recordings

app = Chalice(app_name="serverless-platform")
# The legacy recording upload is a multipart form carrying audio: API Gateway must pass it as bytes.
app.api.binary_types.append("multipart/form-data")
app.register_blueprint(accounts, url_prefix="/api/auth")
app.register_blueprint(recordings, url_prefix="/api/projects")
app.register_blueprint(nearby, url_prefix="/api/v04")
jobs.schedule(app)
