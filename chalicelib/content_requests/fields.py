"""What the content request document's fields accept: limits, sorts, and the files a link may send."""
import re

from chalicelib.content_requests.models import PHOTO, VIDEO

NAME_MAX, RECIPIENT_MAX, PROMPT_MAX, NOTE_MAX, QUERY_MAX = 200, 200, 2000, 2000, 200
DAY_MAX, FILE_NAME_MAX, KEY_MAX, FILES_MAX = 40, 255, 1024, 50
PER_PAGE, PER_PAGE_MAX = 10, 100
MAX_BYTES = {PHOTO: 50 * 1024 * 1024, VIDEO: 1024 * 1024 * 1024}
# The extensions a file may have, and the one type each is uploaded, stored and served as: raster images and video
# only (storage.RASTER_IMAGE_TYPES, storage.VIDEO_TYPES). Any other extension is refused at the upload form.
CONTENT_TYPES = {
    PHOTO: {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
            "heic": "image/heic", "heif": "image/heif", "webp": "image/webp"},
    VIDEO: {"mp4": "video/mp4", "m4v": "video/x-m4v", "mov": "video/quicktime", "webm": "video/webm",
            "3gp": "video/3gpp"},
}
SORTS = ("created_at", "name", "recipient", "expiration_date")
# An expiration day as the document writes it (2022/06/07) or as the API answers it.
DAY = re.compile(r"(\d{4})[/-](\d{2})[/-](\d{2})(T00:00:00(\.000)?Z)?")
NO_DAY = "Must be a date such as 2022/06/07"
PENDING = {"true": True, "false": False, "1": True, "0": False}


def extension(format_type: str) -> str:
    """A file's extension as stored: `.PNG ` is `png`."""
    return format_type.strip().lower().lstrip(".")
