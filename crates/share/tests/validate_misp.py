"""Validates a cellsentry MISP export with MISP's own tools (PyMISP from PyPI).

Usage: validate_misp.py EVENT.json TEMPLATE_DIR
Checks, and exits non-zero with the reason on the first failure:
 1. the object template (TEMPLATE_DIR/false-base-station-sighting/definition.json) is valid
    against the misp-objects JSON schema PyMISP ships (schema_objects.json);
 2. MISPEvent.load_file() loads the document (every attribute type and category is one MISP
    knows: PyMISP refuses unknown types when loading);
 3. every false-base-station-sighting object, rebuilt as a strict MISPObject from the shipped
    template, passes MISPObject._validate() (required, requiredOneOf, multiple), and each
    attribute's type is the one the template gives its object_relation;
 4. no attribute carries a subscriber identity: no relation or value names an IMSI/TMSI.
(PyMISP's schema.json predates MISP objects and refuses any event with an "Object" list, so
the loader and the strict object check are the validation.)
Prints one JSON line with what was checked.
"""
import json
import os
import re
import sys

import jsonschema
import pymisp
from pymisp import MISPEvent, MISPObject

event_path, template_dir = sys.argv[1], sys.argv[2]
data = os.path.join(os.path.dirname(pymisp.__file__), "data")

template_path = os.path.join(template_dir, "false-base-station-sighting", "definition.json")
template = json.load(open(template_path))
jsonschema.validate(template, json.load(open(os.path.join(data, "misp-objects", "schema_objects.json"))))

doc = json.load(open(event_path))
events = doc["response"] if "response" in doc else [doc]

checked_objects = 0
tags = set()
for e in events:
    ev = MISPEvent()
    ev.load(e)
    tags |= {t.name for t in ev.tags}
    for obj in ev.objects:
        if obj.name != "false-base-station-sighting":
            continue
        strict = MISPObject("false-base-station-sighting", strict=True,
                            misp_objects_template_custom=template)
        for a in obj.attributes:
            want = template["attributes"][a.object_relation]["misp-attribute"]
            if a.type != want:
                sys.exit(f"{a.object_relation}: type {a.type}, template says {want}")
            strict.add_attribute(a.object_relation, value=a.value, type=a.type,
                                 category=a.category)
        strict._validate()
        for a in obj.attributes:
            if re.search(r"imsi|tmsi", a.object_relation + " " + str(a.value), re.I):
                sys.exit(f"subscriber identity in {a.object_relation}: {a.value}")
        checked_objects += 1

print(json.dumps({"events": len(events), "objects": checked_objects, "tags": sorted(tags)}))
