#include "proto/smtp/data_reader.h"

namespace mailjuke::smtp {

void DataReader::endLine(bool crlf) {
  if (crlf && line_ == ".") {
    done_ = true;
    return;
  }
  if (!crlf) bare_lf_ = true;
  std::string_view content(line_);
  if (!content.empty() && content.front() == '.') content.remove_prefix(1);  // unstuff
  if (content.size() + 2 > kMaxTextLine) long_line_ = true;
  size_ += content.size() + 2;
  if (size_ <= max_) {
    message_.append(content);
    message_ += "\r\n";
  }
  line_.clear();
}

size_t DataReader::feed(std::string_view in) {
  size_t i = 0;
  for (; i < in.size() && !done_; ++i) {
    char c = in[i];
    if (c == '\n') {
      bool crlf = !line_.empty() && line_.back() == '\r';
      if (crlf) line_.pop_back();
      endLine(crlf);
      continue;
    }
    if (c == '\0') nul_ = true;
    // Bound the buffered line: a line past the limit is flagged and its tail dropped.
    if (line_.size() < kMaxTextLine * 64)
      line_ += c;
    else
      long_line_ = true;
  }
  return i;
}

std::string dotStuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 5);
  bool line_start = true;
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (line_start && c == '.') out += '.';
    if (c == '\n' && (i == 0 || message[i - 1] != '\r')) out += '\r';
    out += c;
    line_start = c == '\n';
  }
  if (!line_start) out += "\r\n";
  out += ".\r\n";
  return out;
}

}  // namespace mailjuke::smtp
