#!/usr/bin/env python3
"""Independent check of atkmap's ATT&CK figures, computed from the raw STIX JSON.

This script shares no code and no logic with atkmap: it reads a MITRE ATT&CK STIX 2.1 bundle
with the standard library only and prints what `atkmap attack stats --format json` and
`atkmap attack show ID --format json` should print for it, so the two can be compared:

    python3 tests/verify_attack.py BUNDLE                     # == atkmap --attack BUNDLE attack stats --format json
    python3 tests/verify_attack.py BUNDLE --technique T1199   # == atkmap --attack BUNDLE attack show T1199 --format json
    python3 tests/verify_attack.py BUNDLE --group G1004       # == atkmap --attack BUNDLE attack show G1004 --format json
    python3 tests/verify_attack.py BUNDLE --show DET0488      # any kind: TA, T, M, G, S, C, DS, DC, DET, AN
    python3 tests/verify_attack.py BUNDLE --compare T1199 G1004 ...   # runs atkmap (ATKMAP env
                                                              # var or target/debug/atkmap) and diffs
    python3 tests/verify_attack.py BUNDLE --compare-all       # every technique and group (slow)

Rules (ATT&CK's own data model, as documented by MITRE):
- An object is *active* when it is neither `revoked` nor `x_mitre_deprecated`.
- Its ATT&CK ID is the `external_id` of its `mitre-attack` / `mitre-ics-attack` /
  `mitre-mobile-attack` external reference.
- Counted kinds: x-mitre-tactic, attack-pattern (split on `x_mitre_is_subtechnique`),
  course-of-action, intrusion-set, malware + tool, campaign, x-mitre-data-source,
  x-mitre-data-component, x-mitre-detection-strategy, x-mitre-analytic.
- `revoked` counts revoked objects of those kinds; `deprecated` counts deprecated ones that are
  not also revoked.
- Relationships that are themselves revoked or deprecated are ignored.
- A group uses a technique directly (`intrusion-set --uses--> attack-pattern`) or through a
  campaign attributed to it (`campaign --attributed-to--> intrusion-set` and
  `campaign --uses--> attack-pattern`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict

MITRE_SOURCES = {"mitre-attack", "mitre-ics-attack", "mitre-mobile-attack"}

COUNTED_TYPES = {
    "x-mitre-tactic": "tactics",
    "attack-pattern": None,  # split into techniques / subtechniques
    "course-of-action": "mitigations",
    "intrusion-set": "groups",
    "malware": "software",
    "tool": "software",
    "campaign": "campaigns",
    "x-mitre-data-source": "data_sources",
    "x-mitre-data-component": "data_components",
    "x-mitre-detection-strategy": "detection_strategies",
    "x-mitre-analytic": "analytics",
}

TYPE_LABEL = {
    "attack-pattern": "technique",
    "intrusion-set": "group",
}


def external_id(obj: dict) -> str:
    for ref in obj.get("external_references") or []:
        if ref.get("source_name") in MITRE_SOURCES and ref.get("external_id"):
            return ref["external_id"]
    return ""


def is_active(obj: dict) -> bool:
    return not obj.get("revoked", False) and not obj.get("x_mitre_deprecated", False)


class Bundle:
    def __init__(self, path: str):
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
        if raw.get("type") != "bundle":
            sys.exit(f"{path}: not a STIX bundle")
        self.objects = raw.get("objects", [])
        self.by_id = {o["id"]: o for o in self.objects}
        # (relationship_type, target stix id) -> [source stix ids], and the reverse.
        self.sources = defaultdict(list)
        self.targets = defaultdict(list)
        for o in self.objects:
            if o.get("type") != "relationship" or not is_active(o):
                continue
            rel, src, tgt = o.get("relationship_type"), o.get("source_ref"), o.get("target_ref")
            if src not in self.by_id or tgt not in self.by_id:
                continue
            self.sources[(rel, tgt)].append(src)
            self.targets[(rel, src)].append(tgt)

    # -- release --------------------------------------------------------------------------

    def domain(self) -> str:
        for o in self.objects:
            if o.get("type") == "x-mitre-matrix":
                ident = external_id(o)  # "enterprise-attack", "ics-attack"
                if ident.endswith("-attack"):
                    return ident[: -len("-attack")]
        for o in self.objects:
            if o.get("type") == "x-mitre-collection":
                return o.get("name", "").split()[0].lower()
        return "enterprise"

    def version(self) -> str:
        for o in self.objects:
            if o.get("type") == "x-mitre-collection":
                return o.get("x_mitre_version", "")
        return ""

    def tactic_order(self) -> dict[str, int]:
        """Tactic shortname -> column of the matrix."""
        order = {}
        for o in self.objects:
            if o.get("type") == "x-mitre-matrix":
                for i, ref in enumerate(o.get("tactic_refs", [])):
                    tactic = self.by_id.get(ref)
                    if tactic is not None:
                        order[tactic.get("x_mitre_shortname", "")] = i
        return order

    # -- stats ----------------------------------------------------------------------------

    def stats(self) -> dict:
        counts = {
            key: 0
            for key in (
                "tactics",
                "techniques",
                "subtechniques",
                "mitigations",
                "groups",
                "software",
                "campaigns",
                "data_sources",
                "data_components",
                "detection_strategies",
                "analytics",
            )
        }
        revoked = deprecated = 0
        for o in self.objects:
            kind = o.get("type")
            if kind not in COUNTED_TYPES:
                continue
            if o.get("revoked", False):
                revoked += 1
                continue
            if o.get("x_mitre_deprecated", False):
                deprecated += 1
                continue
            if kind == "attack-pattern":
                key = "subtechniques" if o.get("x_mitre_is_subtechnique", False) else "techniques"
            else:
                key = COUNTED_TYPES[kind]
            counts[key] += 1
        out = {"domain": self.domain(), "version": self.version()}
        out.update(counts)
        out["revoked"] = revoked
        out["deprecated"] = deprecated
        # Active relationships whose source or target is not in the bundle (ICS assets are
        # not modelled, and their relationships are expected, not dangling).
        ids = {o.get("id") for o in self.objects}
        out["dangling_references"] = sum(
            1
            for o in self.objects
            if o.get("type") == "relationship"
            and not o.get("revoked", False)
            and not o.get("x_mitre_deprecated", False)
            and any(
                ref not in ids and not str(ref).startswith("x-mitre-asset--")
                for ref in (o.get("source_ref"), o.get("target_ref"))
            )
        )
        return out

    # -- object views ---------------------------------------------------------------------

    def find(self, stix_types, ident: str) -> dict:
        if isinstance(stix_types, str):
            stix_types = (stix_types,)
        found = [
            o
            for o in self.objects
            if o.get("type") in stix_types and external_id(o).upper() == ident.upper()
        ]
        if not found:
            sys.exit(f"no {'/'.join(stix_types)} with ID {ident}")
        found.sort(key=lambda o: (o.get("revoked", False), o.get("x_mitre_deprecated", False)))
        return found[0]

    def named(self, stix_ids, wanted_types) -> list[dict]:
        out = set()
        for sid in stix_ids:
            o = self.by_id.get(sid)
            if o is not None and o.get("type") in wanted_types and is_active(o):
                out.add((external_id(o), o.get("name", "")))
        return [{"id": i, "name": n} for i, n in sorted(out)]

    def final_replacement(self, obj: dict):
        seen = {obj["id"]}
        current = obj
        while True:
            nxt = self.targets.get(("revoked-by", current["id"]))
            if not nxt:
                break
            current = self.by_id[nxt[0]]
            if current["id"] in seen:
                break
            seen.add(current["id"])
        if current is obj:
            return None
        return {"id": external_id(current), "name": current.get("name", "")}

    def common(self, obj: dict, label: str) -> dict:
        revoked = obj.get("revoked", False)
        return {
            "id": external_id(obj),
            "name": obj.get("name", ""),
            "type": label,
            "stix_id": obj["id"],
            "revoked": revoked,
            "deprecated": obj.get("x_mitre_deprecated", False),
            "revoked_by": self.final_replacement(obj) if revoked else None,
        }

    def campaigns_of_group(self, group_id: str) -> list[str]:
        return self.sources[("attributed-to", group_id)]

    def technique(self, ident: str) -> dict:
        t = self.find("attack-pattern", ident)
        sid = t["id"]
        order = self.tactic_order()
        tactics = [
            p["phase_name"]
            for p in t.get("kill_chain_phases", [])
            if p.get("kill_chain_name") in MITRE_SOURCES
        ]
        tactics.sort(key=lambda s: order.get(s, 1 << 30))
        parents = self.targets.get(("subtechnique-of", sid), [])
        subs = self.named(self.sources[("subtechnique-of", sid)], {"attack-pattern"})
        groups = set(self.sources[("uses", sid)])
        for campaign in self.sources[("uses", sid)]:
            if self.by_id[campaign].get("type") == "campaign":
                groups.update(self.targets[("attributed-to", campaign)])
        view = self.common(t, "technique")
        view.update(
            {
                "tactics": tactics,
                "platforms": t.get("x_mitre_platforms", []),
                "is_subtechnique": t.get("x_mitre_is_subtechnique", False),
                "parent": external_id(self.by_id[parents[0]]) if parents else None,
                "subtechniques": [s["id"] for s in subs],
                "mitigations": self.named(self.sources[("mitigates", sid)], {"course-of-action"}),
                "detection_strategies": self.named(
                    self.sources[("detects", sid)], {"x-mitre-detection-strategy"}
                ),
            }
        )
        components = self.named(self.sources[("detects", sid)], {"x-mitre-data-component"})
        if components:  # atkmap omits the key when empty (releases from v18 on)
            view["data_components"] = components
        view["groups"] = self.named(groups, {"intrusion-set"})
        return view

    def group(self, ident: str) -> dict:
        g = self.find("intrusion-set", ident)
        sid = g["id"]
        used = self.targets[("uses", sid)]
        campaigns = self.campaigns_of_group(sid)
        techniques = set(used)
        for c in campaigns:
            techniques.update(self.targets[("uses", c)])
        view = self.common(g, "group")
        view.update(
            {
                "aliases": g.get("aliases", []),
                "techniques": self.named(techniques, {"attack-pattern"}),
                "software": self.named(used, {"malware", "tool"}),
                "campaigns": self.named(campaigns, {"campaign"}),
            }
        )
        return view

    # The other kinds, for `--show`: what `attack show` of a mitigation, software, campaign,
    # tactic, data source, data component, detection strategy or analytic holds.

    def mitigation(self, ident: str) -> dict:
        m = self.find("course-of-action", ident)
        view = self.common(m, "mitigation")
        view["techniques"] = self.named(self.targets[("mitigates", m["id"])], {"attack-pattern"})
        return view

    def software(self, ident: str) -> dict:
        s = self.find(("malware", "tool"), ident)
        view = self.common(s, "software")
        view.update(
            {
                "software_type": s["type"],
                "aliases": s.get("x_mitre_aliases", []),
                "platforms": s.get("x_mitre_platforms", []),
                "techniques": self.named(self.targets[("uses", s["id"])], {"attack-pattern"}),
            }
        )
        return view

    def campaign(self, ident: str) -> dict:
        c = self.find("campaign", ident)
        view = self.common(c, "campaign")
        view.update(
            {
                "aliases": c.get("aliases", []),
                "groups": self.named(self.targets[("attributed-to", c["id"])], {"intrusion-set"}),
                "techniques": self.named(self.targets[("uses", c["id"])], {"attack-pattern"}),
            }
        )
        return view

    def tactic(self, ident: str) -> dict:
        t = self.find("x-mitre-tactic", ident)
        short = t.get("x_mitre_shortname", "")
        members = [
            o["id"]
            for o in self.objects
            if o.get("type") == "attack-pattern"
            and not o.get("x_mitre_is_subtechnique", False)
            and any(
                p.get("kill_chain_name") in MITRE_SOURCES and p.get("phase_name") == short
                for p in o.get("kill_chain_phases", [])
            )
        ]
        view = self.common(t, "tactic")
        view.update({"shortname": short, "techniques": self.named(members, {"attack-pattern"})})
        return view

    def data_source(self, ident: str) -> dict:
        d = self.find("x-mitre-data-source", ident)
        components = [
            o["id"]
            for o in self.objects
            if o.get("type") == "x-mitre-data-component"
            and o.get("x_mitre_data_source_ref") == d["id"]
        ]
        view = self.common(d, "data-source")
        view.update(
            {
                "platforms": d.get("x_mitre_platforms", []),
                "data_components": self.named(components, {"x-mitre-data-component"}),
            }
        )
        return view

    def strategies_of_analytic(self, analytic_id: str) -> list[str]:
        return [
            o["id"]
            for o in self.objects
            if o.get("type") == "x-mitre-detection-strategy"
            and analytic_id in o.get("x_mitre_analytic_refs", [])
        ]

    def data_component(self, ident: str) -> dict:
        c = self.find("x-mitre-data-component", ident)
        strategies = []
        for o in self.objects:
            if o.get("type") == "x-mitre-analytic" and any(
                r.get("x_mitre_data_component_ref") == c["id"]
                for r in o.get("x_mitre_log_source_references", [])
            ):
                strategies.extend(self.strategies_of_analytic(o["id"]))
        source = self.by_id.get(c.get("x_mitre_data_source_ref") or "")
        view = self.common(c, "data-component")
        view.update(
            {
                "data_source": (
                    {"id": external_id(source), "name": source.get("name", "")}
                    if source is not None and source.get("type") == "x-mitre-data-source"
                    else None
                ),
                "log_sources": [
                    {"name": l.get("name", ""), "channel": l.get("channel", "")}
                    for l in c.get("x_mitre_log_sources", [])
                ],
                "detection_strategies": self.named(strategies, {"x-mitre-detection-strategy"}),
            }
        )
        return view

    def detection_strategy(self, ident: str) -> dict:
        d = self.find("x-mitre-detection-strategy", ident)
        view = self.common(d, "detection-strategy")
        view.update(
            {
                "techniques": self.named(self.targets[("detects", d["id"])], {"attack-pattern"}),
                "analytics": self.named(d.get("x_mitre_analytic_refs", []), {"x-mitre-analytic"}),
            }
        )
        return view

    def analytic(self, ident: str) -> dict:
        a = self.find("x-mitre-analytic", ident)
        sources = []
        for r in a.get("x_mitre_log_source_references", []):
            entry = {}
            component = self.by_id.get(r.get("x_mitre_data_component_ref", ""))
            if component is not None and component.get("type") == "x-mitre-data-component":
                entry["data_component"] = external_id(component)
            entry["name"] = r.get("name", "")
            entry["channel"] = r.get("channel", "")
            sources.append(entry)
        view = self.common(a, "analytic")
        view.update(
            {
                "platforms": a.get("x_mitre_platforms", []),
                "detection_strategies": self.named(
                    self.strategies_of_analytic(a["id"]), {"x-mitre-detection-strategy"}
                ),
                "log_sources": sources,
            }
        )
        return view

    def show(self, ident: str) -> dict:
        """The view of any object, by the kind its ID's prefix names."""
        prefix = ident.rstrip("0123456789.").upper()
        views = {
            "TA": self.tactic,
            "T": self.technique,
            "M": self.mitigation,
            "G": self.group,
            "S": self.software,
            "C": self.campaign,
            "DS": self.data_source,
            "DC": self.data_component,
            "DET": self.detection_strategy,
            "AN": self.analytic,
        }
        if prefix not in views:
            sys.exit(f"{ident}: not an ATT&CK ID this script knows")
        return views[prefix](ident)


def dump(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def atkmap_json(bundle: str, *args: str) -> str:
    exe = os.environ.get("ATKMAP") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "target", "debug", "atkmap"
    )
    env = dict(os.environ, ATKMAP_OFFLINE="1", NO_COLOR="1")
    done = subprocess.run(
        [exe, "--attack", bundle, *args, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        return f"<atkmap exit {done.returncode}: {done.stderr.strip()}>"
    return done.stdout


def compare(b: Bundle, path: str, ids: list[str]) -> int:
    """Compares stats and each object's view with atkmap; returns the number of differences."""
    failures = 0
    checks = [("stats", dump(b.stats()), atkmap_json(path, "attack", "stats"))]
    for ident in ids:
        mine = b.show(ident)
        checks.append((ident, dump(mine), atkmap_json(path, "attack", "show", ident)))
    for what, mine, theirs in checks:
        if mine == theirs:
            print(f"ok    {os.path.basename(path)} {what}")
            continue
        failures += 1
        print(f"DIFF  {os.path.basename(path)} {what}")
        try:
            a, t = json.loads(mine), json.loads(theirs)
            for key in sorted(set(a) | set(t)):
                if a.get(key) != t.get(key):
                    print(f"  {key}: script={a.get(key)!r}\n  {' ' * len(key)}  atkmap={t.get(key)!r}")
        except json.JSONDecodeError:
            print(f"  atkmap: {theirs}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", help="an ATT&CK STIX 2.1 bundle (enterprise-attack-18.1.json)")
    parser.add_argument("--technique", metavar="ID", help="print the technique view instead")
    parser.add_argument("--group", metavar="ID", help="print the group view instead")
    parser.add_argument("--show", metavar="ID", help="print the view of any object (M1032, DET0488...)")
    parser.add_argument(
        "--compare", nargs="*", metavar="ID", help="compare stats and these IDs with atkmap"
    )
    parser.add_argument(
        "--compare-all",
        action="store_true",
        help="compare stats and every technique and group of the bundle with atkmap (slow)",
    )
    args = parser.parse_args()
    b = Bundle(args.bundle)
    if args.compare_all:
        ids = sorted(
            {
                external_id(o)
                for o in b.objects
                if o.get("type") in ("attack-pattern", "intrusion-set") and external_id(o)
            }
        )
        return 1 if compare(b, args.bundle, ids) else 0
    if args.compare is not None:
        return 1 if compare(b, args.bundle, args.compare) else 0
    if args.technique:
        sys.stdout.write(dump(b.technique(args.technique)))
    elif args.group:
        sys.stdout.write(dump(b.group(args.group)))
    elif args.show:
        sys.stdout.write(dump(b.show(args.show)))
    else:
        sys.stdout.write(dump(b.stats()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
