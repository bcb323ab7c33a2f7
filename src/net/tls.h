// Server TLS contexts (OpenSSL 3 through asio::ssl): TLS 1.2 and later only. When the PEM files
// named in the configuration do not exist, a self-signed certificate for the host name is
// generated and written there (embedded default, DESIGN.md §2).
#pragma once

#include <memory>
#include <string>

#include "net/asio.h"

#include <boost/asio/ssl.hpp>

#include "base/result.h"

namespace mailjuke::net {

namespace ssl = boost::asio::ssl;

// Writes a self-signed P-256 certificate (CN and SAN DNS:<hostname>, valid for two years) to
// cert_file and its private key to key_file (mode 0600). Parent folders are created.
Status generateSelfSignedCertificate(const std::string& cert_file, const std::string& key_file,
                                     const std::string& hostname);

// Loads cert_file (a chain, leaf first) and key_file; generates both first when neither exists.
Result<std::shared_ptr<ssl::context>> serverTlsContext(const std::string& cert_file,
                                                       const std::string& key_file,
                                                       const std::string& hostname);

}  // namespace mailjuke::net
