"""Replaced snapshots are freed off the query path, and idle DNS workers let go of them: after a
reload with every worker idle, r53sim_snapshots_live in /metrics is back to 1 within 1 s."""
import os
import signal

from harness import R53Sim, poll

CONFIG = """
local: {{workers: 4}}
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {{Name: www.example.com, Type: A, TTL: 60, ResourceRecords: [{{Value: {address}}}]}}
"""


def snapshots_live(sim):
    status, text = sim.admin("GET", "/metrics")
    assert status == 200
    for line in text.splitlines():
        if line.startswith("r53sim_snapshots_live "):
            return int(float(line.split()[1]))
    raise AssertionError("r53sim_snapshots_live missing from /metrics")


def test_previous_snapshot_is_freed_after_a_reload_with_idle_workers():
    with R53Sim(CONFIG.format(address="192.0.2.1")) as sim:
        assert snapshots_live(sim) == 1
        for generation, (address, reload_by) in enumerate(
                [("192.0.2.2", "api"), ("192.0.2.3", "sighup"), ("192.0.2.4", "api")]):
            # Every dig comes from a new source port, so the queries spread over the 4 workers'
            # SO_REUSEPORT sockets; each worker that answered now holds the current snapshot.
            for _ in range(12):
                assert sim.answer("www.example.com") != []
            with open(sim.config_path, "w") as f:
                f.write(CONFIG.format(address=address))
            if reload_by == "api":
                status, body = sim.admin("POST", "/v1/reload")
                assert status == 200, body
            else:
                os.kill(sim.proc.pid, signal.SIGHUP)
                poll(lambda: _reloads(sim) >= generation + 1, 10, what="the SIGHUP reload")
            # The workers stay idle from here on: no query makes them look at the new snapshot.
            poll(lambda: snapshots_live(sim) == 1, 1.0, interval=0.02,
                 what=f"the snapshot before reload {generation + 1} to be freed")
            assert sim.answer("www.example.com") == [address]
        assert snapshots_live(sim) == 1


def _reloads(sim):
    text = sim.admin("GET", "/metrics")[1]
    for line in text.splitlines():
        if line.startswith("r53sim_config_reloads_total "):
            return int(float(line.split()[1]))
    return 0
