"""One stage of the platform: its resources, and the Chalice app (API Gateway, Lambda, schedules) deployed
through Chalice's own CDK construct with the roles, names and secret of those resources."""
import json
from pathlib import Path

from aws_cdk import CfnParameter, Duration, Fn, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.resources import PlatformResources
from local.stack import stage_environment

ROOT = Path(__file__).resolve().parent.parent
# Requests a second across the API, and the burst above it: enough for the apps, a ceiling for a runaway client.
THROTTLE_RATE, THROTTLE_BURST = 100, 200
LOG_DAYS = 30
# The share of the API's requests answering 5xx, over five minutes, that raises its alarm.
API_5XX_RATE = 0.01


def stage_config(stage: str) -> dict:
    """The stage's settings as `.chalice/config.json` has them, with its variables merged as `make run` reads
    them (top-level, then the stage's own)."""
    settings = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"][stage]
    return {**settings, "environment_variables": stage_environment(stage)}


class PlatformStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, with_app: bool = True, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        config = stage_config(stage)
        variables = config["environment_variables"]
        # The sender address, of an SES identity verified in the account: a parameter of the deploy.
        mail_from = CfnParameter(self, "MailFrom", default=variables["MAIL_FROM"],
                                 description="Sender address of the app's mail (an SES-verified identity)")
        variables["MAIL_FROM"] = mail_from.value_as_string
        self.resources = PlatformResources(self, "Resources", stage=stage, mail_from=mail_from.value_as_string)
        if with_app:
            self._app(stage, config)

    def _app(self, stage: str, config: dict) -> None:
        from chalice.cdk import Chalice
        from chalice.utils import to_cfn_resource_name

        resources = self.resources
        config["environment_variables"].update(
            JWT_SECRET_ID=resources.secret.secret_arn, PUSH_TOPIC_ARN=resources.topic.topic_arn,
            FBOOK_QUEUE_URL=resources.queue.queue_url, MEDIA_BUCKET=resources.bucket.bucket_name)
        chalice = Chalice(self, "App", source_dir=str(ROOT), stage_config={
            **config, "manage_iam_role": False, "iam_role_arn": resources.role.role_arn})
        # Chalice reads a function's own role only from .chalice/config.json, which cannot hold a deploy-time
        # ARN: each job's function is given its role here.
        for name, role in resources.job_roles.items():
            chalice.get_resource(to_cfn_resource_name(name)).add_property_override("Role", role.role_arn)
        chalice.get_resource("RestAPI").add_property_override("MethodSettings", [{
            "HttpMethod": "*", "ResourcePath": "/*", "ThrottlingRateLimit": THROTTLE_RATE,
            "ThrottlingBurstLimit": THROTTLE_BURST}])
        # 5XXError is 0 or 1 per request, so its average is the share of requests that failed.
        self._alarm("Api5xx", "AWS/ApiGateway", "5XXError", {"ApiName": f"serverless-platform-{stage}"},
                    f"More than {API_5XX_RATE:.0%} of the API's requests answered 5xx", "Average", API_5XX_RATE)
        for name in function_names():
            function = chalice.get_function(name)
            logs.CfnLogGroup(self, f"{name}Logs", retention_in_days=LOG_DAYS,
                             log_group_name=Fn.join("", ["/aws/lambda/", function.function_name]))
            for metric in ("Errors", "Throttles"):
                self._alarm(f"{name}{metric}", "AWS/Lambda", metric, {"FunctionName": function.function_name},
                            f"{name}: Lambda {metric.lower()}")

    def _alarm(self, construct_id: str, namespace: str, metric: str, dimensions: dict, description: str,
               statistic: str = "Sum", threshold: float = 1) -> None:
        cloudwatch.Alarm(self, construct_id, threshold=threshold, evaluation_periods=1, alarm_description=description,
                         treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                         metric=cloudwatch.Metric(namespace=namespace, metric_name=metric, statistic=statistic,
                                                  dimensions_map=dimensions, period=Duration.minutes(5)))


def function_names() -> list[str]:
    """The Lambda functions Chalice makes of the app, by logical id: the API handler and one per schedule."""
    from chalice.utils import to_cfn_resource_name

    import app

    return ["APIHandler", *(to_cfn_resource_name(source.name) for source in app.app.event_sources)]
