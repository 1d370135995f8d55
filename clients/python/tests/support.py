"""The server the tests talk to: a real `spool serve`.

`npm test` (test/integration/python-client.test.ts) starts one with auth on and passes
SPOOL_TEST_URL and SPOOL_TEST_ADMIN_TOKEN. Run alone (`python3 -m unittest` in clients/python),
the tests start `bin/spool.js serve --no-auth --port 0` from this checkout themselves.
"""
from __future__ import annotations

import atexit
import os
import re
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Optional

from spool_client import SpoolClient

_ROOT = Path(__file__).resolve().parents[3]
_server: Optional[subprocess.Popen] = None
_url: Optional[str] = None


def _start_server() -> str:
    global _server
    data = tempfile.mkdtemp(prefix="spool-py-")
    _server = subprocess.Popen(
        ["node", str(_ROOT / "bin" / "spool.js"), "serve", "--no-auth", "--port", "0",
         "--url", "sqlite:%s/spool.db" % data, "--workers", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    atexit.register(_server.terminate)
    found = threading.Event()
    url = []

    def read() -> None:
        assert _server is not None and _server.stdout is not None
        for line in _server.stdout:
            match = re.search(r"health\s+(http://\S+)/healthz", line)
            if match and not url:
                url.append(match.group(1))
                found.set()

    threading.Thread(target=read, daemon=True).start()
    if not found.wait(60):
        raise RuntimeError("spool serve did not start within 60 s")
    return url[0]


def server_url() -> str:
    global _url
    if _url is None:
        _url = os.environ.get("SPOOL_TEST_URL") or _start_server()
    return _url


def admin() -> SpoolClient:
    return SpoolClient(server_url(), os.environ.get("SPOOL_TEST_ADMIN_TOKEN"), timeout=60)


def client_with_role(role: str, queues: Optional[list] = None) -> SpoolClient:
    """A client with a new key of `role` (tenant `default`); the admin's when auth is off."""
    root = admin()
    if root.token is None:
        return root
    body = {"role": role, "name": "python-tests"}
    if queues is not None:
        body["queues"] = queues
    key = root.request("POST", "/keys", body)
    return SpoolClient(server_url(), key["key"], timeout=60)


def unique(prefix: str) -> str:
    """A name no other test (or earlier run) uses: each test gets its own queue."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])
