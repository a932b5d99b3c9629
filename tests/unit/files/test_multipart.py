"""multipart/form-data bodies: text and binary parts, exactly as sent, and bodies that are refused."""
import pytest
import requests

from chalicelib.files.multipart import MultipartError, Part, parse_form

BINARY = b"\x00\xff\r\n\r\n--not-the-boundary\r\n\x00\r\r\n\n\xfe"
FORM = "multipart/form-data; boundary=XyZ"


def _body(*parts: bytes) -> bytes:
    return b"".join(b"--XyZ\r\n" + part + b"\r\n" for part in parts) + b"--XyZ--\r\n"


def test_a_hand_built_body_gives_its_text_and_binary_parts():
    body = _body(b'Content-Disposition: form-data; name="title"\r\n\r\nCaf\xc3\xa9 talk',
                 b'Content-Disposition: form-data; name="audio"; filename="talk.mp3"\r\n'
                 b"Content-Type: audio/mpeg\r\n\r\n" + BINARY)

    parts = parse_form(body, FORM)

    assert parts == {"title": Part("title", None, None, "Café talk".encode()),
                     "audio": Part("audio", "talk.mp3", "audio/mpeg", BINARY)}
    assert parts["title"].text() == "Café talk"


def test_a_body_built_by_requests_round_trips_every_byte():
    prepared = requests.Request("POST", "http://localhost/", data={"note": "hello", "n": "2"},
                                files={"file": ("réunion.wav", BINARY, "audio/wav")}).prepare()

    parts = parse_form(prepared.body, prepared.headers["Content-Type"])

    assert set(parts) == {"note", "n", "file"}
    assert (parts["note"].text(), parts["n"].text()) == ("hello", "2")
    assert parts["file"] == Part("file", "réunion.wav", "audio/wav", BINARY)


def test_empty_parts_and_a_repeated_name_keep_the_last_part():
    body = _body(b'Content-Disposition: form-data; name="tag"\r\n\r\nfirst',
                 b'Content-Disposition: form-data; name="tag"\r\n\r\nsecond',
                 b'Content-Disposition: form-data; name="empty"\r\n\r\n')

    parts = parse_form(body, FORM)

    assert parts["tag"].text() == "second" and parts["empty"].data == b""


def test_parts_without_a_form_data_name_are_left_out():
    body = _body(b"Content-Disposition: attachment; filename=x.txt\r\n\r\nx",
                 b"Content-Disposition: form-data\r\n\r\ny",
                 b"Content-Disposition: form-data; name=kept\r\n\r\nz")

    assert list(parse_form(body, FORM)) == ["kept"]


def test_text_of_a_binary_part_is_an_error_not_garbage():
    with pytest.raises(MultipartError, match="not UTF-8"):
        Part("file", "x.bin", "application/octet-stream", BINARY).text()


@pytest.mark.parametrize("content_type", ["application/json", "multipart/mixed; boundary=XyZ", "text/plain", ""])
def test_a_content_type_other_than_form_data_is_refused(content_type):
    with pytest.raises(MultipartError, match="expected multipart/form-data"):
        parse_form(_body(b'Content-Disposition: form-data; name="a"\r\n\r\nx'), content_type)


def test_form_data_without_a_boundary_is_refused():
    with pytest.raises(MultipartError, match="no boundary"):
        parse_form(_body(b'Content-Disposition: form-data; name="a"\r\n\r\nx'), "multipart/form-data")


@pytest.mark.parametrize("content_type", [FORM + "\r\nX-Injected: 1", FORM + "\r\n\r\n--XyZ",
                                          "multipart/form-data; boundary=é"])
def test_a_content_type_that_is_not_one_header_line_is_refused(content_type):
    with pytest.raises(MultipartError, match="characters a header cannot"):
        parse_form(_body(b'Content-Disposition: form-data; name="a"\r\n\r\nx'), content_type)


@pytest.mark.parametrize("body", [
    b"",
    b"garbage \x00\xff",
    b'{"json": true}',
    b'--other\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--other--\r\n',
    # truncated: no closing boundary
    b'--XyZ\r\nContent-Disposition: form-data; name="a"; filename="a.bin"\r\n\r\n\x00\xff',
    # no blank line between a part's headers and its data
    b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\nx\r\n--XyZ--\r\n',
])
def test_a_body_that_is_not_valid_multipart_is_refused(body):
    with pytest.raises(MultipartError, match="not a valid"):
        parse_form(body, FORM)


def test_a_part_the_parser_would_read_as_a_nested_message_is_refused():
    body = _body(b'Content-Disposition: form-data; name="mail"; filename="a.eml"\r\n'
                 b"Content-Type: message/rfc822\r\n\r\nFrom: a@example.com\r\n\r\nhi")

    with pytest.raises(MultipartError, match="nested"):
        parse_form(body, FORM)
