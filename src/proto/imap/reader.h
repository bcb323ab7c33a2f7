// IMAP command framing (RFC 9051 §2.2, §4.3): finds where one client command ends on the wire,
// across literals. A command is one line, unless a line ends in a literal marker "{N}",
// "{N+}" (LITERAL+, RFC 7888) or "~{N}" (BINARY, RFC 3516): then N raw octets follow and the
// command continues after them. For a synchronising literal the server must first send a
// continuation request ("+ …"); the reader says when. Pure: bytes in, framing events out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailjuke::imap {

struct ReaderLimits {
  size_t max_line = 64 * 1024;            // one line of a command, without literals
  size_t max_literal = 64 * 1024 * 1024;  // one literal (APPEND size cap)
  size_t max_command = 80 * 1024 * 1024;  // the whole command with its literals
};

class CommandReader {
 public:
  enum class Event {
    kNeedMore,  // feed more bytes
    kContinue,  // send "+ Ready for literal data" then feed more (synchronising literal)
    kCommand,   // command() holds one complete command (wire form, CRLF stripped)
    kTooLong,   // a line or literal over the limits: reply BAD and drop the command
  };

  explicit CommandReader(ReaderLimits limits = {}) : limits_(limits) {}

  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // Advances over buffered input. After kCommand, command() is valid until the next call.
  // After kTooLong, the offending command's bytes are skipped as they arrive (the literal is
  // consumed, not interpreted), so the connection stays in sync; literalSize() tells how much.
  Event next();
  const std::string& command() const { return command_; }
  // The tag of the command being read (for a BAD/continuation reply), best effort.
  std::string currentTag() const;
  // Bytes buffered but not yet consumed (STARTTLS must find none: RFC 9051 §6.2.1).
  size_t buffered() const { return buffer_.size() - pos_; }
  void discardBuffered();

 private:
  void compact();

  ReaderLimits limits_;
  std::string buffer_;
  size_t pos_ = 0;           // start of unconsumed input
  size_t scan_ = 0;          // how far the current command has been framed
  size_t literal_left_ = 0;  // literal octets still to frame
  bool skipping_ = false;    // dropping the rest of a refused command (its literals)
  bool skip_line_ = false;   // dropping the rest of an over-long line
  std::string command_;
};

}  // namespace mailjuke::imap
