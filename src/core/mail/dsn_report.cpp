#include "core/mail/dsn_report.h"

#include <cctype>

namespace mailjuke::core {
namespace {

constexpr size_t kMaxRecipients = 100;
constexpr size_t kMaxValue = 1000;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The message as lines without their CR LF / LF ends.
std::vector<std::string_view> linesOf(std::string_view m) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < m.size()) {
    size_t nl = m.find('\n', start);
    size_t end = nl == std::string_view::npos ? m.size() : nl;
    std::string_view line = m.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

// One header field (name lower case, value unfolded) starting at lines[i]; i moves past it.
// false when lines[i] is not a field.
bool readField(const std::vector<std::string_view>& lines, size_t& i, std::string& name,
               std::string& value) {
  std::string_view l = lines[i];
  auto colon = l.find(':');
  if (colon == std::string_view::npos || colon == 0 || l.front() == ' ' || l.front() == '\t')
    return false;
  name = lower(trim(l.substr(0, colon)));
  value = std::string(trim(l.substr(colon + 1)));
  ++i;
  while (i < lines.size() && !lines[i].empty() && (lines[i][0] == ' ' || lines[i][0] == '\t')) {
    if (value.size() < kMaxValue) value += " " + std::string(trim(lines[i]));
    ++i;
  }
  if (value.size() > kMaxValue) value.resize(kMaxValue);
  return true;
}

// "rfc822; <a@b>" → "a@b"; "smtp; 550 ..." → "550 ...".
std::string afterType(std::string_view v) {
  auto semi = v.find(';');
  if (semi != std::string_view::npos) v = v.substr(semi + 1);
  v = trim(v);
  if (v.size() >= 2 && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
  return std::string(v);
}

// "5.1.1" (RFC 3463: class.subject.detail, 1-3 digits each); "" otherwise.
std::string statusCode(std::string_view v) {
  v = trim(v);
  auto sp = v.find_first_of(" \t(");
  if (sp != std::string_view::npos) v = v.substr(0, sp);
  if (v.size() < 5 || (v[0] != '2' && v[0] != '4' && v[0] != '5') || v[1] != '.') return "";
  int dots = 0, digits = 0;
  for (size_t k = 2; k < v.size(); ++k) {
    if (v[k] == '.') {
      if (digits == 0 || ++dots > 1) return "";
      digits = 0;
    } else if (std::isdigit(static_cast<unsigned char>(v[k])) && ++digits <= 3) {
    } else {
      return "";
    }
  }
  return dots == 1 && digits > 0 ? std::string(v) : "";
}

std::string messageId(std::string_view v) {
  auto lt = v.find('<');
  auto gt = v.find('>', lt == std::string_view::npos ? 0 : lt);
  if (lt == std::string_view::npos || gt == std::string_view::npos) return "";
  return std::string(trim(v.substr(lt + 1, gt - lt - 1)));
}

}  // namespace

std::optional<DsnReport> parseDsnReport(std::string_view message) {
  auto lines = linesOf(message);
  size_t i = 0;
  // 1. The Content-Type of the message/delivery-status part (any part's header field).
  bool found = false;
  while (i < lines.size() && !found) {
    std::string name, value;
    if (readField(lines, i, name, value)) {
      found = name == "content-type" && lower(value).rfind("message/delivery-status", 0) == 0;
    } else {
      ++i;
    }
  }
  if (!found) return std::nullopt;
  // 2. The rest of that part's header, up to the blank line.
  while (i < lines.size() && !lines[i].empty()) ++i;
  // 3. Its field groups (per-message, then one per recipient), up to the next boundary.
  DsnReport report;
  DsnReportRecipient current;
  bool has_recipient = false;
  auto endGroup = [&] {
    if (has_recipient && !current.address.empty() && report.recipients.size() < kMaxRecipients)
      report.recipients.push_back(current);
    current = {};
    has_recipient = false;
  };
  while (i < lines.size() && lines[i].rfind("--", 0) != 0) {
    if (trim(lines[i]).empty()) {
      endGroup();
      ++i;
      continue;
    }
    std::string name, value;
    if (!readField(lines, i, name, value)) {
      ++i;
      continue;
    }
    if (name == "final-recipient") {
      current.address = afterType(value);
      has_recipient = true;
    } else if (name == "original-recipient" && current.address.empty()) {
      current.address = afterType(value);
      has_recipient = true;
    } else if (name == "action") {
      current.action = lower(trim(value));
    } else if (name == "status") {
      current.status = statusCode(value);
    } else if (name == "diagnostic-code") {
      current.diagnostic = afterType(value);
    }
  }
  endGroup();
  // 4. The original's Message-ID in the returned header section that follows.
  while (i < lines.size() && report.original_message_id.empty()) {
    std::string name, value;
    if (!readField(lines, i, name, value)) {
      ++i;
      continue;
    }
    if (name == "message-id") report.original_message_id = messageId(value);
  }
  return report;
}

bool isHardBounce(std::string_view status) {
  return status.size() >= 5 && status[0] == '5' && status != "5.4.7";
}

}  // namespace mailjuke::core
