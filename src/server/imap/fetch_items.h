// FETCH data items (RFC 9051 §6.4.5): parsing the request into a plan, and cutting
// BODY[section]<partial> out of a message with its MIME structure. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "proto/imap/command.h"
#include "proto/mime/structure.h"

namespace mailjuke::imap {

struct BodySection {
  std::string response_name;   // "BODY[1.2]", "RFC822", "RFC822.HEADER" (without <origin>)
  std::vector<uint32_t> part;  // "1.2" → {1, 2}; empty for the whole message
  std::string text;            // "", "HEADER", "TEXT", "MIME", "HEADER.FIELDS", "HEADER.FIELDS.NOT"
  std::vector<std::string> fields;        // HEADER.FIELDS (…) names
  bool peek = false;                      // BODY.PEEK, RFC822.HEADER: no implicit \Seen
  std::optional<uint64_t> origin, count;  // <origin.count>
};

struct FetchPlan {
  bool uid = false, flags = false, internal_date = false, size = false, envelope = false,
       bodystructure = false, body = false, modseq = false;
  std::vector<BodySection> sections;  // in request order
  // What each message must provide: the message bytes (any section), the envelope, the MIME
  // part tree (BODY, BODYSTRUCTURE, sections below the whole message). The last two come from
  // the structure cached at delivery, so ENVELOPE/BODYSTRUCTURE never read the blob.
  bool needsBlob() const { return !sections.empty(); }
  bool needsEnvelope() const { return envelope; }
  bool needsParts() const;
  bool setsSeen() const;
};

// A structure from the cached JSON (core::CachedStructure's columns): nullopt when a needed
// piece is missing (stored before the cache existed) or unreadable; the caller then parses the
// message. Pieces not needed are left empty.
std::optional<mime::MessageStructure> structureFromCache(
    const std::optional<std::string>& envelope_json, const std::optional<std::string>& parts_json,
    bool need_envelope, bool need_parts);

// The items token: one atom (FLAGS, a macro ALL/FAST/FULL) or a list. Errors: a reason for BAD.
Result<FetchPlan> parseFetchItems(const Token& items);

// The FETCH modifier list "(CHANGEDSINCE n)" (RFC 7162 §3.1.4) → n. Errors: a reason for BAD.
Result<int64_t> parseChangedSince(const Token& modifiers);

// The bytes a section names in `message` (before <partial>). Unknown parts give "" (RFC 9051
// §6.4.5 leaves this to the server; an empty string is what most servers send).
std::string extractSection(std::string_view message, const mime::MessageStructure& structure,
                           const BodySection& section);

}  // namespace mailjuke::imap
