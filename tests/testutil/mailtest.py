"""Helpers for the mail tests: a workspace with a domain and mailboxes on a running server,
TLS contexts that accept MailJuke's self-signed certificate, and the stored messages read back
from the mail store (SQLite metadata + blob files) so tests see exactly what was made durable."""
import os
import smtplib
import sqlite3
import ssl

import mj


def insecure_tls():
    """Test clients accept the server's self-signed certificate (opportunistic TLS)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class MailSetup:
    """Signs up an owner, creates a workspace, buys `domains` and returns helpers around them."""

    def __init__(self, server, domains=("acme-mail.com",)):
        self.server = server
        self.owner = server.client()
        self.owner.signup()
        self.ws = self.owner.create_workspace("Mail Co")
        self.domain_ids = {}
        for name in domains:
            r = self.owner.post(f"/api/v1/workspaces/{self.ws}/domains", {"name": name, "source": "purchase"})
            assert r.status == 201, r
            self.domain_ids[name] = r.json["id"]

    def mailbox(self, address, password=None, **kw):
        local, domain = address.split("@")
        body = {"domain_id": self.domain_ids[domain], "local_part": local, "first_name": "Test",
                "last_name": local.capitalize()}
        if password:
            body["password"] = password
        body.update(kw)
        r = self.owner.post(f"/api/v1/workspaces/{self.ws}/mailboxes", body)
        assert r.status == 201, r
        return r.json

    def patch_mailbox(self, mailbox_id, body):
        r = self.owner.patch(f"/api/v1/workspaces/{self.ws}/mailboxes/{mailbox_id}", body)
        assert r.status == 200, r
        return r.json


def submission(server, user, password, implicit_tls=False, timeout=10):
    """An authenticated smtplib session on the submission (STARTTLS) or submissions port."""
    if implicit_tls:
        host, port = server.address("smtps")
        s = smtplib.SMTP_SSL(host, port, context=insecure_tls(), timeout=timeout)
    else:
        host, port = server.address("smtp_submission")
        s = smtplib.SMTP(host, port, timeout=timeout)
        s.starttls(context=insecure_tls())
    s.login(user, password)
    return s


def mx(server, timeout=10):
    host, port = server.address("smtp_mx")
    return smtplib.SMTP(host, port, timeout=timeout)


def stored_messages(server, address, folder="INBOX"):
    """Bodies of the messages in `folder` of the mailbox `address`, in UID order."""
    local, domain = address.lower().split("@")
    db = sqlite3.connect(os.path.join(server.data_dir, "mailjuke.db"), timeout=10)
    try:
        rows = db.execute(
            "SELECT m.blob_id FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id "
            "JOIN mailboxes b ON b.id = f.mailbox_id JOIN domains d ON d.id = b.domain_id "
            "WHERE b.local_part = ? AND d.name = ? AND f.name = ? ORDER BY m.uid",
            (local, domain, folder)).fetchall()
    finally:
        db.close()
    out = []
    for (blob,) in rows:
        with open(os.path.join(server.data_dir, "blobs", blob[:2], blob), "rb") as f:
            out.append(f.read())
    return out


def queue_rows(server):
    db = sqlite3.connect(os.path.join(server.data_dir, "mailjuke.db"), timeout=10)
    try:
        return db.execute("SELECT domain, recipients, status, attempts FROM mail_queue").fetchall()
    finally:
        db.close()


def simple_message(sender, to, subject="Hello", body="Hi there.\r\n", extra=""):
    return (f"From: Test <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\n{extra}"
            f"\r\n{body}").encode()


def find_key(obj, key):
    """The first value of `key` anywhere in a JSON document (None when absent)."""
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        obj = list(obj.values())
    if isinstance(obj, list):
        for item in obj:
            found = find_key(item, key)
            if found is not None:
                return found
    return None


def stored_structures(server, address, folder="INBOX"):
    """(envelope JSON, part-tree JSON) cached at delivery for each message of the folder."""
    local, domain = address.lower().split("@")
    db = sqlite3.connect(os.path.join(server.data_dir, "mailjuke.db"), timeout=10)
    try:
        return db.execute(
            "SELECT m.envelope, m.bodystructure FROM mail_messages m JOIN mail_folders f ON "
            "f.id = m.folder_id JOIN mailboxes b ON b.id = f.mailbox_id JOIN domains d ON "
            "d.id = b.domain_id WHERE b.local_part = ? AND d.name = ? AND f.name = ? ORDER BY m.uid",
            (local, domain, folder)).fetchall()
    finally:
        db.close()
