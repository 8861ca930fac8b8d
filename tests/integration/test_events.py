"""GET /v1/events: server-sent events pushed on health transitions, publishes and answer changes,
without holding up other admin requests, with a bounded number of subscribers."""
import time

from harness import R53Sim, poll
from sse import SSEClient

CONFIG = """
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{Value: 192.0.2.10}]}
      - {Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         TTL: 60, ResourceRecords: [{Value: 192.0.2.20}]}
health_checks:
  hc-primary:
    HealthCheckConfig: {Type: HTTP, IPAddress: 127.0.0.1, Port: 9, ResourcePath: /,
                        RequestInterval: 10, FailureThreshold: 3}
"""
MAX_SUBSCRIBERS = 32


def test_a_forced_flip_is_pushed_as_health_publish_and_answer_events():
    with R53Sim(CONFIG, args=["--manual-clock"]) as sim:
        stream = SSEClient(sim.admin_port)
        assert stream.status == 200
        assert stream.headers["content-type"] == "text/event-stream"
        # The stream is open and idle: other requests are answered meanwhile.
        started = time.monotonic()
        assert sim.admin("GET", "/healthz")[0] == 200
        assert sim.admin("GET", "/v1/health-checks")[0] == 200
        assert time.monotonic() - started < 5

        assert sim.admin("PUT", "/v1/health-checks/hc-primary/override",
                         {"status": "unhealthy"})[0] == 200
        events = stream.events_until(lambda e: e["event"] == "answer")
        kinds = [e["event"] for e in events]
        assert kinds == ["health", "publish", "answer"], events
        health, publish, answer = (e["data"] for e in events)
        assert all(abs(e["data"].pop("time") - time.time()) < 60 for e in events)
        assert health == {"check": "hc-primary", "from": "healthy", "to": "unhealthy",
                          "healthy": False, "reason": "override"}
        assert publish["cause"] == "health"
        assert answer["name"] == "app.example.com." and answer["type"] == "A"
        assert answer["from"] == ["192.0.2.10"] and answer["to"] == ["192.0.2.20"]
        assert sim.answer("app.example.com") == ["192.0.2.20"]
        ids = [int(e["id"]) for e in events]
        assert ids == sorted(ids) and len(set(ids)) == 3

        # Back to the probes: the flip back is pushed too.
        assert sim.admin("DELETE", "/v1/health-checks/hc-primary/override")[0] == 200
        back = stream.events_until(lambda e: e["event"] == "answer")
        assert back[-1]["data"]["to"] == ["192.0.2.10"]
        stream.close()

        # Resuming from an id replays what followed it; the history has it all as JSON.
        replay = SSEClient(sim.admin_port, headers={"Last-Event-ID": str(ids[0])})
        again = replay.events_until(lambda e: int(e["id"]) == ids[2])
        assert [int(e["id"]) for e in again] == ids[1:]
        replay.close()
        status, history = sim.admin("GET", "/v1/events/history")
        assert status == 200
        assert [e["type"] for e in history["events"]][:4] == ["publish", "health", "publish",
                                                               "answer"]
        assert history["last_id"] == history["events"][-1]["id"]
        assert sim.admin("GET", "/v1/events?since=abc")[0] == 400


def test_subscribers_are_bounded_and_a_closed_stream_frees_its_place():
    with R53Sim(CONFIG, args=["--manual-clock"]) as sim:
        streams = [SSEClient(sim.admin_port) for _ in range(MAX_SUBSCRIBERS)]
        assert all(s.status == 200 for s in streams)
        extra = SSEClient(sim.admin_port)
        assert extra.status == 503
        assert extra.headers.get("retry-after") == "5"
        extra.close()
        assert sim.admin("GET", "/healthz")[0] == 200
        streams.pop().close()

        def admitted():
            s = SSEClient(sim.admin_port)
            if s.status == 200:
                return s
            s.close()
            return None
        late = poll(admitted, 10, interval=0.05, what="a free subscriber place")
        # Every open stream still gets events.
        sim.admin("PUT", "/v1/health-checks/hc-primary/override", {"status": "unhealthy"})
        for s in streams[:3] + [late]:
            assert s.events_until(lambda e: e["event"] == "health")[-1]["data"]["check"] == \
                "hc-primary"
        for s in streams:
            s.close()
        # `late` stays open: the server still stops cleanly, at once.
    assert sim.proc.returncode == 0


CHECKER_CONFIG = """
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {{Name: app.example.com, Type: A, TTL: 60, HealthCheckId: hc-tcp, SetIdentifier: p,
         Failover: PRIMARY, ResourceRecords: [{{Value: 192.0.2.10}}]}}
      - {{Name: app.example.com, Type: A, TTL: 60, SetIdentifier: s, Failover: SECONDARY,
         ResourceRecords: [{{Value: 192.0.2.20}}]}}
health_checks:
  hc-tcp:
    HealthCheckConfig: {{Type: TCP, IPAddress: 127.0.0.1, Port: {port}, RequestInterval: 10,
                        FailureThreshold: 1, Regions: [us-east-1, us-west-1, eu-west-1]}}
"""


def test_one_checker_is_forced_and_released_alone():
    """The dashboard's per-checker buttons: inject results into one checker (region + index),
    and DELETE ?region=&checker= gives that one checker back to its probes."""
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        with R53Sim(CHECKER_CONFIG.format(port=listener.getsockname()[1]),
                    args=["--manual-clock"]) as sim:
            path = "/v1/health-checks/hc-tcp"
            for checker in (0, 1):
                assert sim.admin("PUT", f"{path}/inject", {"region": "us-east-1",
                                                           "checker": checker,
                                                           "result": "unhealthy"})[0] == 200
            assert sim.admin("POST", "/v1/clock/advance", {"seconds": 10})[0] == 200

            def verdicts():
                obs = sim.admin("GET", path)[1]["observations"]
                return {(o["region"], o["checker"]): (o["healthy"], o["latency"]) for o in obs}
            seen = verdicts()
            assert seen[("us-east-1", 0)] == (False, None)  # injected: no probe, no latency
            assert seen[("us-east-1", 1)] == (False, None)
            assert seen[("us-west-1", 0)][0] is True and seen[("us-west-1", 0)][1] > 0

            assert sim.admin("DELETE", f"{path}/inject?region=us-east-1&checker=1")[0] == 200
            assert sim.admin("DELETE", f"{path}/inject?region=us-east-1&checker=x")[0] == 400
            assert sim.admin("POST", "/v1/clock/advance", {"seconds": 10})[0] == 200
            seen = verdicts()
            assert seen[("us-east-1", 0)] == (False, None)  # still injected
            assert seen[("us-east-1", 1)][0] is True        # probing for real again
            assert seen[("us-east-1", 1)][1] is not None
    finally:
        listener.close()
