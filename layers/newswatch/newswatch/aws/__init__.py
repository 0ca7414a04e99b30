"""Small adapters between the pipeline and AWS: S3 reads, the DynamoDB table, SNS alerts.

Each adapter takes its client in its constructor (the functions' come from :mod:`.clients`), so
Lambda creates clients once per container, the CLI points them at a stack or a local endpoint,
and tests use moto.
"""
