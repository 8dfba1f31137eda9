#!/usr/bin/env python3
"""Translates template.yaml with the AWS SAM translator (the one `sam deploy` and cfn-lint use) and prints
the resulting CloudFormation template as JSON, so tests can check what AWS will actually create.

usage: scripts/sam-translate.py [template.yaml] [Key=Value ...]   (parameter overrides)
Local CodeUri values become a fixed S3 location, as cfn-lint does; the translator is given the region
us-east-1 unless AWS_REGION says otherwise.
"""
import json
import os
import sys

import cfnlint
from cfnlint.decode import decode
from samtranslator.parser import parser
from samtranslator.translator.translator import Translator


class _Policies:
    """Managed policy names → ARNs from cfn-lint's copy of SAM CLI's defaults (no IAM call)."""

    def __init__(self):
        path = os.path.join(os.path.dirname(cfnlint.__file__), "data", "Serverless", "ManagedPolicies.json")
        with open(path, encoding="utf-8") as f:
            self._map = json.load(f)

    def load(self):
        return self._map


def main(argv):
    path, overrides = "template.yaml", {}
    for arg in argv:
        if "=" in arg:
            k, v = arg.split("=", 1)
            overrides[k] = v
        else:
            path = arg
    template, matches = decode(path)
    if matches:
        for m in matches:
            print(m, file=sys.stderr)
        return 1
    template = json.loads(json.dumps(template, default=str))
    for res in template.get("Resources", {}).values():
        props = res.get("Properties") or {}
        if res.get("Type") == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
            props["CodeUri"] = "s3://bucket/call-taxi.zip"
    params = {k: v.get("Default") for k, v in template.get("Parameters", {}).items() if "Default" in v}
    params.update(overrides)
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "us-east-1"))
    params.setdefault("AWS::Region", os.environ["AWS_DEFAULT_REGION"])
    params.setdefault("AWS::AccountId", "123456789012")
    params.setdefault("AWS::Partition", "aws")
    params.setdefault("AWS::StackName", "call-taxi")
    translator = Translator(_Policies().load(), parser.Parser())
    out = translator.translate(sam_template=template, parameter_values=params)
    json.dump(out, sys.stdout, indent=1, sort_keys=True, default=str)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
