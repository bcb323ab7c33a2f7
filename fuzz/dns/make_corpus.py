#!/usr/bin/python3
"""Writes the seed corpora for the DNS fuzz targets (run once; the seeds are committed)."""
import os
import struct

import dns.edns
import dns.message
import dns.rdatatype

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def messages():
    out = {}
    for qname, qtype in [("example.com", "A"), ("WWW.Example.com", "A"), ("a.example.com", "A"),
                         ("example.com", "MX"), ("example.com", "ANY"), ("nx.example.com", "TXT"),
                         ("x.sub.example.com", "A"), ("example.com", "AXFR"), ("example.com", "IXFR"),
                         ("example.org", "A"), ("_sip._tcp.example.com", "SRV"), ("sub.example.com", "DS")]:
        q = dns.message.make_query(qname, qtype)
        out[f"q-{qname}-{qtype}"] = q.to_wire()
    e = dns.message.make_query("example.com", "TXT", use_edns=0, payload=4096)
    out["edns-4096"] = e.to_wire()
    e1 = dns.message.make_query("example.com", "A", use_edns=1)
    out["edns-v1"] = e1.to_wire()
    cookie = dns.message.make_query("example.com", "A", use_edns=0,
                                    options=[dns.edns.GenericOption(10, b"12345678")])
    out["edns-cookie"] = cookie.to_wire()
    r = dns.message.make_response(dns.message.make_query("example.com", "A"))
    r.answer.append(dns.rrset.from_text("example.com.", 300, "IN", "A", "192.0.2.1"))
    r.answer.append(dns.rrset.from_text("example.com.", 300, "IN", "MX", "10 mail.example.com."))
    r.answer.append(dns.rrset.from_text("example.com.", 300, "IN", "SOA",
                                        "ns1.example.com. h.example.com. 1 2 3 4 5"))
    out["response-compressed"] = r.to_wire()
    ixfr = dns.message.make_query("example.com", "IXFR")
    ixfr.authority.append(dns.rrset.from_text("example.com.", 0, "IN", "SOA",
                                              "ns1.example.com. h.example.com. 0 2 3 4 5"))
    out["ixfr-authority"] = ixfr.to_wire()
    header = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    out["pointer-loop"] = header + b"\xc0\x0c" + b"\x00\x01\x00\x01"
    out["forward-pointer"] = header + b"\xc0\x20\x00\x01\x00\x01"
    out["short-header"] = b"\x12\x34\x01"
    out["label-too-long"] = header + b"\x40" + b"a" * 64 + b"\x00\x00\x01\x00\x01"
    out["qdcount-2"] = struct.pack("!HHHHHH", 1, 0x0100, 2, 0, 0, 0) + b"\x00\x00\x01\x00\x01" * 2
    out["notify"] = struct.pack("!HHHHHH", 1, 0x2000, 1, 0, 0, 0) + b"\x07example\x03com\x00\x00\x06\x00\x01"
    out["two-opt"] = e.to_wire()[:-11][:10] + b"\x00\x02" + e.to_wire()[12:] + e.to_wire()[-11:]
    return out


ZONES = {
    "basic": """$ORIGIN example.com.
$TTL 1h
@ IN SOA ns1 hostmaster ( 2024010101 ; serial
      2h 1h 2w 5m )
  IN NS ns1
  IN MX 10 mail
ns1 IN A 192.0.2.53
mail 300 IN AAAA 2001:db8::25
www IN CNAME @
txt IN TXT "a \\"quoted\\" string" unquoted \\065\\066 ; comment
sel._domainkey IN TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"
_sip._tcp IN SRV 10 5 5060 sip
@ IN CAA 0 issue "letsencrypt.org"
sub IN NS ns.sub
ns.sub IN A 192.0.2.99
x IN TYPE65280 \\# 3 010203
""",
    "absolute": "a.test. 60 IN SOA ns.a.test. hm.a.test. 1 1 1 1 1\nb.a.test. IN 60 A 192.0.2.1\n",
    "bad-parens": "a.test. 60 IN SOA ns hm ( 1 1 1 1 1\n",
    "include": "$INCLUDE other.zone\n",
    "escapes": "$ORIGIN e\\.x.test.\n@ 1 SOA a\\032b c 1 2 3 4 5\n\\@ 1 PTR \\000.x.\n",
}


def main():
    for name, data in messages().items():
        write("dns_message_fuzz", name.replace("/", "_"), data)
    for name, text in ZONES.items():
        write("dns_zone_text_fuzz", name, text)


if __name__ == "__main__":
    main()
