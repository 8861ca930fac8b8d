"""Health checks against hostile endpoints (semantics §1.1 deadlines and limits), with the real
binary: endless headers, a body that never ends (STR_MATCH), a stalled TLS handshake, a reset
mid-response, a drip of one byte per second, a huge chunked body, an invalid status line. Each
probe must fail within its deadline with the matching reason, the process's memory stays
bounded, and once the checks are removed its open fds return to their baseline."""
import os
import socket
import struct
import threading
import time

import pytest

from harness import R53Sim, poll

TIMEOUT = 1.0  # connect, response and body timeouts of every check below
INTERVAL = 0.5

BASE_CONFIG = """
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {{Name: www.example.com, Type: A, TTL: 60, ResourceRecords: [{{Value: 192.0.2.1}}]}}
local:
  fleet: {{single_checker: true}}
health_checks:
  # A well-behaved check, so the baseline already has the probe engine's own fds.
  hc-polite:
    HealthCheckConfig: {{Type: TCP, IPAddress: 127.0.0.1, Port: {polite_port}}}
    local: {{interval: {interval}s}}
"""


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def fd_targets(pid):
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            out.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return sorted(out)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


class HostileServer:
    """Accepts on loopback and hands each connection to `behave(sock)` in its own thread."""

    def __init__(self, behave):
        self.behave = behave
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.closing = threading.Event()
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while not self.closing.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        try:
            conn.settimeout(30)
            self.behave(conn, self.closing)
        except OSError:
            pass  # the prober gave up and closed: what we want
        finally:
            conn.close()

    def close(self):
        self.closing.set()
        self.listener.close()


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            raise OSError("closed")
        data += chunk


def endless_headers(conn, closing):
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    n = 0
    while not closing.is_set():
        conn.sendall(b"X-Padding-%d: %s\r\n" % (n, b"p" * 100))
        n += 1


def endless_body(conn, closing):
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
    while not closing.is_set():
        conn.sendall(b"no match here " * 256)


def stalled_tls(conn, closing):
    conn.recv(4096)  # the ClientHello; no ServerHello ever comes
    closing.wait(20)


def reset_mid_response(conn, closing):
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nX-Half: ")
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def slow_drip(conn, closing):
    read_request(conn)
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
        if closing.wait(1.0):
            return
        conn.sendall(bytes([byte]))


def huge_chunked(conn, closing):
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    conn.sendall(b"fffffffffff\r\n")  # ~17 TB announced
    while not closing.is_set():
        conn.sendall(b"z" * 65536)


def invalid_status(conn, closing):
    read_request(conn)
    conn.sendall(b"HTTP/1.1 TWO-HUNDRED Fine\r\nContent-Length: 0\r\n\r\n")


# id -> (behaviour, Type, extra HealthCheckConfig fields, words the failure must contain)
CASES = {
    "hc-endless-headers": (endless_headers, "HTTP", "", "headers exceeded 16384"),
    "hc-endless-body": (endless_body, "HTTP_STR_MATCH", ", SearchString: needle",
                        "not found in the first 5120 bytes"),
    "hc-stalled-tls": (stalled_tls, "HTTPS", "", "handshake timed out"),
    "hc-reset": (reset_mid_response, "HTTP", "", "closed the connection"),
    "hc-slow-drip": (slow_drip, "HTTP", "", "Timed out"),
    "hc-huge-chunked": (huge_chunked, "HTTP_STR_MATCH", ", SearchString: needle",
                        "not found in the first 5120 bytes"),
    "hc-invalid-status": (invalid_status, "HTTP", "", "Invalid HTTP response"),
}


def base_config(servers):
    return BASE_CONFIG.format(polite_port=servers["polite"].port, interval=INTERVAL)


def polite(conn, closing):
    conn.close()


def hostile_config(servers):
    lines = [base_config(servers)]
    for check_id, (_, kind, extra, _) in CASES.items():
        lines.append(f"  {check_id}:")
        lines.append(f"    HealthCheckConfig: {{Type: {kind}, IPAddress: 127.0.0.1, "
                     f"Port: {servers[check_id].port}, ResourcePath: /health, "
                     f"FailureThreshold: 1{extra}}}")
        lines.append(f"    local: {{interval: {INTERVAL}s, connect_timeout: {TIMEOUT}s, "
                     f"response_timeout: {TIMEOUT}s, body_timeout: {TIMEOUT}s}}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def servers():
    started = {check_id: HostileServer(case[0]) for check_id, case in CASES.items()}
    started["polite"] = HostileServer(polite)
    yield started
    for s in started.values():
        s.close()


def test_hostile_endpoints_fail_in_time_and_release_everything(servers):
    with R53Sim(base_config(servers)) as sim:
        pid = sim.proc.pid
        poll(lambda: servers["polite"].connections >= 2, 10, what="the polite check probed")
        baseline_fds = open_fds(pid)
        baseline_targets = fd_targets(pid)
        baseline_rss = rss_kib(pid)
        with open(sim.config_path, "w") as f:
            f.write(hostile_config(servers))
        status, body = sim.admin("POST", "/v1/reload")
        assert status == 200, body

        # Each probe fails with its reason; the deadline is one interval, the first probe's
        # jitter and the slowest timeout (connect + response + body), plus slack for a busy host.
        deadline = INTERVAL * 2 + 3 * TIMEOUT + 5
        reasons = {}
        for check_id, (_, _, _, words) in CASES.items():
            def failed():
                code, check = sim.admin("GET", f"/v1/health-checks/{check_id}")
                assert code == 200, check
                last = check.get("last_failure")
                return last["status"] if last and not check["healthy"] else None
            reasons[check_id] = poll(failed, deadline, interval=0.1, what=f"{check_id} failing")
            assert words in reasons[check_id], (check_id, reasons[check_id])

        # Keep probing for a few more rounds: the hostile endpoints must not accumulate state.
        rounds_from = {check_id: servers[check_id].connections for check_id in CASES}
        poll(lambda: all(servers[c].connections >= rounds_from[c] + 2 for c in CASES),
             10 * (INTERVAL + 3 * TIMEOUT), interval=0.2, what="two more probes of every check")
        grown_kib = rss_kib(pid) - baseline_rss
        assert grown_kib < 64 * 1024, f"RSS grew by {grown_kib} KiB"

        # Without the checks, every probe socket is closed again.
        with open(sim.config_path, "w") as f:
            f.write(base_config(servers))
        status, body = sim.admin("POST", "/v1/reload")
        assert status == 200, body
        fds = poll(lambda: open_fds(pid) <= baseline_fds and open_fds(pid), 3 * TIMEOUT + 10,
                   interval=0.1, what=f"fd count back to {baseline_fds} (had {baseline_targets}, "
                   f"now {fd_targets(pid)})")
        assert fds <= baseline_fds
        assert sim.stop() == 0
