"""One stage of the platform: its resources, and the Chalice app (API Gateway, Lambda, schedules) deployed
through Chalice's own CDK construct with the roles, names and secret of those resources."""
import json
from pathlib import Path

from aws_cdk import (
    Acknowledgment,
    CfnCondition,
    CfnParameter,
    CfnResource,
    Fn,
    RemovalPolicy,
    Stack,
    Validations,
)
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from chalicelib.core import metric_names
from chalicelib.jobs import JOBS
from infra.monitoring import Monitoring
from infra.resources import APP, PlatformResources
from local.stack import stage_environment

ROOT = Path(__file__).resolve().parent.parent
# Requests a second across the API, and the burst above it: enough for the apps, a ceiling for a runaway client.
THROTTLE_RATE, THROTTLE_BURST = 100, 200
LOG_DAYS = 30
# One JSON line per request in the API's access log: who asked what, how it ended, how long it took, and the trace
# to look it up by in X-Ray. Every value is quoted: a field API Gateway has no value for is "-", still valid JSON.
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod", "resourcePath": "$context.resourcePath", "status": "$context.status",
    "protocol": "$context.protocol", "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency", "responseLatency": "$context.responseLatency",
    "xrayTraceId": "$context.xrayTraceId"}
# cfn-lint's informational checks that the templates skip, and why (the template carries them, so `make synth`,
# the synth test and any other run of cfn-lint agree). I1022 prefers Fn::Sub to an Fn::Join with an empty
# delimiter: CDK renders every string built from tokens that way (ARNs, the bucket policy, Chalice's own), and
# both mean the same.
CFN_LINT_IGNORED = ["I1022"]


def stage_config(stage: str) -> dict:
    """The stage's settings as `.chalice/config.json` has them, with its variables merged as `make run` reads
    them (top-level, then the stage's own)."""
    settings = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"][stage]
    return {**settings, "environment_variables": stage_environment(stage)}


def api_name(stage: str) -> str:
    """The REST API's name in API Gateway, the `ApiName` its metrics carry: one per stage."""
    return f"{APP}-{stage}"


class PlatformStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, with_app: bool = True, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.template_options.metadata = {"cfn-lint": {"config": {"ignore_checks": CFN_LINT_IGNORED}}}
        config = stage_config(stage)
        variables = config["environment_variables"]
        # The sender address, of an SES identity verified in the account: a parameter of the deploy.
        mail_from = CfnParameter(self, "MailFrom", default=variables["MAIL_FROM"],
                                 description="Sender address of the app's mail (an SES-verified identity)")
        alarm_email = CfnParameter(self, "AlarmEmail", default="",
                                   description="Address that the ops topic mails alarms to (none when empty)")
        variables["MAIL_FROM"] = mail_from.value_as_string
        # The indexes each live table has (infra/deploy.py passes them): absent on a first deploy and in tests.
        deployed = self.node.try_get_context("deployedIndexes")
        self.resources = PlatformResources(self, "Resources", stage=stage, mail_from=mail_from.value_as_string,
                                           alarm_email=alarm_email.value_as_string,
                                           deployed_indexes=json.loads(deployed) if deployed else None)
        if with_app:
            self._app(stage, config)

    def _app(self, stage: str, config: dict) -> None:
        from chalice.utils import to_cfn_resource_name

        from infra.bytecode import CompiledChalice

        resources = self.resources
        config["environment_variables"].update(
            JWT_SECRET_ID=resources.secret.secret_arn, PUSH_TOPIC_ARN=resources.topic.topic_arn,
            FBOOK_QUEUE_URL=resources.queue.queue_url, MEDIA_BUCKET=resources.bucket.bucket_name,
            # Not the URL itself: the API's URL names the REST API, whose definition names the API function, so
            # the function's environment cannot hold it. The function reads the parameter instead.
            PUBLIC_BASE_URL_PARAMETER=resources.public_base_url_parameter,
            # Powertools' logger, tracer and metrics read these (the metric names: chalicelib/core/metric_names).
            POWERTOOLS_SERVICE_NAME=metric_names.SERVICE, POWERTOOLS_METRICS_NAMESPACE=metric_names.NAMESPACE)
        # `xray` makes every function's tracing Active; the API's stage is traced below (Chalice's SAM leaves it).
        chalice = CompiledChalice(self, "App", source_dir=str(ROOT), stage_config={
            **config, "manage_iam_role": False, "iam_role_arn": resources.role.role_arn, "xray": True})
        # Chalice reads a function's own role only from .chalice/config.json, which cannot hold a deploy-time
        # ARN: each job's function is given its role here.
        for name, role in resources.job_roles.items():
            chalice.get_resource(to_cfn_resource_name(name)).add_property_override("Role", role.role_arn)
        rest_api = chalice.get_resource("RestAPI")
        api_stage = config["api_gateway_stage"]
        rest_api.add_property_override("MethodSettings", [{
            "HttpMethod": "*", "ResourcePath": "/*", "ThrottlingRateLimit": THROTTLE_RATE,
            "ThrottlingBurstLimit": THROTTLE_BURST,
            # Per-method metrics; no execution logs with bodies (they would hold passwords and tokens).
            "MetricsEnabled": True, "DataTraceEnabled": False}])
        rest_api.add_property_override("TracingEnabled", True)
        self._log_access(rest_api, stage)
        self._name_api(rest_api, stage)
        answer_unknown_paths(rest_api)
        self._public_base_url(rest_api, api_stage)
        self._protect(rest_api, api_stage)
        functions = {name: chalice.get_function(name).function_name for name in function_names()}
        for name, function_name in functions.items():
            log_group = logs.CfnLogGroup(self, f"{name}Logs", retention_in_days=LOG_DAYS,
                                         log_group_name=Fn.join("", ["/aws/lambda/", function_name]))
            self._keep_logs(log_group, stage)
        self.monitoring = Monitoring(
            self, "Monitoring", resources=resources, api_name=api_name(stage), api_stage=api_stage,
            functions=functions, job_functions={job.name: to_cfn_resource_name(job.name) for job in JOBS.values()})

    @staticmethod
    def _keep_logs(log_group: logs.CfnLogGroup, stage: str) -> None:
        """A deleted prod stack's logs are what tells why it went; dev's go with it."""
        log_group.apply_removal_policy(
            RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE if stage == "prod" else RemovalPolicy.DESTROY)

    def _log_access(self, rest_api: CfnResource, stage: str) -> logs.CfnLogGroup:
        """Write a JSON line per request to the API's access log group.

        API Gateway writes logs only through the account's CloudWatch role, one setting for the whole account and
        region: each stage's stack sets it, or a first deploy fails. Both the setting and the role are kept when a
        stack is deleted, as the other stage's API may log through that role; both are unnamed, so a stage deleted
        and deployed again makes a new role rather than colliding with the kept one (so is the log group)."""
        log_group = logs.CfnLogGroup(self, "ApiAccessLogs", retention_in_days=LOG_DAYS)
        self._keep_logs(log_group, stage)
        role = iam.CfnRole(
            self, "ApiGatewayLogsRole",
            assume_role_policy_document={"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "apigateway.amazonaws.com"}}]},
            managed_policy_arns=[f"arn:{self.partition}:iam::aws:policy/service-role/"
                                 "AmazonAPIGatewayPushToCloudWatchLogs"])
        account = apigateway.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=role.attr_arn)
        for made in (role, account):
            made.apply_removal_policy(RemovalPolicy.RETAIN)
        rest_api.add_property_override("AccessLogSetting", {
            "DestinationArn": log_group.attr_arn, "Format": json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":"))})
        # The stage SAM makes of the RestAPI may log only once the account has its role.
        rest_api.add_resource_dependency(account)
        return log_group

    def _name_api(self, rest_api: CfnResource, stage: str) -> None:
        """Give the REST API its stage's name, the `ApiName` of its metrics. Chalice titles the swagger with the
        app's name in every stage, so both stages' APIs would share one; Name and title are set alike."""
        name = api_name(stage)
        rest_api.add_property_override("Name", name)
        rest_api.add_property_override("DefinitionBody.info.title", name)

    def _protect(self, rest_api: CfnResource, api_stage: str) -> wafv2.CfnWebACLAssociation:
        """Put the web ACL (resources.firewall) in front of the API's stage. SAM makes the stage of the RestAPI
        (logical id `RestAPI<stage>Stage`) only when it expands the template: the association waits for it."""
        association = wafv2.CfnWebACLAssociation(
            self, "FirewallAssociation", web_acl_arn=self.resources.firewall.attr_arn,
            resource_arn=Fn.sub(f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}::/restapis/${{Api}}/stages/"
                                f"{api_stage}", {"Api": rest_api.ref}))
        association.add_override("DependsOn", [f"RestAPI{api_stage}Stage"])
        # CDK's own check reads the template before SAM's expansion, where the stage is not yet a resource;
        # cfn-lint (make synth) reads it after, and finds it.
        Validations.of(association).acknowledge(Acknowledgment(
            id="CloudFormation-Validate::E3005", reason="SAM makes the stage resource when it expands the RestAPI"))
        return association

    def _public_base_url(self, rest_api: CfnResource, api_stage: str) -> ssm.StringParameter:
        """The SSM parameter holding the root of every link the app mails: the `DomainName` parameter's domain,
        or else the API's own URL with its stage path."""
        domain = CfnParameter(
            self, "DomainName", default="",
            description="The domain the app is served at, root of the links it mails (the API's own URL when empty)")
        has_domain = CfnCondition(self, "HasDomainName", expression=Fn.condition_not(
            Fn.condition_equals(domain.value_as_string, "")))
        api_url = Fn.sub(f"https://${{Api}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{api_stage}",
                         {"Api": rest_api.ref})
        domain_url = Fn.sub("https://${Domain}", {"Domain": domain.value_as_string})
        return ssm.StringParameter(
            self, "PublicBaseUrl", parameter_name=self.resources.public_base_url_parameter,
            description="Root of the links the app mails",
            string_value=Fn.condition_if(has_domain.logical_id, domain_url, api_url).to_string())


def answer_unknown_paths(rest_api: CfnResource) -> None:
    """What API Gateway answers itself for a path no resource serves (only `/`: the app's greedy `/{proxy+}` route
    takes every other, chalicelib/core/routing.py): 404 `{"message":"Not found"}`, as `make run` does, not 403
    "Missing Authentication Token". CORS as the app's, so that a browser can read it."""
    rest_api.add_property_override("DefinitionBody.x-amazon-apigateway-gateway-responses", {
        "MISSING_AUTHENTICATION_TOKEN": {
            "statusCode": 404,
            "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
            "responseTemplates": {"application/json": '{"message":"Not found"}'}}})


def function_names() -> list[str]:
    """The Lambda functions Chalice makes of the app, by logical id: the API handler and one per schedule."""
    from chalice.utils import to_cfn_resource_name

    import app

    return ["APIHandler", *(to_cfn_resource_name(source.name) for source in app.app.event_sources)]
