"""Content requests: ask someone, by link, for photos and videos that they upload straight to S3."""
