// Reads an arbitrary message as a returned delivery status notification (parseDsnReport) and
// checks the bounds the outbox relies on: at most 100 recipients, values ≤ 1000 octets, a
// Status that is empty or class.subject.detail, and the builder's own DSN read back exactly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/mail/dsn.h"
#include "core/mail/dsn_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto r = core::parseDsnReport(in)) {
    if (r->recipients.size() > 100) abort();
    for (const auto& x : r->recipients) {
      if (x.address.empty() || x.address.size() > 1000 || x.diagnostic.size() > 1000) abort();
      if (!x.status.empty() && (x.status.size() < 5 || x.status[1] != '.')) abort();
    }
    if (r->original_message_id.size() > 1000) abort();
  }
  // Round trip: our own report about a message with this input as its header is read back.
  core::DsnInput d;
  d.reporting_mta = "mail.mailjuke.test";
  d.original_envelope_from = "no-reply@mailjuke.test";
  d.original_message = "Message-ID: <obx_1@mailjuke.test>\r\n\r\nbody\r\n";
  d.now = 1764547200;
  d.recipients.push_back({"user@example.com", "5.1.1", std::string(in.substr(0, 200)), ""});
  auto back = core::parseDsnReport(core::buildDsn(d));
  if (!back || back->recipients.size() != 1 || back->recipients[0].address != "user@example.com" ||
      back->recipients[0].status != "5.1.1" || back->recipients[0].action != "failed" ||
      back->original_message_id != "obx_1@mailjuke.test")
    abort();
  return 0;
}
