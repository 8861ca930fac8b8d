"""Shared pieces of the integration tests: the real r53sim binary on port 0, real dig, real
HTTP(S) endpoints on loopback, and polling with deadlines instead of sleeps."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

SOURCE_DIR = os.environ.get(
    "R53SIM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BINARY = os.environ.get("R53SIM_BINARY", os.path.join(SOURCE_DIR, "build", "server", "r53sim"))
ENDPOINT_SCRIPT = os.path.join(SOURCE_DIR, "server", "demo", "endpoint.py")
PYTHON = "/usr/bin/python3"

# A config file's zone, for the Route 53 API tests: what the API creates is served beside it.
FILE_ZONE_CONFIG = """
hosted_zones:
  - Name: file.test
    ResourceRecordSets:
      - Name: www.file.test
        Type: A
        TTL: 60
        ResourceRecords: [{Value: 192.0.2.1}]
"""


def poll(predicate, timeout, interval=0.01, what="condition"):
    """Returns the first truthy value of predicate(); fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


class R53Sim:
    """One r53sim process started on port 0 with a ready file; stopped by pid."""

    def __init__(self, config_text=None, config_path=None, args=(), workdir=None, expect_ready=True):
        self.dir = workdir or tempfile.mkdtemp(prefix="r53sim-test-")
        if config_path is None:
            config_path = os.path.join(self.dir, "config.yaml")
            with open(config_path, "w") as f:
                f.write(config_text)
        self.config_path = config_path
        self.ready_file = os.path.join(self.dir, "ready.json")
        self.log_path = os.path.join(self.dir, "r53sim.log")
        self.log = open(self.log_path, "w")
        cmd = [BINARY, "serve", "-c", config_path, "--dns", "127.0.0.1:0", "--admin", "127.0.0.1:0",
               "--ready-file", self.ready_file, *args]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        self.dns_port = self.admin_port = None
        if expect_ready:
            self.wait_ready()

    def wait_ready(self, timeout=20):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"r53sim exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                with open(self.ready_file) as f:
                    return json.load(f)
            except (OSError, ValueError):
                return None
        info = poll(ready, timeout, what="ready file")
        self.dns_port = int(info["dns"].rsplit(":", 1)[1])
        self.admin_port = int(info["admin"].rsplit(":", 1)[1])
        return info

    def logs(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def dig(self, name, qtype="A", *options, tcp=False):
        return dig(self.dns_port, name, qtype, *options, tcp=tcp)

    def answer(self, name, qtype="A", *options):
        """The answer section's values, sorted, as `dig +short` shows them."""
        return sorted(dig_short(self.dns_port, name, qtype, *options))

    def admin(self, method, path, body=None, timeout=30):
        return http_json(method, f"http://127.0.0.1:{self.admin_port}{path}", body, timeout)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def http_json(method, url, body=None, timeout=30):
    data = None if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
    if isinstance(data, str):
        data = data.encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read().decode()
            status = r.status
    except urllib.error.HTTPError as e:
        raw = e.read().decode()
        status = e.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


def dig(port, name, qtype="A", *options, tcp=False):
    cmd = ["dig", "@127.0.0.1", "-p", str(port), name, qtype, "+norec", "+time=2", "+tries=1", *options]
    if tcp:
        cmd.append("+tcp")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=15).stdout


def dig_short(port, name, qtype="A", *options):
    out = dig(port, name, qtype, "+short", *options)
    return [line for line in out.splitlines() if line and not line.startswith(";")]


def make_certificate(directory, cn="localhost"):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={cn}", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


class Endpoint:
    """A real HTTP(S) server on loopback (server/demo/endpoint.py); /health is 200 until down."""

    def __init__(self, name, addr="127.0.0.1", port=0, cert=None, key=None):
        self.name, self.addr, self.cert, self.key = name, addr, cert, key
        self.dir = tempfile.mkdtemp(prefix=f"r53sim-{name}-")
        self.down_file = os.path.join(self.dir, "down")
        self.port = port
        self.proc = None
        self.start()

    def start(self):
        cmd = [PYTHON, ENDPOINT_SCRIPT, "--name", self.name, "--addr", self.addr,
               "--port", str(self.port), "--down-file", self.down_file]
        if self.cert:
            cmd += ["--cert", self.cert, "--key", self.key]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening"):
            raise AssertionError(f"endpoint {self.name} did not start: {line!r}")
        self.port = int(line.split()[2])

    def stop(self):
        """Takes the endpoint off the network: connections are refused."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def set_down(self, down):
        """Keeps serving, but /health answers 503."""
        if down:
            open(self.down_file, "w").close()
        elif os.path.exists(self.down_file):
            os.remove(self.down_file)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
