"""Print the CloudFormation JSON that the SAM transform makes of a SAM template.

Run with the `.tools` venv's Python (samtranslator ships with SAM CLI and cfn-lint). cfn-lint on
the plain SAM template cannot see what the transform adds, such as the function's event source
mapping and role, so a bucket -> queue -> function dependency cycle only shows on the output of
this script. Managed policies are referenced by ARN here, so no IAM lookup (and no AWS account)
is needed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

# Properties that name local code, which `sam package` would upload and replace with an S3 URI.
LOCAL_CODE_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


def as_packaged(sam_template: dict[str, Any]) -> dict[str, Any]:
    """``sam_template`` with local code paths replaced by placeholder S3 URIs, as if packaged."""
    for logical_id, resource in sam_template.get("Resources", {}).items():
        code_property = LOCAL_CODE_PROPERTIES.get(resource.get("Type"))
        properties = resource.get("Properties", {})
        if code_property and isinstance(properties.get(code_property), str):
            properties[code_property] = f"s3://packaged-code/{logical_id}.zip"
    return sam_template


def translate(template_path: Path) -> dict[str, object]:
    """The SAM template at ``template_path``, transformed with its parameters' defaults."""
    # The transform fills pseudo-parameters from a region; any region gives the same wiring.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    sam_template = yaml_parse(template_path.read_text(encoding="utf-8"))
    translator = Translator(None, Parser())
    translated: dict[str, object] = translator.translate(
        as_packaged(sam_template), parameter_values={}, get_managed_policy_map=dict
    )
    return translated


def main(argv: list[str]) -> int:
    """Write the translation of ``argv[0]`` (default template.yaml) to stdout."""
    template_path = Path(argv[0]) if argv else Path("template.yaml")
    json.dump(translate(template_path), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
