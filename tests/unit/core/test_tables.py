"""core/tables.py: PynamoDB finds every model's attributes and indexes as inspect.getmembers would."""
import inspect

from pynamodb.attributes import Attribute, MapAttribute
from pynamodb.indexes import Index

import app  # noqa: F401  (registers every model)
from chalicelib.core import tables


def _subclasses(base: type) -> list[type]:
    found = []
    for sub in base.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_class_members_answers_what_getmembers_does_for_every_model_index_and_map():
    classes = [*tables.registered(), *_subclasses(Index), *_subclasses(MapAttribute)]
    chalicelib_classes = [cls for cls in classes if cls.__module__.startswith(("chalicelib", "pynamodb"))]

    assert len(tables.registered()) > 40
    for cls in chalicelib_classes:
        for kind in (Attribute, Index):
            def predicate(value, kind=kind):
                return isinstance(value, kind)

            assert tables.class_members(cls, predicate) == inspect.getmembers(cls, predicate), cls


def test_every_model_knows_its_attributes_and_indexes():
    for model in tables.registered():
        expected = dict(inspect.getmembers(model, lambda value: isinstance(value, Attribute)))
        assert model.get_attributes() == expected, model
        assert model._indexes == {index.Meta.index_name: index for _, index in  # noqa: SLF001
                                  inspect.getmembers(model, lambda value: isinstance(value, Index))}, model
