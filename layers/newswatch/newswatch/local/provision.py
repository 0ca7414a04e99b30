"""Create in moto the resources that ``template.yaml`` declares, with their declared settings.

Every resource type of the template is either created here or listed in :data:`NOT_EMULATED`
with the reason; a new type in the template stops the local stack with an error until this
module learns it, so the local stack cannot silently drift from the cloud.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newswatch.local.template import LocalTemplate, Resource, TemplateError
from newswatch.stack import LOCAL_STACK_NAME, Stack

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import QueueConfigurationTypeDef

# Resource types the local stack does without, and why.
NOT_EMULATED = {
    "AWS::Serverless::Function": "the local stack calls the handler in-process (see runner)",
    "AWS::Serverless::LayerVersion": "the newswatch package is imported from the source tree",
    "AWS::Logs::LogGroup": "handler logs go to the console",
    "AWS::CloudWatch::Alarm": "watch the dead-letter queue with `aws sqs` instead",
    "AWS::KMS::Key": "moto does not encrypt",
    "AWS::S3::BucketPolicy": "moto does not enforce resource policies",
    "AWS::SQS::QueuePolicy": "moto does not enforce resource policies",
}


def provision(template: LocalTemplate, stack: Stack, template_path: Path) -> None:
    """Create every resource of ``template`` at ``stack``'s endpoint, then record the
    template's outputs as the CloudFormation stack :data:`LOCAL_STACK_NAME`, which is how
    :func:`newswatch.stack.resolve_stack` finds a running local stack."""
    creators: dict[str, Callable[[Resource, Stack], None]] = {
        "AWS::SQS::Queue": _create_queue,
        "AWS::DynamoDB::Table": _create_table,
        "AWS::SNS::Topic": _create_topic,
        "AWS::SNS::Subscription": _create_subscription,
        "AWS::S3::Bucket": _create_bucket,
    }
    resources = list(template.resources())
    unknown = sorted(
        {r.type for r in resources} - set(creators) - set(NOT_EMULATED),
    )
    if unknown:
        raise TemplateError(
            f"template.yaml declares {', '.join(unknown)}, which the local stack cannot create: "
            "teach newswatch/local/provision.py how, so local and cloud stay alike"
        )
    # Creation order: what others point at first (a dead-letter queue before the queue that
    # redrives to it, queues before the bucket that notifies them).
    order = list(creators)
    resources.sort(
        key=lambda r: (
            order.index(r.type) if r.type in order else len(order),
            "RedrivePolicy" in r.properties,
        )
    )
    for resource in resources:
        if resource.type in creators:
            creators[resource.type](resource, stack)
    _record_stack(template, stack, template_path)


def _create_queue(resource: Resource, stack: Stack) -> None:
    properties = resource.properties
    attributes: dict[Any, str] = {
        name: json.dumps(properties[name]) if name == "RedrivePolicy" else str(properties[name])
        for name in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "ReceiveMessageWaitTimeSeconds",
            "RedrivePolicy",
        )
        if name in properties
    }
    if "SqsManagedSseEnabled" in properties:
        attributes["SqsManagedSseEnabled"] = str(properties["SqsManagedSseEnabled"]).lower()
    stack.sqs().create_queue(QueueName=resource.physical_name, Attributes=attributes)


def _create_table(resource: Resource, stack: Stack) -> None:
    properties = resource.properties
    request: dict[str, Any] = {
        "TableName": resource.physical_name,
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": properties.get("BillingMode", "PROVISIONED"),
    }
    if "GlobalSecondaryIndexes" in properties:
        request["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    if "SSESpecification" in properties:
        request["SSESpecification"] = {
            "Enabled": bool(properties["SSESpecification"].get("SSEEnabled"))
        }
    dynamodb = stack.dynamodb()
    dynamodb.create_table(**request)
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        dynamodb.update_time_to_live(
            TableName=resource.physical_name,
            TimeToLiveSpecification={
                "AttributeName": ttl["AttributeName"],
                "Enabled": bool(ttl["Enabled"]),
            },
        )
    recovery = properties.get("PointInTimeRecoverySpecification")
    if recovery:
        dynamodb.update_continuous_backups(
            TableName=resource.physical_name,
            PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": bool(recovery["PointInTimeRecoveryEnabled"])
            },
        )


def _create_topic(resource: Resource, stack: Stack) -> None:
    attributes = {}
    if "KmsMasterKeyId" in resource.properties:
        attributes["KmsMasterKeyId"] = str(resource.properties["KmsMasterKeyId"])
    stack.sns().create_topic(Name=resource.physical_name, Attributes=attributes)


def _create_subscription(resource: Resource, stack: Stack) -> None:
    properties = resource.properties
    stack.sns().subscribe(
        TopicArn=properties["TopicArn"],
        Protocol=properties["Protocol"],
        Endpoint=properties["Endpoint"],
    )


def _create_bucket(resource: Resource, stack: Stack) -> None:
    properties = resource.properties
    name = resource.physical_name
    s3 = stack.s3()
    s3.create_bucket(Bucket=name)
    if "VersioningConfiguration" in properties:
        s3.put_bucket_versioning(
            Bucket=name,
            VersioningConfiguration={"Status": properties["VersioningConfiguration"]["Status"]},
        )
    if "BucketEncryption" in properties:
        # CloudFormation's ServerSideEncryptionByDefault is the API's
        # ApplyServerSideEncryptionByDefault.
        rules = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
                    for rule in rules
                ]
            },
        )
    if "PublicAccessBlockConfiguration" in properties:
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"],
        )
    notifications = properties.get("NotificationConfiguration", {})
    if notifications:
        s3.put_bucket_notification_configuration(
            Bucket=name,
            NotificationConfiguration={
                "QueueConfigurations": [
                    queue_notification(configuration)
                    for configuration in notifications.get("QueueConfigurations", [])
                ]
            },
        )


def queue_notification(configuration: dict[str, Any]) -> QueueConfigurationTypeDef:
    """A CloudFormation ``QueueConfiguration`` in the shape of the S3 API."""
    rules = configuration.get("Filter", {}).get("S3Key", {}).get("Rules", [])
    notification: QueueConfigurationTypeDef = {
        "QueueArn": configuration["Queue"],
        "Events": [configuration["Event"]],
    }
    if rules:
        notification["Filter"] = {
            "Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}
        }
    return notification


def _record_stack(template: LocalTemplate, stack: Stack, template_path: Path) -> None:
    outputs = template.outputs()
    record = {
        "Description": f"newswatch local stack from {template_path}",
        # One resource, because CloudFormation wants one; the outputs are the point.
        "Resources": {
            "LocalStackTemplate": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {
                    "Name": f"/{LOCAL_STACK_NAME}/template",
                    "Type": "String",
                    "Value": str(template_path),
                },
            }
        },
        "Outputs": {name: {"Value": value} for name, value in outputs.items()},
    }
    cloudformation: Any = stack.client("cloudformation")
    cloudformation.create_stack(StackName=template.stack_name, TemplateBody=json.dumps(record))
