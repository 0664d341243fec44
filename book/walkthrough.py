#!/usr/bin/env python3
"""book/walkthrough.py - a reader's walk through BOOK.md, every command as printed.

  book/walkthrough.py list           every command BOOK.md shows a reader to type:
                                     LINE<TAB>KIND<TAB>COMMAND (KIND: block or inline)
  book/walkthrough.py script DIR     DIR/walk.sh and DIR/NNN.sh: each command of
                                     book/walkthrough.tsv that runs, for the v2 VM
                                     (tests/vm/vm.sh walk, make walk-vm)
  book/walkthrough.py check LOG      judge the VM's console LOG: each command's exit
                                     status and output against book/walkthrough.tsv

Commands come from fenced ```sh blocks (each line, less a trailing "# comment")
and from inline code in running text that starts the way a command typed at a
shell does (sudo, ./, make, cat /, ...). book/walkthrough.tsv says, for each,
what the book leads the reader to expect (its header explains the columns);
`check` fails when the book shows a command the table has no row for, when a
row names a command the book no longer shows, and when a run does not end as
its row says.
"""
import os
import re
import sys

BOOK = "BOOK.md"
TABLE = "book/walkthrough.tsv"
# An inline code span is a command when it starts with one of these.
STARTS = ("sudo ", "./0", "make ", "cat /", "ls /", "ls -", "grep ", "ip ", "unshare ",
          "setpriv ", "strace ", "nsenter ", "findmnt", "docker ", "podman ", "sysctl ",
          "NUTSHELL_", "git ", "readlink ", "systemd-run ")
ALONE = ("hostname", "id", "uname -r", "ip link")
TIMEOUT = 300  # seconds for one command under TCG emulation (memory, io are slow)


def commands():
    """(line, kind, command) for each command BOOK.md shows, in the book's order."""
    out = []
    fence = None
    with open(BOOK, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        m = re.match(r"^(`{3,})(.*)$", line)
        if m and fence is None:
            fence = (m.group(1), m.group(2).strip())
            continue
        if m and line.strip() == fence[0]:
            fence = None
            continue
        if fence is not None:
            if fence[1] in ("sh", "console", "bash", "shell"):
                cmd = re.sub(r"\s+#\s.*$", "", line).strip()
                cmd = re.sub(r"^[$#] ", "", cmd)
                if cmd:
                    out.append((n, "block", cmd))
            continue
        for span in re.findall(r"(?<!`)`([^`\n]+)`(?!`)", line):
            if (span.startswith(STARTS) and " " in span) or span in ALONE:
                out.append((n, "inline", span))
    return out


def table():
    """The rows of book/walkthrough.tsv: dicts of command, expect, texts, run."""
    rows = []
    with open(TABLE, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith("command\t"):
                continue
            cols = line.split("\t")
            if len(cols) != 4:
                sys.exit(f"{TABLE}:{n}: expected 4 tab-separated columns, found {len(cols)}")
            cmd, expect, text, run = cols
            texts = [t.replace("\\t", "\t") for t in text.split(" && ")] if text else []
            rows.append({"line": n, "command": cmd, "expect": expect, "texts": texts,
                         "reason": text, "run": run or cmd})
    return rows


def runs(rows):
    """What the VM runs, in the book's order, as a reader meets it: each command
    BOOK.md shows (again where it shows it again) whose row has an exit status or
    a terminal stand-in, and after a row's first run the "implied:" rows that
    follow it in the table (what that Try it asks for in words)."""
    by_cmd = {r["command"]: r for r in rows}
    after = {}
    last = None
    for r in rows:
        if r["command"].startswith("implied:") and last is not None:
            after.setdefault(last, []).append(r)
        elif not r["command"].startswith("implied:"):
            last = r["command"]
    order, done = [], set()
    for _, _, cmd in commands():
        r = by_cmd.get(cmd)
        if r is None:
            continue
        order.append(r)
        if cmd not in done:
            done.add(cmd)
            order.extend(after.get(cmd, []))
    return [r for r in order if r["expect"].isdigit() or r["expect"] == "terminal"]


def coverage(rows):
    """Problems: shown commands without a row, rows for commands no longer shown."""
    shown = commands()
    have = {r["command"] for r in rows}
    bad = []
    for n, kind, cmd in shown:
        if cmd not in have:
            bad.append(f"BOOK.md:{n}: '{cmd}' ({kind}) has no row in {TABLE}")
    texts = {c for _, _, c in shown}
    for r in rows:
        if not r["command"].startswith("implied:") and r["command"] not in texts:
            bad.append(f"{TABLE}:{r['line']}: '{r['command']}' is no longer in BOOK.md")
    return bad


def script(outdir):
    rows = table()
    os.makedirs(outdir, exist_ok=True)
    todo = runs(rows)
    with open(os.path.join(outdir, "walk.sh"), "w", encoding="utf-8") as w:
        w.write("#!/bin/sh\n# Written by book/walkthrough.py script: each command of "
                f"{TABLE} that runs in the VM.\n")
        for i, r in enumerate(todo):
            name = f"{i:03d}.sh"
            with open(os.path.join(outdir, name), "w", encoding="utf-8") as c:
                # /etc/profile: what the login shell of `make vm` reads (tests/vm/init).
                c.write(f"# {TABLE}:{r['line']}\n[ ! -r /etc/profile ] || . /etc/profile\n"
                        f"{r['run']}\n")
            # Each command in a shell of its own, in the toolkit's directory, with no
            # input (a terminal's Enter is not there to give), bounded in time.
            w.write(f"echo 'NUTSHELL-WALK {i} BEGIN'\n"
                    f"cd /nutshell && timeout {TIMEOUT} sh {os.path.join('/walk', name)} "
                    "</dev/null 2>&1\n"
                    f"echo \"NUTSHELL-WALK {i} END $?\"\n")
    print(f"walkthrough: {len(todo)} of {len(rows)} commands to run in the VM, in {outdir}")


def check(log):
    rows = table()
    todo = runs(rows)
    with open(log, encoding="utf-8", errors="replace") as f:
        text = f.read().replace("\r", "")
    # The console is a terminal, so the traces are coloured: judge the text.
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    got = {}
    for m in re.finditer(r"^NUTSHELL-WALK (\d+) BEGIN\n(.*?)^NUTSHELL-WALK \1 END (\d+)$",
                         text, re.S | re.M):
        got[int(m.group(1))] = (m.group(2), int(m.group(3)))
    bad = coverage(rows)
    matched = 0
    for i, r in enumerate(todo):
        where = f"{TABLE}:{r['line']}"
        if i not in got:
            bad.append(f"{where}: '{r['run']}' did not run to its end in the VM")
            continue
        out, status = got[i]
        want = int(r["expect"]) if r["expect"].isdigit() else None
        problems = []
        if want is not None and status != want:
            problems.append(f"exit status {status}, the book implies {want}")
        if r["expect"] == "terminal" and status != 0:
            problems.append(f"exit status {status} without a terminal")
        for t in r["texts"] if want is not None else []:
            if t.startswith("!") and t[1:] in out:
                problems.append(f"'{t[1:]}' in its output, which the book does not lead to")
            elif not t.startswith("!") and t not in out:
                problems.append(f"no '{t}' in its output")
        if problems:
            first = "; ".join(problems)
            tail = "\n".join("    " + l for l in out.rstrip("\n").split("\n")[-6:])
            bad.append(f"{where}: '{r['run']}': {first}; its last lines:\n{tail}")
        else:
            matched += 1
    kinds = {}
    for r in rows:
        k = r["expect"] if not r["expect"].isdigit() else "run"
        kinds[k] = kinds.get(k, 0) + 1
    for b in bad:
        print("walkthrough: " + b, file=sys.stderr)
    summary = ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
    print(f"walkthrough: {len(commands())} commands shown in BOOK.md, {len(rows)} rows "
          f"({summary}); {len(todo)} run in the VM, {matched} as the book leads the reader "
          f"to expect, {len(bad)} problems")
    return 1 if bad else 0


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "list":
        for n, kind, cmd in commands():
            print(f"{n}\t{kind}\t{cmd}")
    elif what == "script" and len(sys.argv) == 3:
        script(sys.argv[2])
    elif what == "check" and len(sys.argv) == 3:
        sys.exit(check(sys.argv[2]))
    elif what == "coverage":
        bad = coverage(table())
        for b in bad:
            print("walkthrough: " + b, file=sys.stderr)
        sys.exit(1 if bad else 0)
    else:
        sys.exit(f"usage: {sys.argv[0]} list | script DIR | check LOG | coverage")


if __name__ == "__main__":
    main()
