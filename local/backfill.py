"""`make backfill [STAGE=dev|prod]`: write the index keys that items stored before those keys existed lack
(chalicelib/core/backfill.py), on the running local stack, or with STAGE on that deployed stage's tables, with your
AWS credentials. Run it once after upgrading a stage; running it again changes nothing."""
import json
import os
import sys

from local import stack
from local.services import ROOT


def main(argv: list) -> int:
    if argv:
        variables = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"][argv[0]]
        os.environ["TABLE_PREFIX"] = variables["environment_variables"]["TABLE_PREFIX"]
    else:
        os.environ.update(stack.load())  # before any import: table names come from it
    sys.path.insert(0, str(ROOT))
    from chalicelib.coaching import backfill as coaching
    from chalicelib.content_requests import backfill as content_requests

    for name, run in (("coaching", coaching.run), ("content requests", content_requests.run)):
        tally = run()
        print(f"{name}: {tally.seen} items lacking a key, {tally.changed} written, {tally.failed} failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
