"""IMAP helpers for the client tests: filling a folder quickly (pipelined APPEND with LITERAL+
literals over one TLS connection) and generating a varied set of messages."""
import socket
import ssl

import mailtest


def generated_message(i, sender="sender@remote.example", to="bob@other-mail.com"):
    """Message `i` of a test mailbox: plain text, with every fifth one multipart with an
    attachment, so ENVELOPE/BODYSTRUCTURE and sections see more than one shape."""
    date = f"Mon, {1 + i % 28:d} Dec 2025 {i % 24:02d}:{i % 60:02d}:00 +0000"
    head = (f"From: Sender {i} <{sender}>\r\nTo: {to}\r\nSubject: load message {i}\r\n"
            f"Date: {date}\r\nMessage-ID: <load-{i}@remote.example>\r\n")
    text = "".join(f"Line {n} of message {i}, some words to make it realistic.\r\n" for n in range(40))
    if i % 5:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text).encode()
    return (head + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text +
            "--b\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\n"
            "Content-Disposition: attachment; filename=\"a.bin\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" + "QUJDREVGR0g=\r\n" * 20 + "--b--\r\n").encode()


class RawImap:
    """A minimal pipelining IMAP client over implicit TLS (imaplib sends one command at a time
    and splits literals into small writes, far too slow to fill a mailbox)."""

    def __init__(self, host, port, tls=True, timeout=30):
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = mailtest.insecure_tls().wrap_socket(sock) if tls else sock
        self.file = self.sock.makefile("rb")
        self.tag = 0
        self.file.readline()  # greeting

    def _read_until(self, tags):
        """Reads responses until every tag in `tags` completed; returns {tag: line}."""
        done = {}
        while len(done) < len(tags):
            line = self.file.readline()
            if not line:
                raise ConnectionError("IMAP connection closed")
            word = line.split(b" ", 1)[0].decode()
            if word in tags:
                done[word] = line
            elif line.rstrip().endswith(b"}"):  # a literal in an untagged response
                n = int(line.rstrip()[line.rstrip().rindex(b"{") + 1:-1])
                self.file.read(n)
        return done

    def command(self, text):
        self.tag += 1
        tag = f"t{self.tag}"
        self.sock.sendall(f"{tag} {text}\r\n".encode())
        line = self._read_until({tag})[tag]
        if b" OK " not in line:
            raise RuntimeError(line.decode(errors="replace"))
        return line

    def login(self, user, password):
        return self.command(f'LOGIN "{user}" "{password}"')

    def append_many(self, folder, messages, batch=50):
        """APPENDs every message (LITERAL+), `batch` pipelined commands per round trip."""
        for start in range(0, len(messages), batch):
            chunk, tags = [], set()
            for m in messages[start:start + batch]:
                self.tag += 1
                tag = f"t{self.tag}"
                tags.add(tag)
                chunk.append(f'{tag} APPEND "{folder}" {{{len(m)}+}}\r\n'.encode() + m + b"\r\n")
            self.sock.sendall(b"".join(chunk))
            for tag, line in self._read_until(tags).items():
                if b" OK " not in line:
                    raise RuntimeError(line.decode(errors="replace"))

    def close(self):
        try:
            self.sock.sendall(b"z LOGOUT\r\n")
        except OSError:
            pass
        self.file.close()
        self.sock.close()


def fill(server, user, password, count, folder="INBOX"):
    host, port = server.address("imaps")
    c = RawImap(host, port)
    try:
        c.login(user, password)
        c.append_many(folder, [generated_message(i, to=user) for i in range(count)])
    finally:
        c.close()
