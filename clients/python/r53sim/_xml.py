"""Route 53 REST XML for the few requests the client sends: a change batch in AWS's JSON shape
(as `aws route53 change-resource-record-sets --change-batch` takes it) becomes the XML body of
ChangeResourceRecordSets, and replies and errors are read back."""
import xml.etree.ElementTree as ET
from typing import Any, Dict, Optional

NAMESPACE = "https://route53.amazonaws.com/doc/2013-04-01/"
# The lists of a change batch and the name of their members (botocore's model).
LIST_MEMBERS = {"Changes": "Change", "ResourceRecords": "ResourceRecord"}


def _append(parent: ET.Element, key: str, value: Any) -> None:
    element = ET.SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            _append(element, k, v)
    elif isinstance(value, (list, tuple)):
        member = LIST_MEMBERS.get(key)
        if member is None:
            raise ValueError(f"{key} is not a list in a Route 53 change batch")
        for item in value:
            _append(element, member, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


def change_batch_request(batch: Dict[str, Any]) -> bytes:
    root = ET.Element("ChangeResourceRecordSetsRequest", xmlns=NAMESPACE)
    _append(root, "ChangeBatch", batch)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def create_zone_request(name: str, caller_reference: str) -> bytes:
    root = ET.Element("CreateHostedZoneRequest", xmlns=NAMESPACE)
    ET.SubElement(root, "Name").text = name
    ET.SubElement(root, "CallerReference").text = caller_reference
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def find_text(body: bytes, tag: str) -> Optional[str]:
    """The text of the first element named `tag`, whatever its namespace."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == tag:
            return element.text
    return None
