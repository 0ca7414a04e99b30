"""The local stack: template.yaml's resources on a local moto server, with the real ingest
handler fed by a poller that plays Lambda's SQS event source (``newswatch local``).

Needs moto (a development dependency); nothing here is imported in Lambda.
"""
