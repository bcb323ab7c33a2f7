"""Helpers for bench/smtp.sh (run with /usr/bin/python3):

  setup HTTP_ADDR DOMAIN RCPT SENDERS            account, workspace, purchased domain, mailboxes
                                                  (JSON with generated passwords on stdout)
  measure PID STORE EXPECT OUT -- CMD...          runs CMD (the load), times it until the store holds
                                                  EXPECT more messages; CPU and memory of PID's tree
  submit HOST:PORT SETUP_JSON RCPT MESSAGES SIZE  STARTTLS + AUTH load, one process per sender
  report OUT_MD PARAMS_JSON RESULTS_DIR           medians into the "## SMTP" section of OUT_MD

STORE is maildir:<dir> (files in <dir>/new) or sqlite:<db> (messages in INBOX folders).
"""
import json
import multiprocessing
import os
import re
import smtplib
import sqlite3
import ssl
import statistics
import subprocess
import sys
import textwrap
import time

HZ = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def fail(msg):
    print("bench/smtp: " + msg, file=sys.stderr)
    sys.exit(1)


# ---- setup -----------------------------------------------------------------------------------
def setup(addr, domain, rcpt, senders):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../tests/testutil"))
    import mj

    class Remote:  # what mj.Client needs of a server
        host, port = addr.rsplit(":", 1)[0], int(addr.rsplit(":", 1)[1])
        origin = "http://127.0.0.1"

    c = mj.Client(Remote())
    c.signup(email="bench@example.com")
    ws = c.create_workspace("SMTP bench")
    r = c.post(f"/api/v1/workspaces/{ws}/domains", {"name": domain, "source": "purchase"})
    if r.status != 201:
        fail(f"buying {domain} failed: {r}")
    domain_id = r.json["id"]
    boxes = {}
    for local in [rcpt] + senders.split(","):
        # Generated passwords, as customers get them (and cheaper to hash than chosen ones).
        body = {"domain_id": domain_id, "local_part": local, "first_name": "Bench",
                "last_name": local.capitalize(), "daily_limit": 10000}
        r = c.post(f"/api/v1/workspaces/{ws}/mailboxes", body)
        if r.status == 404:
            fail("POST /api/v1/workspaces/{ws}/mailboxes answered 404: this mailjuke build has no "
                 "mailbox API yet (needs the mailboxes work merged and rebuilt)")
        if r.status != 201:
            fail(f"creating mailbox {local}@{domain} failed: {r}")
        boxes[local] = {"id": r.json["id"], "address": r.json["address"],
                        "password": r.json["password"]}
    print(json.dumps({"ws": ws, "domain_id": domain_id, "rcpt": rcpt, "mailboxes": boxes}))


# ---- measure ---------------------------------------------------------------------------------
def tree(root):
    """root and its descendants (one scan of /proc)."""
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(root):
    """utime+stime of the tree, plus the CPU of children already reaped (cutime+cstime):
    Postfix's master reaps smtpd and cleanup processes as they retire."""
    ticks = 0
    for p in tree(root):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        except (OSError, IndexError, ValueError):
            pass
    return ticks / HZ


def memory_mb(root):
    """(RSS, PSS) summed over the tree, in MB."""
    rss = pss = 0
    for p in tree(root):
        try:
            with open(f"/proc/{p}/statm") as f:
                rss += int(f.read().split()[1]) * PAGE_KB
            with open(f"/proc/{p}/smaps_rollup") as f:
                pss += int(re.search(r"^Pss:\s+(\d+)", f.read(), re.M).group(1))
        except (OSError, AttributeError, ValueError):
            pass
    return rss / 1024, pss / 1024


def counter(store):
    kind, _, path = store.partition(":")
    if kind == "maildir":
        new = os.path.join(path, "new")
        return lambda: len(os.listdir(new))
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    sql = ("SELECT count(*) FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id "
           "WHERE f.name = 'INBOX'")
    return lambda: db.execute(sql).fetchone()[0]


def measure(pid, store, expect, out, cmd):
    count = counter(store)
    base, cpu0 = count(), cpu_seconds(pid)
    peak_rss = peak_pss = 0.0
    t0 = time.monotonic()
    client = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    client_s = stored_s = None
    last_mem = 0.0
    while True:
        now = time.monotonic()
        if client_s is None and client.poll() is not None:
            client_s = now - t0
            if client.returncode != 0:
                fail(f"load generator exited with {client.returncode}: {' '.join(cmd)}")
        n = count() - base
        if stored_s is None and n >= expect:
            stored_s = now - t0
        if now - last_mem >= 0.5 or (stored_s and client_s):
            rss, pss = memory_mb(pid)
            peak_rss, peak_pss, last_mem = max(peak_rss, rss), max(peak_pss, pss), now
        if stored_s is not None and client_s is not None:
            break
        if client_s is not None and now - t0 > client_s + 120:
            fail(f"only {n} of {expect} messages stored 120 s after the load ended ({store})")
        time.sleep(0.1)
    cpu = cpu_seconds(pid) - cpu0
    row = {"stored_s": round(stored_s, 3), "client_s": round(client_s, 3),
           "rate": round(expect / stored_s, 1), "client_rate": round(expect / client_s, 1),
           "cpu_per_1k": round(cpu * 1000 / expect, 3), "rss_mb": round(peak_rss, 1),
           "pss_mb": round(peak_pss, 1)}
    with open(out, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps(row))


# ---- submit ----------------------------------------------------------------------------------
def submit_session(args):
    host, port, password, sender, rcpt, count, size = args
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # MailJuke's self-signed certificate
    line = "X" * 76 + "\r\n"
    body = (line * (size // len(line) + 1))[:size]
    s = smtplib.SMTP(host, port, timeout=60)
    s.starttls(context=ctx)
    s.login(sender, password)
    for i in range(count):
        msg = (f"From: <{sender}>\r\nTo: <{rcpt}>\r\nSubject: bench {i}\r\n\r\n" + body)
        s.sendmail(sender, [rcpt], msg.encode())
    s.quit()
    return count


def submit(addr, setup_json, rcpt, messages, size):
    host, port = addr.rsplit(":", 1)
    with open(setup_json) as f:
        setup_out = json.load(f)
    senders = [(b["address"], b["password"]) for local, b in setup_out["mailboxes"].items()
               if local != setup_out["rcpt"]]
    n = len(senders)
    jobs = [(host, int(port), pw, s, rcpt, messages // n + (i < messages % n), size)
            for i, (s, pw) in enumerate(senders)]
    with multiprocessing.Pool(n) as pool:
        sent = sum(pool.map(submit_session, jobs))
    if sent != messages:
        fail(f"submitted {sent} of {messages}")


# ---- report ----------------------------------------------------------------------------------
def report(out_md, params_json, results_dir):
    p = json.loads(params_json)

    def med(target):
        path = os.path.join(results_dir, target + ".jsonl")
        if not os.path.exists(path):
            return None
        rows = [json.loads(x) for x in open(path) if x.strip()]
        return {k: statistics.median(r[k] for r in rows) for k in rows[0]}

    pf, mx, sub = med("postfix"), med("mailjuke"), med("submission")
    def fmt(v, nd=0):
        return "—" if v is None else f"{v:,.{nd}f}"

    def row(name, m, ratio):
        if m is None:
            return f"| {name} | — | — | — | — | — | — |"
        return (f"| {name} | {fmt(m['rate'])} | {ratio} | {fmt(m['client_s'], 1)} | "
                f"{fmt(m['client_rate'])} | {fmt(m['cpu_per_1k'], 2)} | "
                f"{fmt(m['rss_mb'])} / {fmt(m['pss_mb'])} |")
    ratio = f"{mx['rate'] / pf['rate']:.2f}" if pf and mx else "—"
    prose = [
        f"Measured {p['date']} on {p['cores']} cores, loopback, median of {p['runs']} runs "
        "(servers interleaved); the load generator shares the cores.",
        f"MX load: `{p['source_cmd']}` against each server; messages/s counts until all "
        f"{p['messages']:,} messages are stored (Postfix: files in the Maildir `new/`; MailJuke: INBOX rows in "
        "`mail_messages`; both polled every 0.1 s), timed from the start of smtp-source. Postfix "
        f"{p['postfix_version']}: a private instance (smtpd → cleanup → qmgr → virtual(8) into a "
        "Maildir, default fsync behaviour, no DNS, no milters). MailJuke: `mailjuke serve` "
        "(SQLite), acknowledging after fsync; its intake checks SPF/DKIM/DMARC for every message "
        "against its own DNS listener, which Postfix here does not.",
        f"Submission: {p['sessions']} sessions (one process each, STARTTLS + AUTH once, each as "
        f"its own mailbox) sending {p['submit_messages']:,} messages of {p['size']} bytes to a "
        "local mailbox; MailJuke DKIM-signs (RSA-2048) each and stores it plus a Sent copy.",
        "CPU: server user + system seconds (all processes and threads) per 1,000 messages. "
        "Memory: peak of RSS / PSS summed over the server's processes, sampled every 0.5 s.",
    ]
    text = textwrap.fill(" ".join(prose), 100, break_long_words=False, break_on_hyphens=False)
    lines = [
        "## SMTP (bench/smtp.sh)", "", text, "",
        "| server | messages/s (all stored) | × Postfix | smtp client wall time (s) | "
        "messages/s at client end | CPU s / 1,000 msgs | peak RSS / PSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        row(f"Postfix {p['postfix_version']} (MX → virtual Maildir)", pf, "1.00" if pf else "—"),
        row("MailJuke MX (SQLite store)", mx, ratio),
        row("MailJuke submission, STARTTLS + AUTH, DKIM-signed (Python client)", sub, "n/a"),
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    if out_md == "-":
        return
    text = open(out_md).read() if os.path.exists(out_md) else \
        "# Benchmarks\n\nEach section is written by its script under bench/.\n"
    pattern = re.compile(r"^## SMTP \(bench/smtp\.sh\)\n.*?(?=\n## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip() + "\n\n" + section
    with open(out_md, "w") as f:
        f.write(text)
    print("wrote " + out_md)


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["setup"]:
        setup(*a[1:5])
    elif a[:1] == ["measure"]:
        sep = a.index("--")
        measure(int(a[1]), a[2], int(a[3]), a[4], a[sep + 1:])
    elif a[:1] == ["submit"]:
        submit(a[1], a[2], a[3], int(a[4]), int(a[5]))
    elif a[:1] == ["report"]:
        report(a[1], a[2], a[3])
    else:
        sys.exit(__doc__)
