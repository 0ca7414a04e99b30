"""``newswatch rejections`` finds the stack from its outputs and lists rejections newest first."""

from __future__ import annotations

import json

import boto3
import pytest
from ingest_env import BUCKET, IngestEnv, env_fixture  # noqa: F401
from newswatch.cli import main
from newswatch.errors import Rejection
from newswatch.events import ObjectRef


def deploy_outputs(env: IngestEnv, name: str = "newswatch-test") -> None:
    """A CloudFormation stack whose outputs name the resources, as `sam deploy` leaves it."""
    template = {
        "Resources": {
            "Marker": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": "/newswatch-test", "Type": "String", "Value": "x"},
            }
        },
        "Outputs": {
            "BucketName": {"Value": BUCKET},
            "TableName": {"Value": env.settings.table_name},
            "TopicArn": {"Value": env.settings.topic_arn},
            "QueueUrl": {"Value": env.alerts_queue_url},
            "DeadLetterQueueUrl": {"Value": env.alerts_queue_url},
        },
    }

    boto3.client("cloudformation", region_name="us-east-1").create_stack(
        StackName=name, TemplateBody=json.dumps(template)
    )


def test_lists_rejections_newest_first(env: IngestEnv, capsys: pytest.CaptureFixture[str]) -> None:
    deploy_outputs(env)
    env.articles.put_rejection(
        ObjectRef(BUCKET, "incoming/a.png", "v1"), Rejection("not-html", "PNG")
    )
    env.articles.put_rejection(
        ObjectRef(BUCKET, "incoming/b.html", "v2"), Rejection("too-large", "11 MB")
    )

    assert main(["rejections", "--stack", "newswatch-test"]) == 0
    out = capsys.readouterr().out
    assert out.index("too-large") < out.index("not-html")
    assert f"s3://{BUCKET}/incoming/b.html" in out and "11 MB" in out

    assert main(["rejections", "--stack", "newswatch-test", "--json", "--limit", "1"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line) | {"rejected_at": None} == {
        "rejected_at": None,
        "reason": "too-large",
        "detail": "11 MB",
        "bucket": BUCKET,
        "key": "incoming/b.html",
        "version_id": "v2",
        "article_id": ObjectRef(BUCKET, "incoming/b.html", "v2").article_id,
    }


def test_says_so_when_there_are_none(env: IngestEnv, capsys: pytest.CaptureFixture[str]) -> None:
    deploy_outputs(env)
    assert main(["rejections", "--stack", "newswatch-test"]) == 0
    assert capsys.readouterr().out == "no rejections stored\n"


def test_an_unknown_stack_is_a_clear_error(
    env: IngestEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rejections", "--stack", "nope"]) == 2
    assert "stack nope" in capsys.readouterr().err
