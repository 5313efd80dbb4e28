#!/usr/bin/env python3
"""The identity reachability of a generated estate as a BloodHound-style Cypher query in Kuzu, an
embedded graph database, timed beside `mlaccess` (BENCHMARKS.md, "The bar: a Cypher query").

The graph is what BloodHound draws for Azure: principals, nested group memberships, role assignments
as edges from a principal to a scope, and scopes within scopes. The query asks which users reach a
storage account's data through memberships and role assignments: a role whose data actions grant
blob read, or whose actions grant `listKeys` (the account key reads the data), held by the user or a
group it is in, at the account or a scope above it. That is one part of what `mlaccess who can reach
data of ACCOUNT ignoring network` decides (it also follows keys held, identities attached to computes,
SSH logins, datastores and endpoints, and deny assignments), so its answer must contain this one's.

Usage: python3 benches/cypher/identity_reach.py MODEL.json ACCOUNT USER [--runs N]
Needs `pip install kuzu` (not a dependency of the project; the tests do not run this).
"""

import argparse
import csv
import json
import os
import re
import statistics
import tempfile
import time

import kuzu

BLOB_READ = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"
LIST_KEYS = "Microsoft.Storage/storageAccounts/listKeys/action"
CATALOGUE = os.path.join(os.path.dirname(__file__), "..", "..", "data", "azure-builtin-roles.json")


def matches(pattern, operation):
    """Azure's wildcard match of an operation pattern (case-insensitive, `*` any text)."""
    regex = "^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$"
    return re.match(regex, operation, re.IGNORECASE) is not None


def grants(permissions, key_in, key_out, operation):
    return any(
        any(matches(p, operation) for p in perm.get(key_in, []))
        and not any(matches(p, operation) for p in perm.get(key_out, []))
        for perm in permissions
    )


def granting_roles(model):
    """Names of the roles (built-in and the model's own) that read blobs or list the account keys."""
    roles = {}
    with open(CATALOGUE) as f:
        for r in json.load(f):
            roles[r["roleName"]] = [
                {k: p.get(k, []) for k in ("actions", "notActions", "dataActions", "notDataActions")}
                for p in r["permissions"]
            ]
    for r in model.get("role_definitions", []):
        roles[r["name"]] = [
            {
                "actions": p.get("actions", []),
                "notActions": p.get("not_actions", []),
                "dataActions": p.get("data_actions", []),
                "notDataActions": p.get("not_data_actions", []),
            }
            for p in r["permissions"]
        ]
    return sorted(
        name
        for name, perms in roles.items()
        if grants(perms, "dataActions", "notDataActions", BLOB_READ)
        or grants(perms, "actions", "notActions", LIST_KEYS)
    )


def write_csvs(model, folder):
    principals, members, assigned, scopes, within = [], [], [], [], []
    kinds = {
        "users": "user",
        "groups": "group",
        "service_principals": "service_principal",
        "managed_identities": "managed_identity",
    }
    for key, kind in kinds.items():
        for p in model["principals"].get(key, []):
            principals.append((p["name"], kind))
            for m in p.get("members", []):
                members.append((m, p["name"]))
    for r in model["resources"]:
        if r.get("identity", {}).get("system"):
            principals.append((r["name"], "system_identity"))
    scopes.append(("subscription",))
    for r in model["resources"]:
        if r["type"] == "resource_group":
            scopes.append(("rg:" + r["name"],))
            within.append(("rg:" + r["name"], "subscription"))
        else:
            scopes.append((r["name"],))
            within.append((r["name"], "rg:" + r["group"]))
    known = {s for (s,) in scopes}
    holders = {name for (name, _) in principals}
    for a in model["role_assignments"]:
        if a["scope"] in known and a["principal"] in holders:
            assigned.append((a["principal"], a["scope"], a["role"]))
    files = {}
    for name, rows in [
        ("principals", principals),
        ("members", members),
        ("assigned", assigned),
        ("scopes", scopes),
        ("within", within),
    ]:
        files[name] = os.path.join(folder, name + ".csv")
        with open(files[name], "w", newline="") as f:
            csv.writer(f).writerows(rows)
    return files, {k: len(v) for k, v in [("principals", principals), ("memberships", members), ("assignments", assigned), ("scopes", scopes)]}


WHO = """
MATCH (u:Principal)-[:MemberOf*0..6]->(h:Principal)-[a:Assigned]->(s:Scope)<-[:Within*0..2]-(t:Scope)
WHERE u.kind = 'user' AND t.name = $account AND list_contains($roles, a.role)
RETURN DISTINCT u.name
"""

CAN = """
MATCH (u:Principal)-[:MemberOf*0..6]->(h:Principal)-[a:Assigned]->(s:Scope)<-[:Within*0..2]-(t:Scope)
WHERE u.name = $user AND t.name = $account AND list_contains($roles, a.role)
RETURN h.name, a.role, s.name LIMIT 1
"""


def timed(conn, query, params, runs):
    times, rows = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = conn.execute(query, params)
        rows = []
        while result.has_next():
            rows.append(result.get_next())
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("account")
    ap.add_argument("user")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--users-out", help="write the users the query finds here, one per line")
    args = ap.parse_args()
    with open(args.model) as f:
        model = json.load(f)
    roles = granting_roles(model)
    with tempfile.TemporaryDirectory() as folder:
        files, counts = write_csvs(model, folder)
        db = kuzu.Database(os.path.join(folder, "db"))
        conn = kuzu.Connection(db)
        start = time.perf_counter()
        conn.execute("CREATE NODE TABLE Principal(name STRING, kind STRING, PRIMARY KEY(name))")
        conn.execute("CREATE NODE TABLE Scope(name STRING, PRIMARY KEY(name))")
        conn.execute("CREATE REL TABLE MemberOf(FROM Principal TO Principal)")
        conn.execute("CREATE REL TABLE Assigned(FROM Principal TO Scope, role STRING)")
        conn.execute("CREATE REL TABLE Within(FROM Scope TO Scope)")
        for table, name in [
            ("Principal", "principals"),
            ("Scope", "scopes"),
            ("MemberOf", "members"),
            ("Assigned", "assigned"),
            ("Within", "within"),
        ]:
            conn.execute(f"COPY {table} FROM '{files[name]}' (header=false)")
        load = time.perf_counter() - start
        who_time, who = timed(conn, WHO, {"account": args.account, "roles": roles}, args.runs)
        can_time, can = timed(conn, CAN, {"account": args.account, "user": args.user, "roles": roles}, args.runs)
    if args.users_out:
        with open(args.users_out, "w") as f:
            f.writelines(row[0] + "\n" for row in sorted(who))
    print(json.dumps({
        "kuzu": kuzu.__version__,
        "graph": counts,
        "granting_roles": len(roles),
        "load_s": round(load, 2),
        "who_can": {"users": len(who), "median_s": round(who_time, 3), "runs": args.runs},
        "can": {"user": args.user, "reaches": bool(can), "via": [list(r) for r in can], "median_s": round(can_time, 4), "runs": args.runs},
    }, indent=2))


if __name__ == "__main__":
    main()
