// Pure helpers for mailbox addresses: local-part validation (RFC 5321 §4.1.2 / RFC 5322 §3.2.3
// dot-atom), forwarding-address validation, naming patterns for bulk creation, and generated
// passwords. No I/O; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace mailjuke::core {

inline constexpr size_t kMaxLocalPart = 64;  // RFC 5321 §4.5.3.1.1

// Lower-cased local part when `input` is a dot-atom of at most 64 octets; 422 on `field`.
Result<std::string> parseLocalPart(std::string_view field, std::string_view input);
// "local@domain" with a dot-atom local part and a host name of LDH labels (at least two);
// returns it lower-cased. 422 on `field`.
Result<std::string> parseMailAddress(std::string_view field, std::string_view input);
// A person's name part (first/last/display): at most 100 characters, no control characters.
Status validatePersonName(std::string_view field, std::string_view input);
// A mailbox password given by the customer: 12–128 characters, no control characters, and not
// starting with = + - @ (spreadsheet formula characters: CSV exports would have to alter it).
Status validateMailboxPassword(std::string_view field, std::string_view input);
// 24 characters from [A-Za-z0-9], starting with a letter: about 142 bits of entropy.
std::string generateMailboxPassword();

// Bulk naming patterns (API.md "Mailboxes"): first, first.last, firstlast, flast, f.last, first_l.
enum class NamePattern { kFirst, kFirstDotLast, kFirstLast, kFLast, kFDotLast, kFirstL };
std::optional<NamePattern> parseNamePattern(std::string_view name);
const std::vector<std::string>& namePatternNames();

// A name reduced to [a-z0-9]: Latin letters with diacritics transliterated (é→e, ß→ss, ø→o,
// Ł→l…), everything else (spaces, apostrophes, hyphens, other scripts) dropped.
std::string addressToken(std::string_view name);
// The local part a pattern gives a person; empty when the first name has no usable letters.
// Truncated to 64 octets; never starts or ends with a dot.
std::string patternLocalPart(NamePattern pattern, std::string_view first, std::string_view last);

struct Person {
  std::string first_name, last_name;
};
struct PlannedMailbox {
  std::string local_part;
  size_t person = 0;  // index into the people list
};
// Deterministic address plan for one domain: rounds r = 0, 1, 2, … over the people in order;
// round 0 uses the pattern's address as is, round r appends the number r + 1 ("john2", "john3").
// An address already `taken` (existing mailboxes, lower-case) or already planned is skipped and
// the next person is tried. Stops after `count` addresses, or with fewer when the people give
// none (no usable letters) or 1,000 rounds are exhausted.
std::vector<PlannedMailbox> planAddresses(NamePattern pattern, const std::vector<Person>& people,
                                          size_t count, const std::vector<std::string>& taken);

}  // namespace mailjuke::core
