"""A synthesized CloudFormation template, read as CloudFormation reads it: resources by type, parameters with
their defaults, conditions, and intrinsic functions resolved against what the rehearsal deployed."""
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

ACCOUNT, REGION = "123456789012", "us-east-1"
PSEUDO = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": "aws",
          "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": None}


class Unresolvable(Exception):
    """A reference the rehearsal does not know how to resolve: a resource type it does not deploy."""


@dataclass
class Deployed:
    """What a resource is once deployed: its `Ref` value and its `Fn::GetAtt` attributes."""

    ref: str
    attributes: dict = field(default_factory=dict)


class Template:
    def __init__(self, path: Path, parameters: dict | None = None):
        self.path = path
        self.body = json.loads(path.read_text())
        self.stack_name = path.name.removesuffix(".template.json")
        self.resources: dict = self.body["Resources"]
        self.parameters = {name: spec.get("Default", "") for name, spec in self.body.get("Parameters", {}).items()}
        self.parameters.update(parameters or {})
        self.deployed: dict[str, Deployed] = {}

    def of_type(self, kind: str) -> dict[str, dict]:
        """Logical id → properties of every resource of `kind` that its condition keeps."""
        return {logical: resource.get("Properties", {}) for logical, resource in self.resources.items()
                if resource["Type"] == kind and self.kept(resource)}

    def kept(self, resource: dict) -> bool:
        return "Condition" not in resource or self.condition(resource["Condition"])

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.body["Conditions"][name]))

    def resolve(self, value):
        """`value` with every intrinsic function replaced by what it stands for."""
        if isinstance(value, list):
            return [item for item in map(self.resolve, value) if item is not None]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (name, argument), = value.items()
            function = _FUNCTIONS.get(name)
            if function:
                return function(self, argument)
        return {key: resolved for key, item in value.items() if (resolved := self.resolve(item)) is not None}

    def ref(self, name: str):
        if name in PSEUDO:
            return PSEUDO[name]
        if name == "AWS::StackName":
            return self.stack_name
        if name in self.parameters:
            return self.parameters[name]
        return self._deployed(name).ref

    def attribute(self, logical: str, attribute: str):
        deployed = self._deployed(logical)
        if attribute not in deployed.attributes:
            raise Unresolvable(f"{logical}.{attribute} ({self.resources[logical]['Type']})")
        return deployed.attributes[attribute]

    def _deployed(self, logical: str) -> Deployed:
        if logical not in self.deployed:
            raise Unresolvable(f"{logical} ({self.resources.get(logical, {}).get('Type', 'unknown')}) "
                               "is not deployed by the rehearsal")
        return self.deployed[logical]


def _get_att(template: Template, argument):
    logical, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
    return template.attribute(logical, template.resolve(attribute))


def _sub(template: Template, argument):
    text, variables = (argument, {}) if isinstance(argument, str) else argument
    variables = {name: template.resolve(value) for name, value in variables.items()}

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in variables:
            return str(variables[name])
        if "." in name:
            return str(template.attribute(*name.split(".", 1)))
        return str(template.ref(name))

    return re.sub(r"\$\{([^}]+)\}", replace, text)


def _if(template: Template, argument):
    name, when_true, when_false = argument
    return template.resolve(when_true if template.condition(name) else when_false)


_FUNCTIONS = {
    "Ref": lambda template, name: template.ref(name),
    "Fn::GetAtt": _get_att,
    "Fn::Join": lambda template, arg: arg[0].join(str(part) for part in template.resolve(arg[1])),
    "Fn::Sub": _sub,
    "Fn::Select": lambda template, arg: template.resolve(arg[1])[int(template.resolve(arg[0]))],
    "Fn::Split": lambda template, arg: template.resolve(arg[1]).split(arg[0]),
    "Fn::If": _if,
    "Fn::Equals": lambda template, arg: template.resolve(arg[0]) == template.resolve(arg[1]),
    "Fn::Not": lambda template, arg: not template.resolve(arg[0]),
    "Fn::And": lambda template, arg: all(template.resolve(item) for item in arg),
    "Fn::Or": lambda template, arg: any(template.resolve(item) for item in arg),
    "Condition": lambda template, name: template.condition(name),
}
