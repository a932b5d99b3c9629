"""A stand-in for the AWS Lambda Python runtime, run in a clean interpreter (`python -I -S`): it sees only the
unpacked asset zip (the task root) and what the runtime adds (boto3 and botocore), never the project's venv.

It reads one JSON command per line on stdin and answers one JSON line on stdout:
  {"op": "resolve", "handlers": ["app.app", ...]}   which handlers resolve to callables, and which are the same
  {"op": "invoke", "handler": "app.app", "event": {...}}   the handler's answer and the AWS calls it made
  {"op": "call", "function": "module.name", "args": [...]}   an operator's one-off in the function's shape
  {"op": "clock", "at": "2026-12-01T00:00:00+00:00"}   the platform clock stopped at a time, as `make job NOW=`
Every AWS call is recorded through botocore's event hooks (`before-parameter-build`, which presigned URLs pass
through too); presigned POSTs, which are signed without a call, are recorded where botocore builds them.
This file imports nothing of the project: the task root is put on sys.path first, as Lambda does."""
import importlib
import json
import os
import sys
import time
import traceback
import uuid

TASK_ROOT, RUNTIME_PACKAGES = sys.argv[1], sys.argv[2]
sys.dont_write_bytecode = True  # Lambda's task root is read-only: modules load from the zip's bytecode or compile
sys.path[:0] = [TASK_ROOT, RUNTIME_PACKAGES]
os.chdir(TASK_ROOT)

import botocore.session  # noqa: E402  (after the paths: the zip's botocore, as on Lambda)
import botocore.signers  # noqa: E402

calls: list[dict] = []
_clock = None  # set_clock's, passed to each invocation after it


def _plain(value):
    """Request parameters as JSON can carry them: bodies become their length."""
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    return repr(value)


def _record(params=None, model=None, **_):
    if _presigning:
        return
    # Copied now: botocore goes on to change the dict it passed.
    copied = json.loads(json.dumps(params, default=_plain))
    calls.append({"service": model.service_model.signing_name, "operation": model.name, "params": copied})


_session_init = botocore.session.Session.__init__


def _recording_session(self, *args, **kwargs):
    _session_init(self, *args, **kwargs)
    self.register("before-parameter-build", _record)


botocore.session.Session.__init__ = _recording_session
_presigned_post = botocore.signers.generate_presigned_post


_presigning: list[bool] = []


def _recorded_presigned_post(self, Bucket, Key, *args, **kwargs):  # noqa: N803 (botocore's names)
    calls.append({"service": "s3", "operation": "PresignedPost", "params": {"Bucket": Bucket, "Key": Key}})
    # botocore builds the POST's URL through CreateBucket's model, which would record a call never made.
    _presigning.append(True)
    try:
        return _presigned_post(self, Bucket, Key, *args, **kwargs)
    finally:
        _presigning.pop()


botocore.signers.generate_presigned_post = _recorded_presigned_post


class LambdaContext:
    """What the runtime hands a handler as `context`."""

    def __init__(self):
        name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function")
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{os.environ.get('AWS_REGION')}:123456789012:function:{name}"
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "rehearsal"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def _handler(name: str):
    module, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def resolve(handlers: list[str]) -> dict:
    found = {}
    for name in handlers:
        try:
            handler = _handler(name)
        except Exception as error:  # noqa: BLE001  (the answer says what failed)
            found[name] = {"callable": False, "error": f"{type(error).__name__}: {error}"}
            continue
        found[name] = {"callable": callable(handler), "identity": id(handler)}
    return found


def invoke(handler: str, *arguments) -> dict:
    from contextlib import nullcontext

    from chalicelib.core.collaborators import using

    calls.clear()
    if os.environ.get("AWS_XRAY_DAEMON_ADDRESS"):
        # Lambda hands each invocation of a traced function its trace header (sampled) through this variable.
        os.environ["_X_AMZN_TRACE_ID"] = (f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};"
                                          f"Parent={uuid.uuid4().hex[:16]};Sampled=1")
    try:
        with using(clock=_clock) if _clock else nullcontext():
            result = _handler(handler)(*arguments)
    except Exception:  # noqa: BLE001  (Lambda reports it as a function error)
        return {"error": traceback.format_exc(), "calls": list(calls)}
    return {"result": result, "calls": list(calls)}


def set_clock(at: str) -> dict:
    from datetime import datetime

    from chalicelib.core import clock

    global _clock
    _clock = clock.FixedClock(datetime.fromisoformat(at))
    return {"clock": at}


def main() -> None:
    # The protocol keeps the real stdout; what the app prints goes to stderr, as Lambda sends both to its logs.
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    # Lambda's runtime writes what a handler prints straight through (awslambdaric's Unbuffered); EMF is printed.
    sys.stdout.reconfigure(line_buffering=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "resolve":
            answer = resolve(command["handlers"])
        elif command["op"] == "invoke":
            answer = invoke(command["handler"], command["event"], LambdaContext())
        elif command["op"] == "clock":
            answer = set_clock(command["at"])
        else:
            answer = invoke(command["function"], *command["args"])
        protocol.write(json.dumps(answer, default=_plain) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
