"""The media bucket's layout: one prefix per kind of media. infra grants the functions these and no others."""

# Upload forms write here; a completion copies what it records out (storage.claimed). What no completion
# claims is expired by the bucket's lifecycle rule after this many days.
UPLOADS = "uploads/"
UPLOADS_KEPT_DAYS = 2

CONTENT_REQUESTS = "content-requests/"
RECORDINGS = "recordings/"
RESPONSES = "responses/"
DIALOGUES = "dialogues/"

ALL = (UPLOADS, CONTENT_REQUESTS, RECORDINGS, RESPONSES, DIALOGUES)

# The bucket's one CORS rule (infra and the local stack): browsers post upload forms and fetch downloads straight to
# it, from the app's pages or any other origin; the presigned signature, not the origin, is what authorizes.
CORS_METHODS = ("POST", "GET", "HEAD")
CORS_MAX_AGE = 3000
