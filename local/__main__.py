"""`make run`: start (or reuse) the helper services, prepare tables and admin, fire jobs, serve the API."""
import logging
import os
import signal
import sys
import threading
import time

from local import stack
from local.events import scheduled_event
from local.services import ROOT, port_is_free, start_dynamodb_local, start_moto

LOCAL_ACCOUNT = "000000000000"
# Fixed ports, so that URLs in notes and tools stay valid across restarts; each can be set in the shell.
PORTS = {"PORT": 8000, "DYNAMODB_PORT": 8001, "MOTO_PORT": 8002}


def _port(name: str) -> int:
    port = int(os.environ.get(name, PORTS[name]))
    if not port_is_free(port):
        raise SystemExit(f"127.0.0.1:{port} is in use: stop what holds it (`make status` shows a running stack), "
                         f"or set {name} to a free port")
    return port


def _services(started: list) -> dict:
    """Start what the shell does not already point at (into `started`); return every endpoint."""
    endpoints = {}
    if os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"):
        endpoints["DYNAMODB"] = os.environ["AWS_ENDPOINT_URL_DYNAMODB"]
    else:
        started.append(start_dynamodb_local(stack.STATE_DIR / "dynamodb", _port("DYNAMODB_PORT")))
        endpoints["DYNAMODB"] = started[-1].url
    if os.environ.get("AWS_ENDPOINT_URL_S3"):
        endpoints["S3"] = os.environ["AWS_ENDPOINT_URL_S3"]
    else:
        started.append(start_moto(_port("MOTO_PORT"), stack.STATE_DIR / "s3"))
        endpoints.update({name: started[-1].url for name in stack.ENDPOINT_SERVICES if name != "DYNAMODB"})
    return endpoints


def _fire_jobs(stop: threading.Event) -> None:
    """The local stand-in for EventBridge: when a job's rate comes round, call its handler in app.py with a
    scheduled event, as its rule does in AWS."""
    import app
    from chalicelib.jobs import JOBS, handler_name

    due = {name: time.monotonic() + job.every_minutes * 60 for name, job in JOBS.items()}
    while not stop.wait(5):
        for name, job in JOBS.items():
            if time.monotonic() >= due[name]:
                due[name] += job.every_minutes * 60
                try:
                    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
                    getattr(app, handler_name(name))(scheduled_event(name, LOCAL_ACCOUNT, region), None)
                except Exception:  # a failing job is reported and retried at its next turn, as in AWS
                    logging.exception("job %s failed", name)


def _stop(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    # However it was started: a shell starts a background job with SIGINT ignored, which Python would keep.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    port = _port("PORT")
    started: list = []
    stop = threading.Event()
    try:
        endpoints = _services(started)
        env = stack.local_environment(endpoints, port)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        from chalice.cli.factory import CLIFactory
        from chalice.local import ChaliceRequestHandler, ThreadedHTTPServer, create_local_server

        from app import app
        from chalicelib.jobs import JOBS
        from local import gateway, logs

        logs.file_lines(stack.STATE_DIR / "logs")

        stack.prepare(env)
        env["LOCAL_JOBS"] = ", ".join(JOBS)
        stack.save(env)
        threading.Thread(target=_fire_jobs, args=(stop,), daemon=True).start()
        config = CLIFactory(str(ROOT)).create_config_obj(chalice_stage_name="dev")
        # socketserver's default backlog of 5 resets connections when a client opens many at once.
        ThreadedHTTPServer.request_queue_size = 128
        # Each request is printed once, by its log line's short form (local/logs.py), not again by the server.
        ChaliceRequestHandler.log_message = lambda *args: None  # type: ignore[method-assign]
        gateway.install()
        server = create_local_server(app, config, "127.0.0.1", port)
        print(stack.summary(env), flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut the stopping short
        stop.set()
        stack.STACK_FILE.unlink(missing_ok=True)
        for service in reversed(started):
            service.stop()
            print(f"stopped {service.name}")


if __name__ == "__main__":
    main()
