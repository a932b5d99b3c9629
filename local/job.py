"""`make job NAME=<job> [NOW=<ISO time>]`: run one scheduled job once against the running local stack."""
import argparse
import os
import sys
from datetime import datetime, timezone

from local import stack
from local.services import ROOT


def _when(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(prog="make job", description=__doc__)
    parser.add_argument("name", nargs="?", help="the job to run; leave out to list them")
    parser.add_argument("--now", type=_when, help="the time the job sees (ISO 8601; default: now)")
    args = parser.parse_args(argv)
    if args.name:
        os.environ.update(stack.load())  # before any import: table names come from it
    sys.path.insert(0, str(ROOT))
    import app  # noqa: F401  (registers every surface's models and jobs)
    from chalicelib.core import clock, telemetry
    from chalicelib.jobs import JOBS
    from local import logs

    if not args.name or args.name not in JOBS:
        if args.name:
            print(f"no job named {args.name!r}")
        print("jobs:" if JOBS else "jobs: none yet")
        for job in JOBS.values():
            print(f"  {job.name:<28} every {job.every_minutes} min  {job.description}")
        return 1 if args.name else 0
    now = args.now or clock.now()
    logs.file_lines(stack.STATE_DIR / "logs")  # the run's line, and its short form here
    print(f"{args.name} at {now.isoformat()}", flush=True)
    telemetry.job_run(args.name, lambda: JOBS[args.name].run(now))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
