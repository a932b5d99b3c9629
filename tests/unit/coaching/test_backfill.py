"""`make backfill` for coaching (local/backfill.py): records stored before `listing`, `listed_by` and `coach_id`
existed are missing from the listings those keys serve; the backfill writes them as a create would, once."""
from chalicelib.coaching.models import CoachingUser, HelpRequest, Media, Message, Org, Task
from local import backfill
from tests.unit.coaching.conftest import store
from tests.unit.coaching.test_roles import snapshots, stage  # noqa: F401  (snapshots: the fixture stage uses)


def _as_stored_before(ids) -> None:
    """Take away the keys later versions added, from a record of each kind."""
    CoachingUser.get(ids["client"]).update(actions=[CoachingUser.listing.remove(), CoachingUser.listed_by.remove()])
    for model, name in ((Task, "task"), (Message, "message"), (HelpRequest, "request")):
        model.get(ids[name]).update(actions=[model.listing.remove(), model.coach_id.remove()])
    Org.get(ids["org"]).update(actions=[Org.listing.remove()])
    Media.get(ids["media"]).update(actions=[Media.listing.remove()])


def _listed(api, tokens) -> dict[str, set[int]]:
    listings = {f"{who} {kind}": api.get(f"/api/{kind}", token=tokens[who])
                for who in ("root", "coach") for kind in ("tasks", "messages", "requests", "users")}
    listings["root orgs"], listings["root media"] = api.get("/api/orgs", token=tokens["root"]), api.get(
        "/api/media", token=tokens["root"])
    assert all(status == 200 for status, _ in listings.values()), listings
    return {name: {item["id"] for item in body} for name, (_, body) in listings.items()}


def test_the_backfill_puts_older_records_back_in_every_listing_as_a_create_wrote_them(stage, api):  # noqa: F811
    scene = stage("full")
    ids, tokens = scene.ids, scene.tokens
    written, listed = store(), _listed(api, tokens)
    _as_stored_before(ids)
    missing = _listed(api, tokens)
    assert ids["task"] not in missing["root tasks"] | missing["coach tasks"]
    assert ids["client"] not in missing["root users"] | missing["coach users"]
    assert ids["org"] not in missing["root orgs"]

    tally = backfill.coaching()

    assert tally.changed == 2 + 2 * 3 + 2 and tally.failed == 0  # the client's 2 keys, 3 records' 2, org and media
    assert _listed(api, tokens) == listed
    assert store() == written


def test_a_second_backfill_writes_nothing(stage):  # noqa: F811
    scene = stage("full")
    _as_stored_before(scene.ids)
    backfill.coaching()
    written = store()

    tally = backfill.coaching()

    assert (tally.changed, tally.failed) == (0, 0)
    assert store() == written
