"""The alert path: what is sent (messages), to whom and when (story alerts, storm control,
digests), and the delivery state machine that sends each message once. Plain Python over small
Protocols; the DynamoDB and SNS adapters are in :mod:`newswatch.aws`."""
