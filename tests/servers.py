"""Real gunicorn processes on loopback for the multi-process tests, bench/load.py and
bench/faults.py: a free port each, bounded waits, and always killed afterwards."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from matcher.config import PROJECT_ROOT

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log_path: Path
    ratelimit_prefix: str

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _get_status(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def _start(database_url: str, index_dir: Path, log_dir: Path, workers: int, env: dict) -> Server:
    port = free_port()
    log_path = log_dir / f"gunicorn-{port}.log"
    environment = {
        **os.environ,
        "ENLACE_DATABASE_URL": database_url,
        "ENLACE_INDEX_DIR": str(index_dir),
        "ENLACE_BIND": f"127.0.0.1:{port}",
        "ENLACE_WORKERS": str(workers),
        "ENLACE_SECRET_KEY": "s" * 64,
        "ENLACE_INDEX_SYNC_INTERVAL": "0.2",
        # Several workers keep their rate limits in Redis: under a prefix of this server.
        "ENLACE_RATELIMIT_KEY_PREFIX": f"enlace-test-{port}-{uuid.uuid4().hex}",
        **env,
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    prefix = environment["ENLACE_RATELIMIT_KEY_PREFIX"]
    return Server(f"http://127.0.0.1:{port}", process, log_path, prefix)


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(10)
    forget_rate_limits(server.ratelimit_prefix)


def forget_rate_limits(prefix: str) -> None:
    """Delete a test server's rate-limit keys from the shared Redis (state never outlives it)."""
    import redis

    from matcher.config import SHARED_RATELIMIT_STORAGE

    try:
        client = redis.Redis.from_url(SHARED_RATELIMIT_STORAGE, socket_timeout=2)
        keys = list(client.scan_iter(f"*{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()
    except redis.RedisError:
        pass  # no Redis: the server kept its limits in memory


@contextmanager
def gunicorn_hosts(
    database_url: str,
    index_dirs: list[Path],
    log_dir: Path,
    *,
    workers: int = 1,
    ready_timeout: float = 60,
    **env: str,
) -> Iterator[list[Server]]:
    """One gunicorn per index directory (a "host" each), started together; yields once
    every /readyz is 200 (database up, index built) and always stops them all."""
    servers: list[Server] = []
    try:
        for index_dir in index_dirs:
            servers.append(_start(database_url, index_dir, log_dir, workers, env))
        deadline = time.monotonic() + ready_timeout
        for server in servers:
            while _get_status(server.base_url + "/readyz") != 200:
                if server.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not become ready:\n{server.log()[-3000:]}")
                time.sleep(0.1)
        yield servers
    finally:
        for server in servers:
            _stop(server)


class Browser:
    """A cookie-keeping HTTP client that can sign in and post forms with their CSRF token."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: dict | None = None, timeout: float = 10.0):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            response = self.opener.open(self.base_url + path, body, timeout=timeout)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")
        with response:
            return response.status, response.read().decode("utf-8", "replace")

    def csrf_token(self, path: str) -> str:
        _status, page = self.request(path)
        found = CSRF_RE.search(page)
        if not found:
            raise AssertionError(f"no CSRF token on {path}")
        return found.group(1)

    def login(self, email: str, password: str) -> None:
        token = self.csrf_token("/login")
        status, page = self.request(
            "/login", {"email": email, "password": password, "csrf_token": token}
        )
        if status != 200:  # a failed sign-in is a 401; success redirects to a 200 page
            raise AssertionError(f"login failed: HTTP {status}: {page[:300]}")

    def json(self, path: str) -> dict:
        status, body = self.request(path)
        if status != 200:
            raise AssertionError(f"{path}: HTTP {status}: {body[:300]}")
        return json.loads(body)
