"""infra/bytecode.py: the Lambda zip gains an unchecked-hash .pyc per module, the same zip for the same sources."""
import importlib
import sys
import zipfile
from pathlib import Path

from infra.bytecode import with_bytecode


def _package(path: Path) -> Path:
    """A zip as `chalice package` writes it: sources, 1980 times, and a stale .pyc from the source tree."""
    with zipfile.ZipFile(path, "w") as package:
        package.writestr(zipfile.ZipInfo("greeting.py", (1980, 1, 1, 0, 0, 0)), "WORD = 'hello'\n")
        package.writestr(zipfile.ZipInfo("lib/__init__.py", (1980, 1, 1, 0, 0, 0)), "")
        package.writestr(zipfile.ZipInfo(f"__pycache__/greeting.{sys.implementation.cache_tag}.pyc",
                                         (1980, 1, 1, 0, 0, 0)), b"stale")
    return path


def test_each_module_gets_an_unchecked_hash_pyc_in_place_of_any_stale_one(tmp_path):
    package = _package(tmp_path / "deployment.zip")

    with_bytecode(package)

    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(package) as rewritten:
        names = sorted(rewritten.namelist())
        greeting = rewritten.read(f"__pycache__/greeting.{tag}.pyc")
        times = {info.date_time for info in rewritten.infolist()}
    assert names == sorted(["greeting.py", f"__pycache__/greeting.{tag}.pyc", "lib/__init__.py",
                            f"lib/__pycache__/__init__.{tag}.pyc"])
    assert greeting[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(greeting[4:8], "little") == 1
    assert times == {(1980, 1, 1, 0, 0, 0)}


def test_the_bytecode_is_used_without_looking_at_the_source(tmp_path, monkeypatch):
    package = _package(tmp_path / "deployment.zip")
    with_bytecode(package)
    root = tmp_path / "task"
    zipfile.ZipFile(package).extractall(root)
    # The source changes after packaging; unchecked-hash bytecode is still what loads.
    (root / "greeting.py").write_text("WORD = 'changed'\n")
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)

    module = importlib.import_module("greeting")

    assert module.WORD == "hello" and module.__file__ == str(root / "greeting.py")
    monkeypatch.delitem(sys.modules, "greeting")


def test_the_same_sources_give_the_same_zip(tmp_path):
    first, second = _package(tmp_path / "first.zip"), _package(tmp_path / "second.zip")

    with_bytecode(first)
    with_bytecode(second)

    assert first.read_bytes() == second.read_bytes()
