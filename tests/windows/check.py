#!/usr/bin/env python3
"""Assertions and small helpers of the Windows test stage (tests/windows/run).

  check.py project FILE                 the compared view of a `status --json` (one line per reader)
  check.py compare LINUX WINDOWS        same readers, kinds, verdict statuses, finding codes
                                        (exit 1 and a diff if not); other differences, timing
                                        fields aside, are printed as notes
  check.py cards-read FILE N            at least N readers hold a card that was read (no read_error)
  check.py free-ports N                 a base port P >= 35963 with P..P+N-1 all free (vpcd)
  check.py free-port                    a free port on 127.0.0.1
  check.py sse-wait FILE EVENT SECONDS [AFTER_LINE]
                                        waits for `event: EVENT` in an SSE capture (after line N)
  check.py toml FILE KEY=VALUE...       the TOML file parses and holds these values (dotted keys;
                                        a value with commas is a list)
  check.py token FILE                   a 64-hex-digit token
"""
import json
import socket
import sys
import time

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

# Fields that differ run to run (clock, durations), left out of the full comparison.
TIMING_WORDS = ("_ms", "elapsed", "duration", "read_at", "checked_at", "updated_at", "since", "time")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def projection(snapshot):
    """What must be the same on every platform: reader names, card kind, verdict, finding codes."""
    rows = []
    for r in sorted(snapshot.get("readers", []), key=lambda r: r.get("name", "")):
        card = r.get("card")
        if card is None:
            rows.append((r.get("name"), None, None, (), "read_error" in r))
            continue
        verdict = card.get("verdict") or {}
        codes = tuple(sorted(f.get("code", "?") for f in verdict.get("findings", [])))
        rows.append((r.get("name"), card.get("kind"), verdict.get("status"), codes, "read_error" in r))
    return {"service": snapshot.get("service"), "readers": rows}


def show(proj):
    lines = [f"service={proj['service']}"]
    for name, kind, status, codes, err in proj["readers"]:
        if kind is None and status is None:
            lines.append(f"  {name}: no card{' (read_error)' if err else ''}")
        else:
            lines.append(f"  {name}: {kind} {status} [{', '.join(codes)}]{' (read_error)' if err else ''}")
    return "\n".join(lines)


def strip_timing(v):
    if isinstance(v, dict):
        return {k: strip_timing(x) for k, x in v.items() if not any(w in k for w in TIMING_WORDS)}
    if isinstance(v, list):
        return [strip_timing(x) for x in v]
    return v


def diff(a, b, path="$", out=None):
    out = [] if out is None else out
    if type(a) is not type(b):
        out.append(f"{path}: {json.dumps(a)[:120]} != {json.dumps(b)[:120]}")
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'windows' if k not in a else 'linux'}")
            else:
                diff(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items != {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: {json.dumps(a)[:120]} != {json.dumps(b)[:120]}")
    return out


def cmd_compare(linux, windows):
    a, b = load(linux), load(windows)
    pa, pb = projection(a), projection(b)
    if pa != pb:
        print("DIFFERENT\n-- linux:\n" + show(pa) + "\n-- windows:\n" + show(pb))
        return 1
    print(show(pa))
    notes = diff(strip_timing(a), strip_timing(b))
    for n in notes[:20]:
        print(f"  note (not compared): {n}")
    return 0


def cmd_cards_read(path, n):
    snap = load(path)
    read = [r for r in snap.get("readers", []) if r.get("card") and "read_error" not in r]
    errors = [f"{r.get('name')}: {r.get('read_error')}" for r in snap.get("readers", []) if "read_error" in r]
    if len(read) < int(n):
        print(f"{len(read)} card(s) read, {n} expected; errors: {errors}")
        return 1
    return 0


def cmd_free_ports(n):
    n = int(n)
    for base in range(35963, 36963, 2):
        held = []
        try:
            for p in range(base, base + n):
                s = socket.socket()
                s.bind(("0.0.0.0", p))
                held.append(s)
            print(base)
            return 0
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    return 1


def cmd_free_port():
    """A free TCP port on 127.0.0.1 (the kernel's choice)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()
    return 0


def cmd_sse_wait(path, event, seconds, after=0):
    deadline = time.time() + float(seconds)
    want = f"event: {event}"
    while time.time() < deadline:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            lines = []
        for i, line in enumerate(lines):
            if i >= int(after) and line.strip() == want:
                print(i + 1)
                return 0
        time.sleep(0.1)
    seen = [line.split(":", 1)[1].strip() for line in lines[int(after):] if line.startswith("event:")]
    print(f"no '{want}' within {seconds}s; events seen: {', '.join(seen) or 'none'}", file=sys.stderr)
    return 1


def cmd_toml(path, *pairs):
    if tomllib is None:
        print("tomllib missing (Python >= 3.11 needed)")
        return 1
    with open(path, "rb") as f:
        data = tomllib.load(f)
    bad = 0
    for pair in pairs:
        key, want = pair.split("=", 1)
        v = data
        for part in key.split("."):
            v = v.get(part) if isinstance(v, dict) else None
        expected = [x for x in want.split(",") if x] if ("," in want or isinstance(v, list)) else want
        if v != expected:
            print(f"{key} = {v!r}, expected {expected!r}")
            bad = 1
    return bad


def cmd_token(path):
    with open(path, encoding="ascii") as f:
        t = f.read().strip()
    ok = len(t) == 64 and all(c in "0123456789abcdef" for c in t.lower())
    if not ok:
        print(f"not a token: {t[:10]!r}… ({len(t)} chars)")
    return 0 if ok else 1


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "project":
        print(show(projection(load(args[0]))))
        return 0
    table = {"compare": cmd_compare, "cards-read": cmd_cards_read, "free-ports": cmd_free_ports, "free-port": cmd_free_port,
             "sse-wait": cmd_sse_wait, "toml": cmd_toml, "token": cmd_token}
    return table[cmd](*args)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
