#include "proto/imap/reader.h"

#include <algorithm>

namespace mailjuke::imap {
namespace {

struct Marker {
  bool found = false;
  bool synchronising = true;
  uint64_t size = 0;
  bool overflow = false;
};

// RFC 9051 §4.3: literal = "{" number64 ["+"] "}" CRLF; literal8 = "~{" … (RFC 3516).
Marker literalMarker(std::string_view line) {
  Marker m;
  if (line.empty() || line.back() != '}') return m;
  auto open = line.rfind('{');
  if (open == std::string_view::npos) return m;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') {
    m.synchronising = false;
    digits.remove_suffix(1);
  }
  if (digits.empty() || digits.size() > 19) return m;
  for (char c : digits) {
    if (c < '0' || c > '9') return m;
    m.size = m.size * 10 + uint64_t(c - '0');
  }
  m.found = true;
  return m;
}

}  // namespace

CommandReader::Event CommandReader::next() {
  command_.clear();
  while (true) {
    if (literal_left_ > 0) {
      size_t take = std::min(buffer_.size() - scan_, literal_left_);
      scan_ += take;
      literal_left_ -= take;
      if (skipping_) pos_ = scan_;
      if (literal_left_ > 0) return Event::kNeedMore;
      continue;
    }
    size_t eol = buffer_.find('\n', scan_);
    if (eol == std::string::npos) {
      if (skip_line_) {
        pos_ = scan_ = buffer_.size();
      } else if (buffer_.size() - scan_ > limits_.max_line) {
        // An over-long line: report once, then drop input up to its end.
        skip_line_ = true;
        pos_ = scan_ = buffer_.size();
        compact();
        return Event::kTooLong;
      }
      compact();
      return Event::kNeedMore;
    }
    size_t line_end = eol + 1;
    if (skip_line_) {
      pos_ = scan_ = line_end;
      skip_line_ = false;
      continue;
    }
    std::string_view line(buffer_.data() + scan_, eol - scan_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Marker m = literalMarker(line);
    bool line_too_long = line.size() > limits_.max_line;
    if (!m.found) {
      bool was_skipping = skipping_;
      if (!was_skipping && !line_too_long)
        command_.assign(buffer_, pos_, size_t(line.data() + line.size() - (buffer_.data() + pos_)));
      pos_ = scan_ = line_end;
      skipping_ = false;
      if (was_skipping) continue;  // the end of a refused command, already reported
      return line_too_long ? Event::kTooLong : Event::kCommand;
    }
    uint64_t total = (line_end - pos_) + m.size;
    bool too_big = line_too_long || m.size > limits_.max_literal || total > limits_.max_command;
    scan_ = line_end;
    if (too_big || skipping_) {
      bool report = !skipping_;
      pos_ = scan_;
      // RFC 9051 §4.3 / RFC 7888 §4: a refused synchronising literal is never sent, so that
      // command ends here; a non-synchronising one arrives anyway and is skipped.
      skipping_ = !m.synchronising;
      literal_left_ = m.synchronising ? 0 : size_t(m.size);
      if (report) return Event::kTooLong;
      continue;
    }
    literal_left_ = size_t(m.size);
    if (m.synchronising && literal_left_ > 0 && buffer_.size() == scan_) return Event::kContinue;
  }
}

std::string CommandReader::currentTag() const {
  std::string_view rest(buffer_.data() + pos_, buffer_.size() - pos_);
  auto end = rest.find_first_of(" \r\n");
  return std::string(rest.substr(0, std::min<size_t>(end, 64)));
}

void CommandReader::discardBuffered() {
  buffer_.clear();
  pos_ = scan_ = 0;
  literal_left_ = 0;
  skipping_ = false;
  skip_line_ = false;
}

void CommandReader::compact() {
  if (pos_ == 0) return;
  if (pos_ < 65536 && pos_ * 2 < buffer_.size()) return;
  buffer_.erase(0, pos_);
  scan_ -= pos_;
  pos_ = 0;
}

}  // namespace mailjuke::imap
