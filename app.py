"""The Chalice application: each surface's Blueprint under its prefix, and the scheduled jobs."""
from chalice import Chalice

from chalicelib import jobs
from chalicelib.accounts.routes import bp as accounts

app = Chalice(app_name="serverless-platform")
app.register_blueprint(accounts, url_prefix="/api/auth")
jobs.schedule(app)
