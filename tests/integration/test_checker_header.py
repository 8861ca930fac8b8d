"""Each probe says which virtual checker sent it (X-R53sim-Checker: REGION/INDEX), so a test
endpoint can fail some regions' checkers and watch the >18 % rule (semantics §1.4) decide."""
import http.server
import threading

from harness import R53Sim


class Partitioned(http.server.BaseHTTPRequestHandler):
    """200 for every checker except those of the regions in `failing`, which get 503."""
    failing = set()
    seen = []
    lock = threading.Lock()

    def do_GET(self):
        checker = self.headers.get("X-R53sim-Checker", "")
        with self.lock:
            self.seen.append((checker, self.headers.get("User-Agent", "")))
        region = checker.split("/")[0]
        self.send_response(503 if region in self.failing else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


CONFIG = """health_checks:
  hc-app:
    HealthCheckConfig:
      Type: HTTP
      IPAddress: 127.0.0.1
      Port: {port}
      ResourcePath: /health
      RequestInterval: 30
      FailureThreshold: 1
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - Name: app.example.com
        Type: A
        SetIdentifier: primary
        Failover: PRIMARY
        HealthCheckId: hc-app
        TTL: 60
        ResourceRecords: [{{Value: 192.0.2.1}}]
      - Name: app.example.com
        Type: A
        SetIdentifier: secondary
        Failover: SECONDARY
        TTL: 60
        ResourceRecords: [{{Value: 192.0.2.2}}]
"""

REGIONS = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1",
           "ap-southeast-2", "ap-northeast-1", "sa-east-1"]


def test_probes_name_their_checker_and_a_partition_of_two_regions_keeps_the_check_healthy():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Partitioned)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with R53Sim(CONFIG.format(port=server.server_port), args=["--manual-clock"]) as sim:
            # Two of eight regions see the endpoint down: 75 % healthy > 18 %: healthy.
            Partitioned.failing = {"eu-west-1", "sa-east-1"}
            assert sim.admin("POST", "/v1/clock/advance", {"seconds": 30})[0] == 200
            with Partitioned.lock:
                seen = list(Partitioned.seen)
            checkers = {c for c, _ in seen}
            assert {c.split("/")[0] for c in checkers} == set(REGIONS), checkers
            assert all(c.split("/")[1].isdigit() for c in checkers), checkers
            assert all(ua.startswith("Amazon-Route53-Health-Check-Service") for _, ua in seen)
            status = sim.admin("GET", "/v1/health-checks/hc-app")[1]
            assert status["status"] == "healthy", status
            assert sim.answer("app.example.com") == ["192.0.2.1"]
            # Seven of eight down: 12.5 % is not more than 18 %: unhealthy, and DNS fails over.
            Partitioned.failing = set(REGIONS) - {"us-east-1"}
            assert sim.admin("POST", "/v1/clock/advance", {"seconds": 30})[0] == 200
            status = sim.admin("GET", "/v1/health-checks/hc-app")[1]
            assert status["status"] == "unhealthy", status
            assert sim.answer("app.example.com") == ["192.0.2.2"]
    finally:
        server.shutdown()
        server.server_close()
