#!/usr/bin/env python3
"""Baseline for the FINESS import benchmark (agent/examples/finess_bench.rs): a plain Python
import of the same open-data CSV extracts: the csv module, then sqlite3 executemany into an
indexed table of the same columns as the agent's (PRIMARY KEY on the number, index on the EJ
link), in one transaction. Prints its time and peak memory (ru_maxrss).

usage: finess_baseline.py DB FILE..."""
import csv
import os
import resource
import sqlite3
import sys
import time

COLUMNS = ("finess kind ej name long_name name_complement street_number street_type street "
           "street_complement distribution place commune postal_line departement "
           "departement_name phone fax category category_label category_group "
           "category_group_label legal_status legal_status_label siret siren ape opened "
           "authorised updated closed state").split()


def blank(s):
    s = s.strip()
    return s or None


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.reader(f, delimiter=";"):
            if not r:
                continue
            tag = r[0]
            if tag == "structureet" and len(r) >= 32:
                g = [blank(x) for x in r]
                yield (g[1], "EG", g[2], g[3], g[4], g[5], g[7], g[8], g[9], g[10], g[6], g[11],
                       g[12], g[15], g[13], g[14], g[16], g[17], g[18], g[19], g[20], g[21],
                       None, None, g[22], None, g[23], g[28], g[29], g[30], None, None)
            elif tag == "structureej" and len(r) >= 23:
                j = [blank(x) for x in r]
                yield (j[1], "EJ", None, j[2], j[3], j[4], j[5], j[6], j[7], j[8], j[9], j[10],
                       j[11], j[12], j[13], j[14], j[15], None, j[18], j[19], None, None, j[16],
                       j[17], None, j[20], j[21], j[22], None, None, None, None)


def own_peak_kib():
    """This program's own peak memory: VmHWM (Linux; reset by execve), not ru_maxrss, which
    keeps the parent's resident size at the fork."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    db, files = sys.argv[1], sys.argv[2:]
    if os.path.exists(db):
        os.remove(db)
    start = time.perf_counter()
    con = sqlite3.connect(db)
    cols = ", ".join(f"{c} TEXT" for c in COLUMNS[1:])
    con.execute(f"CREATE TABLE entity (finess TEXT PRIMARY KEY NOT NULL, {cols})")
    con.execute("CREATE INDEX entity_ej ON entity(ej)")
    marks = ", ".join("?" * len(COLUMNS))
    with con:
        for path in files:
            con.executemany(f"INSERT OR IGNORE INTO entity VALUES ({marks})", rows(path))
    n = con.execute("SELECT count(*) FROM entity").fetchone()[0]
    con.close()
    elapsed = time.perf_counter() - start
    peak_kib = own_peak_kib()
    print(f"python rows={n} seconds={elapsed:.3f} peak_kib={peak_kib}")


if __name__ == "__main__":
    main()
