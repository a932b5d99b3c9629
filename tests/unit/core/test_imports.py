"""core/imports.py: services imported on their first use."""
import sys
import threading

import pytest

from chalicelib.core.imports import deferred


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package `lazypkg` whose modules `first` and `second` count how often they were executed."""
    root = tmp_path / "lazypkg"
    root.mkdir()
    (root / "__init__.py").write_text("executed = []\n")
    for name in ("first", "second"):
        (root / f"{name}.py").write_text(
            f"import time\nfrom lazypkg import executed\ntime.sleep(0.05)\nexecuted.append({name!r})\n"
            f"VALUE = {name!r}\ndef shout(text):\n    return text.upper()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "lazypkg"
    for name in [name for name in sys.modules if name.split(".")[0] == "lazypkg"]:
        del sys.modules[name]


def test_a_deferred_module_is_imported_on_its_first_attribute_read_only(package):
    first, second = deferred(package, "first second")
    import lazypkg

    assert lazypkg.executed == []
    assert first.VALUE == "first"
    assert first.shout("hi") == "HI"
    assert lazypkg.executed == ["first"]
    assert "lazypkg.second" not in sys.modules


def test_threads_reading_a_deferred_module_at_once_import_it_once(package):
    (first,) = deferred(package, "first")
    import lazypkg

    threads = [threading.Thread(target=lambda: first.VALUE) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert lazypkg.executed == ["first"]


def test_a_patch_of_the_module_is_seen_through_its_deferred_name(package, monkeypatch):
    (first,) = deferred(package, "first")
    import lazypkg.first

    monkeypatch.setattr(lazypkg.first, "VALUE", "patched")

    assert first.VALUE == "patched"


def test_a_deferred_name_refuses_attributes_of_its_own(package):
    (first,) = deferred(package, "first")

    with pytest.raises(AttributeError):
        first.VALUE = "shadowed"
    assert first.VALUE == "first"
