#!/usr/bin/env python3
"""Independent counts of a companion STIX bundle (MITRE F3, MITRE ATLAS), for the numbers
tests/attack_cli.rs checks `atkmap attack stats --framework` against.

    python3 tests/verify_companions.py ../shared/companion-data/f3-stix-v1.1.json
    python3 tests/verify_companions.py ../shared/companion-data/stix-atlas-5.6.0.json

Counts active objects (neither revoked nor deprecated): tactics, techniques (not
sub-techniques), sub-techniques (x_mitre_is_subtechnique, or the target of a subtechnique-of
relationship's source), mitigations. Only the standard library.
"""
import json
import sys


def active(o):
    return not o.get("revoked") and not o.get("x_mitre_deprecated")


def main(path):
    with open(path, encoding="utf-8") as f:
        objects = json.load(f)["objects"]
    subs = {
        o["source_ref"]
        for o in objects
        if o["type"] == "relationship" and o.get("relationship_type") == "subtechnique-of"
    }
    patterns = [o for o in objects if o["type"] == "attack-pattern" and active(o)]
    sub = [o for o in patterns if o.get("x_mitre_is_subtechnique") or o["id"] in subs]
    counts = {
        "tactics": sum(1 for o in objects if o["type"] == "x-mitre-tactic" and active(o)),
        "techniques": len(patterns) - len(sub),
        "subtechniques": len(sub),
        "mitigations": sum(1 for o in objects if o["type"] == "course-of-action" and active(o)),
    }
    print(json.dumps(counts))


if __name__ == "__main__":
    main(sys.argv[1])
