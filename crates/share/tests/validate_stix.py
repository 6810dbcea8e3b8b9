"""Validates a STIX 2.1 bundle with the OASIS validator (stix2-validator from PyPI).

Usage: validate_stix.py BUNDLE.json
Runs stix2validator.validate_file with default options (all "MUST" checks, and the "SHOULD"
best-practice checks as warnings) and exits non-zero if the result is not valid (any error).
Prints one JSON line: validity, the number of objects, and any warnings.
"""
import json
import sys

from stix2validator import ValidationOptions, validate_file

path = sys.argv[1]
result = validate_file(path, ValidationOptions(version="2.1"))
warnings = []
errors = []
for obj in result.object_results:
    warnings += [f"{obj.object_id}: {w}" for w in obj.warnings]
    errors += [f"{obj.object_id}: {e}" for e in obj.errors]
if result.fatal:
    errors.append(str(result.fatal.message))
print(json.dumps({"valid": result.is_valid, "objects": len(result.object_results),
                  "errors": errors, "warnings": warnings}))
sys.exit(0 if result.is_valid else 1)
