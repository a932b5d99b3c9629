"""The DynamoDB round trips of each /api/auth route's success path: at most 3 (a transaction or a BatchGetItem
counts as one), with no exception. Mailing a link reads the email's claim and its account, then counts the mail and
stores the link's token in one transaction; a reset reads its token and its account, then writes once (clearing the
sign-in failures in the same transaction, and answering the new token version it conditioned on); a verification
reads its token and the email's claim (which carries the account's token version), then writes once.

Not counted: the UpdateItem on the `counters` table by which a process reserves a block of 100 ids
(core/counters.py). A registration pays it once per 100 accounts in a process, not per request."""
from chalicelib.accounts import contracts as c
from tests.mailbox import PASSWORD, memory_verification_token
from tests.round_trips import counted


def test_no_route_may_take_more_than_three():
    assert [name for name, contract in vars(c).items() if getattr(contract, "round_trips", 3) > 3] == []


def test_each_route_takes_at_most_three_round_trips(api, outbox, aws_calls):
    """Every route in the order a user meets them: register, verify, sign in, refresh, me, forget, reset."""
    measured = []

    def walk(contract, method, path, body=None, token=None):
        trips, answer = counted(api, aws_calls, method, path, body, token)
        measured.append((contract, method, path, trips))
        return answer

    email = "walker@example.com"
    walk(c.REGISTER, "POST", "/api/auth/register/", {"fullname": "Wally Walker", "email": email,
                                                      "password": PASSWORD})
    walk(c.RESEND, "POST", "/api/auth/verify/", {"email": email})
    token = memory_verification_token(email)
    walk(c.VERIFICATION_EMAIL, "GET", f"/api/auth/verify/{token}/")
    walk(c.VERIFY, "POST", f"/api/auth/verify/{token}/", {"password": PASSWORD})
    tokens = walk(c.LOGIN, "POST", "/api/auth/login/", {"email": email, "password": PASSWORD})["data"]
    walk(c.REFRESH, "POST", "/api/auth/refresh/", {"refresh_token": tokens["refresh_token"]})
    walk(c.ME, "GET", "/api/auth/me/", token=tokens["access_token"])
    link = walk(c.FORGOT, "POST", "/api/auth/forgot/", {"email": email})["data"]["reset_url"]
    reset = link.rstrip("/").rsplit("/", 1)[1]
    walk(c.RESET_EMAIL, "GET", f"/api/auth/reset/{reset}/")
    walk(c.RESET, "POST", f"/api/auth/reset/{reset}/", {"password": "another-twelve-pw"})
    over = [(method, path, trips) for contract, method, path, trips in measured if trips > contract.round_trips]
    assert not over, over
