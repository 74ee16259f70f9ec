"""Checks docs/manifest.schema.json with an implementation independent of ours.

Usage: test_schema.py DOCS_DIR JSON_DATA_DIR

Every example in DOCS_DIR/examples and every file in JSON_DATA_DIR/good must validate; every
negative case listed in JSON_DATA_DIR/cases.json with "schema": true must not. Exits non-zero
when any check fails.
"""

import json
import pathlib
import sys

import jsonschema


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: test_schema.py DOCS_DIR JSON_DATA_DIR", file=sys.stderr)
        return 2
    docs = pathlib.Path(sys.argv[1])
    data = pathlib.Path(sys.argv[2])

    schema = json.loads((docs / "manifest.schema.json").read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    failures = []
    accepted = 0
    refused = 0

    positives = sorted((docs / "examples").glob("*.json")) + sorted((data / "good").glob("*.json"))
    if not positives:
        failures.append("no positive documents found")
    for path in positives:
        document = json.loads(path.read_text(encoding="utf-8"))
        errors = list(validator.iter_errors(document))
        if errors:
            failures.append(f"{path.name}: expected valid, got: {errors[0].message}")
        else:
            accepted += 1

    cases = json.loads((data / "cases.json").read_text(encoding="utf-8"))["cases"]
    schema_cases = [case for case in cases if case["schema"]]
    if not schema_cases:
        failures.append("no schema cases found in cases.json")
    for case in schema_cases:
        document = json.loads((data / case["file"]).read_text(encoding="utf-8"))
        if validator.is_valid(document):
            failures.append(f"{case['file']}: expected a schema violation, the schema accepts it")
        else:
            refused += 1

    for failure in failures:
        print("FAIL", failure)
    print(f"manifest schema: {accepted} documents accepted, {refused} violations refused, "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
