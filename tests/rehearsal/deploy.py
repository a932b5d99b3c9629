"""Deploy a synthesized template's resources onto the local stand-ins, as CloudFormation would create them on AWS:
its tables on DynamoDB Local by CreateTable with the template's own properties, and its bucket, topics, queues,
secret and parameters on moto's server. Functions, roles and the API are given their names (the rehearsal runs
the functions itself); nothing is read from the models."""
import secrets
from collections.abc import Callable

import boto3

from tests.rehearsal.template import ACCOUNT, REGION, Deployed, Template, Unresolvable

# CreateTable takes these CloudFormation properties as they are.
TABLE_FIELDS = ("TableName", "KeySchema", "AttributeDefinitions", "BillingMode", "GlobalSecondaryIndexes",
                "LocalSecondaryIndexes", "ProvisionedThroughput", "TableClass", "DeletionProtectionEnabled")
# What DynamoDB Local cannot show, and why the rehearsal leaves it to AWS.
TABLE_FIELDS_NOT_REHEARSED = {
    "PointInTimeRecoverySpecification": "DynamoDB Local has no continuous backups",
}
# Resources nothing here stands in for, and why; a type in neither list fails the deploy, so a new kind of
# resource gets a decision.
NOT_REHEARSED = {
    "AWS::IAM::Policy": "judged by the IAM evaluator, call by call",
    "AWS::IAM::ManagedPolicy": "judged by the IAM evaluator, call by call",
    "AWS::Lambda::Permission": "API Gateway's right to invoke the API function: the rehearsal invokes it itself",
    "AWS::S3::BucketPolicy": "TLS only: moto's server is plain HTTP on loopback",
    "AWS::SQS::QueuePolicy": "TLS only: moto's server is plain HTTP on loopback",
    "AWS::SNS::Subscription": "mails the alarms to AlarmEmail",
    "AWS::Lambda::Function": "CDK's function that empties the dev bucket on destroy",
    "Custom::S3AutoDeleteObjects": "CDK's function that empties the dev bucket on destroy",
    "AWS::WAFv2::WebACL": "no local WAF: its rule is evaluated against the gateway's routes by test_waf.py",
    "AWS::WAFv2::WebACLAssociation": "no local WAF: test_waf.py checks that it names the API's stage",
    "AWS::ApiGateway::Account": "the account's API Gateway logging role: no local API Gateway writes access logs",
    "AWS::CloudWatch::Dashboard": "a view of metrics; the unit template tests check what it shows",
}
# Resources the rehearsal names but does not create: it runs the functions itself and judges roles and policies
# with an IAM evaluator; alarms and log groups are checked statically.
NAMED_ONLY = ("AWS::Serverless::Function", "AWS::Serverless::Api", "AWS::IAM::Role", "AWS::CloudWatch::Alarm",
              "AWS::Logs::LogGroup")


def client(service: str, endpoint: str):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="rehearsal",
                        aws_secret_access_key="rehearsal")


class Deployment:
    """One stage's template deployed onto DynamoDB Local (`dynamodb_url`) and moto's server (`moto_url`)."""

    def __init__(self, template: Template, dynamodb_url: str, moto_url: str):
        self.template, self.dynamodb_url, self.moto_url = template, dynamodb_url, moto_url
        self.secret_values: dict[str, str] = {}

    def create(self) -> "Deployment":
        """Create every resource, in as many passes as their references need."""
        pending = {logical: resource for logical, resource in self.template.resources.items()
                   if self.template.kept(resource)}
        while pending:
            progressed = False
            for logical, resource in list(pending.items()):
                creator = self._creator(resource["Type"])
                if creator is None:
                    assert resource["Type"] in NOT_REHEARSED, f"{logical}: the rehearsal knows no {resource['Type']}"
                    del pending[logical]
                    continue
                try:
                    properties = self.template.resolve(resource.get("Properties", {}))
                except Unresolvable:
                    continue
                self.template.deployed[logical] = creator(logical, properties)
                del pending[logical]
                progressed = True
            if pending and not progressed:
                raise Unresolvable(f"circular or unknown references among {sorted(pending)}")
        self._verify_mail_identity()
        return self

    def _creator(self, kind: str) -> Callable | None:
        if kind in NAMED_ONLY:
            return self._named
        return {"AWS::DynamoDB::Table": self._table, "AWS::S3::Bucket": self._bucket, "AWS::SNS::Topic": self._topic,
                "AWS::SQS::Queue": self._queue, "AWS::SecretsManager::Secret": self._secret,
                "AWS::SSM::Parameter": self._parameter}.get(kind)

    def _table(self, logical: str, properties: dict) -> Deployed:
        unknown = set(properties) - set(TABLE_FIELDS) - set(TABLE_FIELDS_NOT_REHEARSED) - {
            "TimeToLiveSpecification", "StreamSpecification"}
        if unknown:
            raise AssertionError(f"{logical}: the rehearsal does not know the table properties {sorted(unknown)}")
        dynamodb = client("dynamodb", self.dynamodb_url)
        request = {name: properties[name] for name in TABLE_FIELDS if name in properties}
        if "StreamSpecification" in properties:
            request["StreamSpecification"] = {"StreamEnabled": True, **properties["StreamSpecification"]}
        name = request["TableName"]
        dynamodb.create_table(**request)
        ttl = properties.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
        return Deployed(name, {"Arn": arn, "StreamArn": f"{arn}/stream/rehearsal"})

    def _bucket(self, logical: str, properties: dict) -> Deployed:
        name = properties.get("BucketName") or f"{self.template.stack_name}-{logical}".lower()
        s3 = client("s3", self.moto_url)
        s3.create_bucket(Bucket=name)
        rules = (properties.get("CorsConfiguration") or {}).get("CorsRules")
        if rules:  # CloudFormation's names for what PutBucketCors takes
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [
                {"AllowedMethods": rule["AllowedMethods"], "AllowedOrigins": rule["AllowedOrigins"],
                 "AllowedHeaders": rule.get("AllowedHeaders", []),
                 **({"MaxAgeSeconds": rule["MaxAge"]} if "MaxAge" in rule else {})} for rule in rules]})
        return Deployed(name, {"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com",
                               "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com"})

    def _topic(self, logical: str, properties: dict) -> Deployed:
        name = properties.get("TopicName") or f"{self.template.stack_name}-{logical}"
        arn = client("sns", self.moto_url).create_topic(Name=name)["TopicArn"]
        return Deployed(arn, {"TopicArn": arn, "TopicName": name})

    def _queue(self, logical: str, properties: dict) -> Deployed:
        name = properties.get("QueueName") or f"{self.template.stack_name}-{logical}"
        url = client("sqs", self.moto_url).create_queue(QueueName=name)["QueueUrl"]
        return Deployed(url, {"Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}", "QueueName": name, "QueueUrl": url})

    def _secret(self, logical: str, properties: dict) -> Deployed:
        value = secrets.token_hex(32)  # as GenerateSecretString would: 64 characters
        arn = client("secretsmanager", self.moto_url).create_secret(Name=properties["Name"], SecretString=value)["ARN"]
        self.secret_values[arn] = value
        return Deployed(arn, {"Id": arn})

    def _parameter(self, logical: str, properties: dict) -> Deployed:
        client("ssm", self.moto_url).put_parameter(Name=properties["Name"], Value=properties["Value"],
                                                   Type=properties.get("Type", "String"))
        return Deployed(properties["Name"], {"Type": properties.get("Type", "String"), "Value": properties["Value"]})

    def _named(self, logical: str, properties: dict) -> Deployed:
        kind = self.template.resources[logical]["Type"]
        stack = self.template.stack_name
        if kind == "AWS::IAM::Role":
            name = properties.get("RoleName") or f"{stack}-{logical}"
            return Deployed(name, {"Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "RoleId": name})
        if kind == "AWS::Serverless::Function":
            name = properties.get("FunctionName") or f"{stack}-{logical}"
            return Deployed(name, {"Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"})
        if kind == "AWS::Serverless::Api":
            return Deployed("rehearsal" + logical.lower()[:6], {"RootResourceId": "root"})
        if kind == "AWS::Logs::LogGroup":
            name = properties.get("LogGroupName") or f"/{stack}/{logical}"
            return Deployed(name, {"Arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:*"})
        name = properties.get("AlarmName") or f"{stack}-{logical}"
        return Deployed(name, {"Arn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"})

    def _verify_mail_identity(self) -> None:
        """The operator's part of a deploy: the sender address (`MailFrom`) is a verified SES identity."""
        sender = self.template.parameters.get("MailFrom")
        if sender:
            client("ses", self.moto_url).verify_domain_identity(Domain=sender.split("@")[1])
