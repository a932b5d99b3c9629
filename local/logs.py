"""`make run`'s log lines: the JSON lines the Lambda writes, filed in `.local/logs/` (api.jsonl, jobs.jsonl), and a
short readable form of each on the console."""
import logging
import sys
from pathlib import Path

from chalicelib.core import telemetry


def file_lines(directory: Path) -> None:
    """Send the platform's lines to `directory` (requests and the rest to api.jsonl, jobs to jobs.jsonl) and the
    console, instead of stdout as on Lambda."""
    directory.mkdir(parents=True, exist_ok=True)
    formatter = telemetry.logger.registered_formatter
    handlers: list[logging.Handler] = []
    for name, wanted in (("api.jsonl", False), ("jobs.jsonl", True)):
        handler = logging.FileHandler(directory / name, encoding="utf-8")
        handler.setFormatter(formatter)
        handler.addFilter(lambda record, wanted=wanted: (getattr(record, "kind", None) == telemetry.JOB) == wanted)
        handlers.append(handler)
    console = logging.StreamHandler(sys.stdout)
    console.setFormatter(Readable())
    telemetry.send_lines_to([*handlers, console])


class Readable(logging.Formatter):
    """One short line: `GET /api/auth/me 200 12 ms dynamodb 2 (account 3)`, or a job's counts; errors add their
    exception's last line (the trace is in the file)."""

    def format(self, record: logging.LogRecord) -> str:
        line = self._line(record)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line += f"  !! {type(error).__name__}: {error}"
        return line

    @staticmethod
    def _line(record: logging.LogRecord) -> str:
        fields = vars(record)
        if fields.get("kind") == telemetry.REQUEST:
            account = f" (account {fields['account_id']})" if fields.get("account_id") else ""
            return (f"{fields['method']} {fields['route']} {fields['status']} {fields['latency_ms']:.0f} ms"
                    f" dynamodb {fields['dynamodb_calls']}{account}")
        if fields.get("kind") == telemetry.JOB and "job" in fields:
            return (f"job {fields['job']}: seen {fields['seen']}, changed {fields['changed']}, "
                    f"failed {fields['failed']}")
        return f"{record.levelname.lower()}: {record.getMessage()}"
