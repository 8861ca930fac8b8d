"""Startup errors a person can act on: the first line names the listener, the address, the
reason in plain words and the flag that changes it; the exit code is 3 (cannot bind)."""
import shutil
import socket
import subprocess

import pytest
from harness import BINARY

CONFIG = "hosted_zones:\n  - Name: example.com\n"


def serve(tmp_path, *args, prefix=()):
    # The config comes on stdin, so a server run as another user needs no access to tmp_path.
    return subprocess.run([*prefix, BINARY, "serve", "-c", "-", *args], input=CONFIG,
                          capture_output=True, text=True, timeout=20)


def first_message(r):
    # Log lines read "TIME error MESSAGE".
    line = r.stderr.splitlines()[0]
    return line.split(" ", 2)[2]


def test_a_port_in_use_names_the_address_and_the_flag(tmp_path):
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    port = taken.getsockname()[1]
    try:
        r = serve(tmp_path, "--dns", f"127.0.0.1:{port}", "--admin", "127.0.0.1:0")
    finally:
        taken.close()
    assert r.returncode == 3, r.stderr
    assert first_message(r) == (
        f"cannot listen for DNS (UDP and TCP) on 127.0.0.1:{port}: the port is already in use "
        "by another program; choose another with --dns ADDR:PORT (port 0 picks a free one)")


def test_an_admin_port_in_use_names_the_admin_flag(tmp_path):
    taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        r = serve(tmp_path, "--dns", "127.0.0.1:0", "--admin", f"127.0.0.1:{port}")
    finally:
        taken.close()
    assert r.returncode == 3, r.stderr
    assert first_message(r).startswith(
        f"cannot listen for the admin API on 127.0.0.1:{port}: the port is already in use")
    assert "--admin ADDR:PORT" in first_message(r)


def test_a_privileged_port_says_what_it_needs(tmp_path):
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to run as an unprivileged user"
    r = serve(tmp_path, "--dns", "127.0.0.1:53", "--admin", "127.0.0.1:0",
              prefix=(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                      "--inh-caps=-all", "--bounding-set=-all"))
    assert r.returncode == 3, r.stderr
    assert first_message(r) == (
        "cannot listen for DNS (UDP and TCP) on 127.0.0.1:53: ports below 1024 need root or the "
        "CAP_NET_BIND_SERVICE capability; choose another with --dns ADDR:PORT (port 0 picks a "
        "free one)")


@pytest.mark.parametrize("address,reason", [
    ("192.0.2.99:0", "192.0.2.99 is not an address of this machine"),
    ("nothost:0", "'nothost' is not an IP address"),
])
def test_an_address_that_cannot_be_used_says_why(tmp_path, address, reason):
    r = serve(tmp_path, "--dns", address, "--admin", "127.0.0.1:0")
    assert r.returncode == 3, r.stderr
    assert reason in first_message(r), r.stderr
    assert "Boost" not in r.stderr and "bind:" not in r.stderr
