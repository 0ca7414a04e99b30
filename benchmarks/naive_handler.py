"""The cold-start yardstick (never shipped): an ingest handler written the common way.

Everything is imported and built at module level, as most Lambda examples do: Powertools'
Tracer, Logger and Metrics, the event parser (pydantic models), boto3 resources, and bs4 for
the page. ``benchmarks.coldstart`` times importing this module in a fresh process beside
importing the real handler and building its pipeline.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.parser.models import S3Model, SqsModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from bs4 import BeautifulSoup

tracer = Tracer(service="naive")
logger = Logger(service="naive")
metrics = Metrics(namespace="naive")
s3 = boto3.resource("s3")
table = boto3.resource("dynamodb").Table(os.environ.get("TABLE_NAME", "naive"))
sns = boto3.client("sns")


@tracer.capture_lambda_handler
@event_parser(model=SqsModel)
def handler(event: SqsModel, context: LambdaContext) -> dict[str, Any]:
    """Each record's S3 object: its text via bs4, stored whole, one alert per stored article."""
    for record in event.Records:
        notification = S3Model.model_validate_json(str(record.body))
        for s3_record in notification.Records:
            key = s3_record.s3.object.key if s3_record.s3.object else ""
            source = s3.Object(s3_record.s3.bucket.name, key)
            text = BeautifulSoup(source.get()["Body"].read(), "lxml").get_text()
            table.put_item(Item={"PK": key, "text": text})
            sns.publish(TopicArn=os.environ.get("TOPIC_ARN", ""), Message=text[:200])
    return {}
