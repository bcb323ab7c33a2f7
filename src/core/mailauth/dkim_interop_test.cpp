// Interop with dkimpy (Debian python3-dkim), a DKIM implementation nobody here wrote: MailJuke
// signs and dkimpy verifies; dkimpy signs (relaxed and simple) and MailJuke verifies.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/domains/dkim_key.h"
#include "core/mailauth/dkim.h"
#include "core/mailauth/fake_resolver.h"

namespace mailjuke::core::mailauth {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

// argv: dir mode [canon] ; files in dir: msg.eml, key.txt (TXT record), key.pem.
constexpr const char* kScript = R"PY(
import sys
import dkim

d, mode = sys.argv[1], sys.argv[2]
msg = open(d + "/msg.eml", "rb").read()

def dnsfunc(name, timeout=5):
    if name.rstrip(b".") == b"sel._domainkey.example.com":
        return open(d + "/key.txt", "rb").read()
    return None

if mode == "verify":
    print("pass" if dkim.verify(msg, dnsfunc=dnsfunc) else "fail")
else:
    canon = sys.argv[3].encode()
    sig = dkim.sign(msg, b"sel", b"example.com", open(d + "/key.pem", "rb").read(),
                    canonicalize=(canon, canon), length=(mode == "sign-l"),
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    open(d + "/signed.eml", "wb").write(sig + msg)
    print("signed")
)PY";

const std::string kMessage =
    "From: Alice Example <alice@example.com>\r\n"
    "To: bob@example.net,\r\n"
    "  carol@example.org\r\n"
    "Subject:  Quarterly   numbers\t\r\n"
    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
    "Message-ID: <interop-1@example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello Bob,  \r\n"
    "\r\n"
    "\tthe numbers are in.\r\n"
    "\r\n"
    "\r\n";

class DkimInterop : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto k = generateDkimKey(2048);
    ASSERT_TRUE(k.ok());
    key_ = new DkimKeyPair(*k);
  }
  void SetUp() override {
    ASSERT_EQ(::access(kPython, X_OK), 0) << "needs Debian's /usr/bin/python3 with python3-dkim";
    char tmpl[] = "/tmp/mailjuke-dkim-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    write("interop.py", kScript);
    write("key.pem", key_->private_pem);
    write("key.txt", dkimTxtValue(key_->public_b64));
    dns_.txt_records["sel._domainkey.example.com"] = {dkimTxtValue(key_->public_b64)};
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  void write(const std::string& name, const std::string& data) {
    std::ofstream(dir_ + "/" + name, std::ios::binary) << data;
  }
  std::string read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Runs the script; returns its stdout (stderr goes to the test log).
  std::string python(const std::string& args) {
    std::string cmd = std::string(kPython) + " " + dir_ + "/interop.py " + dir_ + " " + args;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return "popen failed";
    std::string out;
    char buf[256];
    while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    int rc = ::pclose(p);
    if (rc != 0) out += " (exit " + std::to_string(rc) + ")";
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }
  std::string signedByDkimpy(const std::string& message, const std::string& mode,
                             const std::string& canon) {
    write("msg.eml", message);
    EXPECT_EQ(python(mode + " " + canon), "signed");
    return read("signed.eml");
  }

  static DkimKeyPair* key_;
  std::string dir_;
  testing::FakeResolver dns_;
};
DkimKeyPair* DkimInterop::key_ = nullptr;

TEST_F(DkimInterop, DkimpyVerifiesMailJukeSignature) {
  for (const std::string& message :
       {kMessage, std::string("From: a@example.com\r\nSubject: empty body\r\n\r\n"),
        std::string("From: a@example.com\r\nTo: x@example.net\r\nTo: y@example.net\r\n\r\nx")}) {
    auto sig = dkimSign(message, {"example.com", "sel", key_->private_pem}, 1700000000);
    ASSERT_TRUE(sig.ok()) << sig.error().message;
    write("msg.eml", *sig + message);
    EXPECT_EQ(python("verify"), "pass") << *sig + message;
    // And dkimpy notices tampering.
    std::string tampered = *sig + message;
    tampered.replace(tampered.find("From: "), 6, "From: Mallory ");
    write("msg.eml", tampered);
    EXPECT_EQ(python("verify"), "fail");
  }
}

TEST_F(DkimInterop, MailJukeVerifiesDkimpySignatures) {
  for (const char* canon : {"relaxed", "simple"}) {
    for (const std::string& message :
         {kMessage, std::string("From: a@example.com\r\nSubject: empty body\r\n\r\n")}) {
      std::string m = signedByDkimpy(message, "sign", canon);
      auto v = dkimVerify(m, dns_, 1700000000);
      ASSERT_EQ(v.size(), 1u) << m;
      EXPECT_EQ(v[0].result, "pass") << canon << ": " << v[0].reason << "\n" << m;
      EXPECT_EQ(v[0].domain, "example.com");
      EXPECT_EQ(v[0].selector, "sel");
      std::string tampered = m;
      tampered.replace(tampered.find("Quarterly") != std::string::npos
                           ? tampered.find("Quarterly")
                           : tampered.find("empty body"),
                       5, "XXXXX");
      EXPECT_EQ(dkimVerify(tampered, dns_, 1700000000)[0].result, "fail") << canon;
    }
  }
}

TEST_F(DkimInterop, MailJukeHonoursDkimpyBodyLength) {
  for (const char* canon : {"relaxed", "simple"}) {
    std::string m = signedByDkimpy(kMessage, "sign-l", canon);
    ASSERT_NE(m.find(" l="), std::string::npos) << m;
    EXPECT_EQ(dkimVerify(m, dns_, 1700000000)[0].result, "pass") << canon;
    EXPECT_EQ(dkimVerify(m + "-- \r\nappended footer\r\n", dns_, 1700000000)[0].result, "pass")
        << canon;
  }
}

}  // namespace
}  // namespace mailjuke::core::mailauth
