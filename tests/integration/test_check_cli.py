"""`r53sim check` says what AWS would say (semantics §4, §4.1), before anything is deployed."""
import os
import subprocess

import pytest

from harness import BINARY, SOURCE_DIR, R53Sim

SEED = os.path.join(SOURCE_DIR, "tests", "fixtures", "config", "two-region-failover.txt")

TWO_POLICIES = ("Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, "
                "MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found more than "
                "one in Change with [Action=UPSERT, Name=app.example.com., Type=A, "
                "SetIdentifier=us-east-1-active]")


def check(*args, stdin=None):
    return subprocess.run([BINARY, "check", *args], capture_output=True, text=True, input=stdin,
                          timeout=30)


def test_seed_change_batch_rejected_with_aws_message():
    r = check("--change-batch", SEED)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "InvalidInput" in r.stderr
    assert TWO_POLICIES in r.stderr
    assert TWO_POLICIES.replace("us-east-1", "eu-west-1") in r.stderr


def test_seed_health_check_config_rejected_as_the_aws_cli_does():
    arg = ("Type=HTTPS,FullyQualifiedDomainName=app.example.com,RequestInterval=30,"
           "FailureThreshold=3,RequestTimeout=10,Port=443,ResourcePath=/health,Inverted=false,"
           "EnableSNI=true,Regions=us-east-1")
    r = check("--health-check-config", arg)
    assert r.returncode == 1
    assert 'Unknown parameter in HealthCheckConfig: "RequestTimeout", must be one of:' in r.stderr
    assert "Invalid length for parameter HealthCheckConfig.Regions, value: 1, valid min length: 3" in r.stderr


def test_corrected_health_check_config_passes():
    arg = ("Type=HTTPS,FullyQualifiedDomainName=us-east-1.app.example.com,RequestInterval=30,"
           "FailureThreshold=3,Port=443,ResourcePath=/health,Inverted=false,EnableSNI=true,"
           "Regions=[us-east-1,us-west-2,eu-west-1]")
    r = check("--health-check-config", arg)
    assert r.returncode == 0, r.stderr


def test_invalid_config_lists_every_error_with_file_and_line(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("""hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - Name: a.example.com
        Type: A
        SetIdentifier: one
        Weight: 10
        Failover: PRIMARY
        TTL: 60
        ResourceRecords: [{Value: 192.0.2.1}]
      - Name: b.example.com
        Type: A
        TTL: 60
        ResourceRecords: [{Value: 1.2.3}]
health_checks:
  hc-1:
    HealthCheckConfig: {Type: HTTP, IPAddress: 192.0.2.1, FailureThreshold: 11}
""")
    r = check("-c", str(cfg))
    assert r.returncode == 1
    assert f"{cfg}:4:" in r.stderr or f"{cfg}:5:" in r.stderr  # the first record
    assert "found more than one" in r.stderr
    assert "ARRDATAIllegalIPv4Address" in r.stderr
    assert f"{cfg}:1" in r.stderr.split("ARRDATAIllegalIPv4Address")[0].splitlines()[-1]
    assert "healthCheckConfig.failureThreshold" in r.stderr and f"{cfg}:17:" in r.stderr
    assert "3 errors" in r.stderr


def test_valid_config_from_stdin():
    r = check("-c", "-", stdin="hosted_zones:\n  - Name: example.com\n")
    assert r.returncode == 0, r.stderr


def test_serve_refuses_invalid_config(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("hosted_zones:\n  - Name: example.com\n    Bogus: 1\n")
    r = subprocess.run([BINARY, "serve", "-c", str(cfg), "--dns", "127.0.0.1:0", "--admin",
                        "127.0.0.1:0"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "Bogus" in r.stderr


def test_usage_errors_exit_2():
    r = subprocess.run([BINARY, "serve"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2
    r = subprocess.run([BINARY, "frobnicate"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2


def run_cli(*args, env=None):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=10,
                          env={**os.environ, **(env or {})})


def test_an_unknown_flag_is_one_line_naming_it_with_a_suggestion():
    r = run_cli("serve", "-c", "x.yaml", "--admn", "127.0.0.1:0")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "r53sim: unknown option '--admn' (did you mean '--admin'?); see r53sim serve --help"]
    r = run_cli("serve", "--bogus")
    assert r.returncode == 2
    assert r.stderr == "r53sim: unknown option '--bogus'; see r53sim serve --help\n"
    # A flag of another command is unknown here, and says so for this command.
    r = run_cli("check", "--dns", "127.0.0.1:0")
    assert r.returncode == 2
    assert r.stderr == "r53sim: unknown option '--dns'; see r53sim check --help\n"


@pytest.mark.parametrize("flags,expected", [
    (["--seed", "-1"], "--seed must be a whole number"),
    (["--seed", "12x"], "--seed must be a whole number"),
    (["--time-scale", "inf"], "--time-scale must be a positive finite number, not 'inf'"),
    (["--time-scale", "nan"], "--time-scale must be a positive finite number"),
    (["--time-scale", "0"], "--time-scale must be a positive finite number"),
    (["--workers", "0"], "--workers must be a whole number from 1 to 256"),
    (["--log-level", "loud"], "--log-level must be debug, info, warn or error, not 'loud'"),
    (["--dns"], "option '--dns' needs a value"),
    (["--watch=yes"], "option '--watch' takes no value"),
    (["--dns", "a", "--dns", "b"], "option '--dns' is given twice"),
])
def test_bad_flag_values_are_refused_in_one_line(flags, expected):
    r = run_cli("serve", "-c", "x.yaml", *flags)
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.splitlines()) == 1, r.stderr
    assert expected in r.stderr, r.stderr


def test_a_bad_log_level_in_the_environment_is_an_error():
    r = run_cli("serve", "-c", "x.yaml", env={"R53SIM_LOG_LEVEL": "loud"})
    assert r.returncode == 2
    assert "R53SIM_LOG_LEVEL must be debug, info, warn or error, not 'loud'" in r.stderr


def test_flag_equals_value_is_read(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("hosted_zones:\n  - Name: example.com\n    Bogus: 1\n")
    # --config=PATH reaches the loader: the config's own error comes back, exit 1.
    r = run_cli("check", f"--config={cfg}")
    assert r.returncode == 1, r.stderr
    assert "Bogus" in r.stderr


def test_command_help_lists_only_that_command():
    r = run_cli("ready", "--help")
    assert r.returncode == 0
    assert "--ready-file" in r.stdout and "--admin" in r.stdout
    assert "--time-scale" not in r.stdout


def test_version_and_help():
    r = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0 and r.stdout.startswith("r53sim ")
    r = subprocess.run([BINARY, "--help"], capture_output=True, text=True, timeout=10)
    for flag in ("--dns", "--admin", "--ready-file", "--lenient", "--time-scale", "--manual-clock"):
        assert flag in r.stdout


def test_readme_config_example_is_the_checked_fixture():
    example = os.path.join(SOURCE_DIR, "tests", "fixtures", "config", "complete-example.yaml")
    with open(os.path.join(SOURCE_DIR, "README.md")) as f:
        readme = f.read()
    block = readme.split("<!-- complete-example:begin -->")[1].split("<!-- complete-example:end -->")[0]
    block = block.strip().removeprefix("```yaml").removesuffix("```").strip()
    with open(example) as f:
        assert block == f.read().strip()
    r = check("-c", example)
    assert r.returncode == 0, r.stderr


# Issue: errors a newcomer understands at once. Each test shows the exact line a user sees.

def check_text(tmp_path, text):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(text)
    r = check("-c", str(cfg))
    assert r.returncode == 1, r.stdout + r.stderr
    prefix = f"{cfg}:"
    return [line[len(prefix):] for line in r.stderr.splitlines()
            if line.startswith(prefix) and line[len(prefix):][:1].isdigit()]


RECORD = """        TTL: 60
        ResourceRecords: [{Value: 192.0.2.1}]
"""


def test_a_broken_health_check_is_reported_once_not_again_where_it_is_used(tmp_path):
    lines = check_text(tmp_path, """health_checks:
  primary:
    HealthCheckConfig:
      Type: HTTP
      IPAddress: 127.0.0.1
      Port: 8080
      Bogus: 1
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - Name: www.example.com
        Type: A
        SetIdentifier: p
        Failover: PRIMARY
        HealthCheckId: primary
""" + RECORD)
    lines = [l for l in lines if ": error:" in l]
    assert len(lines) == 1, lines
    assert lines[0].startswith('7: error: ParamValidation: Unknown parameter in HealthCheckConfig: "Bogus"'), lines
    assert not any("NoSuchHealthCheck" in l for l in lines)


def test_check_fields_written_under_the_id_get_one_error_saying_where_they_go(tmp_path):
    lines = check_text(tmp_path, """health_checks:
  primary:
    Type: HTTP
    IPAddress: 127.0.0.1
    Port: 8080
""")
    assert lines == ["3: error: InvalidConfig: health_checks.primary: Type, IPAddress, Port are "
                     "HealthCheckConfig fields; indent them under 'HealthCheckConfig:'"]


def test_a_misspelt_key_suggests_the_key_and_is_not_also_missing(tmp_path):
    lines = check_text(tmp_path, """hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - Name: app.example.com
        Tpye: A
""" + RECORD)
    assert len(lines) == 1, lines
    assert lines[0].startswith('5: error: ParamValidation: Unknown parameter in '
                               'hosted_zones[0].ResourceRecordSets[0]: "Tpye"'), lines
    assert lines[0].endswith('(did you mean "Type"?)'), lines


@pytest.mark.parametrize("field,value,hint", [
    ("Type", "AAAAA", "(did you mean 'AAAA'?)"),
    ("Type", "CNAM", "(did you mean 'CNAME'?)"),
    ("Region", "eu-west-11", "(did you mean 'eu-west-1'?)"),
])
def test_enum_values_suggest_the_nearest(tmp_path, field, value, hint):
    lines = check_text(tmp_path, f"""hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - Name: app.example.com
        Type: {value if field == "Type" else "A"}
        {"SetIdentifier: x" if field == "Region" else ""}
        {f"Region: {value}" if field == "Region" else ""}
""" + RECORD)
    assert any(l.endswith(hint) for l in lines), lines


def test_geolocation_codes_suggest_the_code_for_a_name(tmp_path):
    lines = check_text(tmp_path, """hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - Name: c.example.com
        Type: A
        SetIdentifier: c
        GeoLocation: {CountryCode: UK}
""" + RECORD + """      - Name: d.example.com
        Type: A
        SetIdentifier: d
        GeoLocation: {ContinentCode: Europe}
""" + RECORD)
    assert any(l.endswith("CountryCode=UK (did you mean GB, United Kingdom?)") for l in lines), lines
    assert any(l.endswith("(did you mean EU, Europe?)") for l in lines), lines


@pytest.mark.parametrize("location,words", [
    ("{ContinentCode: NA}", "routing to [continent = (NA, North America)]"),
    ("{CountryCode: DE}", "routing to [country = (DE, Germany)]"),
    ("{CountryCode: US, SubdivisionCode: WA}", "routing to [subdivision = (WA, Washington)]"),
])
def test_mixed_policy_error_names_the_location_as_aws_does(tmp_path, location, words):
    # semantics §4 (mixed policies): AWS words a geolocation record by code and full name.
    lines = check_text(tmp_path, f"""hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - Name: geo.example.com
        Type: A
""" + RECORD + f"""      - Name: geo.example.com
        Type: A
        SetIdentifier: g
        GeoLocation: {location}
""" + RECORD)
    assert lines == [f"8: error: InvalidChangeBatch: RRSet with DNS name geo.example.com., type A, "
                     f"SetIdentifier g, and {words} cannot be created because a non-GEO RRSet "
                     f"with the same name and type already exists."], lines


CHECKS = """health_checks:
  hc-loopback:
    HealthCheckConfig: {Type: HTTP, IPAddress: 127.0.0.1, Port: 8080}
  hc-private:
    HealthCheckConfig: {Type: HTTP, IPAddress: 10.1.2.3, Port: 8080}
  hc-public:
    HealthCheckConfig: {Type: TCP, IPAddress: 8.8.8.8, Port: 53}
"""

REFUSAL = ("Route 53 can't check the health of endpoints for which the IP address is in local, "
           "private, non-routable, or multicast ranges (RFC 5735, RFC 6598, RFC 5156). "
           "r53sim probes it (§8.30).")


def test_check_warns_with_aws_reason_for_what_route53_would_refuse(tmp_path):
    # §8.30: private and loopback targets stay allowed; check says AWS would refuse them.
    cfg = tmp_path / "checks.yaml"
    cfg.write_text(CHECKS)
    r = check("-c", str(cfg))
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [
        f"{cfg}:3: warning: InvalidInput: Route 53 would refuse IPAddress 127.0.0.1, a loopback "
        f"address: {REFUSAL}",
        f"{cfg}:5: warning: InvalidInput: Route 53 would refuse IPAddress 10.1.2.3, a private "
        f"(RFC 1918) address: {REFUSAL}"]
    assert r.stdout.startswith(f"{cfg}: OK, 2 warnings (--strict fails on them)")


def test_check_strict_turns_the_warnings_into_errors(tmp_path):
    cfg = tmp_path / "checks.yaml"
    cfg.write_text(CHECKS)
    r = check("--strict", "-c", str(cfg))
    assert r.returncode == 1, r.stdout
    lines = r.stderr.splitlines()
    assert lines[0] == (f"{cfg}:3: error: InvalidInput: Route 53 would refuse IPAddress "
                        f"127.0.0.1, a loopback address: {REFUSAL}")
    assert lines[-1] == f"{cfg}: 2 errors"
    # A config Route 53 would take passes --strict.
    cfg.write_text(CHECKS.split("  hc-loopback:")[0] + "  hc-public:" + CHECKS.split("  hc-public:")[1])
    r = check("--strict", "-c", str(cfg))
    assert r.returncode == 0, r.stderr


def test_serve_does_not_warn_about_loopback_targets():
    # The warnings are for `check`: a local server probing loopback is the point of r53sim.
    with R53Sim(CHECKS, args=["--manual-clock"]) as sim:
        assert sim.admin("GET", "/v1/health-checks/hc-loopback")[0] == 200
        logs = sim.logs()
    assert "would refuse" not in logs
