"""Everything the app uses besides its functions and API: tables from the model registry, the media bucket,
the topic and queues, the JWT secret, the functions' role (least privilege) and alarms."""
from collections.abc import Iterable

from aws_cdk import Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.files import layout
from chalicelib.jobs import JOBS
from infra.tables import TableSpec, specs

APP = "serverless-platform"
SENDS = ("sms", "push", "messenger", "mail")
TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
                 "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem",
                 "dynamodb:DescribeTable"]


class PlatformResources(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, mail_from: str) -> None:
        super().__init__(scope, construct_id)
        self.stage, prod = stage, stage == "prod"
        retain = RemovalPolicy.RETAIN if prod else RemovalPolicy.DESTROY
        self.tables = {table.name: self._table(table, prod, retain) for table in specs()}
        self.bucket = self._bucket(retain)
        self.topic = sns.Topic(self, "Push", topic_name=f"{self.prefix}-push")
        self.dead_letters = sqs.Queue(self, "MessengerDeadLetters", queue_name=f"{self.prefix}-messenger-dlq",
                                      retention_period=Duration.days(14), enforce_ssl=True)
        self.queue = sqs.Queue(self, "Messenger", queue_name=f"{self.prefix}-messenger", enforce_ssl=True,
                               dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=self.dead_letters))
        self.secret = secretsmanager.Secret(
            self, "JwtSecret", secret_name=f"/{APP}/{stage}/jwt-secret", removal_policy=retain,
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True))
        self.mail_from = mail_from
        # The API handler serves every surface; each scheduled job runs as a role of only what it declares.
        self.role = self._role("FunctionRole", "api", self.tables, SENDS, api=True)
        self.job_roles = {job.name: self._role(f"JobRole-{job.name}", job.name, job.tables, job.sends)
                          for job in JOBS.values()}
        cloudwatch.Alarm(self, "DeadLettersWaiting", threshold=1, evaluation_periods=1,
                         metric=self.dead_letters.metric_approximate_number_of_messages_visible(),
                         alarm_description="Messenger check-ins that could not be delivered")

    @property
    def prefix(self) -> str:
        return f"{APP}-{self.stage}"

    def _table(self, table: TableSpec, prod: bool, retain: RemovalPolicy) -> dynamodb.CfnTable:
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
                projection=dynamodb.CfnTable.ProjectionProperty(projection_type=index["projection"]["ProjectionType"]))
                for index in table.indexes] or None,
            time_to_live_specification=dynamodb.CfnTable.TimeToLiveSpecificationProperty(
                attribute_name=table.ttl_attribute, enabled=True) if table.ttl_attribute else None,
            point_in_time_recovery_specification=dynamodb.CfnTable.PointInTimeRecoverySpecificationProperty(
                point_in_time_recovery_enabled=True),
            deletion_protection_enabled=prod)
        made.apply_removal_policy(retain)
        return made

    def _bucket(self, retain: RemovalPolicy) -> s3.Bucket:
        return s3.Bucket(
            self, "Media", bucket_name=f"{self.prefix}-media", block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, removal_policy=retain,
            # Browsers and apps send presigned POSTs (uploads) and GETs (downloads) straight to the bucket.
            cors=[s3.CorsRule(allowed_methods=[s3.HttpMethods.POST, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
                              allowed_origins=["*"], allowed_headers=["*"], max_age=3000)],
            lifecycle_rules=[
                s3.LifecycleRule(id="abort-incomplete-uploads",
                                 abort_incomplete_multipart_upload_after=Duration.days(1)),
                # Uploads that no completion claimed (claiming copies them out of this prefix).
                s3.LifecycleRule(id="expire-unclaimed-uploads", prefix=layout.UPLOADS,
                                 expiration=Duration.days(layout.UPLOADS_KEPT_DAYS))])

    def _role(self, construct_id: str, name: str, tables: Iterable[str], sends: Iterable[str],
              api: bool = False) -> iam.Role:
        """A functions' role allowed only on `tables` (and their indexes), the senders in `sends`, its log groups,
        and for the API also the bucket's prefixes and the JWT secret."""
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
        role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:/aws/lambda/{self.prefix}*"]))
        return role

    def _sender_statement(self, send: str) -> iam.PolicyStatement:
        stack = Stack.of(self)
        if send == "sms":
            # SMS goes to phone numbers, which have no ARN: AWS offers nothing narrower than "*" for them.
            return iam.PolicyStatement(actions=["sns:Publish"], resources=["*"],
                                       conditions={"Null": {"sns:Protocol": "true"}})
        if send == "push":
            return iam.PolicyStatement(actions=["sns:Publish"], resources=[self.topic.topic_arn])
        if send == "messenger":
            return iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.queue.queue_arn])
        domain = Fn.select(1, Fn.split("@", self.mail_from))
        return iam.PolicyStatement(
            actions=["ses:SendEmail"],
            resources=[f"arn:{stack.partition}:ses:{stack.region}:{stack.account}:identity/{domain}"])
