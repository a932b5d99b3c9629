"""Cold start of the packaged Lambda: `import app` from the deployment zip as `chalice package` writes it (sources,
and stale bytecode of the source tree) against the same zip with its bytecode (infra/bytecode.py).

Each runs in a clean interpreter that sees the unpacked zip and the runtime's boto3 and botocore only, and writes no
bytecode (Lambda's task root is read-only), timed from the interpreter's start to the end of the import. Prints the
medians of interleaved pairs and the median of the pairs' ratios with its range."""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAIRS = int(os.environ.get("PAIRS", "15"))
CHILD = ("import sys, time; sys.dont_write_bytecode = True; sys.path[:0] = sys.argv[1:3]; import app; "
         "print(time.time())")


def package(into: Path) -> Path:
    """`chalice package`'s deployment zip of the dev stage."""
    subprocess.run([str(Path(sys.executable).with_name("chalice")), "package", "--stage", "dev", str(into)],
                   cwd=ROOT, check=True, capture_output=True, env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"})
    return into / "deployment.zip"


def once(task_root: Path, runtime: Path) -> float:
    env = {"PATH": os.environ["PATH"], "STAGE": "dev", "AWS_DEFAULT_REGION": "us-east-1",
           "LAMBDA_TASK_ROOT": str(task_root), "POWERTOOLS_TRACE_DISABLED": "true"}
    start = time.time()
    done = subprocess.run([sys.executable, "-I", "-S", "-c", CHILD, str(task_root), str(runtime)], cwd=task_root,
                          env=env, check=True, capture_output=True, text=True)
    return float(done.stdout.split()[-1]) - start


def main() -> None:
    from infra.bytecode import with_bytecode
    from tests.rehearsal.lambdas import runtime_packages

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        sources = package(work / "package")
        compiled = work / "compiled.zip"
        shutil.copy(sources, compiled)
        with_bytecode(compiled)
        roots = {}
        for name, archive in (("sources", sources), ("bytecode", compiled)):
            roots[name] = work / name
            zipfile.ZipFile(archive).extractall(roots[name])
        runtime = runtime_packages(work / "runtime")
        for root in roots.values():
            once(root, runtime)  # the file cache
        times: dict[str, list[float]] = {name: [] for name in roots}
        for _ in range(PAIRS):
            for name, root in roots.items():
                times[name].append(once(root, runtime))
    ratios = sorted(a / b for a, b in zip(times["sources"], times["bytecode"], strict=True))
    print(f"`import app` from the Lambda zip, {PAIRS} interleaved pairs (no bytecode written, as on Lambda):")
    for name in roots:
        print(f"  {name:<9} median {statistics.median(times[name]) * 1000:.0f} ms")
    print(f"  sources/bytecode per pair: median {statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f})")


if __name__ == "__main__":
    main()
