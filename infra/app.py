"""The CDK app: a stack per stage (`serverless-platform-dev`, `serverless-platform-prod`).
`make synth` runs it to write the CloudFormation templates into infra/cdk.out without an AWS account."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aws_cdk as cdk  # noqa: E402

from infra.stack import PlatformStack  # noqa: E402


def main() -> None:
    app = cdk.App(outdir=os.environ.get("CDK_OUTDIR", str(Path(__file__).with_name("cdk.out"))))
    env = cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION"))
    for stage in os.environ.get("STAGES", "dev prod").split():
        PlatformStack(app, f"serverless-platform-{stage}", stage=stage, env=env)
    app.synth()


if __name__ == "__main__":
    main()
