#include "net/tls.h"

#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <system_error>

namespace mailjuke::net {
namespace {

std::string opensslError(const std::string& what) {
  unsigned long e = ERR_get_error();
  char buf[256] = {0};
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return what + (e ? std::string(": ") + buf : std::string());
}

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(FILE* f) const { std::fclose(f); }
};
template <class T>
using Owned = std::unique_ptr<T, Deleter>;

// Opens `path` for writing with `mode` (applied at creation, so the key is never world-readable).
Owned<FILE> openForWrite(const std::string& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return nullptr;
  ::fchmod(fd, mode);
  FILE* f = ::fdopen(fd, "w");
  if (!f) ::close(fd);
  return Owned<FILE>(f);
}

Status ensureParent(const std::string& file) {
  std::error_code ec;
  auto parent = std::filesystem::path(file).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return Error::internal("cannot create " + parent.string() + ": " + ec.message());
  return {};
}

}  // namespace

Status generateSelfSignedCertificate(const std::string& cert_file, const std::string& key_file,
                                     const std::string& hostname) {
  Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) return Error::internal(opensslError("EC key generation failed"));
  Owned<X509> x(X509_new());
  if (!x) return Error::internal(opensslError("X509_new failed"));
  X509_set_version(x.get(), 2);  // v3
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return Error::internal("RAND_bytes failed");
  serial[0] &= 0x7f;  // positive (RFC 5280 §4.1.2.2)
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 2L * 365 * 24 * 3600);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x.get(), x.get(), nullptr, nullptr, 0);
  std::string san = "DNS:" + hostname;
  for (auto [nid, value] : {std::pair<int, const char*>{NID_subject_alt_name, san.c_str()},
                            {NID_basic_constraints, "critical,CA:FALSE"},
                            {NID_ext_key_usage, "serverAuth"}}) {
    Owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value));
    if (!ext || !X509_add_ext(x.get(), ext.get(), -1))
      return Error::internal(opensslError("certificate extension failed"));
  }
  if (!X509_sign(x.get(), key.get(), EVP_sha256()))
    return Error::internal(opensslError("certificate signing failed"));

  MJ_TRY(ensureParent(key_file));
  MJ_TRY(ensureParent(cert_file));
  {
    auto f = openForWrite(key_file, 0600);
    if (!f || !PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr))
      return Error::internal("cannot write the TLS key to " + key_file);
  }
  auto f = openForWrite(cert_file, 0644);
  if (!f || !PEM_write_X509(f.get(), x.get()))
    return Error::internal("cannot write the TLS certificate to " + cert_file);
  return {};
}

Result<std::shared_ptr<ssl::context>> serverTlsContext(const std::string& cert_file,
                                                       const std::string& key_file,
                                                       const std::string& hostname) {
  std::error_code fec;
  bool have_cert = std::filesystem::exists(cert_file, fec);
  bool have_key = std::filesystem::exists(key_file, fec);
  if (!have_cert && !have_key) {
    MJ_TRY(generateSelfSignedCertificate(cert_file, key_file, hostname));
  } else if (!have_cert || !have_key) {
    return Error::invalid(have_cert ? "tls_key_file" : "tls_cert_file",
                          "the TLS certificate and key must both exist (or neither)");
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return Error::invalid("tls_cert_file", "cannot load " + cert_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return Error::invalid("tls_key_file", "cannot load " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return Error::invalid("tls_key_file", "the key does not match the certificate");
  return ctx;
}

}  // namespace mailjuke::net
