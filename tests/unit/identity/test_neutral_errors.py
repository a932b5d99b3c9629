"""Identity speaks no surface's dialect: every code it raises is a neutral lower_snake_case name, each surface
maps it to its own document's key, and no identity module imports a surface."""
import ast
import inspect
import re

import pytest

from chalicelib.accounts.errors import render
from chalicelib.core import errors as core_errors
from chalicelib.core.errors import ApiError
from chalicelib.dialogues import users as dialogue_users
from chalicelib.identity import errors
from tests.conftest import ROOT

IDENTITY = ROOT / "chalicelib" / "identity"
SURFACES = ("accounts", "recordings", "nearby", "content_requests", "coaching", "dialogues")
NEUTRAL = re.compile(r"[a-z]+(_[a-z0-9]+)*")
CLASSES = [cls for _, cls in inspect.getmembers(errors, inspect.isclass)
           if issubclass(cls, ApiError) and cls.__module__ == errors.__name__]

# Each identity error, and the status and key /api/auth (and recordings, which shares its envelope) answers.
AUTH_ANSWERS = [
    (errors.EmailTaken(), 409, "AUTH_EMAIL_EXISTS"),
    (errors.WrongPassword(), 401, "AUTH_INCORRECT_PASSWORD"),
    (errors.EmailUnknown(), 401, "AUTH_EMAIL_DOES_NOT_EXIST"),
    (errors.AccountNotFound(), 404, "USER_DOES_NOT_EXIST"),
    (errors.UnknownAccount(), 401, "GENERAL_UNKNOWN_JWT_USER"),
    (errors.TokenInvalid("The refresh token was already used"), 401, "AUTH_TOKEN_INVALID"),
    (errors.LinkNotFound(), 404, "TOKEN_404"),
    (errors.LinkUsed(), 410, "TOKEN_USED"),
    (errors.LinkExpired(), 410, "TOKEN_EXPIRED"),
    (errors.MailFailed(), 502, "ISSUE_SENDING_EMAIL"),
    (errors.Contended("try again"), 409, "GENERAL_TRY_AGAIN"),
    (errors.AdminRequired(), 403, "GENERAL_ADMIN_REQUIRED"),
    (errors.TooManyAttempts(60), 429, "AUTH_TOO_MANY_ATTEMPTS"),
    (errors.TooManyMails(60, 5), 429, "AUTH_TOO_MANY_EMAILS"),
]


def _modules() -> list[tuple[str, ast.Module]]:
    return [(path.name, ast.parse(path.read_text(), str(path))) for path in sorted(IDENTITY.glob("*.py"))]


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def test_every_identity_error_class_has_a_neutral_code_and_is_a_core_error():
    assert len(CLASSES) >= 10
    for cls in CLASSES:
        assert NEUTRAL.fullmatch(cls.CODE), cls
        assert cls.status == next(base for base in cls.__mro__[1:] if base.__module__ == core_errors.__name__).status


def test_every_identity_error_is_in_the_answer_table_with_its_own_code():
    assert sorted(type(error).__name__ for error, _, _ in AUTH_ANSWERS) == sorted(cls.__name__ for cls in CLASSES)
    for error, _, _ in AUTH_ANSWERS:
        assert error.code == type(error).CODE
        assert error.errors == [error.code]


def test_every_error_raised_in_identity_names_a_neutral_code():
    """Any error class called in an identity module: an identity one (its CODE), or a core one given a literal
    code, which must be neutral too."""
    identity_classes = {cls.__name__: cls for cls in CLASSES}
    core_classes = {name for name, cls in inspect.getmembers(core_errors, inspect.isclass)
                    if issubclass(cls, ApiError)}
    codes = {}
    for module, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _name(node.func) is None:
                continue
            name = _name(node.func)
            if name in identity_classes:
                codes[identity_classes[name].CODE] = module
            elif name in core_classes:
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (module, node.lineno)
                codes[first.value] = module
    assert {"email_taken", "wrong_password", "link_used", "too_many_mails", "contended"} <= set(codes)
    assert [code for code in codes if not NEUTRAL.fullmatch(code)] == []


@pytest.mark.parametrize(("error", "status", "key"), AUTH_ANSWERS, ids=lambda value: getattr(value, "code", None))
def test_the_auth_surface_renders_each_neutral_code_as_its_documented_key(error, status, key):
    answer = render(error)
    assert (answer.status_code, answer.body) == (status, {"data": None, "meta": {"success": False, "errors": [key]}})


def test_the_dialogues_tell_exactly_the_link_problems_a_reset_confirmation_can_meet():
    assert set(dialogue_users._TOKEN_PROBLEMS) == {errors.LinkNotFound.CODE, errors.LinkUsed.CODE,
                                                   errors.LinkExpired.CODE}


def test_no_identity_module_imports_a_surface():
    found = []
    for module, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, (module, node.lineno)  # relative imports would hide where they lead
                names = [node.module or ""] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [(module, name) for name in names
                      if any(name == f"chalicelib.{s}" or name.startswith(f"chalicelib.{s}.") for s in SURFACES)]
    assert found == []


def test_the_package_imports_nothing_when_imported():
    tree = ast.parse((IDENTITY / "__init__.py").read_text())
    assert [type(node) for node in tree.body] == [ast.Expr]  # its docstring alone
