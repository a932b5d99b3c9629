"""Cold-start cost of the Lambda: `import app` against the libraries any such app imports.

Prints the median time from starting a fresh interpreter to the end of its imports, over alternating runs, and the
median of the pairs' ratios with its range. The interpreter's exit is not counted: a Lambda never pays it, and
app.py's frozen collector makes it shorter, which would flatter the app.
"""
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 21
APP = "import app"
BASELINE = "import chalice, boto3, pynamodb.models, jwt"


def once(code: str) -> float:
    start = time.time()
    done = subprocess.run([sys.executable, "-c", f"{code}; import time; print(time.time())"], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return float(done.stdout.split()[-1]) - start


def main() -> None:
    once(APP), once(BASELINE)  # warm the file cache and .pyc files
    app_times, base_times = [], []
    for _ in range(RUNS):
        app_times.append(once(APP))
        base_times.append(once(BASELINE))
    app_ms, base_ms = statistics.median(app_times) * 1000, statistics.median(base_times) * 1000
    ratios = sorted(a / b for a, b in zip(app_times, base_times, strict=True))
    print(f"cold start, {RUNS} interleaved pairs of fresh interpreters:")
    print(f"  python -c '{APP}': median {app_ms:.0f} ms")
    print(f"  python -c '{BASELINE}': median {base_ms:.0f} ms")
    print(f"  ratio per pair: median {statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f}) (goal 1.15)")


if __name__ == "__main__":
    main()
