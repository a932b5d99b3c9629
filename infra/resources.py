"""Everything the app uses besides its functions and API: tables from the model registry, the media bucket,
the topics and queues, the JWT secret, the functions' roles (least privilege), the ops topic and alarms."""
from collections.abc import Iterable

from aws_cdk import Aws, CfnCondition, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from chalicelib.files import layout
from chalicelib.jobs import JOBS
from infra.tables import TableSpec, specs, staged

APP = "serverless-platform"
# The API function sends push notifications and mail; SMS and Messenger check-ins go out only from a job.
API_SENDS = ("push", "mail")
TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
                 "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                 "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"]
XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
# SQS's longest retention: a stalled Messenger consumer loses nothing for two weeks.
MESSAGE_RETENTION = Duration.days(14)
# A check-in waiting an hour means the Messenger consumer has stopped (it normally drains within minutes).
OLDEST_MESSAGE_SECONDS = 3600
# The routes a password guesser, an address prober or a mail bomber calls: sign-in, registration, reset and
# verification mail, reset and verify links, password changes. WAF sees the path as the client sent it: after the
# stage at the execute-api URL (`/api/api/auth/login/`, `/api/password-resets`), without it at a custom domain
# (`/api/auth/login/`, `/password-resets`); so each is matched anywhere in the path, decoded and lowercased.
AUTH_PATHS = ("/auth/login", "/auth/register", "/auth/forgot", "/auth/verify", "/auth/reset", "/password-resets",
              "/password-confirmations", "/user/password-changes")
# Requests to them one IP may make in 5 minutes: a person signing in, resetting and verifying makes a handful, and
# an office or campus behind one address dozens; a script makes thousands. Above it the IP gets 429 until its rate
# falls back (docs/decisions.md). The app's per-email lockout covers one account; this covers one IP trying many.
AUTH_RATE_LIMIT, AUTH_RATE_WINDOW = 100, 300


def public_base_url_parameter(stage: str) -> str:
    """The name of the SSM parameter that holds the stage's public base URL, the root of every link mailed."""
    return f"/{APP}/{stage}/public-base-url"


class PlatformResources(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, mail_from: str,
                 alarm_email: str, deployed_indexes: dict[str, list[str]] | None = None) -> None:
        super().__init__(scope, construct_id)
        self.stage, prod = stage, stage == "prod"
        # Prod keeps its data when the stack is deleted or a resource replaced, yet a failed first create still
        # removes what it made (a retained table would make every retry fail on "already exists").
        keep = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE if prod else RemovalPolicy.DESTROY
        # A live table gains one missing index per update (infra/deploy.py runs as many as it takes).
        deployed = deployed_indexes or {}
        self.tables = {table.name: self._table(staged(table, deployed.get(table.name)), keep) for table in specs()}
        self.bucket = self._bucket(prod, keep)
        self.topic = sns.Topic(self, "Push", topic_name=f"{self.prefix}-push")
        self.alarm_topic = self._alarm_topic(alarm_email)
        self.dead_letters = sqs.Queue(self, "MessengerDeadLetters", queue_name=f"{self.prefix}-messenger-dlq",
                                      retention_period=MESSAGE_RETENTION, enforce_ssl=True)
        self.queue = sqs.Queue(self, "Messenger", queue_name=f"{self.prefix}-messenger", enforce_ssl=True,
                               retention_period=MESSAGE_RETENTION,
                               dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=self.dead_letters))
        self.secret = secretsmanager.Secret(
            self, "JwtSecret", secret_name=f"/{APP}/{stage}/jwt-secret", removal_policy=keep,
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True))
        self.mail_from = mail_from
        # The API handler serves every surface; each scheduled job runs as a role of only what it declares.
        self.role = self._role("FunctionRole", "api", self.tables, API_SENDS, api=True)
        self.job_roles = {job.name: self._role(f"JobRole-{job.name}", job.name, job.tables, job.sends)
                          for job in JOBS.values()}
        self._queue_alarms()
        self.firewall = self._firewall()

    @property
    def prefix(self) -> str:
        return f"{APP}-{self.stage}"

    @property
    def public_base_url_parameter(self) -> str:
        """The name of this stage's public base URL parameter."""
        return public_base_url_parameter(self.stage)

    def notify(self, alarm: cloudwatch.Alarm) -> cloudwatch.Alarm:
        """Send `alarm`'s state changes, into alarm and back to OK, to the ops topic."""
        alarm.add_alarm_action(actions.SnsAction(self.alarm_topic))
        alarm.add_ok_action(actions.SnsAction(self.alarm_topic))
        return alarm

    def _alarm_topic(self, alarm_email: str) -> sns.Topic:
        """The ops topic every alarm notifies, with `alarm_email` subscribed when the deploy gives one."""
        topic = sns.Topic(self, "Alarms", topic_name=f"{self.prefix}-alarms")
        given = CfnCondition(self, "HasAlarmEmail", expression=Fn.condition_not(Fn.condition_equals(alarm_email, "")))
        subscription = sns.CfnSubscription(self, "AlarmEmailSubscription", topic_arn=topic.topic_arn,
                                           protocol="email", endpoint=alarm_email)
        subscription.cfn_options.condition = given
        return topic

    def _queue_alarms(self) -> None:
        self.notify(cloudwatch.Alarm(
            self, "DeadLettersWaiting", threshold=1, evaluation_periods=1,
            metric=self.dead_letters.metric_approximate_number_of_messages_visible(),
            alarm_description="Messenger check-ins that could not be delivered"))
        self.notify(cloudwatch.Alarm(
            self, "MessengerStalled", threshold=OLDEST_MESSAGE_SECONDS, evaluation_periods=1,
            metric=self.queue.metric_approximate_age_of_oldest_message(statistic="Maximum"),
            alarm_description=f"A Messenger check-in has waited over {OLDEST_MESSAGE_SECONDS} s: its consumer "
                              "has stopped"))

    def _firewall(self) -> wafv2.CfnWebACL:
        """The API's web ACL (the stack associates it with the API's stage): everything allowed, but an IP over
        AUTH_RATE_LIMIT requests to the auth routes in AUTH_RATE_WINDOW seconds is answered 429; its blocks alarm."""
        name, rule = f"{self.prefix}-api", f"{self.prefix}-auth-rate"

        def seen(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True)

        paths = [wafv2.CfnWebACL.StatementProperty(byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}), positional_constraint="CONTAINS",
            search_string=path, text_transformations=[
                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="URL_DECODE"),
                wafv2.CfnWebACL.TextTransformationProperty(priority=1, type="LOWERCASE")]))
            for path in AUTH_PATHS]
        too_many = wafv2.CfnWebACL.CustomResponseProperty(response_code=429, response_headers=[
            wafv2.CfnWebACL.CustomHTTPHeaderProperty(name="Retry-After", value=str(AUTH_RATE_WINDOW))])
        acl = wafv2.CfnWebACL(
            self, "Firewall", name=name, scope="REGIONAL", visibility_config=seen(name),
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow=wafv2.CfnWebACL.AllowActionProperty()),
            rules=[wafv2.CfnWebACL.RuleProperty(
                name="auth-rate", priority=0, visibility_config=seen(rule),
                action=wafv2.CfnWebACL.RuleActionProperty(
                    block=wafv2.CfnWebACL.BlockActionProperty(custom_response=too_many)),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        aggregate_key_type="IP", limit=AUTH_RATE_LIMIT, evaluation_window_sec=AUTH_RATE_WINDOW,
                        scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                            or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=paths)))))])
        self.notify(cloudwatch.Alarm(
            self, "AuthRateBlocked", threshold=1, evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"An IP went over {AUTH_RATE_LIMIT} requests to the auth routes in "
                              f"{AUTH_RATE_WINDOW // 60} minutes: the WAF blocks it",
            metric=cloudwatch.Metric(namespace="AWS/WAFV2", metric_name="BlockedRequests", statistic="Sum",
                                     period=Duration.seconds(AUTH_RATE_WINDOW),
                                     dimensions_map={"WebACL": name, "Region": Aws.REGION, "Rule": rule})))
        return acl

    def _table(self, table: TableSpec, keep: RemovalPolicy) -> dynamodb.CfnTable:
        def keys(schema: list[dict]) -> list:
            return [dynamodb.CfnTable.KeySchemaProperty(attribute_name=key["AttributeName"], key_type=key["KeyType"])
                    for key in schema]

        made = dynamodb.CfnTable(
            self, f"Table-{table.name}", table_name=f"{self.prefix}-{table.name}", billing_mode="PAY_PER_REQUEST",
            key_schema=keys(table.key_schema),  # partition key first
            attribute_definitions=[
                dynamodb.CfnTable.AttributeDefinitionProperty(attribute_name=item["AttributeName"],
                                                              attribute_type=item["AttributeType"])
                for item in table.attributes],
            global_secondary_indexes=[dynamodb.CfnTable.GlobalSecondaryIndexProperty(
                index_name=index["name"], key_schema=keys(index["key_schema"]),
                # The whole projection: an INCLUDE without its NonKeyAttributes is refused by CreateTable.
                projection=dynamodb.CfnTable.ProjectionProperty(
                    projection_type=index["projection"]["ProjectionType"],
                    non_key_attributes=index["projection"].get("NonKeyAttributes")))
                for index in table.indexes] or None,
            time_to_live_specification=dynamodb.CfnTable.TimeToLiveSpecificationProperty(
                attribute_name=table.ttl_attribute, enabled=True) if table.ttl_attribute else None,
            # No deletion protection: it would stop a failed first create from deleting the tables it made (the
            # stack then sticks in ROLLBACK_FAILED). A deleted stack keeps them (RETAIN), and a table deleted by
            # hand leaves a 35-day system backup (point-in-time recovery).
            point_in_time_recovery_specification=dynamodb.CfnTable.PointInTimeRecoverySpecificationProperty(
                point_in_time_recovery_enabled=True))
        made.apply_removal_policy(keep)
        return made

    def _bucket(self, prod: bool, keep: RemovalPolicy) -> s3.Bucket:
        bucket = s3.Bucket(
            # S3 names are global: the account and region keep two deploys of a stage from colliding.
            self, "Media", bucket_name=Fn.join("-", [f"{self.prefix}-media", Aws.ACCOUNT_ID, Aws.REGION]),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL, encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True, removal_policy=keep,
            # CloudFormation deletes only an empty bucket: dev's is emptied first, so `make destroy` completes.
            auto_delete_objects=not prod,
            # Browsers and apps send presigned POSTs (uploads) and GETs (downloads) straight to the bucket.
            cors=[s3.CorsRule(allowed_methods=[s3.HttpMethods(method) for method in layout.CORS_METHODS],
                              allowed_origins=["*"], allowed_headers=["*"], max_age=layout.CORS_MAX_AGE)],
            lifecycle_rules=[
                s3.LifecycleRule(id="abort-incomplete-uploads",
                                 abort_incomplete_multipart_upload_after=Duration.days(1)),
                # Uploads that no completion claimed (claiming copies them out of this prefix).
                s3.LifecycleRule(id="expire-unclaimed-uploads", prefix=layout.UPLOADS,
                                 expiration=Duration.days(layout.UPLOADS_KEPT_DAYS))])
        if not prod:
            self._drop_redundant_dependency()
        return bucket

    def _drop_redundant_dependency(self) -> None:
        """CDK's auto-delete function both DependsOn its role and names it by GetAtt; cfn-lint flags the
        duplicate (W3005). The GetAtt alone orders them, so the DependsOn goes."""
        provider = Stack.of(self).node.find_child("Custom::S3AutoDeleteObjectsCustomResourceProvider")
        provider.node.find_child("Handler").add_deletion_override("DependsOn")

    def _role(self, construct_id: str, name: str, tables: Iterable[str], sends: Iterable[str],
              api: bool = False) -> iam.Role:
        """A functions' role allowed only on `tables` (and their indexes), the senders in `sends`, the public base
        URL parameter, its log groups, X-Ray, and for the API also the bucket's prefixes and the JWT secret."""
        stack = Stack.of(self)
        role = iam.Role(self, construct_id, role_name=f"{self.prefix}-{name}",
                        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        table_arns = []
        for table in map(self.tables.__getitem__, tables):
            table_arns.append(table.attr_arn)
            indexes = table.global_secondary_indexes or []
            table_arns += [f"{table.attr_arn}/index/{index.index_name}" for index in indexes]
        role.add_to_policy(iam.PolicyStatement(actions=TABLE_ACTIONS, resources=table_arns))
        for send in sends:
            role.add_to_policy(self._sender_statement(send))
        if api:
            role.add_to_policy(iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                resources=[self.bucket.arn_for_objects(f"{prefix}*") for prefix in layout.ALL]))
            # Listing the bucket (keys only) is what lets S3 answer 404 for a missing key, not 403: a vanished
            # upload is then told from a refused one. Reads and writes stay limited to the prefixes above.
            role.add_to_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[self.bucket.bucket_arn]))
            role.add_to_policy(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"],
                                                   resources=[self.secret.secret_arn]))
        # Links in mail are built from the public base URL, which the stack can only hand over through SSM.
        role.add_to_policy(iam.PolicyStatement(
            actions=["ssm:GetParameter"],
            resources=[f"arn:{stack.partition}:ssm:{stack.region}:{stack.account}:parameter"
                       f"{self.public_base_url_parameter}"]))
        # Active tracing: the function sends its segments, and the SDK's subsegments (DynamoDB, S3), to X-Ray,
        # whose actions name no resource: "*" is the only form IAM takes for them.
        role.add_to_policy(iam.PolicyStatement(actions=XRAY_ACTIONS, resources=["*"]))
        role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:/aws/lambda/{self.prefix}*"]))
        return role

    def _sender_statement(self, send: str) -> iam.PolicyStatement:
        stack = Stack.of(self)
        if send == "sms":
            # SMS goes to phone numbers, which have no ARN. AWS's documented form allows publishing to anything
            # that is not a topic: every phone number, and no topic at all.
            return iam.PolicyStatement(actions=["sns:Publish"], not_resources=[f"arn:{stack.partition}:sns:*:*:*"])
        if send == "push":
            return iam.PolicyStatement(actions=["sns:Publish"], resources=[self.topic.topic_arn])
        if send == "messenger":
            return iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.queue.queue_arn])
        domain = Fn.select(1, Fn.split("@", self.mail_from))
        return iam.PolicyStatement(
            actions=["ses:SendEmail"],
            resources=[f"arn:{stack.partition}:ses:{stack.region}:{stack.account}:identity/{domain}"])
