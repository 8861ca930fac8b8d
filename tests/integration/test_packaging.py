"""Shipping: the Docker image, the compose demo and the Debian package.

The Dockerfile and compose file are checked statically (no Docker daemon is needed), but against
the real binary: the runtime stage must install exactly the packages that own what `ldd` of the
built r53sim resolves to. The .deb is built with cpack from the CMake build directory, inspected
with dpkg-deb and unpacked into a throwaway root whose binary must run; it is installed into the
real system only when R53SIM_TEST_INSTALL_DEB=1.
"""

import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

SOURCE_DIR = Path(os.environ.get("R53SIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY = os.environ.get("R53SIM_BINARY", "")
BUILD_DIR = Path(os.environ.get("R53SIM_BUILD_DIR") or
                 (os.path.dirname(os.path.dirname(BINARY)) if BINARY else SOURCE_DIR / "build"))
DOCKERFILE = SOURCE_DIR / "docker" / "Dockerfile"
DOCKERIGNORE = SOURCE_DIR / "docker" / "Dockerfile.dockerignore"
COMPOSE = SOURCE_DIR / "docker" / "compose.yaml"
PACKAGING = SOURCE_DIR / "server" / "packaging"
MAN_PAGE = PACKAGING / "r53sim.1"
UNIT = PACKAGING / "r53sim.service"

# Packages a runtime stage may install that own no library the binary loads.
RUNTIME_EXTRAS = {"ca-certificates", "libcap2-bin"}
# In every Debian image, and owner of the dynamic loader itself.
BASE_PACKAGES = {"libc6"}


def need_binary():
    if not BINARY or not os.access(BINARY, os.X_OK):
        pytest.fail(f"R53SIM_BINARY={BINARY!r} is not an executable; build r53sim first")
    return BINARY


# ---------------------------------------------------------------- Dockerfile parsing


class Stage:
    def __init__(self, image, name):
        self.image = image
        self.name = name
        self.instructions = []  # (KEYWORD, arguments)

    def all(self, keyword):
        return [args for kw, args in self.instructions if kw == keyword]


def parse_dockerfile(path=DOCKERFILE):
    logical, current = [], ""
    for raw in path.read_text().splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    stages = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = args.split()
            image = [w for w in words if not w.startswith("--")][0]
            name = words[words.index("AS") + 1] if "AS" in words else (
                words[words.index("as") + 1] if "as" in words else None)
            stages.append(Stage(image, name))
        elif stages:
            stages[-1].instructions.append((keyword, args.strip()))
    return stages


def apt_installed(stage):
    """Package names given to `apt-get install` in a stage's RUN instructions."""
    packages = []
    for run in stage.all("RUN"):
        for command in re.split(r"&&|;|\|\|", run):
            words = command.split()
            if len(words) >= 2 and words[0] in ("apt-get", "apt") and "install" in words:
                after = words[words.index("install") + 1:]
                packages += [w for w in after if not w.startswith("-")]
    return packages


def makefile_variable(name):
    text = (SOURCE_DIR / "Makefile").read_text().replace("\\\n", " ")
    match = re.search(rf"^{name}\s*:?=\s*(.*)$", text, re.M)
    assert match, f"Makefile has no {name}"
    return match.group(1).split()


@pytest.fixture(scope="module")
def stages():
    return parse_dockerfile()


def test_dockerfile_is_multi_stage_with_a_bookworm_build_and_slim_runtime(stages):
    assert len(stages) >= 2, "the image must be built in one stage and run from another"
    build, runtime = stages[0], stages[-1]
    assert build.image == "debian:bookworm" and build.name, build.image
    assert runtime.image == "debian:bookworm-slim", runtime.image
    copies = " ".join(runtime.all("COPY"))
    assert f"--from={build.name}" in copies and "/usr/bin/r53sim" in copies, \
        "the runtime stage must take the binary from the build stage"


def test_build_stage_installs_exactly_the_makefile_build_packages(stages):
    installed = apt_installed(stages[0])
    expected = makefile_variable("BUILD_PACKAGES")
    assert sorted(installed) == sorted(expected), \
        f"Dockerfile build stage vs Makefile BUILD_PACKAGES: " \
        f"missing {sorted(set(expected) - set(installed))}, extra {sorted(set(installed) - set(expected))}"


def test_build_stage_uses_the_repository_cmake_build(stages):
    runs = " && ".join(stages[0].all("RUN"))
    assert re.search(r"cmake -S \. -B build\b", runs), runs
    assert re.search(r"cmake --build build .*--target r53sim\b", runs), runs
    assert "build/server/r53sim" in " ".join(stages[-1].all("COPY"))


def test_runtime_runs_as_a_non_root_user(stages):
    users = stages[-1].all("USER")
    assert users, "the runtime stage sets no USER, so r53sim would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), users[-1]


def test_healthcheck_asks_r53sim_itself(stages):
    checks = stages[-1].all("HEALTHCHECK")
    assert len(checks) == 1, checks
    exec_form = checks[0].split("CMD", 1)[1].strip()
    assert json.loads(exec_form)[:2] == ["r53sim", "ready"], exec_form


def test_exposes_dns_on_udp_and_tcp_and_the_admin_port(stages):
    exposed = set(" ".join(stages[-1].all("EXPOSE")).split())
    exposed = {p if "/" in p else p + "/tcp" for p in exposed}
    assert {"53/udp", "53/tcp", "8053/tcp"} <= exposed, exposed


def test_runtime_environment_signal_and_config(stages):
    runtime = stages[-1]
    env = " ".join(runtime.all("ENV"))
    assert re.search(r"\bR53SIM_LOG_FORMAT=json\b", env), env
    assert re.search(r"\bR53SIM_CONFIG=/etc/r53sim/config.yaml\b", env), env
    assert runtime.all("STOPSIGNAL") == ["SIGTERM"]
    assert any(c.split()[-1] == "/etc/r53sim/config.yaml" for c in runtime.all("COPY"))
    # The binary binds port 53 as the non-root user through a file capability.
    assert re.search(r"setcap cap_net_bind_service=\+ep /usr/bin/r53sim",
                     " ".join(runtime.all("RUN")))


def dockerignore_excludes(path, patterns):
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    def matches(pattern, candidate):
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**", i):
                regex += ".*"
                i += 2
                if pattern.startswith("/", i):
                    regex = regex[:-2] + "(.*/)?"
                    i += 1
            elif pattern[i] == "*":
                regex += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                regex += "[^/]"
                i += 1
            else:
                regex += re.escape(pattern[i])
                i += 1
        return re.fullmatch(regex, candidate) is not None

    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    excluded = False
    for raw in patterns:
        negated = raw.startswith("!")
        pattern = raw[1:] if negated else raw
        pattern = pattern.strip("/")
        if any(matches(pattern, prefix) for prefix in prefixes):
            excluded = not negated
    return excluded


def test_build_context_sends_what_the_build_needs_and_no_build_trees(stages):
    patterns = [l.strip() for l in DOCKERIGNORE.read_text().splitlines()
                if l.strip() and not l.startswith("#")]
    tracked = subprocess.run(["git", "-C", str(SOURCE_DIR), "ls-files"], capture_output=True,
                             text=True, check=True).stdout.split()
    root_cmake = (SOURCE_DIR / "CMakeLists.txt").read_text()
    needed_dirs = re.findall(r"^\s*add_subdirectory\((\w+)\)", root_cmake, re.M)
    assert needed_dirs, "no add_subdirectory in CMakeLists.txt"
    needed = [f for f in tracked if f == "CMakeLists.txt" or f.split("/")[0] in needed_dirs]
    needed += re.findall(r"^\s*include\(([\w./-]+/[\w.-]+)", root_cmake, re.M)
    # Files the Dockerfile copies by name.
    for stage in stages:
        for copy in stage.all("COPY"):
            words = [w for w in copy.split() if not w.startswith("--")]
            if "--from" not in copy and words[0] != ".":
                needed += words[:-1]
    for f in needed:
        assert (SOURCE_DIR / f).exists(), f"the Dockerfile copies {f}, which does not exist"
        assert not dockerignore_excludes(f, patterns), f"{f} is left out of the build context"
    for heavy in ["build/server/r53sim", "build-pkg/CMakeCache.txt", ".git/HEAD"]:
        assert dockerignore_excludes(heavy, patterns), f"{heavy} would be sent to the daemon"


def ldd_libraries(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libraries = []
    for line in out.splitlines():
        line = line.strip()
        if "=>" in line:
            target = line.split("=>", 1)[1].split("(")[0].strip()
            assert target != "not found", f"unresolved library: {line}"
            if target:
                libraries.append(target)
        elif line.startswith("/"):  # the dynamic loader
            libraries.append(line.split()[0])
    return libraries


def owning_package(path):
    candidates = [path, os.path.realpath(path)]
    for p in list(candidates):  # Debian 12 merges /lib into /usr/lib; dpkg knows one spelling
        if p.startswith("/usr/"):
            candidates.append(p[4:])
        else:
            candidates.append("/usr" + p)
    for candidate in candidates:
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":")[0].strip()
    pytest.fail(f"no Debian package owns {path}")


def needed_sonames(binary):
    """The binary's own DT_NEEDED entries: what it links, not what those libraries link."""
    out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                         check=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))


@pytest.fixture(scope="module")
def loaded_packages():
    # Owners of the libraries the binary links directly, as dpkg-shlibdeps computes Depends;
    # their own dependencies (libxml2's libicu, for one) arrive with them through apt.
    binary = need_binary()
    direct = needed_sonames(binary)
    assert direct, "readelf found no NEEDED entries"
    return {lib: owning_package(lib) for lib in ldd_libraries(binary)
            if os.path.basename(lib) in direct}


def test_runtime_stage_installs_exactly_the_owners_of_the_loaded_libraries(stages,
                                                                           loaded_packages):
    runtime = set(apt_installed(stages[-1]))
    needed = set(loaded_packages.values())
    missing = {lib: pkg for lib, pkg in loaded_packages.items()
               if pkg not in runtime | BASE_PACKAGES}
    assert not missing, f"the runtime stage lacks the packages of {missing}"
    unused = runtime - needed - RUNTIME_EXTRAS
    assert not unused, f"the runtime stage installs {sorted(unused)}, which own no loaded library"


# ---------------------------------------------------------------- compose


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_runs_r53sim_two_nginx_regions_and_a_dig_client(compose):
    services = compose["services"]
    assert {"r53sim", "us-east-1", "eu-west-1", "client"} <= set(services)
    build = services["r53sim"]["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
    for region in ("us-east-1", "eu-west-1"):
        assert services[region]["image"].startswith("nginx:")
        assert services[region]["environment"]["REGION"] == region
    assert "dnsutils" in services["client"]["build"]["dockerfile_inline"]
    assert services["client"]["depends_on"]["r53sim"]["condition"] == "service_healthy"
    published = {p.rsplit(":", 1)[-1] for p in services["r53sim"]["ports"]}
    assert {"53/udp", "53/tcp", "8053/tcp"} <= published, published


def test_compose_bind_mounts_exist(compose):
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            host = volume.split(":")[0]
            if host.startswith((".", "/")):
                assert (COMPOSE.parent / host).exists(), f"{name} mounts missing {host}"


def test_nginx_regions_answer_health(compose):
    template = COMPOSE.parent / "nginx" / "region.conf.template"
    text = template.read_text()
    assert re.search(r"location = /health\s*\{\s*return 200", text), text
    assert "${REGION}" in text


DEMO_CONF_D = COMPOSE.parent / "demo" / "conf.d"
DEMO_SEEDS = COMPOSE.parent / "demo" / "seeds"


def demo_config_text():
    """The compose demo's conf.d as one document (its files have distinct top-level keys)."""
    return "\n".join(f.read_text() for f in sorted(DEMO_CONF_D.glob("*.yaml")))


def test_container_config_routes_the_regions_to_the_compose_services(compose):
    config = yaml.safe_load(demo_config_text())
    mounts = {v.split(":")[1]: v.split(":")[0] for v in compose["services"]["r53sim"]["volumes"]}
    assert mounts["/etc/r53sim/conf.d"] == "./demo/conf.d", mounts
    assert mounts["/etc/r53sim/seeds"] == "./demo/seeds", mounts
    # No listen addresses: the image's defaults (every interface) apply.
    assert "listen" not in config["local"]
    region_ip = {name: s["networks"]["regions"]["ipv4_address"]
                 for name, s in compose["services"].items() if name in ("us-east-1", "eu-west-1")}
    subnet = compose["networks"]["regions"]["ipam"]["config"][0]["subnet"]
    assert all(ip.startswith(subnet.rsplit(".", 1)[0] + ".") for ip in region_ip.values())
    mapped = {}
    for endpoint in config["local"]["endpoints"]:
        host, port, address, local_port = endpoint.split(":")
        mapped[host.split(".")[0]] = (address, local_port)
    assert mapped == {region: (ip, "80") for region, ip in region_ip.items()}
    records = config["hosted_zones"][0]["ResourceRecordSets"]
    answers = {r["SetIdentifier"]: r["ResourceRecords"][0]["Value"] for r in records}
    assert answers == region_ip
    checked = {c["HealthCheckConfig"]["FullyQualifiedDomainName"].split(".")[0]
               for c in config["health_checks"].values()}
    assert checked == set(region_ip)


def r53sim_check(*args, **kwargs):
    return subprocess.run([need_binary(), "check", *args], capture_output=True, text=True,
                          timeout=30, **kwargs)


@pytest.mark.parametrize("config", ["docker/config.yaml", "docker/demo/conf.d",
                                    "server/packaging/config.yaml"])
def test_shipped_configs_are_valid(config):
    result = r53sim_check("-c", str(SOURCE_DIR / config))
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_demo_seeds_are_valid_change_batches_for_its_config():
    result = r53sim_check("-c", str(DEMO_CONF_D), "--seed-dir", str(DEMO_SEEDS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_config_probes_only_the_container_itself():
    """A bare `docker run` must send no probe out of the container: every check targets
    loopback by address, and no endpoint mapping sends a name elsewhere."""
    config = yaml.safe_load((SOURCE_DIR / "docker" / "config.yaml").read_text())
    assert config["health_checks"]
    for check_id, check in config["health_checks"].items():
        hc = check["HealthCheckConfig"]
        assert hc.get("IPAddress", "").startswith("127."), (check_id, hc)
        assert hc["Port"] == 8053 and hc["ResourcePath"] == "/healthz", (check_id, hc)
    assert not config.get("local", {}).get("endpoints")
    assert "listen" not in config.get("local", {})


def test_entrypoint_takes_the_whole_config_from_the_environment(tmp_path):
    binary = need_binary()
    env = dict(os.environ, PATH=f"{os.path.dirname(binary)}:/usr/bin:/bin", TMPDIR=str(tmp_path),
               R53SIM_CONFIG_YAML=(PACKAGING / "config.yaml").read_text(),
               R53SIM_CONFIG="/nonexistent.yaml")
    entrypoint = SOURCE_DIR / "docker" / "entrypoint.sh"
    ok = subprocess.run(["sh", str(entrypoint), "check"], env=env, capture_output=True, text=True,
                        timeout=30)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert (tmp_path / "r53sim-config.yaml").read_text().startswith("# r53sim example")
    env["R53SIM_CONFIG_YAML"] = "hosted_zones: [{Name: example.com, Bogus: 1}]\n"
    bad = subprocess.run(["sh", str(entrypoint), "check"], env=env, capture_output=True,
                         text=True, timeout=30)
    assert bad.returncode == 1, bad.stdout + bad.stderr


def serve_and_ask(tmp_path, config, name):
    """Serves `config` on free loopback ports and returns dig's answer for name."""
    binary = need_binary()
    ready = tmp_path / "ready.json"
    proc = subprocess.Popen([binary, "serve", "-c", str(config), "--dns", "127.0.0.1:0",
                             "--admin", "127.0.0.1:0", "--ready-file", str(ready)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        addresses = None
        while addresses is None:
            assert proc.poll() is None, f"r53sim exited with {proc.returncode}: {proc.stderr.read()}"
            assert time.monotonic() < deadline, "no ready file within 10 s"
            try:
                addresses = json.loads(ready.read_text())
            except (FileNotFoundError, ValueError):
                time.sleep(0.05)
        host, port = addresses["dns"].rsplit(":", 1)
        out = subprocess.run(["dig", f"@{host}", "-p", port, "+short", "+tries=1", "+time=2",
                              name, "A"], capture_output=True, text=True, timeout=10)
        return out.stdout.split()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        assert proc.returncode == 0, f"r53sim exited with {proc.returncode}"


@pytest.mark.parametrize("config,primary", [("docker/config.yaml", "192.0.2.10"),
                                            ("docker/demo/conf.d", "172.30.53.11"),
                                            ("server/packaging/config.yaml", "192.0.2.10")])
def test_shipped_configs_serve_the_primary(tmp_path, config, primary):
    # New checks start healthy (semantics §8 point 9), so the first answer is the primary's.
    assert serve_and_ask(tmp_path, SOURCE_DIR / config, "app.example.com") == [primary]


class Region:
    """Stands in for one nginx region on loopback, recording the Host header of each probe."""

    def __init__(self):
        import http.server
        import threading
        self.hosts = []
        region = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                region.hosts.append((self.headers.get("Host"), self.path))
                self.send_response(200 if self.path == "/health" else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_compose_demo_fails_over_when_a_region_stops(tmp_path):
    """docker/demo/conf.d as `docker compose stop us-east-1` exercises it, with the two nginx
    containers replaced by loopback servers (only `local.endpoints` is rewritten)."""
    binary = need_binary()
    regions = {"us-east-1": Region(), "eu-west-1": Region()}
    text = demo_config_text()
    for name, ip in (("us-east-1", "172.30.53.11"), ("eu-west-1", "172.30.53.12")):
        mapping = f"{name}.app.example.com:80:{ip}:80"
        assert mapping in text
        text = text.replace(mapping, f"{name}.app.example.com:80:127.0.0.1:{regions[name].port}")
    config = tmp_path / "config.yaml"
    config.write_text(text)
    ready = tmp_path / "ready.json"
    proc = subprocess.Popen([binary, "serve", "-c", str(config), "--dns", "127.0.0.1:0",
                             "--admin", "127.0.0.1:0", "--ready-file", str(ready),
                             "--time-scale", "0.2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        addresses = None
        while addresses is None:
            assert proc.poll() is None, f"r53sim exited with {proc.returncode}"
            assert time.monotonic() < deadline, "no ready file within 10 s"
            try:
                addresses = json.loads(ready.read_text())
            except (FileNotFoundError, ValueError):
                time.sleep(0.05)
        host, port = addresses["dns"].rsplit(":", 1)
        admin = "http://" + addresses["admin"]

        def answer():
            out = subprocess.run(["dig", f"@{host}", "-p", port, "+short", "+tries=1",
                                  "+time=2", "app.example.com", "A"], capture_output=True,
                                 text=True, timeout=10)
            return out.stdout.split()

        def wait(check, status):
            url = f"{admin}/v1/wait?check={check}&status={status}&timeout=15s"
            with urllib.request.urlopen(url, timeout=20) as response:
                assert response.status == 200

        assert answer() == ["172.30.53.11"]
        deadline = time.monotonic() + 10
        while not regions["us-east-1"].hosts:
            assert time.monotonic() < deadline, "us-east-1 was never probed"
            time.sleep(0.05)
        # Probed by name, as Route 53 would probe the production endpoint.
        assert regions["us-east-1"].hosts[0] == ("us-east-1.app.example.com", "/health")

        regions["us-east-1"].stop()
        wait("hc-us-east-1", "unhealthy")
        assert answer() == ["172.30.53.12"]
    finally:
        for region in regions.values():
            try:
                region.stop()
            except OSError:
                pass
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0


# ---------------------------------------------------------------- man page and unit


def test_man_page_renders_without_warnings():
    result = subprocess.run(["groff", "-man", "-ww", "-z", str(MAN_PAGE)], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def long_options(text):
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", text))


def test_man_page_and_help_document_the_same_options():
    help_text = subprocess.run([need_binary(), "--help"], capture_output=True, text=True,
                               timeout=30)
    assert help_text.returncode == 0
    in_help = long_options(help_text.stdout + help_text.stderr)
    in_man = long_options(MAN_PAGE.read_text().replace("\\-", "-"))
    assert in_help, "r53sim --help lists no options"
    assert in_help - in_man == set(), "options missing from r53sim.1"
    assert in_man - in_help == set(), "r53sim.1 documents options r53sim --help does not know"
    for command in ("serve", "check", "ready"):
        assert command in help_text.stdout + help_text.stderr


def unit_settings(text=None):
    settings = {}
    for line in (text or UNIT.read_text()).splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def test_unit_serves_the_packaged_config_and_does_not_restart_on_bad_config():
    unit = unit_settings()
    assert unit["ExecStart"] == ["/usr/bin/r53sim serve -c ${R53SIM_CONFIG} $R53SIM_OPTS"]
    assert "R53SIM_CONFIG=/etc/r53sim/config.yaml" in unit["Environment"]
    assert unit["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert set(unit["RestartPreventExitStatus"][0].split()) == {"1", "2"}
    assert unit["AmbientCapabilities"] == ["CAP_NET_BIND_SERVICE"]
    assert unit["DynamicUser"] == ["yes"]


# ---------------------------------------------------------------- Debian package


@pytest.fixture(scope="module")
def deb(tmp_path_factory):
    if not shutil.which("cpack"):
        pytest.skip("cpack is not installed (Debian package cmake), so no .deb can be built")
    for tool in ("dpkg-deb", "dpkg-shlibdeps"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: install dpkg-dev to build the package")
    need_binary()
    assert (BUILD_DIR / "CPackConfig.cmake").exists(), \
        f"{BUILD_DIR} has no CPackConfig.cmake: is server/packaging/packaging.cmake included?"
    subprocess.run(["cmake", "--build", str(BUILD_DIR), "--target", "r53sim_man_page"],
                   check=True, capture_output=True, timeout=60)
    out = tmp_path_factory.mktemp("deb")
    result = subprocess.run(["cpack", "-G", "DEB", "-B", str(out)], cwd=BUILD_DIR,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    debs = list(out.glob("r53sim_*.deb"))
    assert len(debs) == 1, result.stdout
    return debs[0]


@pytest.fixture(scope="module")
def unpacked(deb, tmp_path_factory):
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True, timeout=60)
    control = tmp_path_factory.mktemp("control")
    subprocess.run(["dpkg-deb", "-e", str(deb), str(control)], check=True, timeout=60)
    return root, control


def test_deb_holds_binary_man_page_unit_and_configs(deb):
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True,
                             check=True).stdout
    files = {line.split()[-1] for line in listing.splitlines()}
    assert {"./usr/bin/r53sim", "./usr/share/man/man1/r53sim.1.gz",
            "./usr/lib/systemd/system/r53sim.service", "./etc/r53sim/config.yaml",
            "./usr/share/doc/r53sim/examples/config.yaml",
            "./usr/share/doc/r53sim/copyright"} <= files, listing
    binary_line = next(l for l in listing.splitlines() if l.endswith("./usr/bin/r53sim"))
    assert binary_line.startswith("-rwxr-xr-x root/root"), binary_line


def test_deb_depends_on_the_owners_of_the_loaded_libraries(deb, loaded_packages):
    fields = subprocess.run(["dpkg-deb", "-f", str(deb), "Package", "Version", "Depends",
                             "Architecture"], capture_output=True, text=True, check=True).stdout
    assert "Package: r53sim" in fields
    version = subprocess.run([need_binary(), "--version"], capture_output=True, text=True).stdout
    deb_version = re.search(r"^Version: (\S+)", fields, re.M).group(1)
    assert deb_version in version, f"deb {deb_version} vs r53sim --version {version!r}"
    depends = re.search(r"^Depends: (.*)$", fields, re.M).group(1)
    depended = {d.strip().split()[0] for d in depends.split(",")}
    assert depended == set(loaded_packages.values()), \
        f"Depends {sorted(depended)} vs owners of the linked libraries {sorted(set(loaded_packages.values()))}"


def test_deb_marks_the_config_as_conffile_and_ships_executable_scripts(unpacked):
    root, control = unpacked
    assert (control / "conffiles").read_text().split() == ["/etc/r53sim/config.yaml"]
    for script in ("postinst", "prerm", "postrm"):
        assert os.access(control / script, os.X_OK), script
        subprocess.run(["sh", "-n", str(control / script)], check=True)
    shipped = gzip.decompress((root / "usr/share/man/man1/r53sim.1.gz").read_bytes()).decode()
    assert shipped == MAN_PAGE.read_text()
    assert (root / "etc/r53sim/config.yaml").read_text() == (PACKAGING / "config.yaml").read_text()


def test_unpacked_binary_runs_and_accepts_the_packaged_config(unpacked):
    root, _ = unpacked
    binary = root / "usr/bin/r53sim"
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                             timeout=30)
    assert version.returncode == 0, version.stderr
    project_version = re.search(r"project\(r53sim VERSION (\S+)",
                                (SOURCE_DIR / "CMakeLists.txt").read_text()).group(1)
    assert project_version in version.stdout, version.stdout
    check = subprocess.run([str(binary), "check", "-c", str(root / "etc/r53sim/config.yaml")],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr


def test_systemd_accepts_the_unit(unpacked, tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    root, _ = unpacked
    # The packaged unit, pointed at the unpacked binary (verify insists ExecStart exists) and
    # with man pointed at the unpacked man page (verify runs `man r53sim(1)` for Documentation=).
    unit = (root / "usr/lib/systemd/system/r53sim.service").read_text()
    assert unit == UNIT.read_text()
    (tmp_path / "r53sim.service").write_text(
        unit.replace("/usr/bin/r53sim", str(root / "usr/bin/r53sim")))
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "r53sim.service")],
                            capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, MANPATH=str(root / "usr/share/man")))
    # Unknown keys and bad values are only warnings (exit 0), so any message about the unit fails.
    problems = [l for l in (result.stdout + result.stderr).splitlines() if "r53sim" in l]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


def test_dpkg_installs_the_package_when_asked(deb):
    if os.environ.get("R53SIM_TEST_INSTALL_DEB") != "1":
        pytest.skip("set R53SIM_TEST_INSTALL_DEB=1 to dpkg -i the package into this system")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    was_installed = subprocess.run(["dpkg-query", "-W", "r53sim"],
                                   capture_output=True).returncode == 0
    subprocess.run([*sudo, "dpkg", "-i", str(deb)], check=True, timeout=120)
    try:
        version = subprocess.run(["/usr/bin/r53sim", "--version"], capture_output=True,
                                 text=True, timeout=30)
        assert version.returncode == 0
        check = subprocess.run(["/usr/bin/r53sim", "check", "-c", "/etc/r53sim/config.yaml"],
                               capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stdout + check.stderr
        assert Path("/usr/share/man/man1/r53sim.1.gz").exists()
    finally:
        if not was_installed:
            subprocess.run([*sudo, "dpkg", "--purge", "r53sim"], check=True, timeout=120)


# ---------------------------------------------------------------- compose: r53sim as `dns:`


def test_compose_dns_example_serves_the_other_services_and_probes_them_by_name():
    compose_dns = yaml.safe_load((SOURCE_DIR / "docker" / "compose-dns.yaml").read_text())
    services = compose_dns["services"]
    r53sim_ip = services["r53sim"]["networks"]["apps"]["ipv4_address"]
    assert services["app"]["dns"] == r53sim_ip
    assert services["app"]["depends_on"]["r53sim"]["condition"] == "service_healthy"
    mounts = {v.split(":")[1]: v.split(":")[0] for v in services["r53sim"]["volumes"]}
    conf_d = SOURCE_DIR / "docker" / mounts["/etc/r53sim/conf.d"]
    result = r53sim_check("-c", str(conf_d))
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load("\n".join(f.read_text() for f in sorted(conf_d.glob("*.yaml"))))
    # Each check names a compose service; each answer is that service's address.
    by_check = {r["HealthCheckId"]: r["ResourceRecords"][0]["Value"]
                for r in config["hosted_zones"][0]["ResourceRecordSets"]}
    for check_id, check in config["health_checks"].items():
        service = check["HealthCheckConfig"]["FullyQualifiedDomainName"]
        assert service in services, service
        assert services[service]["networks"]["apps"]["ipv4_address"] == by_check[check_id]
