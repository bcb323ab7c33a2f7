"""IMAP load driver for bench/imap.sh (run with /usr/bin/python3). The same client measures
MailJuke and Dovecot:

  setup HTTP_ADDR DOMAIN LOCAL                  MailJuke account, workspace, purchased domain and
                                                one mailbox (JSON with its password on stdout)
  fill HOST:PORT USER PASSWORD MESSAGES         INBOX filled with MESSAGES generated messages
                                                (pipelined APPEND, LITERAL+), folder "Appended"
  run NAME HOST:PORT USER PASSWORD PID SESSIONS OUT.jsonl [CERT]
                                                one run of every phase, SESSIONS concurrent
                                                clients; server CPU and memory of PID's tree
  report OUT_MD PARAMS_JSON RESULTS_DIR         medians into the "## IMAP" section of OUT_MD

Every connection is implicit TLS (port 993 role). Phases: login (connect + TLS + LOGIN + SELECT
INBOX + LOGOUT), FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE), SEARCH (header keys: SUBJECT, FROM),
UID FETCH 1:* BODY.PEEK[], APPEND (one message at a time, durable before OK) and, when mbsync is
installed, an mbsync full download of INBOX into an empty Maildir (one client).
"""
import json
import multiprocessing
import os
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "smtp"))
from bench import cpu_seconds, memory_mb  # noqa: E402  (bench/smtp/bench.py)

LOGINS_PER_SESSION = int(os.environ.get("LOGINS", "20"))
FETCH_ROUNDS = 3
SEARCHES_PER_SESSION = 20
APPENDS_PER_SESSION = 100


def fail(msg):
    print("bench/imap: " + msg, file=sys.stderr)
    sys.exit(1)


def message(i, to):
    """Message i of the bench mailbox (~3.5 KB): plain text; every fifth one multipart with an
    attachment, so ENVELOPE/BODYSTRUCTURE see more than one shape."""
    date = f"Mon, {1 + i % 28:d} Dec 2025 {i % 24:02d}:{i % 60:02d}:00 +0000"
    head = (f"From: Sender {i % 97} <sender{i % 97}@remote.example>\r\nTo: {to}\r\n"
            f"Subject: load message {i}\r\nDate: {date}\r\n"
            f"Message-ID: <load-{i}@remote.example>\r\n")
    text = "".join(f"Line {n} of message {i}, some words to make it realistic.\r\n"
                   for n in range(40))
    if i % 5:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text).encode()
    return (head + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text +
            "--b\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\n"
            "Content-Disposition: attachment; filename=\"a.bin\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" + "QUJDREVGR0g=\r\n" * 20 +
            "--b--\r\n").encode()


class Imap:
    """A small IMAP client: implicit TLS, TCP_NODELAY, one write per command. Responses are
    read in large chunks and only scanned (C-speed bytes.find/count) for the tagged completion,
    so the client costs little next to the server; untagged responses are counted so a phase
    can check it got every message (the bench messages contain no line starting with "* ")."""

    def __init__(self, addr, timeout=120):
        host, port = addr.rsplit(":", 1)
        sock = socket.create_connection((host, int(port)), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.sock = ctx.wrap_socket(sock)
        self.buf = bytearray()
        self.tag = 0
        while b"\r\n" not in self.buf:  # greeting
            self._recv()
        del self.buf[:self.buf.index(b"\r\n") + 2]

    def _recv(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise ConnectionError("connection closed")
        self.buf += data

    def _response(self, tag):
        """Reads until the tagged completion; returns (tagged line, untagged count, bytes)."""
        want = b"\r\n" + tag.encode() + b" "
        start = 0  # where the next scan starts (what was scanned before cannot match)
        while True:
            at = -2 if self.buf.startswith(want[2:]) else self.buf.find(want, start)
            if at != -1:
                end = self.buf.find(b"\r\n", at + 2)
                if end != -1:
                    break
                start = max(at, 0)  # the tagged line is still arriving
            else:
                start = max(0, len(self.buf) - len(want))
            self._recv()
        body = bytes(self.buf[:at + 2])
        line = bytes(self.buf[at + 2:end + 2])
        del self.buf[:end + 2]
        self.last = body  # the untagged responses of the last command
        untagged = body.count(b"\r\n* ") + body.startswith(b"* ")
        return line, untagged, len(body) + len(line)

    def command(self, text, payload=b""):
        self.tag += 1
        tag = f"t{self.tag}"
        self.sock.sendall(f"{tag} {text}".encode() + payload + b"\r\n")
        line, untagged, nbytes = self._response(tag)
        if not line.startswith(f"{tag} OK".encode()):
            raise RuntimeError(f"{text[:60]!r}: {line[:200]!r}")
        return untagged, nbytes

    def login(self, user, password):
        self.command(f'LOGIN "{user}" "{password}"')

    def append(self, folder, msg):
        self.command(f'APPEND "{folder}" {{{len(msg)}+}}\r\n', msg)

    def append_pipelined(self, folder, msgs, batch=50):
        for start in range(0, len(msgs), batch):
            tags, chunk = [], []
            for m in msgs[start:start + batch]:
                self.tag += 1
                tags.append(f"t{self.tag}")
                chunk.append(f'{tags[-1]} APPEND "{folder}" {{{len(m)}+}}\r\n'.encode() + m + b"\r\n")
            self.sock.sendall(b"".join(chunk))
            for tag in tags:
                line, _, _ = self._response(tag)
                if b" OK" not in line:
                    fail(f"APPEND failed: {line!r}")

    def close(self):
        try:
            self.command("LOGOUT")
        except (OSError, RuntimeError, ConnectionError):
            pass
        self.sock.close()


# ---- setup / fill ----------------------------------------------------------------------------
def setup(addr, domain, local):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../tests/testutil"))
    import mj

    class Remote:  # what mj.Client needs of a server
        host, port = addr.rsplit(":", 1)[0], int(addr.rsplit(":", 1)[1])
        origin = "http://127.0.0.1"

    c = mj.Client(Remote())
    c.signup(email="imap-bench@example.com")
    ws = c.create_workspace("IMAP bench")
    r = c.post(f"/api/v1/workspaces/{ws}/domains", {"name": domain, "source": "purchase"})
    if r.status != 201:
        fail(f"buying {domain} failed: {r}")
    r = c.post(f"/api/v1/workspaces/{ws}/mailboxes",
               {"domain_id": r.json["id"], "local_part": local, "first_name": "Bench",
                "last_name": "Imap"})
    if r.status != 201:
        fail(f"creating mailbox {local}@{domain} failed: {r}")
    print(json.dumps({"user": r.json["address"], "password": r.json["password"]}))


def fill(addr, user, password, count):
    deadline = time.time() + 30
    while True:  # MailJuke's mail directory picks up a new mailbox within a moment
        try:
            c = Imap(addr)
            c.login(user, password)
            break
        except (RuntimeError, OSError) as e:
            if time.time() > deadline:
                fail(f"cannot log in to {addr} as {user}: {e}")
            time.sleep(0.3)
    c.command('CREATE "Appended"')
    t = time.time()
    c.append_pipelined("INBOX", [message(i, user) for i in range(count)])
    c.close()
    print(f"filled {count} messages in {time.time() - t:.1f} s", file=sys.stderr)


# ---- phases ----------------------------------------------------------------------------------
def phase_login(addr, user, password, n):
    for _ in range(LOGINS_PER_SESSION):
        c = Imap(addr)
        c.login(user, password)
        c.command("SELECT INBOX")
        c.close()
    return LOGINS_PER_SESSION


def phase_fetch_meta(c, n):
    for _ in range(FETCH_ROUNDS):
        got, _ = c.command("FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)")
        if got < n:
            raise RuntimeError(f"FETCH returned {got} of {n}")
    return FETCH_ROUNDS


def phase_search(c, n):
    for i in range(SEARCHES_PER_SESSION):
        key = f'SUBJECT "load message {i * 37 % n}"' if i % 2 else f'FROM "sender{i % 97}@"'
        c.command(f"SEARCH {key}")
    return SEARCHES_PER_SESSION


def phase_fetch_body(c, n):
    got, _ = c.command("UID FETCH 1:* BODY.PEEK[]")
    if got < n:
        raise RuntimeError(f"BODY fetch returned {got} of {n}")
    return 1


def phase_append(c, n, user):
    msgs = [message(10_000_000 + i, user) for i in range(APPENDS_PER_SESSION)]
    for m in msgs:
        c.append("Appended", m)
    return APPENDS_PER_SESSION


def worker(name, addr, user, password, n, barrier, results):
    try:
        c = None
        if name != "login":
            c = Imap(addr)
            c.login(user, password)
            c.command("SELECT INBOX" if name != "append" else "SELECT Appended")
        barrier.wait(timeout=300)
        if name == "login":
            done = phase_login(addr, user, password, n)
        elif name == "append":
            done = phase_append(c, n, user)
        else:
            done = {"fetch_meta": phase_fetch_meta, "search": phase_search,
                    "fetch_body": phase_fetch_body}[name](c, n)
        results.put(("ok", done))
        if c:
            c.close()
    except Exception as e:  # noqa: BLE001 - reported by the parent
        results.put(("error", repr(e)))
        try:
            barrier.abort()
        except Exception:  # noqa: BLE001
            pass


def run_phase(name, addr, user, password, n, sessions, pid):
    barrier = multiprocessing.Barrier(sessions + 1)
    results = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=worker,
                                     args=(name, addr, user, password, n, barrier, results))
             for _ in range(sessions)]
    for p in procs:
        p.start()
    barrier.wait(timeout=300)
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    outcomes = [results.get(timeout=900) for _ in procs]
    wall = time.monotonic() - t0
    cpu = cpu_seconds(pid) - cpu0
    for p in procs:
        p.join()
    errors = [o[1] for o in outcomes if o[0] != "ok"]
    if errors:
        fail(f"{name}: {errors[0]}")
    ops = sum(o[1] for o in outcomes)
    return {"wall": wall, "ops": ops, "cpu": cpu}


def mbsync_download(addr, user, password, cert, pid, parent=None):
    """mbsync of INBOX into an empty Maildir under `parent` (one client, full download); wall
    and CPU."""
    host, port = addr.rsplit(":", 1)
    tmp = tempfile.mkdtemp(prefix="imap-bench-mbsync-", dir=parent)
    try:
        os.makedirs(os.path.join(tmp, "mail"))
        rc = os.path.join(tmp, "rc")
        with open(rc, "w") as f:
            f.write(f"IMAPAccount a\nHost {host}\nPort {port}\nUser {user}\nPass {password}\n"
                    f"SSLType IMAPS\nCertificateFile {cert}\nTimeout 300\n\n"
                    f"IMAPStore far\nAccount a\n\nMaildirStore near\nPath {tmp}/mail/\n"
                    f"Inbox {tmp}/mail/INBOX\n\nChannel c\nFar :far:\nNear :near:\n"
                    f"Patterns INBOX\nCreate Near\nSync Pull\nSyncState *\n")
        os.sync()  # the writeback of earlier phases must not land in this timing
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        r = subprocess.run(["mbsync", "-q", "-c", rc, "-a"], capture_output=True, text=True,
                           timeout=900)
        wall = time.monotonic() - t0
        cpu = cpu_seconds(pid) - cpu0
        if r.returncode != 0:
            fail(f"mbsync failed: {r.stderr[-1000:]}")
        files = sum(len(os.listdir(os.path.join(tmp, "mail", "INBOX", d))) for d in ("new", "cur"))
        return {"wall": wall, "ops": files, "cpu": cpu}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(name, addr, user, password, pid, sessions, out, cert=None):
    pid, sessions = int(pid), int(sessions)
    c = Imap(addr)
    c.login(user, password)
    c.command("STATUS INBOX (MESSAGES)")
    n = int(re.search(rb"MESSAGES (\d+)", c.last).group(1))
    c.close()
    peak = {"rss": 0.0, "pss": 0.0}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            rss, pss = memory_mb(pid)
            peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = {"server": name, "messages": n, "sessions": sessions}
    for phase in ("login", "fetch_meta", "search", "fetch_body", "append"):
        result[phase] = run_phase(phase, addr, user, password, n, sessions, pid)
    if cert and shutil.which("mbsync"):
        result["mbsync"] = mbsync_download(addr, user, password, cert, pid)
        # mbsync fsyncs every message it writes: on this VM's disk that alone swings the
        # download between 8 and 16 s from run to run for either server. In memory the wall
        # time is the servers' and the client's work.
        if os.path.isdir("/dev/shm"):
            result["mbsync_mem"] = mbsync_download(addr, user, password, cert, pid, "/dev/shm")
    stop.set()
    sampler.join()
    result["rss_mb"], result["pss_mb"] = round(peak["rss"], 1), round(peak["pss"], 1)
    with open(out, "a") as f:
        f.write(json.dumps(result) + "\n")
    print(" ".join(f"{k}={v['wall']:.3f}s" for k, v in result.items() if isinstance(v, dict)) +
          f" rss={result['rss_mb']}MB")


# ---- report ----------------------------------------------------------------------------------
PHASES = [
    # key, label, unit, rate (ops per s, higher is better) or time per op (lower is better)
    ("login", "connect + TLS + LOGIN + SELECT + LOGOUT", "sessions/s", True),
    ("fetch_meta", "FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)", "s per FETCH", False),
    ("search", "SEARCH SUBJECT / FROM (header keys)", "searches/s", True),
    ("fetch_body", "UID FETCH 1:* BODY.PEEK[]", "s per FETCH", False),
    ("append", "APPEND, one at a time (durable before OK)", "messages/s", True),
    ("mbsync_mem", "mbsync full download of INBOX, Maildir on tmpfs (1 client)", "s", False),
    ("mbsync", "mbsync full download of INBOX, Maildir on disk (1 client)", "s", False),
]


def report(out_md, params_json, results_dir):
    params = json.loads(params_json)
    runs = {}
    for server in ("mailjuke", "dovecot"):
        path = os.path.join(results_dir, server + ".jsonl")
        with open(path) as f:
            runs[server] = [json.loads(line) for line in f if line.strip()]

    def value(r, key, rate):
        p = r.get(key)
        if not p:
            return None
        if key.startswith("mbsync"):
            return p["wall"]
        return p["ops"] / p["wall"] if rate else p["wall"] * params["sessions"] / p["ops"]

    def med(server, key, rate=True, field=None):
        vals = [r[field] if field else value(r, key, rate) for r in runs[server]]
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None

    def cpu(server, key):
        vals = [r[key]["cpu"] for r in runs[server] if key in r]
        return statistics.median(vals) if vals else None

    rows = []
    for key, label, unit, rate in PHASES:
        mj, dv = med("mailjuke", key, rate), med("dovecot", key, rate)
        if mj is None or dv is None:
            continue
        ratio = mj / dv if rate else dv / mj  # > 1: MailJuke better
        rows.append(f"| {label} | {unit} | {mj:,.3f} | {dv:,.3f} | **{ratio:.2f}** | "
                    f"{cpu('mailjuke', key):.2f} | {cpu('dovecot', key):.2f} |")
    mem = (f"| peak RSS / PSS of the server (MB) | | {med('mailjuke', '', field='rss_mb'):.0f} / "
           f"{med('mailjuke', '', field='pss_mb'):.0f} | {med('dovecot', '', field='rss_mb'):.0f} / "
           f"{med('dovecot', '', field='pss_mb'):.0f} | | | |")
    section = "\n".join([
        "## IMAP (bench/imap.sh)",
        "",
        textwrap.fill(
        f"Measured {params['date']} on {params['cores']} cores (shared with other work), loopback, "
        f"median of {params['runs']} runs (servers interleaved). Both servers hold the same "
        f"{params['messages']:,}-message INBOX (~3.5 KB messages, one in five multipart with an "
        f"attachment), loaded by pipelined APPEND. One Python client (bench/imap/load.py, one "
        f"process per session, implicit TLS) drives both with {params['sessions']} concurrent "
        f"sessions per phase: {LOGINS_PER_SESSION} logins, {FETCH_ROUNDS} metadata FETCHes, "
        f"{SEARCHES_PER_SESSION} SEARCHes, one full body FETCH and {APPENDS_PER_SESSION} APPENDs "
        f"per session; mbsync (isync {params['mbsync_version']}) downloads INBOX into an empty "
        f"Maildir alone, once on tmpfs and once on disk (where its fsync per message dominates)."
        f" \"s per FETCH\" is the wall time one session waits for one FETCH while "
        f"the others run theirs. {params['dovecot_version']}: a private instance (Maildir, "
        f"passwd-file, default fsync and index settings). MailJuke: `mailjuke serve` (SQLite), "
        f"ENVELOPE/BODYSTRUCTURE from the structure cached at delivery. CPU: server user + "
        f"system seconds (all processes and threads, Dovecot's reaped imap processes included) "
        f"for the whole phase. Ratio > 1: MailJuke is better.", 100,
                      break_on_hyphens=False),
        "",
        "| phase | unit | MailJuke | Dovecot | MailJuke ÷ Dovecot | MailJuke CPU s | "
        "Dovecot CPU s |",
        "|---|---|---:|---:|---:|---:|---:|",
        *rows,
        mem,
        "",
    ])
    if out_md == "-":
        print(section)
        return
    with open(out_md) as f:
        text = f.read()
    start = text.find("## IMAP (bench/imap.sh)")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(out_md, "w") as f:
        f.write(text)
    print(section)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "setup":
        setup(*args)
    elif cmd == "fill":
        fill(args[0], args[1], args[2], int(args[3]))
    elif cmd == "run":
        run(*args)
    elif cmd == "report":
        report(*args)
    else:
        fail(f"unknown command {cmd}")
