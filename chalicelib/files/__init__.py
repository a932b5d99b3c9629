"""Media in S3 shared by the surfaces: presigned uploads and downloads, checks of stored objects,
and multipart form bodies for the legacy upload path."""
