#include "core/billing/invoice_render.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <vector>

#include "core/notify/outbox.h"

namespace mailjuke::core::billing {
namespace {

bool zeroDecimal(const std::string& c) {
  static const std::array<const char*, 16> kZero = {"bif", "clp", "djf", "gnf", "jpy", "kmf",
                                                    "krw", "mga", "pyg", "rwf", "ugx", "vnd",
                                                    "vuv", "xaf", "xof", "xpf"};
  for (const char* z : kZero)
    if (c == z) return true;
  return false;
}

// A member or null: documents differ (a credit note has no paid_at, a draft no number), and
// the const operator[] of a missing key is undefined behaviour.
const Json& at(const Json& j, const char* key) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::string text(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::string moneyText(const Json& m) {
  return formatMoney(m.value("amount", int64_t(0)), m.value("currency", std::string("usd")));
}

std::string dateOnly(const std::string& rfc3339) { return rfc3339.substr(0, 10); }

std::string period(const Json& line) {
  if (!at(line, "period_start").is_string() || !at(line, "period_end").is_string()) return "";
  return dateOnly(at(line, "period_start").get<std::string>()) + " - " +
         dateOnly(at(line, "period_end").get<std::string>());
}

cairo_status_t appendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string formatMoney(int64_t amount, const std::string& currency) {
  bool negative = amount < 0;
  uint64_t abs = negative ? uint64_t(-(amount + 1)) + 1 : uint64_t(amount);
  std::string units = std::to_string(zeroDecimal(currency) ? abs : abs / 100);
  std::string grouped;
  for (size_t i = 0; i < units.size(); ++i) {
    if (i && (units.size() - i) % 3 == 0) grouped += ',';
    grouped += units[i];
  }
  std::string out = negative ? "-" : "";
  std::string upper = currency;
  for (auto& ch : upper) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  if (upper == "USD")
    out += "$";
  else if (upper == "EUR")
    out += "EUR ";
  else
    out += upper + " ";
  out += grouped;
  if (!zeroDecimal(currency)) {
    char cents[4];
    std::snprintf(cents, sizeof cents, ".%02u", unsigned(abs % 100));
    out += cents;
  }
  return out;
}

// "Invoice", or the document_title of another billing document drawn the same way (a credit
// note), with the invoice it refers to (credits_invoice).
namespace {
std::string titleOf(const Json& doc) {
  return text(doc, "document_title").empty() ? "Invoice" : text(doc, "document_title");
}
}  // namespace

std::string renderInvoiceHtml(const Json& inv) {
  auto e = [](const std::string& s) { return htmlEscape(s); };
  const std::string title = titleOf(inv);
  const Json& seller = at(inv, "seller");
  const Json& buyer = at(inv, "buyer");
  std::string number =
      at(inv, "number").is_string() ? at(inv, "number").get<std::string>() : "DRAFT";
  std::string h =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + e(title) + " " +
      e(number) +
      "</title><style>body{font-family:sans-serif;max-width:48em;margin:2em auto}"
      "table{width:100%;border-collapse:collapse}td,th{padding:.3em;border-bottom:1px solid #ddd;"
      "text-align:left}.n{text-align:right}</style></head><body>";
  h += "<h1>" + e(title) + " " + e(number) + "</h1>";
  if (!text(inv, "credits_invoice").empty())
    h += "<p>Credits invoice " + e(text(inv, "credits_invoice")) +
         ". Reason: " + e(text(inv, "reason")) + "</p>";
  h += "<p>Status: " + e(text(inv, "status")) + "<br>Date: " +
       e(dateOnly(at(inv, "finalized_at").is_string() ? text(inv, "finalized_at")
                                                      : text(inv, "created_at"))) +
       "</p>";
  auto party = [&](const char* title, const Json& p) {
    std::string s = "<div><h2>" + std::string(title) + "</h2><p>" + e(text(p, "name")) + "<br>" +
                    e(text(p, "address")) + "<br>" + e(text(p, "country"));
    if (!text(p, "vat_id").empty()) s += "<br>VAT ID: " + e(text(p, "vat_id"));
    return s + "</p></div>";
  };
  h += party("Seller", seller) + party("Bill to", buyer);
  h += "<table><thead><tr><th>Description</th><th>Period</th><th class=n>Qty</th>"
       "<th class=n>Unit price</th><th class=n>Amount</th></tr></thead><tbody>";
  for (const auto& l : at(inv, "lines"))
    h += "<tr><td>" + e(text(l, "description")) + "</td><td>" + e(period(l)) + "</td><td class=n>" +
         std::to_string(l.value("quantity", int64_t(1))) + "</td><td class=n>" +
         e(moneyText(at(l, "unit_amount"))) + "</td><td class=n>" + e(moneyText(at(l, "amount"))) +
         "</td></tr>";
  h += "</tbody><tfoot><tr><th colspan=4>Total</th><th class=n>" + e(moneyText(at(inv, "total"))) +
       "</th></tr></tfoot></table>";
  if (at(inv, "reverse_charge_note").is_string())
    h += "<p>" + e(text(inv, "reverse_charge_note")) + "</p>";
  return h + "</body></html>";
}

Result<std::string> renderInvoicePdf(const Json& inv) {
  std::string out;
  constexpr double kWidth = 595.28, kHeight = 841.89;  // A4 in points
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(appendToString, &out, kWidth, kHeight);
  cairo_t* cr = cairo_create(surface);
  auto font = [&](double size, bool bold) {
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
  };
  auto put = [&](double x, double y, const std::string& s) {
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s.c_str());
  };
  auto putRight = [&](double right, double y, const std::string& s) {
    cairo_text_extents_t ext;
    cairo_text_extents(cr, s.c_str(), &ext);
    put(right - ext.x_advance, y, s);
  };
  std::string number =
      at(inv, "number").is_string() ? at(inv, "number").get<std::string>() : "DRAFT";
  cairo_set_source_rgb(cr, 0, 0, 0);
  font(20, true);
  const std::string title = titleOf(inv);
  put(50, 70, title + " " + number);
  font(10, false);
  double y = 95;
  put(50, y, "Status: " + text(inv, "status"));
  if (!text(inv, "credits_invoice").empty()) {
    put(50, y += 14, "Credits invoice " + text(inv, "credits_invoice"));
    std::string why = "Reason: " + text(inv, "reason");
    put(50, y += 14, why.size() > 90 ? why.substr(0, 87) + "..." : why);
  }
  put(50, y += 14,
      title + " date: " +
          dateOnly(at(inv, "finalized_at").is_string() ? text(inv, "finalized_at")
                                                       : text(inv, "created_at")));
  if (at(inv, "paid_at").is_string()) put(50, y += 14, "Paid: " + dateOnly(text(inv, "paid_at")));
  auto party = [&](double x, double top, const char* title, const Json& p) {
    font(11, true);
    put(x, top, title);
    font(10, false);
    double yy = top;
    for (const char* k : {"name", "address", "country"})
      if (!text(p, k).empty()) put(x, yy += 14, text(p, k));
    if (!text(p, "vat_id").empty()) put(x, yy += 14, "VAT ID: " + text(p, "vat_id"));
    return yy;
  };
  double top = y + 30;
  double y1 = party(50, top, "Seller", at(inv, "seller"));
  double y2 = party(320, top, "Bill to", at(inv, "buyer"));
  y = std::max(y1, y2) + 35;
  font(10, true);
  put(50, y, "Description");
  putRight(400, y, "Qty");
  putRight(470, y, "Unit price");
  putRight(545, y, "Amount");
  cairo_set_line_width(cr, 0.5);
  cairo_move_to(cr, 50, y + 5);
  cairo_line_to(cr, 545, y + 5);
  cairo_stroke(cr);
  font(9, false);
  for (const auto& l : at(inv, "lines")) {
    if (y > kHeight - 120) {
      cairo_show_page(cr);
      y = 60;
    }
    y += 18;
    std::string desc = text(l, "description");
    if (desc.size() > 70) desc = desc.substr(0, 67) + "...";
    put(50, y, desc);
    putRight(400, y, std::to_string(l.value("quantity", int64_t(1))));
    putRight(470, y, moneyText(at(l, "unit_amount")));
    putRight(545, y, moneyText(at(l, "amount")));
    std::string p = period(l);
    if (!p.empty()) put(60, y += 12, p);
  }
  cairo_move_to(cr, 50, y + 8);
  cairo_line_to(cr, 545, y + 8);
  cairo_stroke(cr);
  font(11, true);
  put(50, y += 26, "Total");
  putRight(545, y, moneyText(at(inv, "total")));
  if (at(inv, "reverse_charge_note").is_string()) {
    font(9, false);
    put(50, y += 30, text(inv, "reverse_charge_note"));
  }
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_status_t st = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS)
    return Error::internal(std::string("cairo: ") + cairo_status_to_string(st));
  return out;
}

}  // namespace mailjuke::core::billing
