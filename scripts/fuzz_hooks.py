"""Schemathesis hooks of the sandbox fuzz stage (scripts/fuzz-sandbox.sh).

A schema-valid request may still be refused for a rule no JSON Schema can state: a template
that must be approved, a time that must be in the future, a cursor of another list. Each
operation of the sandbox's document lists its rules in `x-runtime-rules`
({status, field, issue}), and its description repeats them. This hook drops a "schema-valid
request rejected" failure only when the answer is exactly such a refusal: the status is the
rule's, and every entry of `details` (or, for a rule without a field, the message) is one
of the operation's rules. Anything else, including a refusal that mixes a rule with another
issue, stays a failure.
"""

import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData


def _rules(case):
    raw = case.operation.definition.raw
    return raw.get("x-runtime-rules", []) if isinstance(raw, dict) else []


def _is_documented_refusal(rules, status, error):
    rules = [r for r in rules if r.get("status") == status]
    if not rules or not isinstance(error, dict):
        return False
    details = error.get("details") or []
    if not details:
        message = error.get("message", "")
        return any(r.get("field") is None and message.startswith(r["issue"]) for r in rules)
    return all(
        any(
            r.get("field") == detail.get("field") and str(detail.get("issue", "")).startswith(r["issue"])
            for r in rules
        )
        for detail in details
    )


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but a documented runtime refusal of schema-valid data."""
    if not isinstance(failure, RejectedPositiveData):
        return True
    try:
        error = response.json().get("error")
    except Exception:
        return True
    return not _is_documented_refusal(_rules(case), response.status_code, error)
