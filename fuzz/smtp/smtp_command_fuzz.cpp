// Fuzzes the SMTP command parser line by line and the DATA reader over the whole input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/smtp/command.h"
#include "proto/smtp/data_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke::smtp;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view rest = in;
  while (!rest.empty()) {
    size_t nl = rest.find("\r\n");
    auto line = rest.substr(0, nl);
    auto cmd = parseCommand(line);
    if (cmd.ok()) (void)cmd->path.text();
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 2);
  }
  DataReader reader(4096);
  size_t used = 0;
  while (used < in.size() && !reader.done()) {
    size_t n = reader.feed(in.substr(used, 7));  // small chunks exercise the state machine
    if (n == 0) break;
    used += n;
  }
  (void)dotStuff(reader.message());
  return 0;
}
