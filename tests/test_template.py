"""template.yaml: the security and wiring properties that a deployment relies on.

Read with the local stack's CloudFormation-aware loader; where a value is an expression, it is
resolved the way CloudFormation would (LocalTemplate), so the tests check meaning, not spelling.
`make template-check` adds `sam validate --lint` and cfn-lint on the SAM translation (cycles).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from newswatch.config import Settings
from newswatch.local.template import LocalTemplate, load_template

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]


def resolved(stack_id: str | None = None, **parameters: str) -> LocalTemplate:
    return LocalTemplate(
        TEMPLATE, endpoint_url="http://127.0.0.1:5000", parameters=parameters, stack_id=stack_id
    )


def properties(logical_id: str) -> dict[str, Any]:
    return dict(RESOURCES[logical_id]["Properties"])


def only(resource_type: str) -> str:
    found = [name for name, spec in RESOURCES.items() if spec["Type"] == resource_type]
    assert len(found) == 1, f"expected one {resource_type}, found {found}"
    return found[0]


def mentions(value: Any, logical_id: str) -> bool:
    """Whether an (unresolved) expression refers to ``logical_id`` in any way."""
    text = json.dumps(value)
    return f'"{logical_id}"' in text or f"${{{logical_id}" in text or f'"{logical_id}.' in text


BUCKET = only("AWS::S3::Bucket")
TABLE = only("AWS::DynamoDB::Table")
# Two functions: ingest (SQS-triggered) and digest (scheduled).
FUNCTION = "IngestFunction"
DIGEST_FUNCTION = "DigestFunction"
LAYER = only("AWS::Serverless::LayerVersion")
INGEST_QUEUE = properties(FUNCTION)["Events"]["IngestQueue"]["Properties"]["Queue"]["Fn::GetAtt"][0]
DLQ = properties(INGEST_QUEUE)["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]


def test_bucket_is_private_encrypted_versioned_and_tls_only() -> None:
    bucket = properties(BUCKET)
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    rules = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rules[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}

    policy_id = only("AWS::S3::BucketPolicy")
    template = resolved()
    policy = template.resource(policy_id).properties
    assert policy["Bucket"] == template.physical_name(BUCKET)
    bucket_arn = f"arn:aws:s3:::{template.physical_name(BUCKET)}"
    denials = [
        statement
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny"
        and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert denials, "no statement denies requests without TLS"
    assert set(denials[0]["Resource"]) == {bucket_arn, f"{bucket_arn}/*"}
    assert denials[0]["Principal"] == "*"


def test_every_object_created_under_incoming_notifies_the_ingest_queue() -> None:
    """Prefix only (issue 9, defect 5): `story.HTML`, `story.htm.gz` or `story` are announced
    too, and the pipeline rejects by the bytes what it does not take."""
    (configuration,) = properties(BUCKET)["NotificationConfiguration"]["QueueConfigurations"]
    assert configuration["Queue"] == {"Fn::GetAtt": [INGEST_QUEUE, "Arn"]}
    assert configuration["Event"] == "s3:ObjectCreated:*"
    assert configuration["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "incoming/"}]
    assert not properties(BUCKET)["NotificationConfiguration"].get("LambdaConfigurations")


def test_local_bucket_announces_every_name_under_incoming_and_nothing_else() -> None:
    """The local stack derives its notification from the template: any name under incoming/
    reaches the ingest queue, a key elsewhere does not."""
    import boto3
    from moto import mock_aws
    from newswatch.local.provision import _create_bucket, _create_queue

    template = resolved()
    with mock_aws():
        stack = _MotoStack()
        for queue in (DLQ, INGEST_QUEUE):
            _create_queue(template.resource(queue), stack)  # type: ignore[arg-type]
        bucket = template.resource(BUCKET)
        _create_bucket(bucket, stack)  # type: ignore[arg-type]
        s3 = boto3.client("s3", region_name="us-east-1")
        keys = ["incoming/story.HTML", "incoming/story.htm.gz", "incoming/story", "extracted/a"]
        for key in keys:
            s3.put_object(Bucket=bucket.physical_name, Key=key, Body=b"<p>x</p>")
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.get_queue_url(QueueName=template.physical_name(INGEST_QUEUE))["QueueUrl"]
        announced: set[str] = set()
        for _ in range(5):
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages")
            for message in messages or []:
                body = json.loads(message["Body"])
                # S3 URL-encodes the key in its notifications.
                announced.update(
                    unquote_plus(r["s3"]["object"]["key"]) for r in body.get("Records", [])
                )
        assert announced == {"incoming/story.HTML", "incoming/story.htm.gz", "incoming/story"}


class _MotoStack:
    """The clients provision's creators use, in-process under ``mock_aws``."""

    def s3(self) -> Any:
        import boto3

        return boto3.client("s3", region_name="us-east-1")

    def sqs(self) -> Any:
        import boto3

        return boto3.client("sqs", region_name="us-east-1")


def test_queue_policy_admits_only_this_bucket_without_a_dependency_cycle() -> None:
    """The bucket depends on the queue policy (S3 checks it when the notification is set), so
    the policy must name the bucket's ARN without referring to the bucket resource."""
    policy_id = RESOURCES[BUCKET]["DependsOn"]
    assert RESOURCES[policy_id]["Type"] == "AWS::SQS::QueuePolicy"
    assert RESOURCES[policy_id]["Properties"]["Queues"] == [{"Ref": INGEST_QUEUE}]
    assert not mentions(RESOURCES[policy_id], BUCKET)
    # The constructed ARN is the bucket's, whatever the stack id.
    for stack_id_suffix in ("local", "5b8a1f30-96f6-11ef-8c2c-0affd3b1c5a1"):
        template = resolved(f"arn:aws:cloudformation:us-east-1:1:stack/s/{stack_id_suffix}")
        allow = template.resource(policy_id).properties["PolicyDocument"]["Statement"][0]
        assert allow["Principal"] == {"Service": "s3.amazonaws.com"}
        assert allow["Action"] == "sqs:SendMessage"
        source_arn = allow["Condition"]["ArnEquals"]["aws:SourceArn"]
        bucket_name = template.physical_name(BUCKET)
        assert source_arn == f"arn:aws:s3:::{bucket_name}"
        assert stack_id_suffix in bucket_name
        assert len(bucket_name) <= 63 and bucket_name == bucket_name.lower()
        assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}


def test_queues_are_encrypted_with_a_dead_letter_queue_and_an_alarm() -> None:
    queue = properties(INGEST_QUEUE)
    assert queue["SqsManagedSseEnabled"] is True
    assert properties(DLQ)["SqsManagedSseEnabled"] is True
    trigger = properties(FUNCTION)["Events"]["IngestQueue"]["Properties"]
    batching_window = trigger.get("MaximumBatchingWindowInSeconds", 0)
    assert queue["VisibilityTimeout"] >= 6 * properties(FUNCTION)["Timeout"] + batching_window
    # AWS advises at least 5 for Lambda's SQS event source; more only delays the dead letter.
    assert 5 <= queue["RedrivePolicy"]["maxReceiveCount"] <= 10
    alarm = properties("DeadLetterQueueAlarm")
    assert alarm["Namespace"] == "AWS/SQS"
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [DLQ, "QueueName"]}}
    ]
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["Threshold"] == 1


def test_both_queues_deny_requests_without_tls() -> None:
    template = resolved()
    arn_by_url = {
        template.resolve({"Ref": queue}): template.resolve({"Fn::GetAtt": [queue, "Arn"]})
        for queue in (INGEST_QUEUE, DLQ, "DigestDeadLetterQueue")
    }
    tls_only: set[str] = set()
    for policy in template.resources("AWS::SQS::QueuePolicy"):
        for statement in policy.properties["PolicyDocument"]["Statement"]:
            if (statement["Effect"], statement["Principal"], statement["Action"]) == (
                "Deny",
                "*",
                "sqs:*",
            ) and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}:
                tls_only.update(
                    arn_by_url[url]
                    for url in policy.properties["Queues"]
                    if arn_by_url[url] == statement["Resource"]
                )
    assert tls_only == set(arn_by_url.values())


def test_function_runtime_trigger_and_safety_settings() -> None:
    function = properties(FUNCTION)
    assert function["Runtime"] == "python3.13"
    assert function["Handler"] == "app.handler"
    assert function["CodeUri"] == "functions/ingest/"
    assert (ROOT / "functions/ingest/app.py").is_file()
    assert function["RecursiveLoop"] == "Terminate"
    assert function["Layers"][0] == {"Ref": LAYER}  # Powertools: see the layer tests below
    trigger = function["Events"]["IngestQueue"]
    assert trigger["Type"] == "SQS"
    assert trigger["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    log_group = function["LoggingConfig"]["LogGroup"]["Ref"]
    assert RESOURCES[log_group]["Type"] == "AWS::Logs::LogGroup"
    assert "RetentionInDays" in properties(log_group)


def test_a_lone_upload_is_not_held_for_a_batch() -> None:
    trigger = properties(FUNCTION)["Events"]["IngestQueue"]["Properties"]
    # A batching window holds a lone upload until it ends (alert within 1 s: issue 10).
    assert trigger["MaximumBatchingWindowInSeconds"] == 0
    assert trigger["BatchSize"] == 10


def test_tracing_is_off_by_default_and_follows_its_parameter() -> None:
    for enabled, mode, disabled in (("false", "PassThrough", "true"), ("true", "Active", "false")):
        function = resolved(EnableTracing=enabled).resource(FUNCTION).properties
        assert function["Tracing"] == mode
        assert function["Environment"]["Variables"]["POWERTOOLS_TRACE_DISABLED"] == disabled
    assert TEMPLATE["Parameters"]["EnableTracing"]["Default"] == "false"


def test_environment_is_what_the_settings_read() -> None:
    template = resolved()
    variables = template.resource(FUNCTION).properties["Environment"]["Variables"]
    settings = Settings.from_env(variables)
    assert settings.table_name == template.physical_name(TABLE)
    assert settings.article_bucket == template.physical_name(BUCKET)
    assert settings.topic_arn == template.outputs()["TopicArn"]
    assert settings.incoming_prefix == "incoming/"
    assert settings.max_object_bytes == 10 * 1024 * 1024
    assert settings.watchlist_refresh_seconds == 300
    assert variables["POWERTOOLS_SERVICE_NAME"] == "newswatch"
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "Newswatch"
    assert "POWERTOOLS_LOG_LEVEL" in variables


def test_layer_is_built_for_the_functions_architecture() -> None:
    for architecture in ("arm64", "x86_64"):
        template = resolved(Architecture=architecture)
        assert template.resource(FUNCTION).properties["Architectures"] == [architecture]
        assert template.resource(LAYER).properties["CompatibleArchitectures"] == [architecture]
        build = template.resolve(RESOURCES[LAYER]["Metadata"])
        assert build == {"BuildMethod": "makefile", "BuildArchitecture": architecture}
    assert TEMPLATE["Parameters"]["Architecture"]["Default"] == "arm64"
    assert properties(LAYER)["ContentUri"] == "layers/newswatch/"
    # The layer Makefile picks lxml's wheels by LAYER_ARCHITECTURE: same default as the stack.
    makefile = (ROOT / "layers/newswatch/Makefile").read_text(encoding="utf-8")
    assert "LAYER_ARCHITECTURE ?= arm64\n" in makefile
    assert "build-NewswatchLayer:" in makefile


def test_layer_requirements_leave_out_what_lambda_or_the_powertools_layer_supplies() -> None:
    requirements = (ROOT / "layers/newswatch/requirements.txt").read_text(encoding="utf-8")
    pinned = {
        line.split("==")[0].lower()
        for line in requirements.splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert pinned == {"beautifulsoup4", "charset-normalizer", "lxml", "tzdata"}


def locked_versions(path: Path) -> dict[str, str]:
    """NAME==VERSION lines of a requirements file, by normalised name."""
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", path.read_text("utf-8"), re.M)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins}


def test_the_layer_lock_is_its_requirements_at_the_versions_the_tests_run() -> None:
    # `make lock` compiles requirements.txt into requirements.lock, constrained by the dev lock:
    # the layer ships the versions the test suite ran, each with its hashes and for any machine.
    layer = ROOT / "layers/newswatch"
    locked = locked_versions(layer / "requirements.lock")
    assert locked_versions(layer / "requirements.txt").items() <= locked.items()
    assert locked.items() <= locked_versions(ROOT / "requirements/dev.lock").items()
    text = (layer / "requirements.lock").read_text(encoding="utf-8")
    assert "platform_machine" not in text
    hashed = re.findall(r"^\S+==\S+ \\\n    --hash=sha256:[0-9a-f]{64}", text, re.M)
    assert len(hashed) == len(locked)
    assert "--require-hashes -r requirements.lock" in (layer / "Makefile").read_text("utf-8")


def test_both_functions_get_powertools_from_the_aws_published_layer_of_the_tested_release() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pinned = re.search(r'"aws-lambda-powertools\[tracer\]==([0-9.]+)"', pyproject)
    assert pinned is not None, "pyproject.toml pins the Powertools release the tests run"
    assert TEMPLATE["Parameters"]["PowertoolsVersion"]["Default"] == pinned.group(1)
    for architecture in ("arm64", "x86_64"):
        template = resolved(Architecture=architecture)
        for function in (FUNCTION, "DigestFunction"):
            layers = template.resource(function).properties["Layers"]
            assert layers[0] == template.resource(LAYER).physical_name
            # The layer's ARN, from the public SSM parameter Powertools keeps per release.
            assert layers[1] == (
                "{{resolve:ssm:/aws/service/powertools/python/"
                f"{architecture}/python3.13/{pinned.group(1)}}}}}"
            )


def test_single_table_keys_recovery_encryption_and_ttl() -> None:
    table = properties(TABLE)
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    assert {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]} == {
        ("PK", "S"),
        ("SK", "S"),
        ("GSI1PK", "S"),
        ("GSI1SK", "S"),
    }
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "GSI1"
    assert index["KeySchema"] == [
        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
    ]
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_alert_topic_is_encrypted_and_subscriptions_follow_their_parameters() -> None:
    topics = [
        name
        for name, spec in RESOURCES.items()
        if spec["Type"] == "AWS::SNS::Topic" and "Condition" not in spec
    ]
    assert topics == ["AlertTopic"]
    assert properties("AlertTopic")["KmsMasterKeyId"] == "alias/aws/sns"

    def alert_subscriptions(template: LocalTemplate) -> dict[str, str]:
        return {
            s.properties["Protocol"]: s.properties["Endpoint"]
            for s in template.resources("AWS::SNS::Subscription")
            if s.properties["TopicArn"] == template.outputs()["TopicArn"]
        }

    assert alert_subscriptions(resolved()) == {}
    both = resolved(AlertEmail="ops@example.com", AlertPhone="+15551234567")
    assert alert_subscriptions(both) == {"email": "ops@example.com", "sms": "+15551234567"}
    assert alert_subscriptions(resolved(AlertEmail="ops@example.com")) == {
        "email": "ops@example.com"
    }


def function_statements(function: str = FUNCTION) -> list[dict[str, Any]]:
    template = resolved()
    statements: list[dict[str, Any]] = []
    for policy in template.resource(function).properties["Policies"]:
        if "Statement" in policy:
            statements.extend(policy["Statement"])
        else:
            (name,) = policy
            assert name == "SNSPublishMessagePolicy", f"unexpected policy template {name}"
            assert policy[name] == {"TopicName": template.physical_name("AlertTopic")}
    return statements


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allowed(action: str, function: str = FUNCTION) -> set[str]:
    resources: set[str] = set()
    for statement in function_statements(function):
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        if statement["Effect"] == "Allow" and action in actions:
            resources.update(as_list(statement["Resource"]))
    return resources


def test_function_rights_are_scoped_to_this_stack() -> None:
    template = resolved()
    bucket_arn = f"arn:aws:s3:::{template.physical_name(BUCKET)}"
    for statement in function_statements():
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert not any(action.endswith("*") for action in actions), statement
        targets = (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        assert "*" not in targets, statement
    assert allowed("s3:GetObject") == {f"{bucket_arn}/incoming/*", f"{bucket_arn}/watchlists/*"}
    assert allowed("s3:GetObjectVersion") == {f"{bucket_arn}/incoming/*"}
    # No S3 write at all (the article item holds the lead, the text is extracted again from
    # the source version): above all none under incoming/, which would trigger the function.
    assert allowed("s3:PutObject") == set()
    assert allowed("s3:DeleteObject") == set()
    table_arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{template.physical_name(TABLE)}"
    for action in ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"):
        assert allowed(action) == {table_arn}
    assert allowed("dynamodb:DeleteTable") == set()
    assert allowed("dynamodb:Scan") == set()


@pytest.mark.parametrize(
    "output",
    ["BucketName", "TableName", "TopicArn", "QueueUrl", "DeadLetterQueueUrl", "FunctionName"],
)
def test_outputs_that_the_cli_resolves_stacks_by(output: str) -> None:
    assert output in TEMPLATE["Outputs"]


def test_operations_alarms_watch_what_hides_failures_and_tell_the_operations_topic() -> None:
    watched = {
        (spec["Properties"]["Namespace"], spec["Properties"]["MetricName"])
        for spec in RESOURCES.values()
        if spec["Type"] == "AWS::CloudWatch::Alarm"
    }
    assert watched == {
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
        ("Newswatch", "RecordFailures"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
    }
    with_reader = resolved(OperationsEmail="ops@example.com")
    topic = with_reader.resolve({"Ref": "OperationsTopic"})
    for alarm in with_reader.resources("AWS::CloudWatch::Alarm"):
        assert alarm.properties["AlarmActions"] == [topic], alarm.logical_id
    for alarm in resolved().resources("AWS::CloudWatch::Alarm"):
        assert "AlarmActions" not in alarm.properties, alarm.logical_id
    # The custom metric's namespace is the one the handler emits to.
    variables = properties(FUNCTION)["Environment"]["Variables"]
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "Newswatch"


@pytest.mark.parametrize(("value", "reserved"), [("", None), ("0", None), ("25", "25")])
def test_reserved_concurrency_caps_the_function_and_its_sqs_trigger(
    value: str, reserved: str | None
) -> None:
    function = resolved(ReservedConcurrency=value).resource(FUNCTION).properties
    trigger = function["Events"]["IngestQueue"]["Properties"]
    assert function.get("ReservedConcurrentExecutions") == reserved
    assert trigger.get("ScalingConfig") == (
        None if reserved is None else {"MaximumConcurrency": reserved}
    )


def test_function_writes_only_its_own_partitions_and_lists_only_what_it_reads() -> None:
    (dynamo,) = [s for s in function_statements() if "dynamodb:PutItem" in as_list(s["Action"])]
    assert set(dynamo["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]) == {
        "ARTICLE#*",
        "WATCHLISTS",
        "STORY#*",
        "BAND#*",
        "WL#*",
        "DIGEST#*",
        "RATE#*",
        "DLQ#*",
    }
    assert {"dynamodb:ConditionCheckItem", "dynamodb:BatchWriteItem"} <= set(dynamo["Action"])
    (listing,) = [s for s in function_statements() if "s3:ListBucket" in as_list(s["Action"])]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["incoming/*", "watchlists/*"]}}


def test_local_env_for_sam_local_invoke_names_the_local_stacks_resources() -> None:
    variables = json.loads((ROOT / "events/local-env.json").read_text())["IngestFunction"]
    template = resolved()
    assert variables["TABLE_NAME"] == template.physical_name(TABLE)
    assert variables["ARTICLE_BUCKET"] == template.physical_name(BUCKET)
    assert variables["TOPIC_ARN"] == template.outputs()["TopicArn"]
    assert variables["AWS_ENDPOINT_URL"].endswith(":5000")


# --- the digest function ---------------------------------------------------------------------


def test_digest_function_runs_hourly_with_retries_and_dead_letter_queues() -> None:
    function = properties(DIGEST_FUNCTION)
    (event,) = function["Events"].values()
    assert event["Type"] == "ScheduleV2"
    schedule = event["Properties"]
    # Minute 5 of every hour: windows end on the hour and settle for newswatch's SETTLE first.
    assert schedule["ScheduleExpression"] == "cron(5 * * * ? *)"
    assert schedule["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    queue = schedule["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    # Scheduler's dead-letter queue takes events it could not deliver; the function's own
    # (asynchronous invocations) takes those whose every attempt failed: the same queue.
    assert function["DeadLetterQueue"] == {
        "Type": "SQS",
        "TargetArn": {"Fn::GetAtt": [queue, "Arn"]},
    }
    assert function["EventInvokeConfig"]["MaximumRetryAttempts"] >= 1
    assert properties(queue)["SqsManagedSseEnabled"] is True
    alarms = [
        spec["Properties"]
        for spec in RESOURCES.values()
        if spec["Type"] == "AWS::CloudWatch::Alarm"
        and spec["Properties"]["Dimensions"]
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    ]
    assert len(alarms) == 1 and alarms[0]["Threshold"] == 1
    # Two stacks in one account must not share a schedule name.
    name = resolved().resolve(schedule["Name"])
    assert "newswatch-local" in name


def test_digest_lease_follows_the_digest_functions_timeout() -> None:
    from newswatch.digest_job import DigestSettings

    function = resolved().resource(DIGEST_FUNCTION).properties
    variables = {name: str(value) for name, value in function["Environment"]["Variables"].items()}
    settings = DigestSettings.from_env(variables)
    assert settings.timeout_seconds == function["Timeout"]
    assert settings.lease_seconds > function["Timeout"]
    # Both handlers run in one process locally: a variable they share has one value.
    ingest = resolved().resource(FUNCTION).properties["Environment"]["Variables"]
    assert {
        name: value for name, value in variables.items() if name in ingest and ingest[name] != value
    } == {}


def test_digest_function_may_do_only_what_digests_need() -> None:
    template = resolved()
    table_arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{template.physical_name(TABLE)}"
    bucket_arn = f"arn:aws:s3:::{template.physical_name(BUCKET)}"
    statements = function_statements(DIGEST_FUNCTION)
    granted = {
        (action, resource)
        for statement in statements
        if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    }
    assert granted == {
        ("s3:GetObject", f"{bucket_arn}/watchlists/*"),
        ("s3:ListBucket", bucket_arn),
        *(
            (f"dynamodb:{action}", table_arn)
            for action in ("GetItem", "BatchGetItem", "PutItem", "UpdateItem", "Query")
        ),
        ("dynamodb:Query", f"{table_arn}/index/GSI1"),
    }
    leading = {
        resource: set(s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
        for s in statements
        if str(as_list(s["Action"])[0]).startswith("dynamodb:")
        for resource in as_list(s["Resource"])
    }
    # The watchlists, stories (site counts) and its own digest partitions; on the index only
    # the watchlists' story listings. No article, rate or band partition.
    assert leading == {
        table_arn: {"WATCHLISTS", "STORY#*", "DIGEST#*"},
        f"{table_arn}/index/GSI1": {"WLSTORY#*"},
    }
    (listing,) = [s for s in statements if s["Action"] == "s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["watchlists/*"]}}
