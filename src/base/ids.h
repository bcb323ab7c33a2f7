// Opaque ids with a type prefix (API.md): usr_, ws_, mem_, key_, dom_, ...
#pragma once

#include <string>
#include <string_view>

namespace mailjuke {

// prefix + '_' + 22 chars of URL-safe base64 carrying 128 random bits.
std::string newId(std::string_view prefix);
// True when `id` looks like newId(prefix) produced it.
bool hasIdPrefix(std::string_view id, std::string_view prefix);

}  // namespace mailjuke
