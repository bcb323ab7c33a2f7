// SEARCH keys (RFC 9051 §6.4.4, RFC 3501 §6.4.4): tokens → a key tree, and its evaluation
// against one message. Pure; header and body keys read the message text through a callback.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/mail/imap_store.h"
#include "proto/imap/command.h"

namespace mailjuke::imap {

struct SearchKey {
  enum class Kind {
    kAll,
    kFlag,
    kNoFlag,
    kNone,
    kBefore,
    kOn,
    kSince,
    kLarger,
    kSmaller,
    kUid,
    kSeq,
    kNot,
    kOr,
    kAnd,
    kHeader,
    kBody,
    kText,
    kModseq,  // RFC 7162 §3.1.5: MODSEQ ["entry" type] n → modseq >= n
    kSentBefore,
    kSentOn,
    kSentSince,  // RFC 3501 §6.4.4: the Date: header's day
    kRecent,     // RFC 3501 §2.3.2 \Recent (RECENT; NEW and OLD are built from it)
  };
  Kind kind = Kind::kAll;
  std::string a, b;  // flag; header name and value; body text
  int64_t n = 0;     // date (unix seconds at 00:00 UTC) or size
  SequenceSet set;
  std::vector<SearchKey> children;
};

// `args` from after "SEARCH" (an optional CHARSET is consumed). Errors: a reason for BAD;
// kUnsupportedMedia for an unknown charset (NO [BADCHARSET]).
Result<SearchKey> parseSearch(const std::vector<Token>& args);
bool needsContent(const SearchKey& key);
bool usesModseq(const SearchKey& key);
bool usesSentDate(const SearchKey& key);  // SENT* keys: the caller provides SearchSubject::sent_day
                                          // // SEARCH answers "(MODSEQ n)" and enables CONDSTORE

struct SearchSubject {
  const core::ImapMessage& message;
  uint32_t seq = 0;
  uint32_t max_seq = 0, max_uid = 0;            // what '*' stands for
  std::function<const std::string&()> content;  // the message bytes, loaded on first use
  // Its header block only (header keys), when the caller has a cheaper way to it than content.
  std::function<const std::string&()> header;
  // The Date: header's day (header_text.h sentDay), nullopt without one; for SENT* keys.
  std::function<std::optional<int64_t>()> sent_day;
  bool recent = false;  // \Recent in this session
};
bool matches(const SearchKey& key, const SearchSubject& s);
// The first `name` field's raw value in the header block of `msg`.
std::optional<std::string> headerValue(std::string_view msg, std::string_view name);

}  // namespace mailjuke::imap
