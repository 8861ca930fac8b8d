"""Every admin route answers a bad request in one shape, {"error": {"code", "message"}}, with the
status that says what kind of mistake it is (README "Admin API", Errors), and every JSON body
prints numbers as people write them: a 100-second advance is `100`, never `1E2`. The Route 53
REST API keeps AWS's XML errors, even for what the HTTP layer refuses itself."""
import http.client
import json
import re
import socket
import time

import pytest

from harness import Endpoint, R53Sim, poll

CONFIG = """
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {{Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{{Value: 192.0.2.1}}]}}
      - {{Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         TTL: 60, ResourceRecords: [{{Value: 192.0.2.2}}]}}
health_checks:
  hc-primary:
    HealthCheckConfig: {{Type: HTTP, IPAddress: 127.0.0.1, Port: {port}, ResourcePath: /health,
                        RequestInterval: 10, FailureThreshold: 3}}
"""
# A number in exponent form, as Boost.JSON prints doubles (1E2, 3E1, 1.5E-3).
EXPONENT = re.compile(rb"[0-9][eE][+-]?[0-9]")


def raw(port, method, path, body=None, headers=None):
    """(status, headers, raw body bytes) of one request on its own connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        data = body if body is None or isinstance(body, bytes) else (
            body if isinstance(body, str) else json.dumps(body)).encode()
        conn.request(method, path, body=data, headers=headers or {})
        res = conn.getresponse()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
    finally:
        conn.close()


def assert_error(reply, status, code, message):
    got_status, headers, body = reply
    assert got_status == status, (got_status, body)
    assert headers["content-type"] == "application/json", headers
    parsed = json.loads(body)
    error = parsed["error"]
    assert set(error) == {"code", "message"}, parsed
    assert error["code"] == code, parsed
    assert error["message"].split("\n")[0] == message, parsed
    return parsed, headers


@pytest.fixture(scope="module")
def endpoint():
    ep = Endpoint("backend")
    yield ep
    ep.stop()


@pytest.fixture(scope="module")
def sim(endpoint):
    s = R53Sim(CONFIG.format(port=endpoint.port), args=["--manual-clock"])
    try:
        # One RequestInterval: every virtual checker has probed once.
        assert s.admin("POST", "/v1/clock/advance", {"seconds": 10})[0] == 200
        poll(lambda: s.admin("GET", "/v1/health-checks/hc-primary")[1]["has_data"], 10,
             what="the first probe")
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def silent_endpoint():
    """Accepts connections (in the kernel backlog) and never answers: a probe waits it out."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    yield s.getsockname()[1]
    s.close()


@pytest.fixture(scope="module")
def real_clock_sim(endpoint, silent_endpoint):
    # A check whose first probe takes 30 s keeps the server not ready (no data yet) meanwhile.
    config = CONFIG.format(port=endpoint.port) + f"""
  hc-silent:
    HealthCheckConfig: {{Type: HTTP, IPAddress: 127.0.0.1, Port: {silent_endpoint},
                        ResourcePath: /health}}
    local: {{connect_timeout: 30s, response_timeout: 30s}}
"""
    s = R53Sim(config, args=["--query-log-buffer", "0"])
    try:
        yield s
    finally:
        s.stop()


def test_readyz_before_the_first_probe_is_a_503_not_ready(real_clock_sim):
    parsed, _ = assert_error(raw(real_clock_sim.admin_port, "GET", "/readyz"), 503, "NotReady",
                             "not ready yet: the listeners are starting or a health check has no first result")
    assert parsed["ready"] is False


NEED_STATUS = 'the body is not JSON; send an object like {"status": "unhealthy"}'
CASES = [
    # method, path, body, status, code, first line of the message
    ("GET", "/nope", None, 404, "NoSuchRoute", "no route /nope"),
    ("GET", "/v1/health-checks/hc-primary/bogus", None, 404, "NoSuchRoute",
     "no route /v1/health-checks/hc-primary/bogus"),
    ("GET", "/healthz?verbose=1", None, 400, "UnknownParameter",
     'unknown query parameter "verbose" for /healthz; its parameters: none'),
    ("GET", "/readyz?x=1", None, 400, "UnknownParameter",
     'unknown query parameter "x" for /readyz; its parameters: none'),
    ("GET", "/v1/health-checks?id=hc-primary", None, 400, "UnknownParameter",
     'unknown query parameter "id" for /v1/health-checks; its parameters: none'),
    ("GET", "/v1/health-checks/nope", None, 404, "NoSuchHealthCheck",
     'no health check "nope" (GET /v1/health-checks lists them)'),
    ("PUT", "/v1/health-checks/hc-primary/override", "{not json", 400, "BadJson", NEED_STATUS),
    ("PUT", "/v1/health-checks/hc-primary/override", "", 400, "BadJson",
     'the body is empty; send an object like {"status": "unhealthy"}'),
    ("PUT", "/v1/health-checks/hc-primary/override", "[1]", 400, "BadJson",
     'the body is not a JSON object; send an object like {"status": "unhealthy"}'),
    ("PUT", "/v1/health-checks/hc-primary/override", {"stauts": "unhealthy"}, 400, "UnknownField",
     'unknown field "stauts" in the body of /v1/health-checks/hc-primary/override; '
     "its fields: status"),
    ("PUT", "/v1/health-checks/hc-primary/override", {"status": "sideways"}, 400, "BadStatus",
     '"status" must be "healthy" or "unhealthy"'),
    ("PUT", "/v1/health-checks/nope/override", {"status": "healthy"}, 404, "NoSuchHealthCheck",
     'no health check "nope" (GET /v1/health-checks lists them)'),
    ("DELETE", "/v1/health-checks/nope/override", None, 404, "NoSuchHealthCheck",
     'no health check "nope" (GET /v1/health-checks lists them)'),
    ("PUT", "/v1/health-checks/hc-primary/state", {}, 400, "BadState", '"state" must be a string'),
    ("PUT", "/v1/health-checks/hc-primary/state", {"state": "ALARM", "why": 1}, 400,
     "UnknownField",
     'unknown field "why" in the body of /v1/health-checks/hc-primary/state; its fields: state'),
    ("PUT", "/v1/health-checks/hc-primary/inject", {"region": "us-east-1", "result": "maybe"}, 400,
     "BadResult", '"result" must be healthy, unhealthy or timeout'),
    ("PUT", "/v1/health-checks/hc-primary/inject",
     {"region": "us-east-1", "checker": "0", "result": "timeout"}, 400, "BadChecker",
     '"checker" must be a checker\'s index (0, 1, ...)'),
    ("PUT", "/v1/health-checks/hc-primary/inject", {"region": 1, "result": "timeout"}, 400,
     "BadRegion", '"region" must be a string'),
    ("PUT", "/v1/health-checks/hc-primary/inject", {"region": "mars-1", "result": "timeout"}, 404,
     "NoSuchChecker", 'health check "hc-primary" has no checker in region "mars-1"'),
    ("DELETE", "/v1/health-checks/hc-primary/inject?checker=first", None, 400, "BadChecker",
     '"checker" must be a checker\'s index (0, 1, ...)'),
    ("DELETE", "/v1/health-checks/hc-primary/inject?regoin=us-east-1", None, 400,
     "UnknownParameter", 'unknown query parameter "regoin" for '
     "/v1/health-checks/hc-primary/inject; its parameters: region, checker"),
    ("GET", "/v1/wait?check=hc-primary", None, 400, "BadRequest",
     "need check=ID and status=healthy|unhealthy"),
    ("GET", "/v1/wait?check=hc-primary&status=healthy&timeout=5h", None, 400, "BadTimeout",
     "timeout must be like 5s, 250ms or 2m (at most a day)"),
    ("GET", "/v1/wait?check=hc-primary&state=healthy", None, 400, "UnknownParameter",
     'unknown query parameter "state" for /v1/wait; its parameters: check, status, timeout'),
    ("GET", "/v1/wait?check=nope&status=healthy", None, 404, "NoSuchHealthCheck",
     'no health check "nope" (GET /v1/health-checks lists them)'),
    ("POST", "/v1/wait", {"name": "app.example.com", "expected": [], "timout": "1s"}, 400,
     "UnknownField", 'unknown field "timout" in the body of /v1/wait; '
     "its fields: name, type, client, expected, timeout"),
    ("POST", "/v1/wait", {"name": "app.example.com"}, 400, "BadJson",
     '"expected" must be an array of values'),
    ("POST", "/v1/wait", {"name": "app.example.com", "type": "BOGUS", "expected": []}, 400,
     "BadRequest", "unknown record type: BOGUS"),
    ("GET", "/v1/explain", None, 400, "BadRequest", "need name=... (and type=, client=)"),
    ("GET", "/v1/explain?name=app.example.com&client=not-an-address", None, 400, "BadRequest",
     None),  # the resolver's text, checked to be one line below
    ("GET", "/v1/explain?nmae=app.example.com", None, 400, "UnknownParameter",
     'unknown query parameter "nmae" for /v1/explain; its parameters: name, type, client'),
    ("GET", "/v1/clock?now=1", None, 400, "UnknownParameter",
     'unknown query parameter "now" for /v1/clock; its parameters: none'),
    ("GET", "/v1/zones?name=example.com", None, 400, "UnknownParameter",
     'unknown query parameter "name" for /v1/zones; its parameters: none'),
    ("GET", "/v1/queries?limit=0", None, 400, "BadLimit", "limit must be 1-100000"),
    ("GET", "/v1/queries?since=yesterday", None, 400, "BadSince",
     "since must be unix seconds or 2017-12-13T08:16:02.130Z"),
    ("GET", "/v1/queries?qname=app.example.com", None, 400, "UnknownParameter",
     'unknown query parameter "qname" for /v1/queries; its parameters: name, type, since, limit'),
    ("GET", "/v1/answers?clinet=198.51.100.7", None, 400, "UnknownParameter",
     'unknown query parameter "clinet" for /v1/answers; its parameters: client'),
    ("GET", "/v1/events?since=abc", None, 400, "BadEventId", "an event id is a number"),
    ("GET", "/v1/events/history?since=abc", None, 400, "BadEventId", "since is an event id"),
    ("GET", "/v1/events/history?from=0", None, 400, "UnknownParameter",
     'unknown query parameter "from" for /v1/events/history; its parameters: since'),
    ("POST", "/v1/reload?force=1", None, 400, "UnknownParameter",
     'unknown query parameter "force" for /v1/reload; its parameters: none'),
    ("POST", "/v1/clock/advance", {"seconds": 7200}, 400, "BadSeconds",
     '"seconds" must be a number from 0 to 3600'),
    ("POST", "/v1/clock/advance", {"seconds": "30"}, 400, "BadSeconds",
     '"seconds" must be a number from 0 to 3600'),
    ("POST", "/v1/clock/advance", {"second": 30}, 400, "UnknownField",
     'unknown field "second" in the body of /v1/clock/advance; its fields: seconds'),
    ("POST", "/v1/clock/advance", "30", 400, "BadJson",
     'the body is not a JSON object; send an object like {"seconds": 30}'),
]


@pytest.mark.parametrize("method,path,body,status,code,message", CASES,
                         ids=[f"{c[0]} {c[1]} {c[4]}" for c in CASES])
def test_bad_requests_answer_one_error_shape(sim, method, path, body, status, code, message):
    reply = raw(sim.admin_port, method, path, body)
    if message is None:
        parsed = json.loads(reply[2])
        message = parsed["error"]["message"]
        assert message and "\n" not in message, parsed
    assert_error(reply, status, code, message)


WRONG_METHODS = [
    ("POST", "/healthz", "GET"), ("PUT", "/readyz", "GET"), ("POST", "/metrics", "GET"),
    ("POST", "/v1/health-checks", "GET"), ("DELETE", "/v1/health-checks/hc-primary", "GET"),
    ("POST", "/v1/health-checks/hc-primary/override", "PUT, DELETE"),
    ("GET", "/v1/health-checks/hc-primary/state", "PUT"),
    ("GET", "/v1/health-checks/hc-primary/inject", "PUT, DELETE"),
    ("POST", "/v1/explain", "GET"), ("PUT", "/v1/wait", "GET, POST"), ("POST", "/v1/clock", "GET"),
    ("DELETE", "/v1/zones", "GET"), ("POST", "/v1/queries", "GET"), ("POST", "/v1/answers", "GET"),
    ("POST", "/v1/events", "GET"), ("DELETE", "/v1/events/history", "GET"),
    ("GET", "/v1/reload", "POST"), ("GET", "/v1/clock/advance", "POST"),
    ("POST", "/", "GET, HEAD"), ("DELETE", "/dashboard/dashboard.js", "GET, HEAD"),
]


@pytest.mark.parametrize("method,path,allow", WRONG_METHODS,
                         ids=[f"{m} {p}" for m, p, _ in WRONG_METHODS])
def test_wrong_method_is_405_with_allow(sim, method, path, allow):
    _, headers = assert_error(raw(sim.admin_port, method, path), 405, "MethodNotAllowed",
                              f"{method} is not allowed on {path}; allowed: {allow}")
    assert headers["allow"] == allow


def test_waits_that_time_out_are_408_with_the_last_state(sim):
    reply = raw(sim.admin_port, "GET", "/v1/wait?check=hc-primary&status=unhealthy&timeout=50ms")
    assert reply[0] == 408
    body = json.loads(reply[2])
    assert body["error"] == {"code": "Timeout", "message": 'health check "hc-primary" was not '
                             "unhealthy before the timeout"}
    assert body["status"] == "healthy"  # the last state, beside the error
    reply = raw(sim.admin_port, "POST", "/v1/wait",
                {"name": "app.example.com", "expected": ["192.0.2.9"], "timeout": "50ms"})
    assert reply[0] == 408
    body = json.loads(reply[2])
    assert body["error"] == {"code": "Timeout", "message": "the answer was not the expected one "
                             "before the timeout"}
    assert body["values"] == ["192.0.2.1"]


def test_a_state_the_check_type_refuses_is_a_400_in_the_same_shape(sim):
    reply = raw(sim.admin_port, "PUT", "/v1/health-checks/hc-primary/state", {"state": "ALARM"})
    parsed = json.loads(reply[2])
    assert_error(reply, 400, "BadState", parsed["error"]["message"])
    assert "hc-primary" in parsed["error"]["message"] or "HTTP" in parsed["error"]["message"]


def test_invalid_reload_is_422_with_the_first_error_and_the_list(sim):
    good = open(sim.config_path).read()
    try:
        with open(sim.config_path, "w") as f:
            f.write(good.replace("Type: A,", "Type: BOGUS,", 1))
        reply = raw(sim.admin_port, "POST", "/v1/reload")
        parsed = json.loads(reply[2])
        assert reply[0] == 422 and parsed["ok"] is False, parsed
        assert parsed["error"]["code"] == "InvalidConfiguration"
        first = parsed["errors"][0]
        assert parsed["error"]["message"] == \
            "reload refused, the old config keeps serving: " + first, parsed
        assert sim.answer("app.example.com") == ["192.0.2.1"]  # the old config still serves
    finally:
        with open(sim.config_path, "w") as f:
            f.write(good)
    assert raw(sim.admin_port, "POST", "/v1/reload")[0] == 200


def test_what_the_server_does_not_run_is_409(real_clock_sim):
    port = real_clock_sim.admin_port
    assert_error(raw(port, "POST", "/v1/clock/advance", {"seconds": 1}), 409, "NotManualClock",
                 "the clock is not manual (start with --manual-clock)")
    assert_error(raw(port, "GET", "/v1/queries"), 409, "QueryLogOff",
                 "query logging is off (--query-log-buffer 0)")


def exchange(port, request, limit=65536):
    """The raw bytes the server answers to `request`, until it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while len(data) < limit:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def split_response(data):
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    return int(status_line.split()[1]), headers, body


def test_a_body_over_the_limit_is_413(sim):
    request = (b"PUT /v1/health-checks/hc-primary/override HTTP/1.1\r\nHost: x\r\n"
               b"Content-Type: application/json\r\nContent-Length: 9000000\r\n\r\n")
    assert_error(split_response(exchange(sim.admin_port, request)), 413, "RequestTooLarge",
                 "the request body is larger than 8 MiB")


def test_headers_over_the_limit_are_431(sim):
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10000 + b"\r\n\r\n"
    assert_error(split_response(exchange(sim.admin_port, request)), 431, "HeadersTooLarge",
                 "the request headers are larger than 8 KiB")


def test_a_malformed_request_is_400(sim):
    assert_error(split_response(exchange(sim.admin_port, b"HELLO THERE\r\n\r\n")), 400,
                 "MalformedRequest", "the request is not valid HTTP/1.1")


def test_the_route53_api_keeps_aws_xml_errors(sim):
    status, headers, body = raw(sim.admin_port, "GET", "/2013-04-01/hostedzone/ZNOPE")
    assert status == 404 and b"<ErrorResponse" in body and b"<Code>NoSuchHostedZone</Code>" in body
    request = (b"POST /2013-04-01/hostedzone HTTP/1.1\r\nHost: x\r\n"
               b"Content-Length: 9000000\r\n\r\n")
    status, headers, body = split_response(exchange(sim.admin_port, request))
    assert status == 413 and headers["content-type"].startswith("text/xml"), (headers, body)
    assert b"<ErrorResponse" in body and b"<Code>RequestTooLarge</Code>" in body, body


def test_numbers_print_as_people_write_them(sim):
    port = sim.admin_port
    before = json.loads(raw(port, "GET", "/v1/clock")[2])["now"]
    status, _, body = raw(port, "POST", "/v1/clock/advance", {"seconds": 100})
    assert status == 200 and body == b'{"advanced":100}\n', body  # Boost.JSON: 1E2
    status, _, body = raw(port, "GET", "/v1/clock")
    assert b'"now":' + str(int(before + 100)).encode() + b"," in body, body
    assert b'"scale":1}' in body, body
    # Every JSON body the admin API sends: no exponent anywhere (the times are like 1764876000.1).
    for path in ("/v1/health-checks", "/v1/health-checks/hc-primary", "/v1/clock", "/v1/zones",
                 "/v1/answers", "/v1/queries", "/v1/events/history?since=0",
                 "/v1/explain?name=app.example.com"):
        status, _, body = raw(port, "GET", path)
        assert status == 200, (path, body)
        assert not EXPONENT.search(body), (path, EXPONENT.search(body), body[:500])
    status, _, body = raw(port, "GET", "/v1/health-checks/hc-primary")
    assert b'"percentage_healthy":100,' in body, body
    # The event stream too: replay from the start and read the frames as sent.
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /v1/events?since=0 HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        deadline = time.monotonic() + 10
        while data.count(b"\ndata: ") < 2 and time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 200") and data.count(b"\ndata: ") >= 2, data
    assert not EXPONENT.search(data.partition(b"\r\n\r\n")[2]), data
