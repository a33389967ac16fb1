"""The shared stand-in plumbing: real sockets, admin control, each fault kind."""

from __future__ import annotations

import http.client
import json

import pytest
import requests

from app.sandbox.faults import FaultKind
from app.sandbox.http_base import SandboxRequest, SandboxResponse, SandboxServer


class CounterApp:
    """Counts writes so 'applied or not' is observable from outside."""

    def __init__(self) -> None:
        self.applied = 0

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if request.method == "POST":
            self.applied += 1
        return SandboxResponse(
            200, {"applied": self.applied, "expired": request.token_expired, "q": request.query}
        )

    def fault_response(self, kind: FaultKind, retry_after_s: int) -> SandboxResponse:
        return SandboxResponse(int(kind.value), {"fault": kind.value}, {"Retry-After": "1"})

    def is_write(self, request: SandboxRequest) -> bool:
        return request.method == "POST"


@pytest.fixture
def server():
    app = CounterApp()
    with SandboxServer(app) as srv:
        yield srv


def test_plain_request_and_query(server):
    r = requests.get(server.url + "/x?a=1&b=", timeout=5)
    assert r.status_code == 200
    assert r.json()["q"] == {"a": "1", "b": ""}


@pytest.mark.parametrize("kind,status", [("429", 429), ("503", 503), ("500", 500)])
def test_error_faults_do_not_apply(server, kind, status):
    server.faults.script(kind)
    r = requests.post(server.url + "/w", json={}, timeout=5)
    assert r.status_code == status
    assert r.headers["Retry-After"] == "1"
    assert server.app.applied == 0
    assert requests.post(server.url + "/w", json={}, timeout=5).json()["applied"] == 1


def test_reset_drops_without_applying(server):
    server.faults.script("reset")
    with pytest.raises(requests.ConnectionError):
        requests.post(server.url + "/w", json={}, timeout=5)
    assert server.app.applied == 0


def test_apply_then_drop_applies(server):
    server.faults.script("apply_then_drop")
    with pytest.raises(requests.ConnectionError):
        requests.post(server.url + "/w", json={}, timeout=5)
    assert server.app.applied == 1


def test_apply_then_drop_skips_reads(server):
    server.faults.script("apply_then_drop")
    assert requests.get(server.url + "/r", timeout=5).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.post(server.url + "/w", json={}, timeout=5)


def test_hang_times_out(server):
    server.faults.script("hang")
    server.faults.settings.hang_s = 2
    with pytest.raises(requests.ReadTimeout):
        requests.post(server.url + "/w", json={}, timeout=0.3)
    assert server.app.applied == 0


def test_malformed_body_is_truncated_json(server):
    server.faults.script("malformed")
    r = requests.post(server.url + "/w", json={}, timeout=5)
    with pytest.raises(ValueError):
        json.loads(r.text)
    assert server.app.applied == 1


def test_expired_token_flag_reaches_app(server):
    server.faults.script("expired_token")
    assert requests.get(server.url + "/r", timeout=5).json()["expired"] is True
    assert requests.get(server.url + "/r", timeout=5).json()["expired"] is False


def test_path_filter_and_admin_control(server):
    r = requests.post(
        server.url + "/_sandbox/faults",
        json={"script": [{"kind": "500", "count": 2, "path_contains": "/only"}]},
        timeout=5,
    )
    assert r.status_code == 200
    assert requests.get(server.url + "/other", timeout=5).status_code == 200
    assert requests.get(server.url + "/only", timeout=5).status_code == 500
    assert requests.get(server.url + "/only", timeout=5).status_code == 500
    assert requests.get(server.url + "/only", timeout=5).status_code == 200
    counts = requests.get(server.url + "/_sandbox/faults", timeout=5).json()["counts"]
    assert counts == {"500": 2}


def test_random_faults_are_seeded(server):
    server.faults.set_random(0.5, ["500"], seed=7)
    first = [requests.get(server.url + "/r", timeout=5).status_code for _ in range(20)]
    server.faults.set_random(0.5, ["500"], seed=7)
    second = [requests.get(server.url + "/r", timeout=5).status_code for _ in range(20)]
    assert first == second
    assert 500 in first and 200 in first


def test_bad_admin_body_is_400(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("POST", "/_sandbox/faults", body=b"{nope", headers={"Content-Length": "5"})
    assert conn.getresponse().status == 400
