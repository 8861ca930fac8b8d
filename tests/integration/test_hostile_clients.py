"""Hostile DNS clients against the real binary: TCP connections that never send, half a length
prefix, thousands of pipelined queries never read, more connections than the cap, UDP from 199
source addresses at once. A normal client keeps getting answers throughout (each within a
deadline), and the server's open fds return to their baseline once the idle timeout (10 s,
server/dns/dns_server.hpp) has closed what the clients left open."""
import os
import socket
import struct
import threading
import time

from dnswire import Response, build_query, query_tcp, query_udp
from harness import R53Sim, poll

CONFIG = """
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {Name: www.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.1}]}
local:
  workers: 2
"""

IDLE_TIMEOUT = 10.0      # DnsServerOptions::tcp_idle_timeout default
MAX_TCP = 256            # DnsServerOptions::max_tcp_connections default
ANSWER_DEADLINE = 2.0    # a normal client's query, retries included


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def answered_within(port, deadline=ANSWER_DEADLINE):
    """One UDP query for www, retried until answered or the deadline passes; seconds taken."""
    start = time.monotonic()
    qid = 1
    while time.monotonic() - start < deadline:
        try:
            r = query_udp(port, build_query("www.example.com", "A", qid=qid), timeout=0.5)
            if r.rcode == "NOERROR" and r.answer:
                return time.monotonic() - start
        except (socket.timeout, OSError):
            pass
        qid += 1
    return None


class NormalClient(threading.Thread):
    """Asks every 50 ms until stopped; remembers every query that missed its deadline."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stop_flag = port, threading.Event()
        self.asked, self.missed, self.slowest = 0, 0, 0.0

    def run(self):
        while not self.stop_flag.is_set():
            took = answered_within(self.port)
            self.asked += 1
            if took is None:
                self.missed += 1
            else:
                self.slowest = max(self.slowest, took)
            time.sleep(0.05)

    def finish(self):
        self.stop_flag.set()
        self.join(10)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setblocking(False)
    return s


def pipeline_without_reading(port, count, budget):
    """Writes `count` length-prefixed queries and never reads; returns (socket, bytes written)."""
    s = connect(port)
    payload = b"".join(struct.pack("!H", len(m)) + m
                       for m in (build_query("www.example.com", "A", qid=i & 0xFFFF)
                                 for i in range(count)))
    sent, deadline = 0, time.monotonic() + budget
    while sent < len(payload) and time.monotonic() < deadline:
        try:
            sent += s.send(payload[sent:])
        except BlockingIOError:
            time.sleep(0.01)  # the server stopped reading: it is waiting for us to read
        except OSError:
            break
    return s, sent


def is_closed_by_peer(s):
    try:
        return s.recv(65535, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def drained_to_eof(s):
    """Reads whatever the server sent; True once it has closed its side."""
    try:
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_hostile_clients_do_not_starve_normal_ones():
    with R53Sim(CONFIG) as sim:
        port, pid = sim.dns_port, sim.proc.pid
        assert answered_within(port) is not None
        query_tcp(port, build_query("www.example.com", "A"))
        baseline = poll(lambda: open_fds(pid), 5, what="fd count")
        rss_before = rss_kib(pid)

        client = NormalClient(port)
        client.start()
        held = []
        try:
            # Silent connections and half a length prefix.
            for _ in range(40):
                held.append(connect(port))
            for _ in range(40):
                s = connect(port)
                s.send(b"\x00")
                held.append(s)
            # Pipelined queries the client never reads: the server must not buffer without bound.
            pipelined = [pipeline_without_reading(port, 5000, budget=3) for _ in range(2)]
            assert all(sent > 10_000 for _, sent in pipelined), [sent for _, sent in pipelined]
            # What the server holds for a client that never reads stays bounded.
            assert rss_kib(pid) - rss_before < 64 * 1024
            held += [s for s, _ in pipelined]

            # Past the cap: the extra connections are closed at once by the server.
            flood = [connect(port) for _ in range(MAX_TCP + 50)]
            held += flood
            closed = poll(lambda: sum(is_closed_by_peer(s) for s in held) >= 50 or None, 10,
                          what="connections past the cap closed")
            assert closed
            assert open_fds(pid) <= baseline + MAX_TCP + 8

            # 199 source addresses at once over UDP; each must be answered.
            sources = []
            for last in range(2, 201):
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                u.bind((f"127.0.0.{last}", 0))
                u.setblocking(False)
                sources.append(u)
            pending = {u: build_query("www.example.com", "A", qid=i) for i, u in enumerate(sources)}
            deadline = time.monotonic() + 10
            while pending and time.monotonic() < deadline:
                for u, q in pending.items():
                    u.sendto(q, ("127.0.0.1", port))
                wait_until = time.monotonic() + 1
                while pending and time.monotonic() < wait_until:
                    for u in list(pending):
                        try:
                            data = u.recv(4096)
                        except BlockingIOError:
                            continue
                        r = Response(data)
                        if r.id == struct.unpack("!H", pending[u][:2])[0] and r.answer:
                            del pending[u]
                    time.sleep(0.01)
            for u in sources:
                u.close()
            assert not pending, f"{len(pending)} of 199 sources never answered"

            # The server closes everything the hostile clients left open after its idle timeout.
            started = time.monotonic()
            poll(lambda: all(drained_to_eof(s) for s in held), IDLE_TIMEOUT + 15, interval=0.2,
                 what="every hostile connection closed by the server")
            closed_after = time.monotonic() - started
            fds = poll(lambda: open_fds(pid) <= baseline and open_fds(pid), 5, interval=0.1,
                       what=f"fd count back to {baseline}")
            assert fds <= baseline
        finally:
            client.finish()
            for s in held:
                s.close()

        # A normal TCP client is served again once the flood is gone.
        assert query_tcp(port, build_query("www.example.com", "A")).answer
        assert client.asked > 20
        assert client.missed == 0, f"{client.missed} of {client.asked} normal queries missed"
        print(f"normal client: {client.asked} queries, slowest {client.slowest:.3f}s; "
              f"hostile connections closed {closed_after:.1f}s after the last")
