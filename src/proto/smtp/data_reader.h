// The DATA phase (RFC 5321 §4.5.2): an incremental reader that removes dot-stuffing, finds the
// end of data and checks limits, without ever trusting anything but <CRLF>.<CRLF> as the end
// (a "." line ended by a bare LF is data, which closes the SMTP smuggling hole).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mailjuke::smtp {

// RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets including CRLF.
constexpr size_t kMaxTextLine = 1000;

class DataReader {
 public:
  explicit DataReader(size_t max_message_size) : max_(max_message_size) {}

  // Consumes bytes up to and including the end-of-data line; returns how many were used (the
  // rest belongs to the next command, e.g. with PIPELINING).
  size_t feed(std::string_view in);
  bool done() const { return done_; }
  // The message with CRLF line ends; bare LF line ends are normalised to CRLF.
  const std::string& message() const { return message_; }
  std::string takeMessage() { return std::move(message_); }
  size_t size() const { return size_; }  // octets received after unstuffing, kept or not
  bool tooLarge() const { return size_ > max_; }
  bool sawBareLf() const { return bare_lf_; }
  bool sawNul() const { return nul_; }
  bool sawLongLine() const { return long_line_; }

 private:
  void endLine(bool crlf);
  size_t max_;
  std::string line_;
  std::string message_;
  size_t size_ = 0;
  bool done_ = false, bare_lf_ = false, nul_ = false, long_line_ = false;
};

// Dot-stuffing for sending (§4.5.2): a line starting with "." gets another; ends with CRLF.CRLF.
std::string dotStuff(std::string_view message);

}  // namespace mailjuke::smtp
