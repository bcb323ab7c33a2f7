#include "core/notify/outbox.h"

#include "base/ids.h"
#include "core/mail/dsn_report.h"
#include "core/pagination.h"

namespace mailjuke::core {

std::string htmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {
std::string renderHtml(const Email& e) {
  std::string html = "<!doctype html><html><body style=\"font-family:sans-serif\">";
  size_t start = 0;
  while (start <= e.text.size()) {
    size_t end = e.text.find("\n\n", start);
    if (end == std::string::npos) end = e.text.size();
    std::string para = e.text.substr(start, end - start);
    if (!para.empty()) {
      std::string escaped = htmlEscape(para);
      // Lines that are URLs become links.
      if (para.rfind("http://", 0) == 0 || para.rfind("https://", 0) == 0)
        html += "<p><a href=\"" + escaped + "\">" + escaped + "</a></p>";
      else
        html += "<p>" + escaped + "</p>";
    }
    start = end + 2;
  }
  return html + "</body></html>";
}
}  // namespace

Status enqueueEmail(store::Tx& tx, const Email& e, int64_t now) {
  auto r = tx.exec(
      "INSERT INTO outbox (id, kind, to_address, user_id, subject, body_text, body_html, status, "
      "created_at, headers) VALUES (?,?,?,?,?,?,?,'pending',?,?)",
      {newId("eml"), e.kind, e.to,
       e.user_id.empty() ? store::Value(nullptr) : store::Value(e.user_id), e.subject, e.text,
       renderHtml(e), now,
       e.headers.empty() ? store::Value(nullptr) : store::Value(e.headers.dump())});
  if (!r.ok()) return std::move(r).error();
  return {};
}

Result<Page> listOutbox(store::Tx& tx, std::optional<std::string> to,
                        std::optional<std::string> cursor, int limit) {
  std::string sql =
      "SELECT id, kind, to_address, subject, body_text, body_html, status, created_at, headers, "
      "queue_id, sent_at, attempts, last_error, bounced_at, bounce_status FROM outbox "
      "WHERE 1=1";
  store::Params p;
  if (to) {
    sql += " AND to_address = ?";
    p.push_back(*to);
  }
  return paginate(tx, sql, p, "id", {cursor, limit, true}, [](const store::Row& r) -> Json {
    Json headers = r.isNull(8) ? Json::object() : Json::parse(r.text(8), nullptr, false);
    if (!headers.is_object()) headers = Json::object();
    Json out = {{"id", r.text(0)},
                {"kind", r.text(1)},
                {"to", r.text(2)},
                {"subject", r.text(3)},
                {"text", r.text(4)},
                {"html", r.text(5)},
                {"status", r.text(6)},
                {"created_at", formatRfc3339(r.integer(7))},
                {"headers", headers},
                // Delivery (core/mail/outbox_sender.h): the mail store's "queued as" id, when the
                // row left the outbox, failed attempts and the last error.
                {"queue_id", r.isNull(9) ? Json() : Json(r.text(9))},
                {"sent_at", r.isNull(10) ? Json() : Json(formatRfc3339(r.integer(10)))},
                {"attempts", r.integer(11)},
                {"last_error", r.isNull(12) ? Json() : Json(r.text(12))}};
    // A bounce (core/mail/outbox_bounces.h): a hard one suppressed the address for marketing.
    out["bounce"] = Json();
    if (!r.isNull(13)) {
      const bool hard = isHardBounce(r.text(14));
      out["bounce"] = {{"at", formatRfc3339(r.integer(13))},
                       {"status", r.text(14)},
                       {"hard", hard},
                       {"suppressed_for_marketing", hard}};
    }
    return out;
  });
}

}  // namespace mailjuke::core
