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
