"""The image as users run it, on a real Docker daemon (ctest's docker fixtures start one, make the
Debian base images and build R53SIM_TEST_IMAGE from docker/Dockerfile's runtime stage).

Every container publishes its ports on 127.0.0.1 only, every probe target runs inside the
container on its own loopback, and every container a test starts is removed by that test.
"""
import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

IMAGE = os.environ.get("R53SIM_TEST_IMAGE", "r53sim:test")
LABEL = "r53sim-docker-test=1"


def docker(*args, check=True, timeout=60):
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)}: {result.stdout}{result.stderr}")
    return result


class Container:
    def __init__(self, *run_args, ports=("53/udp", "53/tcp", "8053/tcp")):
        publish = [a for p in ports for a in ("-p", f"127.0.0.1::{p}")]
        self.id = docker("run", "-d", "--label", LABEL, *publish, *run_args).stdout.strip()

    def port(self, spec):
        out = docker("port", self.id, spec).stdout.split()[0]  # 127.0.0.1:49153
        return int(out.rsplit(":", 1)[1])

    def admin(self, path, body=None, method=None, timeout=40):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port('8053/tcp')}{path}",
                                         data=data, method=method)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")

    def wait_ready(self, deadline_s=30):
        deadline = time.monotonic() + deadline_s
        while True:
            try:
                return self.admin("/readyz", timeout=2)
            except OSError:
                state = self.inspect()["State"]
                assert state["Running"], f"container exited {state['ExitCode']}: {self.logs()}"
                assert time.monotonic() < deadline, f"no /readyz within {deadline_s} s: {self.logs()}"
                time.sleep(0.2)

    def wait_for_answer(self, name, expected, timeout_s=30):
        reply = self.admin("/v1/wait", {"name": name, "type": "A", "expected": expected,
                                        "timeout": timeout_s}, timeout=timeout_s + 10)
        assert sorted(reply["values"]) == sorted(expected), reply

    def dig(self, name, rtype="A", tcp=False, port_spec=None):
        port = self.port(port_spec or ("53/tcp" if tcp else "53/udp"))
        out = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+short", "+tries=1",
                              "+time=2", *(["+tcp"] if tcp else []), name, rtype],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.split()

    def inspect(self):
        return json.loads(docker("inspect", self.id).stdout)[0]

    def logs(self):
        result = docker("logs", self.id, check=False)
        return result.stdout + result.stderr

    def remove(self):
        docker("rm", "-f", "-v", self.id, check=False)


@pytest.fixture
def containers():
    started = []

    def run(*args, **kwargs):
        c = Container(*args, **kwargs)
        started.append(c)
        return c

    yield run
    for c in started:
        c.remove()


def test_a_bare_run_answers_through_the_published_udp_port_and_turns_healthy(containers):
    c = containers(IMAGE)
    deadline = time.monotonic() + 60
    while (status := c.inspect()["State"]["Health"]["Status"]) != "healthy":
        assert status in ("starting", "healthy"), f"HEALTHCHECK says {status}: {c.logs()}"
        assert time.monotonic() < deadline, "not healthy within 60 s"
        time.sleep(0.5)
    health_log = c.inspect()["State"]["Health"]["Log"]
    assert health_log[-1]["ExitCode"] == 0 and "ready" in health_log[-1]["Output"], health_log
    # Reached through -p, so r53sim listens on the container's interface, not its loopback.
    assert c.dig("app.example.com") == ["192.0.2.10"]
    assert c.dig("app.example.com", tcp=True) == ["192.0.2.10"]
    # The default config's checks probe r53sim's own admin API inside the container.
    for check in ("hc-primary", "hc-secondary"):
        config = c.admin(f"/v1/health-checks/{check}")
        assert config["status"] == "healthy", config
    logs = c.logs()
    assert "0.0.0.0:53" in logs and "0.0.0.0:8053" in logs, logs
    # The failover the config's comment shows: force the primary down with the override API.
    c.admin("/v1/health-checks/hc-primary/override", {"status": "unhealthy"}, method="PUT")
    c.wait_for_answer("app.example.com", ["198.51.100.20"])
    assert c.dig("app.example.com") == ["198.51.100.20"]


CONFIG_WITH_A_TARGET_INSIDE = """
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 5, ResourceRecords: [{Value: 192.0.2.10}]}
      - {Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         HealthCheckId: hc-secondary, TTL: 5, ResourceRecords: [{Value: 198.51.100.20}]}
health_checks:
  # A second r53sim the test runs inside the container with `docker exec` (admin on 8054).
  hc-primary:
    HealthCheckConfig: {Type: HTTP, IPAddress: 127.0.0.1, Port: 8054, ResourcePath: /healthz,
                        RequestInterval: 10, FailureThreshold: 1}
    local: {interval: 0.5s, connect_timeout: 0.5s}
  hc-secondary:
    HealthCheckConfig: {Type: HTTP, IPAddress: 127.0.0.1, Port: 8053, ResourcePath: /healthz,
                        RequestInterval: 10, FailureThreshold: 1}
    local: {interval: 0.5s, connect_timeout: 0.5s}
"""


def test_a_config_from_the_environment_fails_over_on_probes_inside_the_container(containers):
    c = containers("-e", f"R53SIM_CONFIG_YAML={CONFIG_WITH_A_TARGET_INSIDE}", IMAGE)
    c.wait_ready()
    # No target on 8054 yet: the probes fail and the secondary answers, through -p (so the
    # config without listen addresses got 0.0.0.0:53).
    c.wait_for_answer("app.example.com", ["198.51.100.20"])
    assert c.dig("app.example.com") == ["198.51.100.20"]
    # Start the primary's target on the container's loopback...
    docker("exec", "-d", c.id, "sh", "-c",
           "echo $$ > /tmp/target.pid && exec r53sim serve -c /etc/r53sim/config.yaml "
           "--dns 127.0.0.1:1054 --admin 127.0.0.1:8054")
    c.wait_for_answer("app.example.com", ["192.0.2.10"])
    assert c.dig("app.example.com") == ["192.0.2.10"]
    # ...and stop it again.
    docker("exec", c.id, "sh", "-c", "kill $(cat /tmp/target.pid)")
    c.wait_for_answer("app.example.com", ["198.51.100.20"])
    assert c.dig("app.example.com") == ["198.51.100.20"]


ZONE = """
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.10}]}
"""
SEED = {"Comment": "seeded", "Changes": [{"Action": "CREATE", "ResourceRecordSet": {
    "Name": "www.example.com", "Type": "CNAME", "TTL": 60,
    "ResourceRecords": [{"Value": "app.example.com"}]}}]}


def mounted_dirs(tmp_path, conf_files, seed_files):
    conf_d, seeds = tmp_path / "conf.d", tmp_path / "seeds"
    for directory, files in ((conf_d, conf_files), (seeds, seed_files)):
        directory.mkdir()
        for name, text in files.items():
            (directory / name).write_text(text)
    return ["-v", f"{conf_d}:/etc/r53sim/conf.d:ro", "-v", f"{seeds}:/etc/r53sim/seeds:ro"]


def test_a_mounted_conf_d_is_merged_and_the_seeds_applied(containers, tmp_path):
    mounts = mounted_dirs(tmp_path, {
        "10-zone.yaml": ZONE,
        # Explicit listen addresses win over the image's defaults.
        "20-listen.yaml": 'local: {listen: {dns: "0.0.0.0:5300"}}\n',
    }, {"10-www.json": json.dumps(SEED)})
    c = containers(*mounts, IMAGE, ports=("5300/udp", "8053/tcp"))
    c.wait_ready()
    assert c.dig("app.example.com", port_spec="5300/udp") == ["192.0.2.10"]
    assert c.dig("www.example.com", "CNAME", port_spec="5300/udp") == ["app.example.com."]
    zones = c.admin("/v1/zones")["zones"]
    assert [(z["name"], z["record_set_count"]) for z in zones] == [("example.com.", 4)], zones


def test_a_bad_seed_stops_the_start_naming_its_file(tmp_path):
    bad = {"Changes": [{"Action": "DELETE", "ResourceRecordSet": {
        "Name": "gone.example.com", "Type": "A", "TTL": 60,
        "ResourceRecords": [{"Value": "192.0.2.1"}]}}]}
    mounts = mounted_dirs(tmp_path, {"10-zone.yaml": ZONE}, {"50-bad.json": json.dumps(bad)})
    result = docker("run", "--rm", "--label", LABEL, *mounts, IMAGE, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "/etc/r53sim/seeds/50-bad.json" in result.stderr, result.stderr
    assert "gone.example.com" in result.stderr, result.stderr
