"""The running local stack the end-to-end tests share: started from template.yaml on a free
port with watchlists.yaml pushed, and a way to drop a page and wait until the handler took it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newswatch.events import ObjectRef
from newswatch.local.runner import LocalStack

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def running_stack(outbox_dir: Path) -> Iterator[LocalStack]:
    stack = LocalStack(
        ROOT / "template.yaml",
        port=0,
        outbox_dir=outbox_dir,
        parameters={"LogLevel": "ERROR"},
    )
    stack.start()
    try:
        stack.push_watchlists(ROOT / "watchlists.yaml")
        yield stack
    finally:
        stack.stop()


def put_and_process(local: LocalStack, path: Path) -> ObjectRef:
    """Put ``path`` under incoming/ with boto3 and poll until the handler has taken it."""
    key = f"incoming/{path.name}"
    local.stack.s3().put_object(Bucket=local.stack.bucket, Key=key, Body=path.read_bytes())
    for _ in range(30):
        for ref in local.poll(wait_seconds=1).succeeded:
            if ref.key == key:
                return ref
    raise AssertionError(f"{key} was not processed")
