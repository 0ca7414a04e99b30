"""Who receives which watchlists' alerts: subscriber endpoints, their SNS filter policies, and
the plan that makes the alert topic's subscriptions match the watchlists file.

Plain Python: the SNS and DynamoDB side is :mod:`newswatch.aws.sns_subscriptions`.
"""

from newswatch.alerting.messages import Delivery
from newswatch.subscriptions.endpoints import (
    Endpoint,
    Protocol,
    SubscriptionError,
    endpoint,
    guess_endpoint,
)
from newswatch.subscriptions.plan import (
    Action,
    Change,
    Managed,
    Plan,
    desired_from_notify,
    plan_reconcile,
)
from newswatch.subscriptions.policy import Interest, filter_policy, interest_of

__all__ = [
    "Action",
    "Change",
    "Delivery",
    "Endpoint",
    "Interest",
    "Managed",
    "Plan",
    "Protocol",
    "SubscriptionError",
    "desired_from_notify",
    "endpoint",
    "filter_policy",
    "guess_endpoint",
    "interest_of",
    "plan_reconcile",
]
