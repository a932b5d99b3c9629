"""The dialogues document's channels and providers: /channels/, /channels/<id>, /providers/, /providers/<id> and
/projects/<id>/channels/, with a channel used by at most one project at a time."""
from types import SimpleNamespace

import pytest

from chalicelib.dialogues.models import Channel, Provider
from tests.unit.dialogues.conftest import patch, problems

NON_ADMINS = ["project_admin", "project_reader", "creator", "other_admin", "nobody"]


def _ok(result, status=200):
    assert result[0] == status, result
    return result[1]


def stored_project(channel_id):
    """The project id a channel is stored as used by (None when free)."""
    return Channel.get(int(channel_id), consistent_read=True).project_id


def replace_project(value):
    return [{"op": "replace", "path": "/project_id", "value": value}]


def without_provider(channel):
    """A channel summary, as a provider lists it."""
    return {key: value for key, value in channel.items() if key != "provider"}


def attached(channel, project_id):
    return {**channel, "project_id": project_id, "is_available": True}


@pytest.fixture
def catalog(api, world):
    """Twitter with @foo and @bar, MTN Nigeria with *120*321#, all free, created by the platform admin."""
    twitter = _ok(api.post("/providers/", {"title": "Twitter"}, token=world.root), 201)
    mtn = _ok(api.post("/providers/", {"title": "MTN Nigeria"}, token=world.root), 201)

    def channel(provider, title, kind):
        return _ok(api.post("/channels/", {"provider_id": provider["id"], "title": title, "address": title,
                                           "type": kind}, token=world.root), 201)

    return SimpleNamespace(twitter=twitter, mtn=mtn, foo=channel(twitter, "@foo", "twitter"),
                           bar=channel(twitter, "@bar", "twitter"), ussd=channel(mtn, "*120*321#", "ussd"))


def attach(api, world, channel, project):
    return _ok(api.put(f"/channels/{channel['id']}", {"project_id": project}, token=world.root))


# Providers and channels are made by admins


def test_admin_creates_a_provider(api, world):
    status, body = api.post("/providers/", {"title": "Twitter"}, token=world.root)

    assert status == 201
    assert body["id"].isdigit()
    assert body == {"id": body["id"], "url": f"/providers/{body['id']}", "title": "Twitter"}
    assert Provider.get(int(body["id"])).title == "Twitter"


def test_providers_lists_the_summaries(api, world, catalog):
    body = _ok(api.get("/providers/", token=world.root))

    assert body == [catalog.twitter, catalog.mtn]
    assert body[0] == {"id": catalog.twitter["id"], "url": f"/providers/{catalog.twitter['id']}", "title": "Twitter"}


def test_admin_creates_a_free_channel(api, world, catalog):
    status, body = api.post("/channels/", {"provider_id": catalog.twitter["id"], "title": "@baz", "address": "@baz",
                                           "type": "twitter"}, token=world.root)

    assert status == 201
    assert body["id"].isdigit()
    assert body == {"id": body["id"], "url": f"/channels/{body['id']}", "project_id": None, "title": "@baz",
                    "address": "@baz", "type": "twitter", "is_available": True,
                    "provider": {"id": catalog.twitter["id"], "title": "Twitter"}}
    stored = Channel.get(int(body["id"]))
    assert (stored.provider_id, stored.provider_title, stored.title, stored.address, stored.type,
            stored.project_id) == (int(catalog.twitter["id"]), "Twitter", "@baz", "@baz", "twitter", None)


def test_admin_creates_a_channel_used_by_a_project(api, world, catalog):
    body = _ok(api.post("/channels/", {"provider_id": catalog.mtn["id"], "title": "2233", "address": "2233",
                                       "type": "sms", "project_id": world.project}, token=world.root), 201)

    assert (body["project_id"], body["is_available"]) == (world.project, True)
    assert stored_project(body["id"]) == int(world.project)


def test_a_channel_of_a_missing_provider_is_refused(api, world):
    status, body = api.post("/channels/", {"provider_id": "999", "title": "@baz", "address": "@baz",
                                           "type": "twitter"}, token=world.root)

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("not_found", "/provider_id")]
    assert Channel.count() == 0


@pytest.mark.parametrize("name", NON_ADMINS)
def test_creating_providers_and_channels_needs_admin(api, world, catalog, name):
    token = world.tokens[name]

    provider = api.post("/providers/", {"title": "Vodacom ZA"}, token=token)
    channel = api.post("/channels/", {"provider_id": catalog.twitter["id"], "title": "@baz", "address": "@baz",
                                      "type": "twitter"}, token=token)

    for status, body in (provider, channel):
        assert (status, body["type"], body["details"]["permission"]) == (403, "forbidden", "admin")
    assert Provider.count() == 2 and Channel.count() == 3


def test_a_granted_admin_creates_a_provider(api, world):
    body = _ok(api.post("/providers/", {"title": "Twitter"}, token=world.tokens["granted_admin"]), 201)

    assert Provider.get(int(body["id"])).title == "Twitter"


# GET /channels/


def test_channels_lists_every_channel_with_its_provider(api, world, catalog):
    attach(api, world, catalog.bar, world.project)

    body = _ok(api.get("/channels/", token=world.root))

    assert body == [catalog.foo, attached(catalog.bar, world.project), catalog.ussd]
    assert body[0] == {"id": catalog.foo["id"], "url": f"/channels/{catalog.foo['id']}", "project_id": None,
                       "title": "@foo", "address": "@foo", "type": "twitter", "is_available": True,
                       "provider": {"id": catalog.twitter["id"], "title": "Twitter"}}
    assert body[2]["provider"] == {"id": catalog.mtn["id"], "title": "MTN Nigeria"}


def test_channels_stored_before_they_carried_their_providers_title_are_shown_with_it(api, world, catalog):
    for channel in (catalog.foo, catalog.ussd):
        Channel(int(channel["id"])).update(actions=[Channel.provider_title.remove()])
    attach(api, world, catalog.foo, world.project)
    foo = attached(catalog.foo, world.project)

    assert _ok(api.get("/channels/", token=world.root)) == [foo, catalog.bar, catalog.ussd]
    assert _ok(api.get(f"/channels/{catalog.ussd['id']}", token=world.root)) == catalog.ussd
    assert _ok(api.get(f"/projects/{world.project}/channels/", token=world.root)) == [foo]


@pytest.mark.parametrize("path", ["/channels/", "/providers/"])
@pytest.mark.parametrize("name", NON_ADMINS)
def test_listing_channels_and_providers_needs_admin(api, world, catalog, path, name):
    status, body = api.get(path, token=world.tokens[name])

    assert (status, body["type"], body["details"]["permission"]) == (403, "forbidden", "admin")


# Attaching a channel to a project


def test_put_attaches_a_channel_and_ignores_read_only_fields(api, world, catalog):
    sent = {**catalog.foo, "project_id": world.project, "id": "77", "url": "/channels/77", "title": "@changed",
            "address": "@changed", "type": "sms", "is_available": True, "provider": {"id": "5", "title": "X"}}

    body = _ok(api.put(f"/channels/{catalog.foo['id']}", sent, token=world.root))

    assert body == attached(catalog.foo, world.project)
    stored = Channel.get(int(catalog.foo["id"]))
    assert (stored.project_id, stored.title, stored.address, stored.type, stored.provider_id) == (
        int(world.project), "@foo", "@foo", "twitter", int(catalog.twitter["id"]))
    assert _ok(api.get(f"/channels/{catalog.foo['id']}", token=world.root)) == body


def test_patch_replaces_the_project_id(api, world, catalog):
    body = _ok(patch(api, f"/channels/{catalog.foo['id']}", replace_project(world.project), world.root))

    assert body == attached(catalog.foo, world.project)
    assert stored_project(catalog.foo["id"]) == int(world.project)


@pytest.mark.parametrize("operation", [
    {"op": "replace", "path": "/title", "value": "@changed"},
    {"op": "add", "path": "/title", "value": "@changed"},
    {"op": "add", "path": "/is_available", "value": False},
])
def test_patch_refuses_read_only_fields_and_changes_nothing(api, world, catalog, operation):
    status, body = patch(api, f"/channels/{catalog.foo['id']}", [*replace_project(world.project), operation],
                         world.root)

    assert status == 422 and body["type"] == "validation_error"
    stored = Channel.get(int(catalog.foo["id"]))
    assert (stored.project_id, stored.title) == (None, "@foo")


@pytest.mark.parametrize("how", ["put", "patch"])
def test_setting_project_id_moves_a_channel_from_another_project(api, world, catalog, how):
    attach(api, world, catalog.foo, world.project)
    path = f"/channels/{catalog.foo['id']}"

    if how == "put":
        body = _ok(api.put(path, {"project_id": world.other}, token=world.root))
    else:
        body = _ok(patch(api, path, replace_project(world.other), world.root))

    assert body == attached(catalog.foo, world.other)
    assert (body["project_id"], body["is_available"]) == (world.other, True)
    assert stored_project(catalog.foo["id"]) == int(world.other)
    assert _ok(api.get(f"/projects/{world.project}/channels/", token=world.root)) == []
    assert _ok(api.get(f"/projects/{world.other}/channels/", token=world.root)) == [attached(catalog.foo,
                                                                                              world.other)]


def test_a_move_to_an_unknown_project_leaves_the_channel_where_it_was(api, world, catalog):
    attach(api, world, catalog.foo, world.project)

    status, body = api.put(f"/channels/{catalog.foo['id']}", {"project_id": "999"}, token=world.root)

    assert (status, body["type"]) == (422, "validation_error")
    assert stored_project(catalog.foo["id"]) == int(world.project)


def test_a_move_is_one_transaction_with_the_new_projects_check(api, world, catalog, monkeypatch):
    from chalicelib.dialogues import channels
    attach(api, world, catalog.foo, world.project)
    seen = []
    real = channels.transact_steps
    monkeypatch.setattr(channels, "transact_steps", lambda steps: (seen.append(len(steps)), real(steps))[1])

    _ok(api.put(f"/channels/{catalog.foo['id']}", {"project_id": world.other}, token=world.root))

    assert seen == [2]  # the new project's check and the channel's move, in one TransactWriteItems
    assert stored_project(catalog.foo["id"]) == int(world.other)


def test_attaching_again_to_the_same_project_is_fine(api, world, catalog):
    attach(api, world, catalog.foo, world.project)

    by_put = _ok(api.put(f"/channels/{catalog.foo['id']}", {"project_id": world.project}, token=world.root))
    by_patch = _ok(patch(api, f"/channels/{catalog.foo['id']}", replace_project(world.project), world.root))

    assert by_put == by_patch == attached(catalog.foo, world.project)
    assert stored_project(catalog.foo["id"]) == int(world.project)


@pytest.mark.parametrize("how", ["put", "patch", "put of the description"])
def test_null_detaches_a_channel_and_frees_it_for_another_project(api, world, catalog, how):
    attach(api, world, catalog.foo, world.project)
    path = f"/channels/{catalog.foo['id']}"

    if how == "put":
        body = _ok(api.put(path, {"project_id": None}, token=world.root))
    elif how == "patch":
        body = _ok(patch(api, path, replace_project(None), world.root))
    else:
        body = _ok(api.put(path, {**catalog.foo, "project_id": None}, token=world.root))

    assert body == catalog.foo
    assert (body["project_id"], body["is_available"]) == (None, True)
    assert stored_project(catalog.foo["id"]) is None
    assert _ok(api.get(f"/projects/{world.project}/channels/", token=world.root)) == []
    assert attach(api, world, catalog.foo, world.other) == attached(catalog.foo, world.other)


def test_detaching_a_free_channel_keeps_it_free(api, world, catalog):
    body = _ok(api.put(f"/channels/{catalog.foo['id']}", {"project_id": None}, token=world.root))

    assert body == catalog.foo
    assert stored_project(catalog.foo["id"]) is None


@pytest.mark.parametrize("how", ["put", "patch"])
def test_attaching_to_a_missing_project_is_refused(api, world, catalog, how):
    attach(api, world, catalog.bar, world.project)
    path = f"/channels/{catalog.foo['id']}"

    status, body = (api.put(path, {"project_id": "999"}, token=world.root) if how == "put"
                    else patch(api, path, replace_project("999"), world.root))

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("not_found", "/project_id")]
    assert stored_project(catalog.foo["id"]) is None
    assert stored_project(catalog.bar["id"]) == int(world.project)


@pytest.mark.parametrize("value", [17, "", "abc", True])
def test_a_project_id_that_is_not_an_id_string_is_refused(api, world, catalog, value):
    status, body = api.put(f"/channels/{catalog.foo['id']}", {"project_id": value}, token=world.root)

    assert status == 422
    assert [p["path"] for p in problems(body)] == ["/project_id"]
    assert stored_project(catalog.foo["id"]) is None


@pytest.mark.parametrize("name", NON_ADMINS)
def test_attaching_needs_admin(api, world, catalog, name):
    path = f"/channels/{catalog.foo['id']}"

    by_put = api.put(path, {"project_id": world.project}, token=world.tokens[name])
    by_patch = patch(api, path, replace_project(world.project), world.tokens[name])

    for status, body in (by_put, by_patch):
        assert (status, body["type"], body["details"]["permission"]) == (403, "forbidden", "admin")
    assert stored_project(catalog.foo["id"]) is None


def test_a_granted_admin_attaches_a_channel(api, world, catalog):
    body = _ok(api.put(f"/channels/{catalog.foo['id']}", {"project_id": world.other},
                       token=world.tokens["granted_admin"]))

    assert body == attached(catalog.foo, world.other)
    assert stored_project(catalog.foo["id"]) == int(world.other)


# GET /projects/<id>/channels/


@pytest.fixture
def in_use(api, world, catalog):
    """@foo and *120*321# used by the project, @bar by the other project."""
    attach(api, world, catalog.foo, world.project)
    attach(api, world, catalog.ussd, world.project)
    attach(api, world, catalog.bar, world.other)
    return SimpleNamespace(foo=attached(catalog.foo, world.project), ussd=attached(catalog.ussd, world.project),
                           bar=attached(catalog.bar, world.other))


@pytest.mark.parametrize("name", ["root", "granted_admin", "project_admin", "project_reader", "project_writer",
                                  "dialogue_reader", "dialogue_writer"])
def test_project_channels_lists_exactly_the_projects_channels(api, world, in_use, name):
    token = world.root if name == "root" else world.tokens[name]

    body = _ok(api.get(f"/projects/{world.project}/channels/", token=token))

    assert body == [in_use.foo, in_use.ussd]


def test_project_channels_of_the_other_project(api, world, in_use):
    assert _ok(api.get(f"/projects/{world.other}/channels/", token=world.tokens["other_admin"])) == [in_use.bar]


def test_a_project_without_channels_lists_none(api, world, catalog):
    assert _ok(api.get(f"/projects/{world.project}/channels/", token=world.tokens["project_reader"])) == []


@pytest.mark.parametrize("name", ["nobody", "creator", "other_admin"])
def test_project_channels_are_refused_to_callers_who_do_not_see_the_project(api, world, in_use, name):
    status, body = api.get(f"/projects/{world.project}/channels/", token=world.tokens[name])

    assert (status, body["type"]) == (403, "forbidden")


def test_project_channels_of_a_missing_project_is_404(api, world):
    status, body = api.get("/projects/999/channels/", token=world.root)

    assert (status, body) == (404, {"type": "not_found", "message": "Project 999 not found", "details": {"id": "999"}})


# GET /channels/<id>


@pytest.mark.parametrize("name", ["root", "project_reader", "dialogue_reader", "project_admin"])
def test_a_channel_is_shown_to_callers_who_see_the_project_using_it(api, world, in_use, name):
    token = world.root if name == "root" else world.tokens[name]

    assert _ok(api.get(f"/channels/{in_use.foo['id']}", token=token)) == in_use.foo


@pytest.mark.parametrize("name", ["other_admin", "nobody", "creator"])
def test_a_channel_is_refused_to_callers_who_do_not_see_the_project_using_it(api, world, in_use, name):
    status, body = api.get(f"/channels/{in_use.foo['id']}", token=world.tokens[name])

    assert (status, body["type"]) == (403, "forbidden")


def test_a_free_channel_is_shown_only_to_admins(api, world, catalog):
    assert _ok(api.get(f"/channels/{catalog.foo['id']}", token=world.tokens["granted_admin"])) == catalog.foo
    status, body = api.get(f"/channels/{catalog.foo['id']}", token=world.tokens["project_admin"])
    assert (status, body["type"]) == (403, "forbidden")


# GET /providers/<id>


def test_a_provider_is_shown_to_an_admin_with_all_its_channels(api, world, in_use, catalog):
    _ok(api.post("/channels/", {"provider_id": catalog.twitter["id"], "title": "@free", "address": "@free",
                                "type": "twitter"}, token=world.root), 201)

    body = _ok(api.get(f"/providers/{catalog.twitter['id']}", token=world.root))

    free = [channel for channel in _ok(api.get("/channels/", token=world.root)) if channel["title"] == "@free"]
    assert body == {**catalog.twitter, "channels": [without_provider(in_use.foo), without_provider(in_use.bar),
                                                    without_provider(free[0])]}
    assert body["channels"][0] == {"id": catalog.foo["id"], "url": f"/channels/{catalog.foo['id']}",
                                   "project_id": world.project, "title": "@foo", "address": "@foo",
                                   "type": "twitter", "is_available": True}


@pytest.mark.parametrize(("name", "expected"), [
    ("project_reader", "foo"),
    ("dialogue_reader", "foo"),
    ("other_admin", "bar"),
])
def test_a_provider_is_shown_with_only_the_callers_projects_channels(api, world, in_use, catalog, name, expected):
    body = _ok(api.get(f"/providers/{catalog.twitter['id']}", token=world.tokens[name]))

    assert body == {**catalog.twitter, "channels": [without_provider(getattr(in_use, expected))]}


def test_a_provider_is_refused_to_callers_without_a_project_using_its_channels(api, world, in_use, catalog):
    for name in ("nobody", "creator"):
        status, body = api.get(f"/providers/{catalog.twitter['id']}", token=world.tokens[name])
        assert (status, body["type"]) == (403, "forbidden")
    status, body = api.get(f"/providers/{catalog.mtn['id']}", token=world.tokens["other_admin"])
    assert (status, body["type"]) == (403, "forbidden")


def test_a_provider_without_channels_is_shown_to_an_admin(api, world, catalog):
    provider = _ok(api.post("/providers/", {"title": "Vodacom ZA"}, token=world.root), 201)

    assert _ok(api.get(f"/providers/{provider['id']}", token=world.root)) == {**provider, "channels": []}


# Unknown ids


@pytest.mark.parametrize(("method", "path", "kind"), [
    ("GET", "/channels/{}", "Channel"),
    ("PUT", "/channels/{}", "Channel"),
    ("PATCH", "/channels/{}", "Channel"),
    ("GET", "/providers/{}", "Provider"),
])
@pytest.mark.parametrize("missing", ["999", "abc"])
def test_an_unknown_channel_or_provider_is_404(api, world, catalog, method, path, kind, missing):
    body = {"GET": None, "PUT": {"project_id": world.project}, "PATCH": replace_project(world.project)}[method]

    status, answer = api.call(method, path.format(missing), body, token=world.root)

    assert (status, answer) == (404, {"type": "not_found", "message": f"{kind} {missing} not found",
                                      "details": {"id": missing}})
