"""Quick IMAP timing with imaplib (not the issue's bench/imap.sh against Dovecot): 1,000 ~5 KB
messages stored with APPEND, then FETCH 1:* (ENVELOPE BODYSTRUCTURE FLAGS), SEARCH SUBJECT and
UID FETCH 1:* BODY.PEEK[]; prints the server's peak RSS. Run from tests/testutil:
  PYTHONPATH=. MAILJUKE_BIN=$PWD/../../build/mailjuke /usr/bin/python3 ../../bench/imap_quick.py"""
import imaplib, os, time, resource
import mailtest, mj
PASSWORD = "mailbox-password-1234"
with mj.Server() as server:
    setup = mailtest.MailSetup(server, domains=("acme-mail.com",))
    setup.mailbox("bob@acme-mail.com", PASSWORD)
    host, port = server.address("imaps")
    c = imaplib.IMAP4_SSL(host, port, ssl_context=mailtest.insecure_tls(), timeout=60)
    c.login("bob@acme-mail.com", PASSWORD)
    body = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit sed do eiusmod.\r\n" * 70)
    t = time.time()
    for i in range(1000):
        msg = (f"From: Sender {i} <s{i}@remote.test>\r\nTo: bob@acme-mail.com\r\nSubject: measure {i}\r\n"
               f"Message-ID: <m{i}@remote.test>\r\nDate: Mon, 1 Dec 2025 10:00:00 +0000\r\n\r\n" + body).encode()
        c.append("INBOX", None, None, msg)
    t_append = time.time() - t
    c.select("INBOX")
    t = time.time(); typ, d = c.fetch("1:*", "(ENVELOPE BODYSTRUCTURE FLAGS)"); t_meta = time.time() - t
    assert typ == "OK" and len(d) == 1000, (typ, len(d))
    t = time.time(); typ, d = c.search(None, "SUBJECT", '"measure 99"'); t_search = time.time() - t
    assert typ == "OK" and len(d[0].split()) == 11, d
    t = time.time(); typ, d = c.uid("FETCH", "1:*", "(BODY.PEEK[])"); t_body = time.time() - t
    print(f"APPEND x1000 (imaplib: synchronising literals, one at a time): {t_append:.2f}s  ({1000/t_append:.0f}/s)")
    print(f"FETCH 1:* (ENVELOPE BODYSTRUCTURE FLAGS): {t_meta:.3f}s")
    print(f"SEARCH SUBJECT over 1000: {t_search:.3f}s")
    print(f"UID FETCH 1:* BODY.PEEK[] (~5.3 MB): {t_body:.3f}s")
    try:
        print("server RSS:", [l for l in open(f"/proc/{server.proc.pid}/status") if l.startswith("VmHWM")][0].strip())
    except Exception as e:
        print("rss n/a", e)
    c.logout()
