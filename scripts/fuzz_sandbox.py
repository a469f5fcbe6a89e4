"""The sandbox fuzz stage's own parts, next to scripts/fuzz-sandbox.sh.

Loaded by schemathesis as its hooks module (SCHEMATHESIS_HOOKS=fuzz_sandbox), it loads
scripts/fuzz_hooks.py (documented runtime refusals are expected), makes each valid
`Idempotency-Key` of the stateful phase unique (`before_call`), and adds three checks:

- `fuzz_key_kept`: a 401 to a request that carried the run's key means the run lost its key
  (revoked, rotated away, expired), and every later answer would say nothing about the
  operation; that is a failure, not a warning.
- `scope_enforced`: the key gets a 2xx only from operations whose `x-required-scope` it holds
  ($BOTBAT_FUZZ_KEY_SCOPES), and a 403 (or the router's 404/405, or a 429) from the others.
- `ReachRecord`: writes which statuses each operation answered to $BOTBAT_FUZZ_REACH, for the
  summary.

Run as a script, it does the script's few API calls (`scopes`, `create-key`, `clear-faults`),
seeds the resources whose ids no request can guess and writes the schemathesis config that
offers those ids (`seed`), and prints the summary of the runs (`summary`).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.request
import uuid

ROUTER_OR_LIMIT = {403, 404, 405, 429}


def _held() -> set[str]:
    return set(os.environ.get("BOTBAT_FUZZ_KEY_SCOPES", "").split())


def _sent_with_key(response) -> bool:
    sent = response.request.headers.get("Authorization", "")
    return sent == f"Bearer {os.environ.get('BOTBAT_FUZZ_KEY', '')}"


try:
    import schemathesis
except ImportError:  # `create-key` and `summary` run without it
    schemathesis = None

if schemathesis is not None:
    # The documented runtime refusals (x-runtime-rules) are expected: fuzz_hooks registers
    # the filter that drops exactly those.
    import fuzz_hooks  # noqa: F401

    def _valid_idempotency_key(value: object) -> bool:
        return isinstance(value, str) and 1 <= len(value) <= 255 and all(
            " " <= c <= "~" for c in value
        )

    @schemathesis.hook
    def before_call(ctx, case, **kwargs):
        """In the stateful phase each valid `Idempotency-Key` is made unique. Generated keys
        repeat (the shrunk `0`, say), and a repeated key with the same body is answered with
        the first response, as it should be: a replay can name a resource an earlier step made
        and deleted, which the stateful checks would read as a create that did not happen.
        The other phases send keys as generated, so the header is still fuzzed; replays are
        tested in crates/botbat-sandbox/tests/idempotency.rs."""
        meta = getattr(case, "meta", None)
        if meta is None or str(meta.phase.name) != "stateful":
            return
        for name in list((case.headers or {}).keys()):
            if name.lower() == "idempotency-key" and _valid_idempotency_key(case.headers[name]):
                case.headers[name] = str(uuid.uuid4())

    def _scope(case) -> str | None:
        return case.operation.definition.raw.get("x-required-scope")

    @schemathesis.check
    def fuzz_key_kept(ctx, response, case):
        """The run's key stays valid for the whole run."""
        if response.status_code == 401 and _sent_with_key(response):
            raise AssertionError(
                "The fuzz key was refused with 401, so the run lost its key and later answers "
                f"prove nothing: {response.text[:300]}"
            )

    @schemathesis.check
    def scope_enforced(ctx, response, case):
        """Only the scopes the key holds open an operation."""
        scope = _scope(case)
        if scope is None or scope in _held() or not _sent_with_key(response):
            return
        status = response.status_code
        if status not in ROUTER_OR_LIMIT:
            raise AssertionError(
                f"A key without `{scope}` got {status} from {case.operation.label}; "
                f"expected 403 naming the scope: {response.text[:300]}"
            )

    @schemathesis.check
    class ReachRecord:
        """Records every status each operation answered to the run's key, for the summary."""

        def __init__(self):
            self.operations: dict[str, dict] = {}
            self.lock = threading.Lock()

        def after_response(self, ctx, response, case):
            with self.lock:
                entry = self.operations.setdefault(
                    case.operation.label, {"scope": _scope(case), "statuses": set()}
                )
                if _sent_with_key(response):
                    entry["statuses"].add(response.status_code)

        def after_run(self, ctx):
            path = os.environ.get("BOTBAT_FUZZ_REACH")
            if not path:
                return
            with self.lock:
                record = {
                    "key_scopes": sorted(_held()),
                    "operations": {
                        label: {"scope": entry["scope"], "statuses": sorted(entry["statuses"])}
                        for label, entry in self.operations.items()
                    },
                }
            with open(path, "w", encoding="utf-8") as out:
                json.dump(record, out, indent=1, sort_keys=True)


def call(method: str, url: str, key: str, body: object = None) -> object:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else None


def create_key(base: str, admin: str, name: str, scopes: list[str]) -> str:
    return call("POST", f"{base}/api_keys", admin, {"name": name, "scopes": scopes})["secret"]


# How often a generated valid request carries a seeded id instead of a generated one: often
# enough that every operation reaches its resource, rarely enough that unknown ids (the 404
# path) stay fuzzed too. Dictionaries apply only to positive cases, so invalid requests are
# generated exactly as without the seed.
SEEDED_PROBABILITY = 0.5
# Webhook deliveries go here: nothing listens on the discard port, so each attempt fails fast
# and is recorded, which is all a resend needs.
DEAD_ENDPOINT = "http://127.0.0.1:9/fuzz"


def _multipart_csv(base: str, key: str, csv: str) -> dict:
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="contacts.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
        f"{csv}\r\n--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(
        f"{base}/contacts/import",
        data=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _first_delivery(base: str, key: str, webhook: str, deadline_seconds: float = 20.0) -> str:
    """The id of the webhook's first delivery, waiting for the event's fan-out (deadline)."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        deliveries = call("GET", f"{base}/webhooks/{webhook}/deliveries", key)["data"]
        if deliveries:
            return deliveries[0]["id"]
        if time.monotonic() > deadline:
            raise SystemExit(f"seed: no delivery reached webhook {webhook} within {deadline_seconds} s")
        time.sleep(0.05)


# The operations that take a seeded id, the parameter and the seed it takes. A webhook or a
# conversation that an operation may delete, change or resolve is that operation's alone, so
# the others keep theirs (an assign to a resolved conversation is a 409).
SEEDED = [
    ("GET /v1/jobs/{id}", "path.id", "job"),
    ("GET /v1/messages/{id}", "path.id", "message"),
    ("POST /v1/messages/send", "body.contact_id", "contact"),
    ("GET /v1/webhooks/{id}", "path.id", "webhook"),
    ("GET /v1/webhooks/{id}/deliveries", "path.id", "webhook"),
    ("POST /v1/webhooks/{id}/deliveries/{delivery_id}/resend", "path.id", "webhook"),
    ("POST /v1/webhooks/{id}/deliveries/{delivery_id}/resend", "path.delivery_id", "delivery"),
    ("PUT /v1/webhooks/{id}", "path.id", "webhook_updated"),
    ("POST /v1/webhooks/{id}/rotate_secret", "path.id", "webhook_rotated"),
    ("DELETE /v1/webhooks/{id}", "path.id", "webhook_deleted"),
    ("POST /v1/contacts/import", "body.file", "csv"),
    ("GET /v1/conversations/{id}", "path.id", "conversation"),
    ("POST /v1/conversations/{id}/assign", "path.id", "conversation"),
    ("POST /v1/conversations/{id}/resolve", "path.id", "conversation_resolved"),
]
# A CSV the import accepts; a generated file part is random bytes, rarely a CSV.
IMPORT_CSV = "name,phone\nFuzz Import,+15550100003\n"
# The one operation schemathesis cannot test: it speaks HTTP requests, not WebSockets.
WEBSOCKET = "GET /v1/webhooks/listen"
WEBSOCKET_NOTE = "a WebSocket upgrade, which schemathesis cannot speak; crates/botbat-sandbox/tests/listen.rs tests it"


def seed(base: str, admin: str) -> dict[str, str]:
    """Creates, with the admin key, one of each resource an operation of SEEDED needs."""
    seeds: dict[str, str] = {"csv": IMPORT_CSV}
    contact = call("POST", f"{base}/contacts", admin, {"name": "Fuzz Seed", "phone": "+15550100001"})
    seeds["contact"] = contact["id"]
    message = {"contact_id": contact["id"], "channel": "sms", "body": "fuzz seed"}
    seeds["message"] = call("POST", f"{base}/messages/send", admin, message)["id"]
    seeds["job"] = _multipart_csv(base, admin, "name,phone\nFuzz Import,+15550100002\n")["id"]
    for name in ("webhook", "webhook_updated", "webhook_rotated", "webhook_deleted"):
        hook = {"url": DEAD_ENDPOINT, "event_types": ["*"], "description": f"fuzz seed: {name}"}
        seeds[name] = call("POST", f"{base}/webhooks", admin, hook)["id"]
    for name, phone in (("conversation", "+15550100011"), ("conversation_resolved", "+15550100012")):
        inbound = {"from": phone, "channel": "whatsapp", "body": "fuzz seed"}
        seeds[name] = call("POST", f"{base}/sandbox/inbound", admin, inbound)["conversation_id"]
    # The Event Simulator fans one event out to every webhook: a delivery to resend.
    call("POST", f"{base}/sandbox/events", admin, {"type": "contact.created"})
    seeds["delivery"] = _first_delivery(base, admin, seeds["webhook"])
    return seeds


def config_toml(seeds: dict[str, str]) -> str:
    """A schemathesis.toml offering each seeded id to the operations of SEEDED."""
    lines = []
    for name in sorted({seed_name for _, _, seed_name in SEEDED}):
        lines += [f"[dictionaries.{name}]", f"values = [{json.dumps(seeds[name])}]", ""]
    by_operation: dict[str, list[tuple[str, str]]] = {}
    for operation, parameter, seed_name in SEEDED:
        by_operation.setdefault(operation, []).append((parameter, seed_name))
    for operation, bindings in by_operation.items():
        parameters = ", ".join(
            f'{json.dumps(parameter)} = {{ dictionary = "{seed_name}", probability = {SEEDED_PROBABILITY} }}'
            for parameter, seed_name in bindings
        )
        lines += ["[[operations]]", f"include-name = {json.dumps(operation)}", f"parameters = {{ {parameters} }}", ""]
    return "\n".join(lines)


def summary(records: list[str]) -> int:
    """Prints how many of the operations the runs tested answered 2xx, and fails when one was
    never reached (answered anything but 401/403) by a key that holds its scope."""
    statuses: dict[str, set[int]] = {}
    reached: set[str] = set()
    for path in records:
        with open(path, encoding="utf-8") as file:
            record = json.load(file)
        held = set(record["key_scopes"])
        for label, entry in record["operations"].items():
            codes = set(entry["statuses"])
            statuses.setdefault(label, set()).update(codes)
            if (entry["scope"] is None or entry["scope"] in held) and codes - {401, 403}:
                reached.add(label)
    every = sorted(statuses)
    ok = [op for op in every if any(200 <= c < 300 for c in statuses[op])]
    print(f"fuzz: {len(ok)} of {len(every)} operations answered 2xx")
    for op in every:
        if op not in ok:
            note = f" ({WEBSOCKET_NOTE})" if op == WEBSOCKET else ""
            print(f"  no 2xx: {op} answered {', '.join(map(str, sorted(statuses[op]))) or 'nothing'}{note}")
    unreached = [op for op in every if op not in reached]
    if unreached:
        print(f"fuzz: {len(unreached)} operation(s) were never reached by a key that holds their scope:", file=sys.stderr)
        for op in unreached:
            print(f"  {op}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    if len(argv) >= 5 and argv[1] == "create-key":
        print(create_key(argv[2], argv[3], argv[4], argv[5:]))
        return 0
    if len(argv) == 4 and argv[1] == "scopes":
        print(" ".join(s["scope"] for s in call("GET", f"{argv[2]}/scopes", argv[3])["data"]))
        return 0
    if len(argv) == 4 and argv[1] == "clear-faults":
        call("DELETE", f"{argv[2]}/sandbox/faults", argv[3])
        return 0
    if len(argv) == 5 and argv[1] == "seed":
        with open(argv[4], "w", encoding="utf-8") as out:
            out.write(config_toml(seed(argv[2], argv[3])))
        return 0
    if len(argv) >= 3 and argv[1] == "summary":
        return summary(argv[2:])
    print(
        "usage: fuzz_sandbox.py create-key BASE ADMIN_KEY NAME SCOPE...\n"
        "       fuzz_sandbox.py scopes BASE KEY\n"
        "       fuzz_sandbox.py clear-faults BASE KEY\n"
        "       fuzz_sandbox.py seed BASE ADMIN_KEY CONFIG_OUT\n"
        "       fuzz_sandbox.py summary REACH_FILE...",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
