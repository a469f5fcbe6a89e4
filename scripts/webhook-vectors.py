#!/usr/bin/env python3
"""Webhook signature vectors from implementations other than ours.

Run with the venv scripts/setup.sh creates (target/tools/pywebhooks), which pins the
`standardwebhooks` and `stripe` packages:

    target/tools/pywebhooks/bin/python scripts/webhook-vectors.py
        prints JSON vectors: Standard Webhooks headers from `standardwebhooks`, Stripe-style
        headers from `stripe`, Meta and Botbiz headers from the standard library's hmac.
        crates/botbat-webhooks/tests/vectors.json is this output.

    target/tools/pywebhooks/bin/python scripts/webhook-vectors.py verify < cases.json
        verifies headers someone else produced, with the same libraries. Input
        {"cases": [{"scheme": "standard"|"stripe", "secret", "body", "headers": {…}}]};
        output {"results": [{"ok": bool, "error": str|null}]}, one per case, in order.

Everything is deterministic: fixed secrets, ids and timestamps.
"""

import base64
import hashlib
import hmac
import json
import sys
from datetime import datetime, timezone
from importlib.metadata import version

import stripe
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

KEY_A = bytes(range(32))
KEY_B = hashlib.sha256(b"botbat rotation").digest()
KEY_SHORT = b"\x8e\x1f\x03" * 8

STANDARD_SECRET_A = "whsec_" + base64.b64encode(KEY_A).decode()
STANDARD_SECRET_B = "whsec_" + base64.b64encode(KEY_B).decode()
# Unpadded base64, as secrets sometimes are after a copy and paste.
STANDARD_SECRET_UNPADDED = STANDARD_SECRET_B.rstrip("=")
# No prefix: the whole string is base64.
STANDARD_SECRET_BARE = base64.b64encode(KEY_SHORT).decode()

EVENT = (
    '{"id":"evt_01HZX3","type":"message.delivered","created_at":"2024-05-01T12:00:00Z",'
    '"livemode":false,"data":{"message_id":"msg_42","channel":"whatsapp"}}'
)
EVENT_PRETTY = """{
  "type": "contact.updated",
  "id": "evt_02",
  "data": {
    "name": "Zoë Ñúñez 🤖",
    "note": "line\\nbreak \\"quoted\\" \\\\ slash",
    "tags": []
  }
}
"""
BOTBIZ_EVENT = (
    '{"id": "evt_12345", "type": "whatsapp.message.received", "created": 1681036800, '
    '"data": {"account_id": "wha_67890", "from": "+1234567890", "content": "Hello"}}'
)
META_EVENT = (
    '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":'
    '[{"value":{"messaging_product":"whatsapp","statuses":[{"id":"wamid.HBgL","status":'
    '"delivered","timestamp":"1700000000"}]},"field":"messages"}]}]}'
)


def standard(name, secrets, msg_id, timestamp, body):
    when = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    signature = " ".join(Webhook(s).sign(msg_id=msg_id, timestamp=when, data=body) for s in secrets)
    return {
        "scheme": "standard",
        "name": name,
        "secrets": secrets,
        "id": msg_id,
        "timestamp": timestamp,
        "body": body,
        "headers": [
            ["webhook-id", msg_id],
            ["webhook-timestamp", str(timestamp)],
            ["webhook-signature", signature],
        ],
    }


def stripe_style(name, secrets, timestamp, body):
    headers = [
        stripe.WebhookSignature.generate_signature_header(body, s, timestamp=timestamp)
        for s in secrets
    ]
    # Stripe sends one t= and a v1= per secret while an endpoint's secret is being rolled.
    value = headers[0] + "".join("," + h.split(",", 1)[1] for h in headers[1:])
    return {
        "scheme": "stripe",
        "name": name,
        "secrets": secrets,
        "id": "",
        "timestamp": timestamp,
        "body": body,
        "headers": [["stripe-signature", value]],
    }


def hex_hmac(secret, body):
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def body_only(scheme, name, secret, body):
    if scheme == "meta":
        headers = [["x-hub-signature-256", "sha256=" + hex_hmac(secret, body)]]
    else:
        headers = [["x-botbiz-signature", hex_hmac(secret, body)]]
    return {
        "scheme": scheme,
        "name": name,
        "secrets": [secret],
        "id": "",
        "timestamp": 0,
        "body": body,
        "headers": headers,
    }


def vectors():
    return [
        standard("compact event", [STANDARD_SECRET_A], "msg_2a7Kx", 1714564800, EVENT),
        standard("pretty unicode body", [STANDARD_SECRET_B], "msg_pretty", 1700000000, EVENT_PRETTY),
        standard("empty body", [STANDARD_SECRET_A], "msg_empty", 1700000123, ""),
        standard("unpadded secret", [STANDARD_SECRET_UNPADDED], "msg_unpadded", 1714564801, EVENT),
        standard("secret without prefix", [STANDARD_SECRET_BARE], "msg_bare", 1714564802, EVENT),
        standard(
            "rotation: two signatures",
            [STANDARD_SECRET_A, STANDARD_SECRET_B],
            "msg_rotating",
            1714564803,
            EVENT,
        ),
        stripe_style("compact event", ["whsec_test_5f0a1b2c3d4e5f60718293a4b5c6d7e8"], 1714564800, EVENT),
        stripe_style("pretty unicode body", ["whsec_stripe_unicode"], 1700000000, EVENT_PRETTY),
        stripe_style(
            "rolling: two v1 signatures",
            ["whsec_old_3c9e", "whsec_new_77d1"],
            1714564803,
            EVENT,
        ),
        body_only("meta", "status update", "8b9f7c3e2a1d4f6b0c5e9a7d3f1b2c4e", META_EVENT),
        body_only("meta", "pretty unicode body", "app-secret-ünïcode", EVENT_PRETTY),
        body_only("botbiz", "seed example", "bz_whsec_9f8e7d6c5b4a", BOTBIZ_EVENT),
        body_only("botbiz", "empty body", "bz_whsec_9f8e7d6c5b4a", ""),
    ]


def verify(case):
    try:
        if case["scheme"] == "standard":
            Webhook(case["secret"]).verify(case["body"], case["headers"], json_parse=False)
        elif case["scheme"] == "stripe":
            header = next(v for k, v in case["headers"].items() if k.lower() == "stripe-signature")
            stripe.WebhookSignature.verify_header(case["body"], header, case["secret"], tolerance=300)
        else:
            raise ValueError("no reference implementation for " + case["scheme"])
    except (WebhookVerificationError, stripe.SignatureVerificationError, ValueError, StopIteration) as e:
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}
    return {"ok": True, "error": None}


def main():
    if sys.argv[1:] == ["verify"]:
        cases = json.load(sys.stdin)["cases"]
        json.dump({"results": [verify(c) for c in cases]}, sys.stdout, ensure_ascii=False)
    elif not sys.argv[1:]:
        document = {
            "generated_by": {
                "standardwebhooks": version("standardwebhooks"),
                "stripe": version("stripe"),
                "hmac": "python " + sys.version.split()[0],
            },
            "vectors": vectors(),
        }
        json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    else:
        sys.exit("usage: webhook-vectors.py [verify]")
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
