"""Route 53's text form of character-strings (semantics §5 "Names/case/types": non-printable
bytes as `\\ooo` OCTAL; TXT strings ≤255 chars) through every way in: the YAML config, a change
batch file, the REST API (aws CLI), and out again: dig shows the bytes in its decimal form,
ListResourceRecordSets, /v1/explain and TestDNSAnswer in Route 53's octal form."""
import json
import os
import subprocess
import tempfile

from harness import BINARY, R53Sim
from test_route53_api import aws, aws_ok

ISSUE_VALUE = '"caf\\351 \\011tab"'  # c a f 0xE9, space, TAB, t a b
DIG_VALUE = '"caf\\233 \\009tab"'    # the same bytes as dig writes them (decimal)


def config(batch_file):
    return f"""
hosted_zones:
  - Name: yaml.test
    ResourceRecordSets:
      - Name: t.yaml.test
        Type: TXT
        TTL: 60
        ResourceRecords: [{{Value: '{ISSUE_VALUE}'}}]
      - Name: caa.yaml.test
        Type: CAA
        TTL: 60
        ResourceRecords: [{{Value: '0 iodef "mailto:caf\\351@yaml.test"'}}]
  - Name: batch.test
    ChangeBatches: [{batch_file}]
"""


def batch():
    return {"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": "t.batch.test", "Type": "TXT", "TTL": 60,
        "ResourceRecords": [{"Value": ISSUE_VALUE}, {"Value": '"" "two" "\\"quoted\\""'}]}}]}


def run(tmp):
    with open(os.path.join(tmp, "batch.json"), "w") as f:
        json.dump(batch(), f)
    return R53Sim(config(os.path.join(tmp, "batch.json")), workdir=tmp)


def test_yaml_and_change_batch_values_are_octal():
    with run(tempfile.mkdtemp(prefix="r53sim-txt-")) as sim:
        assert sim.answer("t.yaml.test", "TXT") == [DIG_VALUE]
        assert sim.answer("caa.yaml.test", "CAA") == ['0 iodef "mailto:caf\\233@yaml.test"']
        assert sim.answer("t.batch.test", "TXT") == sorted(
            [DIG_VALUE, '"" "two" "\\"quoted\\""'])
        # Over TCP too, the same bytes.
        tcp = sim.dig("t.yaml.test", "TXT", "+short", tcp=True).split("\n")[0]
        assert tcp == DIG_VALUE
        # /v1/explain speaks Route 53's form, as the REST API does.
        status, body = sim.admin("GET", "/v1/explain?name=t.yaml.test&type=TXT")
        assert status == 200 and body["answer"] == [f"t.yaml.test. 60 IN TXT {ISSUE_VALUE}"]


def test_rest_api_takes_and_lists_octal():
    with run(tempfile.mkdtemp(prefix="r53sim-txt-")) as sim:
        zone = aws_ok(sim, "create-hosted-zone", "--name", "api.test", "--caller-reference", "c1")
        zone_id = zone["HostedZone"]["Id"].split("/")[-1]
        changes = {"Changes": [
            {"Action": "CREATE", "ResourceRecordSet": {
                "Name": "t.api.test", "Type": "TXT", "TTL": 60,
                "ResourceRecords": [{"Value": ISSUE_VALUE}]}},
            # Raw UTF-8 is kept as its bytes and listed as escapes (DomainNameFormat: "whether you
            # specified the characters as characters or as escape codes").
            {"Action": "CREATE", "ResourceRecordSet": {
                "Name": "u.api.test", "Type": "TXT", "TTL": 60,
                "ResourceRecords": [{"Value": '"caf\u00e9"'}]}},
            {"Action": "CREATE", "ResourceRecordSet": {
                "Name": "n.api.test", "Type": "NAPTR", "TTL": 60,
                "ResourceRecords": [{"Value": '100 10 "S" "SIP+D2U" "!^.*$!sip:caf\\351@api.test!" .'}]}},
        ]}
        aws_ok(sim, "change-resource-record-sets", "--hosted-zone-id", zone_id,
               "--change-batch", json.dumps(changes))
        assert sim.answer("t.api.test", "TXT") == [DIG_VALUE]
        assert sim.answer("u.api.test", "TXT") == ['"caf\\195\\169"']
        listed = aws_ok(sim, "list-resource-record-sets", "--hosted-zone-id", zone_id)
        values = {r["Name"]: [v["Value"] for v in r.get("ResourceRecords", [])]
                  for r in listed["ResourceRecordSets"]}
        assert values["t.api.test."] == [ISSUE_VALUE]
        assert values["u.api.test."] == ['"caf\\303\\251"']
        assert values["n.api.test."] == ['100 10 "S" "SIP+D2U" "!^.*$!sip:caf\\351@api.test!" .']
        answer = aws_ok(sim, "test-dns-answer", "--hosted-zone-id", zone_id,
                        "--record-name", "t.api.test", "--record-type", "TXT")
        assert answer["RecordData"] == [ISSUE_VALUE]

        # The listed form is accepted back as it is: a DELETE with it matches.
        delete = {"Changes": [{"Action": "DELETE", "ResourceRecordSet": {
            "Name": "u.api.test", "Type": "TXT", "TTL": 60,
            "ResourceRecords": [{"Value": '"caf\\303\\251"'}]}}]}
        aws_ok(sim, "change-resource-record-sets", "--hosted-zone-id", zone_id,
               "--change-batch", json.dumps(delete))
        assert "status: NXDOMAIN" in sim.dig("u.api.test", "TXT")


def test_rest_api_refuses_bad_strings_with_route53_words():
    with run(tempfile.mkdtemp(prefix="r53sim-txt-")) as sim:
        zone = aws_ok(sim, "create-hosted-zone", "--name", "bad.test", "--caller-reference", "c2")
        zone_id = zone["HostedZone"]["Id"].split("/")[-1]
        for value, problem in [
                ('"' + "a" * 256 + '"', "CharacterStringTooLong (Value is too long)"),
                ("v=spf1 -all", "InvalidCharacterString (Value should be enclosed in quotation marks)"),
                ('"\\9"', "InvalidEscapeSequence"),
                ('"open', "UnbalancedQuotes (Value has unbalanced quotes)")]:
            change = {"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
                "Name": "x.bad.test", "Type": "TXT", "TTL": 60,
                "ResourceRecords": [{"Value": value}]}}]}
            rc, _, err = aws(sim, "change-resource-record-sets", "--hosted-zone-id", zone_id,
                             "--change-batch", json.dumps(change))
            assert rc != 0 and "InvalidChangeBatch" in err and problem in err, (value, err)
        # 255 bytes is the edge: accepted.
        change = {"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
            "Name": "x.bad.test", "Type": "TXT", "TTL": 60,
            "ResourceRecords": [{"Value": '"' + "\\351" * 255 + '"'}]}}]}
        aws_ok(sim, "change-resource-record-sets", "--hosted-zone-id", zone_id,
               "--change-batch", json.dumps(change))
        assert sim.answer("x.bad.test", "TXT") == ['"' + "\\233" * 255 + '"']


def test_check_reports_the_line_of_a_bad_value(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("""hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {Name: t.example.com, Type: TXT, TTL: 60, ResourceRecords: [{Value: '"\\400"'}]}
""")
    r = subprocess.run([BINARY, "check", "-c", str(path)], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1
    assert f"{path}:4:" in r.stderr and "InvalidEscapeSequence" in r.stderr, r.stderr
