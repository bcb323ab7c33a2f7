// Domain names (RFC 1035 §3.1) held in uncompressed wire form, case preserved. Comparisons are
// case-insensitive for ASCII letters only (RFC 4343 §3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace mailjuke::dns {

class Name {
 public:
  // The root name ".".
  Name() : wire_(1, '\0') {}

  // Parses presentation format: labels separated by dots, `\.`/`\X` and `\DDD` escapes
  // (RFC 1035 §5.1). A name without a trailing dot is relative and gets `origin` appended;
  // "@" is the origin itself. Enforces 63-octet labels and 255-octet names (§2.3.4).
  static Result<Name> parse(std::string_view text, const Name& origin);
  static Result<Name> parse(std::string_view text) { return parse(text, Name()); }
  // Takes uncompressed wire bytes as produced by wire(); validates them.
  static Result<Name> fromWire(std::string_view wire);

  // Uncompressed wire form, including the terminating zero octet.
  const std::string& wire() const { return wire_; }
  size_t wireLength() const { return wire_.size(); }
  bool isRoot() const { return wire_.size() == 1; }
  size_t labelCount() const;

  // Absolute presentation form with a trailing dot; non-printable and special octets escaped.
  std::string toString() const;

  // The same name with ASCII letters lowercased (the canonical key, RFC 4034 §6.2).
  Name lower() const;
  // The name without its first label; the root stays the root.
  Name parent() const;
  // True when this name equals `ancestor` or lies below it (case-insensitive).
  bool isSubdomainOf(const Name& ancestor) const;
  // Presentation of this name relative to `origin` ("@" for the origin itself), or absolute.
  std::string toStringRelative(const Name& origin) const;

  // Case-insensitive equality (RFC 4343 §3).
  friend bool operator==(const Name& a, const Name& b) { return equalWire(a.wire_, b.wire_); }
  static bool equalWire(std::string_view a, std::string_view b);

 private:
  explicit Name(std::string wire) : wire_(std::move(wire)) {}
  std::string wire_;
};

inline uint8_t lowerOctet(uint8_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

}  // namespace mailjuke::dns
