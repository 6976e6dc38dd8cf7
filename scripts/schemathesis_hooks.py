"""Schemathesis hooks of scripts/schemathesis (loaded through SCHEMATHESIS_HOOKS).

The fuzzer is an admin and may call every route, `DELETE /v1/keys/{id}` and
`POST /v1/keys/{id}/rotate` included: sooner or later it revokes or rotates the very key
it is using (ids are small numbers, and 1 is a boundary value it always tries), after
which every request would be a 401 and the rest of the run would test nothing. So the key
comes from this provider: it makes an admin key with `loyalty keys create` on the
server's database (LOYALTY_BIN, SCHEMATHESIS_DATABASE), and Schemathesis asks for a new
one, and sends the request again with it, whenever one is answered 401 (its `retry_on`
default). The first key is LOYALTY_ADMIN_KEY, the one the server was started with.
"""

import ast
import os
import subprocess
import threading

import schemathesis


# Python before 3.11.9 and 3.12.3 keeps the depth counter of the C code that builds an
# `ast` tree in state shared by every thread (CPython gh-106905). With two workers, two
# threads parsing at once (Hypothesis parses its strategies' lambdas to describe them)
# may overwrite each other's counter, and the parse fails with "SystemError: AST
# constructor recursion depth mismatch", a runtime error of the fuzzer that has nothing
# to do with the server. Parsing one thread at a time keeps the counter each one's own.
_parsing = threading.RLock()
_parse = ast.parse


def _parse_alone(*args, **kwargs):
    with _parsing:
        return _parse(*args, **kwargs)


ast.parse = _parse_alone


# Kept until a request is answered 401; then `get` is asked again.
@schemathesis.auth(refresh_interval=10**9)
class AdminKey:
    def __init__(self):
        self.key = os.environ["LOYALTY_ADMIN_KEY"]
        self.used = False

    def get(self, case, context):
        if self.used:
            self.key = new_admin_key()
        self.used = True
        return self.key

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


def new_admin_key():
    made = subprocess.run(
        [
            os.environ["LOYALTY_BIN"],
            "keys",
            "create",
            "--program",
            "coffee",
            "--name",
            "schemathesis",
            "--role",
            "admin",
            "--database",
            os.environ["SCHEMATHESIS_DATABASE"],
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    )
    for line in made.stdout.splitlines():
        if line.startswith("secret: "):
            return line.removeprefix("secret: ").strip()
    raise RuntimeError(f"no secret in the output of `loyalty keys create`: {made.stdout}")
