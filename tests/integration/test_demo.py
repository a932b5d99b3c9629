"""`make demo`: the walkthrough that README.md and docs/<surface>.md show (docs/walkthrough.sh) runs against the
local stack as pasted, every call answering the status the docs give, and runs again on the same stack."""
import json
import re
import subprocess

from tests.conftest import ROOT, bare_environment


def _demo(local_stack) -> subprocess.CompletedProcess:
    env = bare_environment(BASE_URL=local_stack.base_url, OUTBOX=str(local_stack.state_dir / "outbox"))
    return subprocess.run(["make", "--no-print-directory", "demo"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def _verified_account(stdout: str) -> dict:
    """The last `who am I` answer of a run: the walkthrough's account, after its reset."""
    answers = [json.loads(line) for line in stdout.splitlines() if re.match(r'\{"data":\{"user_id"', line)]
    return answers[-1]["data"]


def test_make_demo_walks_every_surface_and_runs_again_on_the_same_stack(local_stack):
    first = _demo(local_stack)
    second = _demo(local_stack)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert f"The walkthrough passed against {local_stack.base_url}." in second.stdout
    accounts = [_verified_account(first.stdout), _verified_account(second.stdout)]
    assert all(account["email_verified"] for account in accounts)
    assert accounts[0]["email"] != accounts[1]["email"]
