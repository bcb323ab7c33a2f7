// SEARCH keys (RFC 9051 §6.4.4, RFC 3501 §6.4.4): tokens → a key tree, and its evaluation
// against one message. Pure; header and body keys read the message text through a callback.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
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
bool usesModseq(const SearchKey& key);  // SEARCH answers "(MODSEQ n)" and enables CONDSTORE

struct SearchSubject {
  const core::ImapMessage& message;
  uint32_t seq = 0;
  uint32_t max_seq = 0, max_uid = 0;            // what '*' stands for
  std::function<const std::string&()> content;  // the message bytes, loaded on first use
  // Its header block only (header keys), when the caller has a cheaper way to it than content.
  std::function<const std::string&()> header;
};
bool matches(const SearchKey& key, const SearchSubject& s);

}  // namespace mailjuke::imap
