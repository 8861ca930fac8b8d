"""What the container relies on, tried on the real binary: a config directory merged in name
order (conflicts name both files), seed change batches applied at start (errors name the file),
and listen defaults from R53SIM_DEFAULT_DNS / R53SIM_DEFAULT_ADMIN that a config's own
local.listen overrides."""
import json
import os
import signal
import subprocess

from harness import BINARY, R53Sim, dig_short, poll

ZONE = """
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, TTL: 60, ResourceRecords: [{Value: 192.0.2.10}]}
"""
CHECK = """
health_checks:
  hc-app:
    HealthCheckConfig: {Type: TCP, IPAddress: 127.0.0.1, Port: 9}
"""


def write(directory, files):
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text if isinstance(text, str) else json.dumps(text))
    return directory


def check(*args, env=None):
    return subprocess.run([BINARY, "check", *args], capture_output=True, text=True, timeout=30,
                          env=env)


def batch(*changes, **extra):
    return {**extra, "Changes": [{"Action": action, "ResourceRecordSet": {
        "Name": name, "Type": rtype, "TTL": 60, "ResourceRecords": [{"Value": value}]}}
        for action, name, rtype, value in changes]}


def test_a_config_directory_merges_its_files_and_seeds_apply_in_name_order(tmp_path):
    conf_d = write(tmp_path / "conf.d", {"10-zone.yaml": ZONE, "20-check.yaml": CHECK,
                                         "notes.txt": "not a config"})
    seeds = write(tmp_path / "seeds", {
        "10-www.json": batch(("CREATE", "www.example.com", "CNAME", "app.example.com")),
        # Applied after 10-www.json: UPSERT replaces what it created.
        "20-www.json": batch(("UPSERT", "www.example.com", "CNAME", "api.example.com")),
        "30-by-id.json": {"HostedZoneId": "/hostedzone/" + zone_id(conf_d),
                          "ChangeBatch": batch(("CREATE", "api.example.com", "A", "192.0.2.20"))},
        "README": "not a batch",
    })
    sim = R53Sim(config_path=str(conf_d), args=["--seed-dir", str(seeds)])
    try:
        assert dig_short(sim.dns_port, "www.example.com", "CNAME") == ["api.example.com."]
        assert dig_short(sim.dns_port, "api.example.com", "A") == ["192.0.2.20"]
        assert dig_short(sim.dns_port, "app.example.com", "A") == ["192.0.2.10"]
        status, body = sim.admin("GET", "/v1/health-checks/hc-app")
        assert status == 200 and body["id"] == "hc-app", body
    finally:
        sim.stop()
    ok = check("-c", str(conf_d), "--seed-dir", str(seeds))
    assert ok.returncode == 0, ok.stdout + ok.stderr


def zone_id(conf_d):
    out = check("-c", str(conf_d))
    assert out.returncode == 0, out.stderr
    sim = R53Sim(config_path=str(conf_d))
    try:
        return sim.admin("GET", "/v1/zones")[1]["zones"][0]["id"]
    finally:
        sim.stop()


def test_files_of_a_config_directory_that_disagree_are_errors_naming_both(tmp_path):
    conf_d = write(tmp_path / "conf.d", {
        "10-a.yaml": ZONE + CHECK + 'local: {listen: {dns: "127.0.0.1:1053"}, workers: 2}\n',
        "20-b.yaml": ZONE + CHECK + 'local: {listen: {dns: "127.0.0.1:1054"}, workers: 2}\n',
    })
    out = check("-c", str(conf_d))
    assert out.returncode == 1, out.stdout + out.stderr
    a, b = str(conf_d / "10-a.yaml"), str(conf_d / "20-b.yaml")
    lines = out.stderr.splitlines()
    zone = [l for l in lines if "hosted zone example.com. is defined twice" in l]
    assert zone and zone[0].startswith(b + ":") and f"first at {a}:" in zone[0], out.stderr
    hc = [l for l in lines if "health check 'hc-app' is defined twice" in l]
    assert hc and hc[0].startswith(b + ":") and a in hc[0], out.stderr
    listen = [l for l in lines if "local.listen.dns" in l]
    assert listen and listen[0].startswith(b + ":") and a in listen[0], out.stderr
    assert "127.0.0.1:1053" in listen[0] and "127.0.0.1:1054" in listen[0], listen[0]
    # The same value in both files is no conflict.
    assert not [l for l in lines if "local.workers" in l], out.stderr


def test_seed_errors_name_the_file(tmp_path):
    conf = tmp_path / "zone.yaml"
    conf.write_text(ZONE)
    cases = {
        "bad-json.json": ("{not json", "Invalid JSON"),
        "no-zone.json": (batch(("CREATE", "www.other.org", "A", "192.0.2.1")),
                         "no hosted zone in the config holds www.other.org."),
        "no-id.json": ({"HostedZoneId": "ZNOTHERE", "ChangeBatch": batch(
            ("CREATE", "x.example.com", "A", "192.0.2.1"))}, "no hosted zone with id ZNOTHERE"),
        "delete-missing.json": (batch(("DELETE", "gone.example.com", "A", "192.0.2.1")),
                                "gone.example.com"),
    }
    for name, (content, message) in cases.items():
        seeds = write(tmp_path / name.replace(".json", ""), {name: content})
        out = check("-c", str(conf), "--seed-dir", str(seeds))
        assert out.returncode == 1, (name, out.stdout, out.stderr)
        problem = [l for l in out.stderr.splitlines() if l.startswith(str(seeds / name))]
        assert problem and message in " ".join(problem), (name, out.stderr)
    missing = check("-c", str(conf), "--seed-dir", str(tmp_path / "absent"))
    assert missing.returncode == 1 and str(tmp_path / "absent") in missing.stderr, missing.stderr
    # An empty seed directory (a mount with nothing in it yet) is fine.
    empty = write(tmp_path / "empty", {})
    assert check("-c", str(conf), "--seed-dir", str(empty)).returncode == 0
    # R53SIM_SEED_DIR is the flag's environment form.
    env = dict(os.environ, R53SIM_SEED_DIR=str(tmp_path / "no-zone"))
    assert check("-c", str(conf), env=env).returncode == 1


def serve_ready(tmp_path, config_text, env_extra, args=()):
    """`r53sim serve` without --dns/--admin, so the defaults decide; returns the ready file."""
    config = tmp_path / "config.yaml"
    config.write_text(config_text)
    ready = tmp_path / "ready.json"
    ready.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("R53SIM_")}
    env.update(env_extra)
    proc = subprocess.Popen([BINARY, "serve", "-c", str(config), "--ready-file", str(ready),
                             *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        def read():
            assert proc.poll() is None, proc.stderr.read()
            try:
                return json.loads(ready.read_text())
            except (OSError, ValueError):
                return None
        return poll(read, 20, what="ready file")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


DEFAULTS = {"R53SIM_DEFAULT_DNS": "127.0.0.3:0", "R53SIM_DEFAULT_ADMIN": "127.0.0.3:0"}


def test_listen_defaults_apply_only_where_the_config_names_no_address(tmp_path):
    ready = serve_ready(tmp_path, ZONE, DEFAULTS)
    assert ready["dns"].startswith("127.0.0.3:") and ready["admin"].startswith("127.0.0.3:"), ready
    own = ZONE + 'local: {listen: {dns: "127.0.0.4:0"}}\n'
    ready = serve_ready(tmp_path, own, DEFAULTS)
    assert ready["dns"].startswith("127.0.0.4:") and ready["admin"].startswith("127.0.0.3:"), ready
    # A flag (or R53SIM_DNS) still wins over both.
    ready = serve_ready(tmp_path, own, {**DEFAULTS, "R53SIM_DNS": "127.0.0.5:0"})
    assert ready["dns"].startswith("127.0.0.5:"), ready
    ready = serve_ready(tmp_path, own, DEFAULTS, args=["--dns", "127.0.0.6:0"])
    assert ready["dns"].startswith("127.0.0.6:"), ready
