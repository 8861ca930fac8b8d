"""`r53sim status`: the zones, checks and recent transitions of a running server as a terminal
table, from its admin API; --watch redraws; colours only on a terminal."""
import os
import pty
import subprocess
import tempfile

from harness import BINARY, R53Sim, poll

CONFIG = """
hosted_zones:
  - Name: example.com
    Id: ZSTATUS
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{Value: 192.0.2.10}]}
      - {Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         HealthCheckId: hc-secondary, TTL: 60, ResourceRecords: [{Value: 192.0.2.20}]}
health_checks:
  hc-primary:
    HealthCheckConfig: {Type: CLOUDWATCH_METRIC, AlarmIdentifier: {Region: us-east-1, Name: p},
                        InsufficientDataHealthStatus: Healthy}
    local: {state: OK}
  hc-secondary:
    HealthCheckConfig: {Type: CLOUDWATCH_METRIC, AlarmIdentifier: {Region: us-east-1, Name: s},
                        InsufficientDataHealthStatus: Healthy}
    local: {state: OK}
"""


def status(sim, *args, env=None):
    return subprocess.run([BINARY, "status", "--admin", f"http://127.0.0.1:{sim.admin_port}/",
                           *args], capture_output=True, text=True, timeout=20, env=env)


def line_with(text, *words):
    for line in text.splitlines():
        if all(w in line for w in words):
            return line
    raise AssertionError(f"no line with {words} in:\n{text}")


def test_table_shows_zones_checks_and_transitions():
    with R53Sim(CONFIG, args=["--manual-clock"]) as sim:
        out = status(sim)
        assert out.returncode == 0, out.stderr
        assert "\x1b[" not in out.stdout  # not a terminal: no colours
        line_with(out.stdout, "example.com.", "ZSTATUS")
        line_with(out.stdout, "app.example.com.", "A", "failover", "192.0.2.10")
        line_with(out.stdout, "hc-primary", "CLOUDWATCH_METRIC", "HEALTHY", "100.0%", "never")
        assert "(none in the last hour)" in out.stdout

        assert sim.admin("PUT", "/v1/health-checks/hc-primary/override",
                         {"status": "unhealthy"})[0] == 200
        assert sim.admin("PUT", "/v1/health-checks/hc-secondary/state", {"state": "ALARM"})[0] == 200
        assert sim.admin("PUT", "/v1/health-checks/hc-secondary/state", {"state": "OK"})[0] == 200
        out = status(sim)
        assert out.returncode == 0, out.stderr
        line_with(out.stdout, "app.example.com.", "failover", "192.0.2.20")
        primary = line_with(out.stdout, "hc-primary", "UNHEALTHY")
        assert "s ago)" in primary and "forced unhealthy" in primary
        line_with(out.stdout, "hc-secondary", "HEALTHY", "s ago)")  # flipped twice
        recent = out.stdout.split("RECENT TRANSITIONS")[1]
        assert [w for w in ("hc-primary", "hc-secondary") if w in recent] == \
            ["hc-primary", "hc-secondary"]
        line_with(recent, "hc-primary", "healthy -> unhealthy", "override")
        line_with(recent, "hc-secondary", "healthy -> unhealthy", "alarm state ALARM")
        line_with(recent, "app.example.com. A", "192.0.2.10 -> 192.0.2.20", "answer")


def test_colours_only_on_a_terminal():
    with R53Sim(CONFIG, args=["--manual-clock"]) as sim:
        sim.admin("PUT", "/v1/health-checks/hc-primary/override", {"status": "unhealthy"})
        leader, follower = pty.openpty()
        try:
            proc = subprocess.run([BINARY, "status", "--admin", f"127.0.0.1:{sim.admin_port}"],
                                  stdout=follower, stderr=subprocess.PIPE, timeout=20,
                                  env={**os.environ, "TERM": "xterm"})
            assert proc.returncode == 0, proc.stderr
            os.close(follower)
            follower = None
            text = b""
            while True:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the terminal's other end is closed: all read
                    break
                if not chunk:
                    break
                text += chunk
        finally:
            if follower is not None:
                os.close(follower)
            os.close(leader)
        out = text.decode()
        assert "\x1b[31mUNHEALTHY" in out  # red
        assert "\x1b[32mHEALTHY" in out    # green
        plain = status(sim, env={**os.environ, "NO_COLOR": "1"}).stdout
        assert "\x1b[" not in plain


def test_watch_redraws_until_stopped():
    with R53Sim(CONFIG, args=["--manual-clock"]) as sim:
        out_path = os.path.join(tempfile.mkdtemp(prefix="r53sim-status-"), "watch.txt")
        with open(out_path, "w") as out:
            watcher = subprocess.Popen([BINARY, "status", "--admin", f"127.0.0.1:{sim.admin_port}",
                                        "--watch", "--interval", "0.1"], stdout=out)
        try:
            def text():
                with open(out_path) as f:
                    return f.read()
            poll(lambda: text().count("r53sim at") >= 2, 10, what="two redraws")
            sim.admin("PUT", "/v1/health-checks/hc-primary/override", {"status": "unhealthy"})
            poll(lambda: "192.0.2.20" in text().split("r53sim at")[-1], 10,
                 what="a redraw with the new answer")
            assert watcher.poll() is None  # still watching
        finally:
            watcher.terminate()
            watcher.wait(10)


def test_unreachable_server_is_an_error():
    with R53Sim(CONFIG, args=["--manual-clock"]) as sim:
        port = sim.admin_port
    out = subprocess.run([BINARY, "status", "--admin", f"127.0.0.1:{port}"], capture_output=True,
                         text=True, timeout=20)
    assert out.returncode == 4
    assert "r53sim status: 127.0.0.1:" in out.stderr and "refused" in out.stderr
