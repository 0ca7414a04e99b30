"""Read ``template.yaml`` and resolve it as CloudFormation would for one local stack.

The local stack creates its resources from the template itself, so that a queue setting, a key
schema or an environment variable changed for the cloud changes locally too. This module only
understands what the template uses: parameters with defaults, conditions, ``Ref``, ``GetAtt``,
``Sub``, ``Select``, ``Split``, ``Join``, ``If`` and the condition functions. Names that
CloudFormation would generate are ``<stack name>-<logical id>`` here, so they are predictable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from newswatch.errors import NewswatchError
from newswatch.stack import LOCAL_REGION, LOCAL_STACK_NAME

LOCAL_ACCOUNT_ID = "123456789012"  # moto's default account


class TemplateError(NewswatchError):
    """The template uses something the local stack cannot resolve or does not know."""


class _CloudFormationLoader(yaml.SafeLoader):
    """A YAML loader that reads CloudFormation's short tags (``!Ref``, ``!Sub``...)."""


def _construct_intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    """``!Ref X`` becomes ``{"Ref": "X"}``, ``!GetAtt A.B`` ``{"Fn::GetAtt": ["A", "B"]}``, and
    every other ``!Name v`` ``{"Fn::Name": v}``: the long form, which is all the resolver reads."""
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if tag_suffix in {"Ref", "Condition"}:
        return {tag_suffix: value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_CloudFormationLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    """The template at ``path`` as plain data, intrinsic functions in their long form."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_CloudFormationLoader)  # noqa: S506
    except OSError as error:
        raise TemplateError(f"cannot read the template {path}: {error}") from None
    except yaml.YAMLError as error:
        raise TemplateError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError(f"{path} has no Resources section")
    return document


def find_template(start: Path | None = None) -> Path:
    """``template.yaml`` in ``start`` (default: the working directory) or the nearest parent
    holding one, else the one of the source tree this package was installed from."""
    here = (start or Path.cwd()).resolve()
    source_tree = Path(__file__).resolve().parents[4]
    for directory in (here, *here.parents, source_tree):
        candidate = directory / "template.yaml"
        if candidate.is_file():
            return candidate
    raise TemplateError(f"no template.yaml in {here}, its parents or {source_tree}")


# AWS::NoValue: the property or list element disappears.
_NO_VALUE = object()
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource of the template whose condition (if any) holds, properties resolved."""

    logical_id: str
    type: str
    properties: dict[str, Any]
    physical_name: str


class LocalTemplate:
    """A template resolved for one stack at a local endpoint.

    ``parameters`` override the template's defaults; ``endpoint_url`` is where queues live,
    since a queue's ``Ref`` is its URL.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        endpoint_url: str,
        parameters: Mapping[str, str] | None = None,
        stack_name: str = LOCAL_STACK_NAME,
        account_id: str = LOCAL_ACCOUNT_ID,
        region: str = LOCAL_REGION,
        stack_id: str | None = None,
    ) -> None:
        self._template = template
        self._resources: dict[str, Any] = dict(template["Resources"])
        self.endpoint_url = endpoint_url.rstrip("/")
        self.stack_name = stack_name
        self.account_id = account_id
        self.region = region
        declared = template.get("Parameters") or {}
        unknown = sorted(set(parameters or {}) - set(declared))
        if unknown:
            raise TemplateError(f"the template declares no parameter(s) {', '.join(unknown)}")
        self.parameters: dict[str, str] = {
            name: str(spec["Default"]) for name, spec in declared.items() if "Default" in spec
        }
        self.parameters.update(parameters or {})
        self._pseudo = {
            "AWS::AccountId": account_id,
            "AWS::Region": region,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": stack_name,
            # The last segment (a UUID in the cloud) is what names the bucket: keep it short.
            "AWS::StackId": stack_id
            or f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/local",
        }

    # --- resources ---------------------------------------------------------------------------

    def resources(self, resource_type: str | None = None) -> Iterator[Resource]:
        """The resources (of one type, if given) that exist under the current parameters."""
        for logical_id, spec in self._resources.items():
            if resource_type is not None and spec.get("Type") != resource_type:
                continue
            if "Condition" in spec and not self.condition(spec["Condition"]):
                continue
            yield Resource(
                logical_id=logical_id,
                type=spec["Type"],
                properties=self.resolve(spec.get("Properties") or {}),
                physical_name=self.physical_name(logical_id),
            )

    def resource(self, logical_id: str) -> Resource:
        """One resource by logical id."""
        for candidate in self.resources():
            if candidate.logical_id == logical_id:
                return candidate
        raise TemplateError(f"the template has no resource {logical_id} (or its condition fails)")

    def physical_name(self, logical_id: str) -> str:
        """The name the template gives the resource, or the predictable local default."""
        spec = self._spec(logical_id)
        name_property = _NAME_PROPERTIES.get(spec.get("Type", ""))
        properties = spec.get("Properties") or {}
        if name_property and name_property in properties:
            return str(self.resolve(properties[name_property]))
        return f"{self.stack_name}-{logical_id}"

    def outputs(self) -> dict[str, str]:
        """The stack's outputs, as ``describe-stacks`` would list them."""
        return {
            name: str(self.resolve(spec["Value"]))
            for name, spec in (self._template.get("Outputs") or {}).items()
            if "Condition" not in spec or self.condition(spec["Condition"])
        }

    def condition(self, name: str) -> bool:
        """The value of a named condition of the template."""
        conditions = self._template.get("Conditions") or {}
        if name not in conditions:
            raise TemplateError(f"the template has no condition {name}")
        return bool(self.resolve(conditions[name]))

    # --- intrinsic functions -------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic function replaced by its result."""
        resolved = self._resolve(value)
        return None if resolved is _NO_VALUE else resolved

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self._resolve(item) for item in value]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (function, argument), *_ = value.items()
            if function == "Ref" or function.startswith("Fn::") or function == "Condition":
                return self._call(function, argument)
        resolved = {key: self._resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}

    def _call(self, function: str, argument: Any) -> Any:
        if function == "Ref":
            return self._ref(argument)
        if function == "Condition":
            return self.condition(argument)
        if function == "Fn::GetAtt":
            # Long form: ["Resource", "Attribute"] or "Resource.Attribute".
            parts = argument.split(".", 1) if isinstance(argument, str) else argument
            logical_id, attribute = parts
            return self._get_att(logical_id, attribute)
        if function == "Fn::Sub":
            return self._sub(argument)
        arguments = self._resolve(argument)
        if function == "Fn::Select":
            index, items = arguments
            return items[int(index)]
        if function == "Fn::Split":
            delimiter, text = arguments
            return str(text).split(delimiter)
        if function == "Fn::Join":
            delimiter, items = arguments
            return str(delimiter).join(str(item) for item in items)
        if function == "Fn::Equals":
            left, right = arguments
            return str(left) == str(right)
        if function == "Fn::Not":
            return not arguments[0]
        if function == "Fn::And":
            return all(arguments)
        if function == "Fn::Or":
            return any(arguments)
        if function == "Fn::If":
            return self._if(argument)
        raise TemplateError(f"the local stack cannot resolve {function}")

    def _if(self, argument: list[Any]) -> Any:
        condition, when_true, when_false = argument
        return self._resolve(when_true if self.condition(condition) else when_false)

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        spec = self._spec(name)
        physical_name = self.physical_name(name)
        resource_type = spec.get("Type")
        if resource_type == "AWS::SQS::Queue":
            return f"{self.endpoint_url}/{self.account_id}/{physical_name}"
        if resource_type == "AWS::SNS::Topic":
            return self._arn("sns", physical_name)
        return physical_name

    def _get_att(self, logical_id: str, attribute: str) -> str:
        physical_name = self.physical_name(logical_id)
        resource_type = self._spec(logical_id).get("Type")
        if attribute in {"QueueName", "TopicName"}:
            return physical_name
        if attribute == "QueueUrl":
            return str(self._ref(logical_id))
        if attribute == "Arn" and resource_type in _ARN_SERVICES:
            service, resource_prefix = _ARN_SERVICES[resource_type]
            if service == "s3":
                return f"arn:aws:s3:::{physical_name}"
            return self._arn(service, resource_prefix + physical_name)
        raise TemplateError(f"the local stack cannot resolve {logical_id}.{attribute}")

    def _sub(self, argument: Any) -> str:
        template, variables = (argument, {}) if isinstance(argument, str) else argument
        values = {name: self._resolve(value) for name, value in variables.items()}

        def substitute(found: re.Match[str]) -> str:
            name = found.group(1)
            if name in values:
                return str(values[name])
            if "." in name and name not in self._pseudo:
                logical_id, attribute = name.split(".", 1)
                return self._get_att(logical_id, attribute)
            return str(self._ref(name))

        return _SUB_VARIABLE.sub(substitute, template).replace("${!", "${")

    def _spec(self, logical_id: str) -> dict[str, Any]:
        spec = self._resources.get(logical_id)
        if not isinstance(spec, dict):
            raise TemplateError(f"the template has no resource, parameter or pseudo {logical_id}")
        return spec

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"


# The property that names a resource of each type, when the template sets it.
_NAME_PROPERTIES = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Serverless::Function": "FunctionName",
}
# Service and resource prefix of each type's ARN.
_ARN_SERVICES = {
    "AWS::S3::Bucket": ("s3", ""),
    "AWS::SQS::Queue": ("sqs", ""),
    "AWS::SNS::Topic": ("sns", ""),
    "AWS::DynamoDB::Table": ("dynamodb", "table/"),
}
