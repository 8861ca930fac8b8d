"""A real etcd (Debian's etcd-server) for the replica tests: started on loopback ports with a
temporary data dir, stopped by pid, restartable on the same ports and data. Its keys are read
through the same HTTP/JSON gateway r53sim uses. A missing etcd fails the test; it never skips."""
import base64
import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from harness import R53Sim, free_port, poll

ETCD = "/usr/bin/etcd"


def b64(text):
    return base64.b64encode(text.encode()).decode()


def unb64(text):
    return base64.b64decode(text).decode()


class Etcd:
    def __init__(self):
        assert os.access(ETCD, os.X_OK), \
            f"{ETCD} is missing: install Debian's etcd-server (it is in the Makefile's TEST_PACKAGES)"
        # tmpfs when there is one: etcd fsyncs every commit, and the figures should measure
        # r53sim, not a shared disk.
        base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        self.dir = tempfile.mkdtemp(prefix="r53sim-etcd-", dir=base)
        self.client_port, self.peer_port = free_port(), free_port()
        self.proc = None
        self.log = open(os.path.join(self.dir, "etcd.log"), "a")
        self.start()

    def start(self):
        client = f"http://127.0.0.1:{self.client_port}"
        peer = f"http://127.0.0.1:{self.peer_port}"
        self.proc = subprocess.Popen(
            [ETCD, "--name", "r53sim-test", "--data-dir", os.path.join(self.dir, "data"),
             "--listen-client-urls", client, "--advertise-client-urls", client,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", f"r53sim-test={peer}", "--log-level", "warn"],
            stdout=self.log, stderr=subprocess.STDOUT)
        poll(lambda: self.reachable(), 20, interval=0.05, what="etcd to answer")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self):
        self.stop()
        self.log.close()

    def url(self, prefix, lease_ttl=2):
        return f"etcd://127.0.0.1:{self.client_port}/{prefix}?lease_ttl={lease_ttl}"

    def call(self, path, body):
        req = urllib.request.Request(f"http://127.0.0.1:{self.client_port}{path}",
                                     data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read().decode())

    def reachable(self):
        if self.proc is None or self.proc.poll() is not None:
            return False
        try:
            self.call("/v3/kv/range", {"key": b64("/")})
            return True
        except (OSError, ValueError):
            return False

    def get(self, key):
        kvs = self.call("/v3/kv/range", {"key": b64(key)}).get("kvs", [])
        return unb64(kvs[0].get("value", "")) if kvs else None

    def keys(self, prefix):
        reply = self.call("/v3/kv/range", {"key": b64(prefix), "range_end": b64(prefix[:-1] + chr(ord(prefix[-1]) + 1)),
                                           "keys_only": True})
        return sorted(unb64(kv["key"]) for kv in reply.get("kvs", []))


def start_replicas(config_text, url, count, extra_args=(), env=None):
    """`count` r53sim replicas on port 0 sharing one etcd prefix, started together."""
    old = dict(os.environ)
    if env:
        os.environ.update(env)
    try:
        sims = [R53Sim(config_text, args=["--store", url, *extra_args], expect_ready=False)
                for _ in range(count)]
    finally:
        os.environ.clear()
        os.environ.update(old)
    for s in sims:
        s.wait_ready()
    return sims


def leader_pid(etcd, prefix):
    """The pid of the replica holding the probe lease (its id is HOST-PID-RANDOM), or None."""
    holder = etcd.get(f"/{prefix}/health/leader")
    return int(holder.split("-")[-2]) if holder else None


def replica_ids(etcd, prefix):
    return [k.rsplit("/", 1)[1] for k in etcd.keys(f"/{prefix}/replicas/")]


def wait_until(predicate, timeout, what):
    return poll(predicate, timeout, interval=0.01, what=what)


def now():
    return time.monotonic()
