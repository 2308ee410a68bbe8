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
  check.py free-display                 an X display number no server holds (/tmp/.X11-unix,
                                        abstract sockets)
  check.py tray-icon XWD                where the tray's picture is in the taskbar (the bottom 64
                                        rows): a disc of one of the faces' colours
                                        (agent/src/tray/face.rs), "X Y R,G,B"
  check.py changed BEFORE AFTER X0 Y0 X1 Y1
                                        how many pixels of that box differ between two dumps;
                                        prints "N x0 y0 x1 y1" (N, then the bounding box of the
                                        changed pixels)
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


def cmd_free_display():
    held = set()
    try:
        with open("/proc/net/unix") as f:
            for line in f.read().splitlines()[1:]:
                path = line.split()[-1] if len(line.split()) >= 8 else ""
                if "/tmp/.X11-unix/X" in path:
                    held.add(path.rsplit("X", 1)[1])
    except OSError:
        pass
    import os
    for n in range(140, 400):
        if str(n) not in held and not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock"):
            print(n)
            return 0
    return 1


def xwd_pixels(path):
    """(width, height, rows of (r, g, b)) of an XWD dump (ZPixmap, 24 or 32 bits per pixel)."""
    import struct
    with open(path, "rb") as f:
        data = f.read()
    field = [struct.unpack(">I", data[i * 4:i * 4 + 4])[0] for i in range(25)]
    header, width, height = field[0], field[4], field[5]
    byte_order, bpp, bpl, ncolours = field[7], field[11], field[12], field[19]
    if bpp not in (24, 32):
        raise SystemExit(f"{bpp} bits per pixel")
    size, start = bpp // 8, header + ncolours * 12
    rows = []
    for y in range(height):
        row, base = [], start + y * bpl
        for x in range(width):
            px = data[base + x * size:base + x * size + size]
            # LSBFirst (0): B G R [pad]; MSBFirst: [pad] R G B
            row.append((px[2], px[1], px[0]) if byte_order == 0 else tuple(px[-3:]))
        rows.append(row)
    return width, height, rows


# The faces' colours (agent/src/tray/face.rs, Face::colour).
FACE_COLOURS = [(0x2e, 0x7d, 0x32), (0xef, 0x6c, 0x00), (0xc6, 0x28, 0x28), (0x15, 0x65, 0xc0),
                (0x6d, 0x4c, 0x41), (0x75, 0x75, 0x75)]


def cmd_tray_icon(path):
    """The centre of the largest group of pixels of one face colour (at most 40x40: an icon,
    not a window), with its colour; exit 1 when none."""
    width, height, rows = xwd_pixels(path)
    found = {c: [] for c in FACE_COLOURS}
    # The notification area: the right half of the taskbar, at the bottom of Wine's desktop.
    for y in range(max(0, height - 64), height):
        for x in range(width // 2, width):
            px = rows[y][x]
            for colour in FACE_COLOURS:
                if abs(px[0] - colour[0]) <= 8 and abs(px[1] - colour[1]) <= 8 and abs(px[2] - colour[2]) <= 8:
                    found[colour].append((x, y))
                    break
    best = None
    for colour, pts in found.items():
        # A filled disc of 16 to 32 pixels across, not a few pixels of text.
        if len(pts) < 30:
            continue
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        if max(xs) - min(xs) > 32 or max(ys) - min(ys) > 32:
            continue
        if best is None or len(pts) > best[0]:
            best = (len(pts), (min(xs) + max(xs)) // 2, (min(ys) + max(ys)) // 2, colour)
    if best is None:
        print("no tray picture on the screen")
        return 1
    n, x, y, colour = best
    print(f"{x} {y} {','.join(str(c) for c in colour)}")
    return 0


def cmd_changed(before, after, x0, y0, x1, y1):
    _, _, a = xwd_pixels(before)
    _, _, b = xwd_pixels(after)
    x0, y0, x1, y1 = int(x0), int(y0), int(x1), int(y1)
    pts = [(x, y) for y in range(max(0, y0), min(len(a), y1)) for x in range(max(0, x0), min(len(a[0]), x1))
           if a[y][x] != b[y][x]]
    if not pts:
        print("0 0 0 0 0")
        return 0
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    print(f"{len(pts)} {min(xs)} {min(ys)} {max(xs)} {max(ys)}")
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "project":
        print(show(projection(load(args[0]))))
        return 0
    table = {"compare": cmd_compare, "cards-read": cmd_cards_read, "free-ports": cmd_free_ports, "free-port": cmd_free_port,
             "sse-wait": cmd_sse_wait, "toml": cmd_toml, "token": cmd_token, "free-display": cmd_free_display,
             "tray-icon": cmd_tray_icon, "changed": cmd_changed}
    return table[cmd](*args)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
