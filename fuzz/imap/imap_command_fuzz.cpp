// Fuzzes IMAP command framing (in small chunks, with small limits), the command grammar, the
// argument helpers (sequence sets, flags, dates, RFC 2047 words and Date: fields for SEARCH) and
// the modified UTF-7 codec.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/imap/command.h"
#include "proto/imap/header_text.h"
#include "proto/imap/reader.h"
#include "proto/imap/writer.h"

namespace {

void inspect(const mailjuke::imap::Token& t) {
  using namespace mailjuke::imap;
  (void)parseSequenceSet(t.text);
  (void)parseFlagList(t);
  (void)parseDateTime(t.text);
  (void)parseDate(t.text);
  (void)decodeHeaderText(t.text);  // SEARCH on RFC 2047 text
  (void)sentDay(t.text);           // SENT* keys on Date: fields
  if (auto name = decodeMailboxName(t.text)) {
    std::string back = encodeMailboxName(*name);
    std::string out;
    appendAString(out, back);
  }
  for (const auto& item : t.items) inspect(item);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke::imap;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  CommandReader reader({.max_line = 512, .max_literal = 4096, .max_command = 8192});
  for (size_t at = 0; at < in.size(); at += 5) {
    reader.feed(in.substr(at, 5));
    while (true) {
      auto event = reader.next();
      if (event == CommandReader::Event::kNeedMore) break;
      (void)reader.currentTag();
      if (event != CommandReader::Event::kCommand) continue;
      auto cmd = parseCommand(reader.command());
      if (!cmd.ok()) continue;
      for (const auto& t : cmd->args) inspect(t);
    }
  }
  return 0;
}
