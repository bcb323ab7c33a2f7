#include "core/context.h"

#include "base/json_writer.h"

namespace mailjuke::core {

std::string Page::render() const {
  std::string out = "{\"data\":";
  out += raw_data ? *raw_data : data.dump(-1, ' ', false, Json::error_handler_t::replace);
  out += ",\"next_cursor\":";
  if (next_cursor)
    appendJsonString(out, *next_cursor);
  else
    out += "null";
  out += '}';
  return out;
}

}  // namespace mailjuke::core
