"""Worker recycling drops nothing: requests on kept-alive connections, in flight while
a worker restarts after max_requests, all get an answer (issue 18, finding 6)."""

from __future__ import annotations

import http.client
import threading
import time
from pathlib import Path

from matcher.operations import index_sync
from tests.servers import gunicorn_hosts

RECYCLED = "Autorestarting worker"


def _client(base_url: str, stop: threading.Event, outcomes: list, lock: threading.Lock) -> None:
    """One keep-alive connection reused like a load balancer's, reopened only when the
    server says "Connection: close"; a reset or refused request is a failure."""
    host, port = base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    while not stop.is_set():
        try:
            conn.request("GET", "/api/v1/search?q=food&per_page=5")
            response = conn.getresponse()
            response.read()
            outcome = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as error:
            outcome = type(error).__name__
            conn.close()
        with lock:
            outcomes.append(outcome)
    conn.close()


def test_requests_in_flight_while_workers_recycle_all_get_answers(
    app, session, database_url, tmp_path
):
    index_dir = Path(app.config["ENLACE_INDEX_DIR"])
    index_sync.sync(session, index_dir)
    recycling = {"ENLACE_MAX_REQUESTS": "40", "ENLACE_MAX_REQUESTS_JITTER": "5"}
    with gunicorn_hosts(database_url, [index_dir], tmp_path, workers=2, **recycling) as (server,):
        outcomes: list = []
        lock, stop = threading.Lock(), threading.Event()
        clients = [
            threading.Thread(target=_client, args=(server.base_url, stop, outcomes, lock))
            for _ in range(8)
        ]
        for client in clients:
            client.start()
        deadline = time.monotonic() + 120  # a busy machine recycles more slowly
        while server.log().count(RECYCLED) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # requests in flight across the last restart
        stop.set()
        for client in clients:
            client.join(60)
        recycled = server.log().count(RECYCLED)
    failures = [o for o in outcomes if o != 200]
    assert recycled >= 3, f"only {recycled} recycles in {len(outcomes)} requests"
    assert failures == [], f"{len(failures)} of {len(outcomes)} failed: {failures[:5]}"
