"""The sandbox fuzz stage's own parts, next to scripts/fuzz-sandbox.sh.

Loaded by schemathesis as its hooks module (SCHEMATHESIS_HOOKS=fuzz_sandbox), it loads
scripts/fuzz_hooks.py (documented runtime refusals are expected) and adds three checks:

- `fuzz_key_kept`: a 401 to a request that carried the run's key means the run lost its key
  (revoked, rotated away, expired), and every later answer would say nothing about the
  operation; that is a failure, not a warning.
- `scope_enforced`: the key gets a 2xx only from operations whose `x-required-scope` it holds
  ($BOTBAT_FUZZ_KEY_SCOPES), and a 403 (or the router's 404/405, or a 429) from the others.
- `ReachRecord`: writes which statuses each operation answered to $BOTBAT_FUZZ_REACH, for the
  summary.

Run as a script, it does the script's few API calls (`scopes`, `create-key`, `clear-faults`)
and prints the summary of the runs (`summary`).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import urllib.request

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
            print(f"  no 2xx: {op} answered {', '.join(map(str, sorted(statuses[op]))) or 'nothing'}")
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
    if len(argv) >= 3 and argv[1] == "summary":
        return summary(argv[2:])
    print(
        "usage: fuzz_sandbox.py create-key BASE ADMIN_KEY NAME SCOPE...\n"
        "       fuzz_sandbox.py scopes BASE KEY\n"
        "       fuzz_sandbox.py clear-faults BASE KEY\n"
        "       fuzz_sandbox.py summary REACH_FILE...",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
