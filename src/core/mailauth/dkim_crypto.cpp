#include "core/mailauth/dkim_crypto.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace mailjuke::core::mailauth {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

PkeyPtr loadPublic(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, long(der.size()));
  if (!key) {
    p = reinterpret_cast<const unsigned char*>(der.data());
    key = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, long(der.size()));
  }
  return PkeyPtr(key, EVP_PKEY_free);
}

}  // namespace

Result<std::string> rsaSha256Sign(std::string_view private_pem, std::string_view data) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(private_pem.data(), int(private_pem.size())), BIO_free);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr,
              EVP_PKEY_free);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
    return Error::invalid("private_pem", "is not an RSA private key in PEM form");
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1)
    return Error::internal("RSA signing failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    return Error::internal("RSA signing failed");
  sig.resize(len);
  return sig;
}

Result<RsaCheck> rsaSha256Verify(std::string_view public_der, std::string_view data,
                                 std::string_view signature) {
  PkeyPtr key = loadPublic(public_der);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
    return Error::invalid("p", "is not an RSA public key");
  RsaCheck out;
  out.key_bits = EVP_PKEY_get_bits(key.get());
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1)
    return Error::internal("RSA verification setup failed");
  out.valid =
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) == 1;
  return out;
}

}  // namespace mailjuke::core::mailauth
