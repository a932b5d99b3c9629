"""The template's Lambda functions, each run as AWS runs it: the asset zip unpacked into a task root, loaded in a
clean interpreter that has only the zip and the runtime's boto3 and botocore, with the template's environment
(references resolved to the local stand-ins) and the variables the Lambda runtime sets."""
import importlib.util
import json
import os
import select
import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

from tests.rehearsal.template import REGION, Template

RUNTIME = Path(__file__).with_name("runtime.py")
# What the Lambda Python runtime puts beside the task root: boto3 and botocore, with what they need.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
INVOKE_SECONDS = 60


class TraceDaemon:
    """A stand-in for the X-Ray daemon Lambda runs beside a traced function: it keeps every segment document sent
    to it (UDP, `{"format": "json", "version": 1}` then the document)."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.socket.getsockname()[1]}"
        self.documents: list[dict] = []
        threading.Thread(target=self._receive, daemon=True).start()

    def _receive(self) -> None:
        while True:
            try:
                datagram = self.socket.recv(65536)
            except OSError:  # closed
                return
            self.documents.append(json.loads(datagram.split(b"\n", 1)[1]))

    def stop(self) -> None:
        self.socket.close()


def unpack(asset: Path, into: Path) -> Path:
    """The task root: the asset zip as Lambda unpacks it into /var/task."""
    with zipfile.ZipFile(asset) as package:
        package.extractall(into)
    return into


def runtime_packages(into: Path) -> Path:
    """A folder of only the runtime's own packages, linked from this venv's copies."""
    into.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PACKAGES:
        origin = Path(importlib.util.find_spec(name).origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (into / source.name).symlink_to(source)
    return into


def endpoints(dynamodb_url: str, moto_url: str) -> dict:
    """Where the functions' AWS clients go: DynamoDB Local, and moto's server for the rest."""
    others = ("S3", "SNS", "SQS", "SES", "SECRETS_MANAGER", "SSM")
    return {"AWS_ENDPOINT_URL_DYNAMODB": dynamodb_url, **{f"AWS_ENDPOINT_URL_{name}": moto_url for name in others}}


class Function:
    """One function of the template, started cold in its own interpreter: `invoke(event)` calls its handler."""

    def __init__(self, template: Template, logical: str, task_root: Path, runtime: Path, local: dict, log: Path,
                 traces: TraceDaemon):
        properties = template.resolve(template.resources[logical]["Properties"])
        self.logical, self.handler = logical, properties["Handler"]
        self.name = template.deployed[logical].ref
        self.environment = properties.get("Environment", {}).get("Variables", {})
        env = {**self.environment, **self._runtime_variables(properties), **local}
        if properties.get("Tracing") == "Active":  # as Lambda does for a function with active tracing
            env.update(AWS_XRAY_DAEMON_ADDRESS=traces.address, AWS_XRAY_CONTEXT_MISSING="LOG_ERROR")
        self.log = log
        with open(log, "a") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", str(RUNTIME), str(task_root), str(runtime)], cwd=task_root, env=env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=output, text=True)

    def _runtime_variables(self, properties: dict) -> dict:
        return {
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(properties.get("MemorySize", 128)),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_EXECUTION_ENV": f"AWS_Lambda_{properties['Runtime']}",
            "LAMBDA_TASK_ROOT": "/var/task", "TZ": ":UTC", "LANG": "en_US.UTF-8", "PATH": os.environ["PATH"],
            # The role's session credentials, as the runtime passes them (one key: DynamoDB Local keeps a database
            # per access key).
            "AWS_ACCESS_KEY_ID": "rehearsal", "AWS_SECRET_ACCESS_KEY": "rehearsal",
            "AWS_SESSION_TOKEN": f"role-of-{self.logical}", "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull}

    def ask(self, command: dict) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], INVOKE_SECONDS)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"{self.logical} gave no answer: {self.log.read_text()[-3000:]}")
        return json.loads(line)

    def invoke(self, event: dict) -> dict:
        """{"result": ...} or {"error": traceback}, with "calls": every AWS call the invocation made."""
        return self.ask({"op": "invoke", "handler": self.handler, "event": event})

    def call(self, function: str, *args) -> dict:
        """Run `function(*args)` of the task root in this function's process: an operator's one-off (seeding the
        platform admin), made with the function's environment."""
        return self.ask({"op": "call", "function": function, "args": list(args)})

    def clock(self, at: str) -> None:
        """Stop the platform clock of this function's process at `at` (ISO 8601), as `make job NOW=...` does."""
        self.ask({"op": "clock", "at": at})

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def principal(template: Template, logical: str) -> str:
    """The ARN of the role a function runs as."""
    return template.resolve(template.resources[logical]["Properties"]["Role"])

