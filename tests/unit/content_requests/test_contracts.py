"""How the routes' contracts answer in the document's shape: each failing keyword becomes its param's sentence."""
from chalicelib.content_requests import contracts
from chalicelib.core.contracts import failures
from tests.unit.content_requests.conftest import BASE, NEW
from tests.unit.content_requests.test_media import FORM, upload


def refused(*entries):
    return 422, {"errors": [{"param": param, "message": message} for param, message in entries]}


def created(api, owner, **changes):
    return api.post(BASE, {"content_request": {**NEW, **changes}}, token=owner)


def test_required_and_null_are_missing_and_type_names_the_documented_type(api, owner):
    assert created(api, owner, name=None, recipient=["Rita"]) == refused(
        ("content_request[name]", "Missing parameter"), ("content_request[recipient]", "Must be a String"))
    assert api.post(BASE, {"content_request": "x"}, token=owner) == refused(("content_request", "Must be a Hash"))
    assert api.post(BASE, ["flat"], token=owner) == refused(("content_request", "Missing parameter"))  # x-param


def test_a_param_answers_the_first_keyword_it_fails_only(api, owner):
    # Blank and too long: the document says blank first, as the schema orders its keywords.
    assert created(api, owner, prompt=" " * 2001) == refused(("content_request[prompt]", "Must not be blank"))
    assert created(api, owner, prompt="p" * 2001) == refused(
        ("content_request[prompt]", "Must be at most 2000 characters"))


def test_enum_answers_the_documented_choices(api, owner):
    assert created(api, owner, time_type="often") == refused(
        ("content_request[time_type]", "Must be one of: one_time, multi_use."))
    assert api.put(f"{BASE}/1", {"content_request": {"status": "pending"}}, token=owner) == refused(
        ("content_request[status]", "Must be one of: canceled."))


def test_the_days_form_is_the_schemas_and_a_past_day_the_services_in_the_same_answer(api, owner):
    assert created(api, owner, expiration_date="soon") == refused(
        ("content_request[expiration_date]", "Must be a date such as 2022/06/07"))
    assert created(api, owner, name=5, expiration_date="2020/01/01", time_type="x") == refused(
        ("content_request[name]", "Must be a String"), ("content_request[expiration_date]", "Must not be in the past"),
        ("content_request[time_type]", "Must be one of: one_time, multi_use."))


def test_caps_by_media_type_come_after_the_other_fields(api, create):
    token = create()["token"]

    assert upload(api, token, format_type="mp4", size=50 * 1024 * 1024 + 1, name=5) == refused(
        ("name", "Must be a String"), ("size", "Must be at most 52428800 for a photo"),
        ("format_type", "Must be one of: jpg, jpeg, png, gif, heic, heif, webp."))
    assert upload(api, token, format_type="p.ng") == refused(
        ("format_type", "Must be a file extension such as png or mp4"))
    assert api.post(f"{BASE}/{token}/uploads", "form") == refused(("body", "Must be a Hash"))


def test_a_size_with_a_fraction_is_not_an_integer_even_when_whole(api, create):
    token = create()["token"]

    assert upload(api, token, size=64.0) == refused(("size", "Must be a Integer"))
    assert upload(api, token, size=60_000_000.0) == refused(("size", "Must be a Integer"))  # not the photo cap


def complete(api, token, body):
    return api.put(f"{BASE}/{token}/complete", body)


def test_list_keywords_and_nested_params(api, create):
    token = create()["token"]
    good = {"s3_key": "k", "name": "n", "format_type": "png", "media_type": "photo", "size": 1}
    files = [good] * 11 + [{**good, "size": "2", "name": 1}]

    assert complete(api, token, {"media_files": []}) == refused(("media_files", "Must not be empty"))
    assert complete(api, token, {"media_files": {}}) == refused(("media_files", "Must be an Array of nested elements"))
    assert complete(api, token, {"media_files": [7] * 51}) == refused(("media_files", "Must hold at most 50 files"))
    assert complete(api, token, {"other": 1}) == refused(("media_files", "Missing parameter"))
    # Indexes in order (11 after 2), fields in the document's order, a key listed twice last.
    assert complete(api, token, {"media_files": [{**good, "s3_key": "a"}, good, 7, *files[3:]]}) == refused(
        ("media_files[2]", "Must be a Hash"), ("media_files[11][name]", "Must be a String"),
        ("media_files[11][size]", "Must be a Integer"), *[(f"media_files[{i}][s3_key]", "Is listed twice")
                                                         for i in range(3, 12)])


def test_query_keywords(api, owner):
    def listed(query):
        return api.get(f"{BASE}?{query}", token=owner)

    assert listed("sort_to=up&page=0") == refused(
        ("pending", "Missing parameter"), ("sort_to", "Must be one of: asc, desc."),
        ("page", "Must be a positive integer"))
    assert listed("pending=yes&query=" + "q" * 201 + "&per_page=1000000000000000") == refused(
        ("pending", "Must be one of: true, false, 1, 0."), ("query", "Must be at most 200 characters"),
        ("per_page", "Must be a positive integer"))


def test_the_document_examples_fit_the_contracts():
    for contract in (contracts.CREATE, contracts.UPDATE, contracts.COMPLETE):
        assert failures(contract.body, contract.examples["request"]) == []
    for contract in (contracts.INDEX, contracts.CREATE, contracts.SHOW, contracts.UPDATE, contracts.DESTROY,
                     contracts.COMPLETE):
        status = min(contract.answers)
        assert failures(contract.answers[status], contract.examples["response"]) == [], contract.summary
    assert failures(contracts.UPLOAD.body, FORM) == []
