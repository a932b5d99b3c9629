"""The Lambda zip with its bytecode: every module's `.pyc` beside its source, as pip leaves them on install.

`chalice package` zips sources only (its wheels are unpacked, never compiled) and stamps every entry 1980-01-01.
Lambda's task root is read-only, so without bytecode each cold start compiles every module of the zip (about 250 for
`import app`), and a `.pyc` carried over from the source tree is stale by its timestamp. Unchecked-hash `.pyc` files
are used as they are, whatever the file times (PEP 552)."""
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from chalice.cdk import Chalice

# The times `chalice package` gives every entry, kept so that the same sources give the same zip.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TASK_ROOT = "/var/task"


def with_bytecode(archive: Path) -> None:
    """Rewrite `archive` with a fresh unchecked-hash `.pyc` for each `.py` (and none of the stale ones)."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(archive) as source:
            modes = {info.filename: info.external_attr for info in source.infolist()}
            for name in source.namelist():
                if "__pycache__/" not in name:
                    source.extract(name, root)
        # A fixed hash seed: sets and frozensets of strings marshal in one order, so one source gives one zip.
        # Each module's file name inside its bytecode (tracebacks show it) is where Lambda unpacks the zip.
        command = [sys.executable, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                   "-s", str(root), "-p", TASK_ROOT, str(root)]
        subprocess.run(command, check=True, env={**os.environ, "PYTHONHASHSEED": "0"},  # noqa: S603  (fixed)
                       stdout=subprocess.DEVNULL)
        files = sorted(path for path in root.rglob("*") if path.is_file())
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as target:
            for path in files:
                name = path.relative_to(root).as_posix()
                info = zipfile.ZipInfo(name, ZIP_TIME)
                info.external_attr = modes.get(name, 0o644 << 16)
                info.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(info, path.read_bytes())


class CompiledChalice(Chalice):
    """Chalice's CDK construct, its deployment zip carrying bytecode (`with_bytecode`) before CDK stages it."""

    def _package_app(self) -> None:
        super()._package_app()
        with_bytecode(Path(self._sam_package_dir) / "deployment.zip")
