// DKIM signing (RFC 6376 §5): rsa-sha256, c=relaxed/relaxed.
#include <string>

#include "base/crypto.h"
#include "base/encoding.h"
#include "core/mailauth/dkim.h"
#include "core/mailauth/dkim_canon.h"
#include "core/mailauth/dkim_crypto.h"
#include "core/mailauth/dkim_hash.h"
#include "proto/mime/headers.h"

namespace mailjuke::core::mailauth {

// RFC 8058 §4: List-Unsubscribe and List-Unsubscribe-Post MUST be covered by the signature.
const std::vector<std::string> kDkimSignedHeaders = {"From",
                                                     "To",
                                                     "Cc",
                                                     "Subject",
                                                     "Date",
                                                     "Message-ID",
                                                     "MIME-Version",
                                                     "Content-Type",
                                                     "Reply-To",
                                                     "List-Unsubscribe",
                                                     "List-Unsubscribe-Post"};

namespace {

constexpr size_t kMaxLine = 78;  // RFC 5322 §2.1.1 SHOULD

// Builds a folded field: tokens are appended with a separator that becomes "\r\n " when the line
// would grow past kMaxLine. Folding only where the DKIM grammar allows FWS (§3.2, §3.5).
class Folder {
 public:
  explicit Folder(std::string start) : out_(std::move(start)), line_(out_.size()) {}
  void add(std::string_view token, std::string_view sep) {
    if (line_ + sep.size() + token.size() > kMaxLine && line_ > 1) {
      out_ += "\r\n ";
      line_ = 1;
    } else {
      out_ += sep;
      line_ += sep.size();
    }
    out_ += token;
    line_ += token.size();
  }
  // Adds `text` (no FWS inside it is significant) in pieces that fill each line.
  void addSplittable(std::string_view text) {
    while (!text.empty()) {
      size_t room = line_ < kMaxLine ? kMaxLine - line_ : 0;
      if (room == 0) {
        out_ += "\r\n ";
        line_ = 1;
        continue;
      }
      size_t n = std::min(room, text.size());
      out_.append(text.substr(0, n));
      line_ += n;
      text.remove_prefix(n);
    }
  }
  const std::string& text() const { return out_; }

 private:
  std::string out_;
  size_t line_;
};

}  // namespace

Result<std::string> dkimSign(std::string_view message, const DkimSigner& signer, int64_t now) {
  if (signer.domain.empty() || signer.selector.empty())
    return Error::invalid("dkim", "a signing domain and selector are required");
  MJ_TRY_ASSIGN(auto headers, mime::parseHeaders(message));
  if (headers.count("From") == 0)
    return Error::invalid("message", "a DKIM signature needs a From field (RFC 6376 §5.4)");
  // §5.4: every present instance of each listed field, signed from the bottom up.
  std::vector<std::string> names;
  std::string h;
  for (const auto& name : kDkimSignedHeaders) {
    for (size_t n = headers.count(name); n > 0; --n) {
      names.push_back(name);
      std::string lower = toLowerAscii(name);
      h += h.empty() ? "h=" + lower : ":" + lower;
    }
  }
  // §3.4.4 relaxed body, §3.7 body hash.
  std::string_view body = message.substr(headers.body_offset);
  std::string bh = base64Encode(crypto::sha256(canonBody(Canon::kRelaxed, body)));

  Folder f("DKIM-Signature:");
  f.add("v=1;", " ");
  f.add("a=rsa-sha256;", " ");
  f.add("c=relaxed/relaxed;", " ");
  f.add("d=" + signer.domain + ";", " ");
  f.add("s=" + signer.selector + ";", " ");
  f.add("t=" + std::to_string(now) + ";", " ");
  // h= may fold after each colon (§3.5 sig-h-tag allows FWS around ":").
  size_t start = 0;
  bool first = true;
  while (start < h.size()) {
    size_t colon = h.find(':', start);
    size_t end = colon == std::string::npos ? h.size() : colon + 1;
    std::string piece = h.substr(start, end - start);
    if (end == h.size()) piece += ";";
    f.add(piece, first ? " " : "");
    first = false;
    start = end;
  }
  f.add("bh=" + bh + ";", " ");
  f.add("b=", " ");
  // §3.7: the signature covers the field with an empty b= value.
  std::string input = headerHashInput(headers, names, Canon::kRelaxed, f.text());
  MJ_TRY_ASSIGN(auto sig, rsaSha256Sign(signer.private_pem, input));
  f.addSplittable(base64Encode(sig));
  return f.text() + "\r\n";
}

}  // namespace mailjuke::core::mailauth
