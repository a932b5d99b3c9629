"""multipart/form-data request bodies (the legacy upload path), parsed with the standard library. Its email package
is imported on the first form, not at cold start: no other route needs it."""
from typing import TYPE_CHECKING, NamedTuple, cast

if TYPE_CHECKING:
    from email.message import MIMEPart

FORM_DATA = "multipart/form-data"


class MultipartError(Exception):
    """The body is not a multipart/form-data body this parser accepts."""


class Part(NamedTuple):
    name: str
    filename: str | None
    content_type: str | None
    data: bytes

    def text(self) -> str:
        """The part's bytes as UTF-8 text."""
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise MultipartError(f"part {self.name!r} is not UTF-8 text") from error


def parse_form(body: bytes, content_type: str) -> dict[str, Part]:
    """The named parts of a multipart/form-data body (a later part with a repeated name wins)."""
    # A line break in the header would let the caller inject headers or start the body early.
    if not (content_type.isascii() and content_type.isprintable()):
        raise MultipartError("the content type holds characters a header cannot")
    import email.policy
    from email.parser import BytesParser

    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("ascii") + b"\r\n\r\n" + body)
    if message.get_content_type() != FORM_DATA:
        raise MultipartError(f"expected {FORM_DATA}, got {message.get_content_type()}")
    if message.get_boundary() is None:
        raise MultipartError("the content type has no boundary")
    # Defects include a missing closing boundary: a truncated body would otherwise give a truncated file.
    if message.defects or not message.is_multipart():
        raise MultipartError(f"the body is not a valid multipart body: {message.defects}")
    parts = (_part(item) for item in message.iter_parts() if item.get_content_disposition() == "form-data")
    return {part.name: part for part in parts if part.name}


def _part(item: "MIMEPart") -> Part:
    """One form-data part with its bytes as sent (a Content-Transfer-Encoding, which RFC 7578 forbids, is undone)."""
    name = item.get_param("name", header="content-disposition")
    if item.defects:
        raise MultipartError(f"part {name!r} is not a valid part: {item.defects}")
    if item.is_multipart():
        # The parser reads message/* and multipart/* parts as nested messages: their bytes are gone.
        raise MultipartError(f"part {name!r} is a nested message or multipart, which is not accepted")
    content_type = item.get_content_type() if "Content-Type" in item else None
    # get_param gives a tuple for an RFC 2231 encoded name (name*=...); a non-multipart payload decodes to bytes
    return Part(name or "", item.get_filename(), content_type,  # type: ignore[arg-type]
                cast(bytes, item.get_payload(decode=True)))
