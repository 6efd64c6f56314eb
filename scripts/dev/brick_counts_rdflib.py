#!/usr/bin/python3
"""Independent cross-check of `twindesk info --json` counts with rdflib (Debian python3-rdflib).

Usage: scripts/dev/brick_counts_rdflib.py MODEL.ttl ONTOLOGY.ttl [EXTRA_ONTOLOGY.ttl...]
Prints the same keys as `twindesk info --json`. Not used by the build or the tests' pass/fail;
it is how the expected numbers in tests/twin/tst_brick_import.cpp were obtained.
"""
import json
import sys

import rdflib
from rdflib.namespace import OWL, RDF, RDFS

BRICK = rdflib.Namespace("https://brickschema.org/schema/Brick#")
TD = rdflib.Namespace("https://twindesk.dev/schema#")
OLD = "https://brickschema.org/schema/1.0.2/BrickFrame#"

model = rdflib.Graph()
model.parse(sys.argv[1], format="turtle")
onto = rdflib.Graph()
for f in sys.argv[2:]:
    onto.parse(f, format="turtle")

# Class-level edges: subclass upwards, equivalence both ways (ontology + model file).
edges = {}
known = set()
for g in (onto, model):
    for s, o in g.subject_objects(RDFS.subClassOf):
        if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef):
            edges.setdefault(s, set()).add(o)
            known.add(s)
    for s, o in g.subject_objects(OWL.equivalentClass):
        if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef):
            edges.setdefault(s, set()).add(o)
            edges.setdefault(o, set()).add(s)
            known.add(s)
    for cls in (OWL.Class, RDFS.Class):
        for s in g.subjects(RDF.type, cls):
            if isinstance(s, rdflib.URIRef):
                known.add(s)

closure_memo = {}
def closure(c):
    if c in closure_memo:
        return closure_memo[c]
    seen = {c}
    todo = [c]
    while todo:
        x = todo.pop()
        for y in edges.get(x, ()):
            if y not in seen:
                seen.add(y)
                todo.append(y)
    closure_memo[c] = seen
    return seen

schema_types = {OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property}
types = {}
for s, o in model.subject_objects(RDF.type):
    if o in schema_types:
        continue
    types.setdefault(s, set()).add(o)

def count(cls):
    n = 0
    for s, ts in types.items():
        if any(cls in closure(t) for t in ts if t in known):
            n += 1
    return n

def pairs(fwd, inv, ns=(str(BRICK),)):
    result = set()
    for n in ns:
        f = rdflib.URIRef(n + fwd)
        i = rdflib.URIRef(n + inv)
        result |= {(s, o) for s, o in model.subject_objects(f)}
        result |= {(o, s) for s, o in model.subject_objects(i)}
    return len(result)

out = {
    "triples": len(model),
    "buildings": count(BRICK.Building),
    "floors": count(BRICK.Floor),
    "rooms": count(BRICK.Space),
    "zones": count(BRICK.HVAC_Zone),
    "ahus": count(BRICK.AHU),
    "vavs": count(BRICK.VAV),
    "equipment": count(BRICK.Equipment),
    "points": count(BRICK.Point),
    "sensors": count(BRICK.Sensor),
    "setpoints": count(BRICK.Setpoint),
    "commands": count(BRICK.Command),
    "compute_hosts": count(TD.Compute_Host),
    "vms": count(TD.Workload),
    "unknown_typed": sum(1 for s, ts in types.items() if not any(t in known for t in ts)),
    "relations": {
        "hasPart": pairs("hasPart", "isPartOf", (str(BRICK), OLD)),
        "feeds": pairs("feeds", "isFedBy", (str(BRICK), OLD)),
        "hasPoint": pairs("hasPoint", "isPointOf", (str(BRICK), OLD)),
        "hasLocation": pairs("hasLocation", "isLocationOf", (str(BRICK), OLD)),
        "runsOn": pairs("runsOn", "hosts", (str(TD),)),
    },
}
print(json.dumps(out))
