"""R53Sim: the real r53sim binary on free loopback ports, driven through its admin API."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from . import _dns, _xml

ConfigSource = Union[str, os.PathLike, Dict[str, Any], None]
Checker = Union[str, Tuple[str, int]]


class R53SimError(Exception):
    """Anything r53sim or this client could not do."""


class BinaryNotFoundError(R53SimError):
    pass


class StartError(R53SimError):
    """The server exited, or wrote no ready file, before it served."""

    def __init__(self, message: str, exit_code: Optional[int], log: str):
        super().__init__(f"{message}\n--- r53sim log ---\n{log}")
        self.exit_code = exit_code
        self.log = log


class NotStartedError(R53SimError):
    """A call on a server that has not been started, or has been stopped."""


class ApiError(R53SimError):
    """An error answer of the admin API or the Route 53 API: its HTTP status, code and text."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class WaitTimeout(R53SimError, TimeoutError):
    """A wait ran out of time; `last` is what the server saw last (answer or health status)."""

    def __init__(self, message: str, last: Dict[str, Any]):
        super().__init__(f"{message} (last: {json.dumps(last)})")
        self.last = last


class Clock(NamedTuple):
    mode: str     # "real", "scaled" or "manual"
    now: float    # Route 53 seconds since the clock started
    scale: float  # factor applied to intervals and timeouts


class Zone(NamedTuple):
    id: str
    name: str
    record_set_count: int


class ApiEndpoint(NamedTuple):
    """What an AWS SDK needs to talk to the Route 53 REST API (any credentials are accepted)."""
    url: str
    region: str = "us-east-1"
    access_key_id: str = "test"
    secret_access_key: str = "test"


class WaitResult(NamedTuple):
    values: List[str]  # the asked type's values, as /v1/wait compared them
    answer: List[str]  # every answer line, "owner TTL IN TYPE value"
    rcode: str


HEALTH_STATES = {"healthy", "unhealthy", "auto"}


def find_binary(explicit: Optional[str] = None) -> str:
    """R53SIM_BIN, then `r53sim` on PATH, then build/server/r53sim in the working directory or
    one above it (or above this package, when it is used from a checkout)."""
    def executable(path) -> bool:
        return os.path.isfile(path) and os.access(path, os.X_OK)

    for origin, value in (("binary=", explicit), ("R53SIM_BIN=", os.environ.get("R53SIM_BIN"))):
        if value:
            if not executable(value):
                raise BinaryNotFoundError(f"{origin}{value} is not an executable file")
            return os.path.abspath(value)
    on_path = shutil.which("r53sim")
    if on_path:
        return on_path
    looked = []
    for base in (Path.cwd(), Path(__file__).resolve().parent):
        for directory in (base, *base.parents):
            candidate = directory / "build" / "server" / "r53sim"
            looked.append(str(candidate))
            if executable(candidate):
                return str(candidate)
    raise BinaryNotFoundError("no r53sim binary: set R53SIM_BIN, put r53sim on PATH, or build it "
                              f"(looked in {', '.join(dict.fromkeys(looked))})")


def _checker_of(checker: Checker) -> Tuple[str, int]:
    if isinstance(checker, str):
        return checker, -1
    region, index = checker
    return region, int(index)


class R53Sim:
    """One r53sim server. `config` is a path (file or directory), YAML text, or a dict (written
    as JSON, which YAML reads); `args` are extra `r53sim serve` options ("--manual-clock").

        with R53Sim(config="r53sim.yaml", args=["--manual-clock"]) as sim:
            sim.set_health("hc-primary", "unhealthy")
            sim.wait_for_answer("app.example.com", "A", ["198.51.100.20"])
    """

    def __init__(self, config: ConfigSource = None, args: Sequence[str] = (),
                 binary: Optional[str] = None, workdir: Optional[Union[str, os.PathLike]] = None,
                 startup_timeout: float = 20.0):
        self.config, self.args, self.binary = config, list(args), binary
        self.startup_timeout = startup_timeout
        self._workdir = Path(workdir) if workdir else None
        self._own_workdir = False
        self._process: Optional[subprocess.Popen] = None
        self._log_path: Optional[Path] = None
        self._admin: Optional[str] = None
        self._dns: Optional[Tuple[str, int]] = None

    # --- starting and stopping -----------------------------------------------------------------

    @classmethod
    def attach(cls, admin_url: str, dns: Optional[str] = None) -> "R53Sim":
        """A server that is already running (a container): its admin URL and, unless it is the
        admin host on port 53, its DNS address "HOST:PORT"."""
        sim = cls()
        parsed = urllib.parse.urlsplit(admin_url if "//" in admin_url else "http://" + admin_url)
        sim._admin = f"{parsed.scheme}://{parsed.netloc}"
        host, port = (dns.rsplit(":", 1) if dns else (parsed.hostname, "53"))
        sim._dns = (host.strip("[]"), int(port))
        sim._request("GET", "/healthz")  # fails now, not at the first real call
        return sim

    def start(self) -> "R53Sim":
        if self._admin:
            return self
        binary = find_binary(self.binary)
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="r53sim-"))
            self._own_workdir = True
        self._workdir.mkdir(parents=True, exist_ok=True)
        ready_file = self._workdir / "r53sim-ready.json"
        if ready_file.exists():
            ready_file.unlink()
        self._log_path = self._workdir / "r53sim.log"
        try:
            config = self._config_path()
        except R53SimError:
            self.stop()  # removes the directory it made
            raise
        command = [binary, "serve", "-c", config, "--dns", "127.0.0.1:0",
                   "--admin", "127.0.0.1:0", "--ready-file", str(ready_file), *self.args]
        with open(self._log_path, "wb") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            code = self._process.poll()
            if code is not None:
                log = self.logs()
                self.stop()
                raise StartError(f"r53sim exited with status {code} before serving", code, log)
            try:
                ready = json.loads(ready_file.read_text())
                break
            except (OSError, ValueError):  # not written yet
                pass
            if time.monotonic() > deadline:
                log = self.logs()
                self.stop()
                raise StartError(f"r53sim wrote no ready file within {self.startup_timeout} s",
                                 None, log)
            time.sleep(0.01)
        host, port = ready["dns"].rsplit(":", 1)
        self._dns = (host.strip("[]"), int(port))
        self._admin = "http://" + ready["admin"]
        return self

    def stop(self) -> Optional[int]:
        """Stops the server this object started (SIGTERM, by pid); returns its exit status, which
        is 0 for a clean stop. An attached server is left running."""
        process, self._process = self._process, None
        self._admin = None
        code = None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            code = process.returncode
        if self._own_workdir and self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir, self._own_workdir, self._log_path = None, False, None
        return code

    def __enter__(self) -> "R53Sim":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def logs(self) -> str:
        """What the server has logged so far (for a failing test's report)."""
        try:
            return self._log_path.read_text(errors="replace") if self._log_path else ""
        except OSError:
            return ""

    def _config_path(self) -> str:
        config = {} if self.config is None else self.config
        if isinstance(config, dict):
            config = json.dumps(config)  # JSON is YAML
        elif isinstance(config, os.PathLike) or "\n" not in config:
            if not os.path.exists(config):
                raise R53SimError(f"no config file {config} (YAML text has a newline)")
            return os.path.abspath(config)
        path = self._workdir / "r53sim.yaml"
        path.write_text(config)
        return str(path)

    # --- where it is ---------------------------------------------------------------------------

    @property
    def admin_url(self) -> str:
        self._need_started()
        return self._admin

    @property
    def dns_address(self) -> Tuple[str, int]:
        """(host, port) of the DNS listener, the same port for UDP and TCP."""
        self._need_started()
        return self._dns

    @property
    def api_endpoint(self) -> ApiEndpoint:
        return ApiEndpoint(self.admin_url)

    def route53_client(self):
        """A boto3 Route 53 client for this server (needs boto3)."""
        try:
            import boto3
        except ImportError as e:
            raise R53SimError("route53_client() needs boto3 (pip install boto3)") from e
        e = self.api_endpoint
        return boto3.client("route53", endpoint_url=e.url, region_name=e.region,
                            aws_access_key_id=e.access_key_id,
                            aws_secret_access_key=e.secret_access_key)

    # --- DNS -----------------------------------------------------------------------------------

    def resolve(self, name: str, type: str = "A", client: Optional[str] = None,
                tcp: bool = False) -> _dns.Answer:
        """Asks the DNS listener (with an EDNS Client Subnet for `client`, an address or prefix);
        `.values` of the result are the asked type's values, sorted."""
        host, port = self.dns_address
        try:
            return _dns.query(host, port, name, type, client, tcp=tcp)
        except OSError as e:
            raise R53SimError(f"no DNS answer from {host}:{port} for {name} {type}: {e}") from e

    def explain(self, name: str, type: str = "A", client: Optional[str] = None) -> Dict[str, Any]:
        """The routing trace: policy, candidates, health, alias recursion, the answer."""
        query = {"name": name, "type": type, **({"client": client} if client else {})}
        return self._request("GET", "/v1/explain?" + urllib.parse.urlencode(query))

    def wait_for_answer(self, name: str, type: str, expected: Iterable[str],
                        timeout: float = 10.0, client: Optional[str] = None) -> WaitResult:
        """Returns once the routing core answers exactly `expected` (a set of values; [] for no
        value of that type); raises WaitTimeout with the last answer after `timeout` seconds."""
        body = {"name": name, "type": type, "expected": list(expected), "timeout": timeout}
        if client:
            body["client"] = client
        reply = self._wait("POST", "/v1/wait", body, timeout,
                           f"{name} {type} was not answered {sorted(body['expected'])}")
        return WaitResult(reply["values"], reply["answer"], reply["rcode"])

    # --- health --------------------------------------------------------------------------------

    def health(self, check: str) -> Dict[str, Any]:
        return self._request("GET", f"/v1/health-checks/{_quote(check)}")

    def set_health(self, check: str, state: str,
                   checkers: Optional[Iterable[Checker]] = None) -> Dict[str, Any]:
        """Forces a check "healthy" or "unhealthy", or back to its probes with "auto". With
        `checkers` (regions, or (region, index) pairs), forces what those virtual checkers'
        probes report instead ("timeout" too), leaving the fleet rule to decide; on the manual
        clock that shows after the next advance()."""
        if checkers is None:
            if state not in HEALTH_STATES:
                raise ValueError(f"state must be one of {sorted(HEALTH_STATES)}, not {state!r}")
            path = f"/v1/health-checks/{_quote(check)}/override"
            if state == "auto":
                return self._request("DELETE", path)
            return self._request("PUT", path, {"status": state})
        if state not in HEALTH_STATES | {"timeout"}:
            raise ValueError(f"a checker's state is healthy, unhealthy, timeout or auto: {state!r}")
        reply: Dict[str, Any] = {}
        for region, index in map(_checker_of, checkers):
            path = f"/v1/health-checks/{_quote(check)}/inject"
            if state == "auto":
                query = {"region": region, **({"checker": index} if index >= 0 else {})}
                reply = self._request("DELETE", path + "?" + urllib.parse.urlencode(query))
            else:
                body = {"region": region, "result": state}
                if index >= 0:
                    body["checker"] = index
                reply = self._request("PUT", path, body)
        return reply

    def wait_for_health(self, check: str, state: str, timeout: float = 10.0) -> Dict[str, Any]:
        """Returns once the check's aggregate status (as DNS sees it) is `state`."""
        if state not in ("healthy", "unhealthy"):
            raise ValueError(f"state must be healthy or unhealthy, not {state!r}")
        query = urllib.parse.urlencode({"check": check, "status": state,
                                        "timeout": f"{int(timeout * 1000)}ms"})
        return self._wait("GET", "/v1/wait?" + query, None, timeout, f"{check} was not {state}")

    # --- clock ---------------------------------------------------------------------------------

    def clock(self) -> Clock:
        c = self._request("GET", "/v1/clock")
        return Clock(c["mode"], float(c["now"]), float(c["scale"]))

    def advance(self, seconds: float) -> Clock:
        """Manual clock only (--manual-clock): runs every probe due in the span and returns once
        their results are published."""
        self._request("POST", "/v1/clock/advance", {"seconds": seconds}, timeout=120)
        return self.clock()

    # --- records -------------------------------------------------------------------------------

    def zones(self) -> List[Zone]:
        return [Zone(z["id"], z["name"], z["record_set_count"])
                for z in self._request("GET", "/v1/zones")["zones"]]

    def apply_change_batch(self, zone: str, batch: Union[Dict[str, Any], str]) -> Dict[str, str]:
        """ChangeResourceRecordSets on a zone (its id or name): `batch` in AWS's JSON shape, as a
        dict, JSON text or a file path. Served before this returns; returns the ChangeInfo."""
        if isinstance(batch, (str, os.PathLike)):
            text = str(batch)
            batch = json.loads(text if text.lstrip().startswith("{") else Path(text).read_text())
        zone_id = self._zone_id(zone)
        body = self._route53("POST", f"/2013-04-01/hostedzone/{zone_id}/rrset",
                             _xml.change_batch_request(batch))
        return {"Id": _xml.find_text(body, "Id"), "Status": _xml.find_text(body, "Status")}

    def load_zone(self, name: str, record_sets: Iterable[Dict[str, Any]] = ()) -> str:
        """Creates the hosted zone `name` unless it is served, UPSERTs `record_sets`
        (ResourceRecordSet dicts), and returns the zone's id."""
        try:
            zone_id = self._zone_id(name)
        except R53SimError:
            body = self._route53("POST", "/2013-04-01/hostedzone",
                                 _xml.create_zone_request(name, str(uuid.uuid4())))
            zone_id = (_xml.find_text(body, "Id") or "").rsplit("/", 1)[-1]
        changes = [{"Action": "UPSERT", "ResourceRecordSet": r} for r in record_sets]
        if changes:
            self.apply_change_batch(zone_id, {"Changes": changes})
        return zone_id

    def _zone_id(self, zone: str) -> str:
        wanted = zone.rsplit("/", 1)[-1]
        as_name = wanted.lower().rstrip(".") + "."
        for z in self.zones():
            if z.id == wanted or z.name == as_name:
                return z.id
        raise R53SimError(f"no hosted zone {zone!r} is served")

    # --- HTTP ----------------------------------------------------------------------------------

    def _need_started(self) -> None:
        if not self._admin:
            raise NotStartedError("r53sim is not running: call start() (or use `with`) first")

    def _send(self, method: str, path: str, data: Optional[bytes], content_type: str,
              timeout: float) -> Tuple[int, bytes]:
        self._need_started()
        request = urllib.request.Request(self._admin + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except OSError as e:
            raise R53SimError(f"{method} {self._admin}{path}: {e}") from e

    def _call(self, method: str, path: str, body: Any, timeout: float) -> Tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        status, raw = self._send(method, path, data, "application/json", timeout)
        try:
            return status, json.loads(raw) if raw.strip() else {}
        except ValueError:
            return status, {"error": {"code": "NotJson", "message": raw.decode(errors="replace")}}

    def _request(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        status, reply = self._call(method, path, body, timeout)
        if status >= 400:
            raise _api_error(status, reply)
        return reply

    def _wait(self, method: str, path: str, body: Any, timeout: float, what: str) -> Any:
        status, reply = self._call(method, path, body, timeout + 10)
        if status == 408:
            raise WaitTimeout(f"{what} within {timeout} s", reply)
        if status >= 400:
            raise _api_error(status, reply)
        return reply

    def _route53(self, method: str, path: str, xml: bytes) -> bytes:
        status, raw = self._send(method, path, xml, "text/xml", 30)
        if status >= 400:
            raise ApiError(status, _xml.find_text(raw, "Code") or "Unknown",
                           _xml.find_text(raw, "Message") or raw.decode(errors="replace"))
        return raw


def _api_error(status: int, reply: Any) -> ApiError:
    error = reply.get("error", {}) if isinstance(reply, dict) else {}
    return ApiError(status, error.get("code", "Unknown"), error.get("message", str(reply)))


def _quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")
