// Byte encodings: hex, base64 (standard and URL-safe), base32 (RFC 4648, for TOTP secrets).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mailjuke {

std::string hexEncode(std::string_view bytes);
std::optional<std::string> hexDecode(std::string_view hex);
std::string base64Encode(std::string_view bytes);
std::string base64UrlEncode(std::string_view bytes);  // no padding
std::optional<std::string> base64Decode(
    std::string_view text);                        // standard or URL-safe, padding optional
std::string base32Encode(std::string_view bytes);  // no padding
std::optional<std::string> base32Decode(std::string_view text);
// True when `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool isValidUtf8(std::string_view text);
std::string toLowerAscii(std::string_view s);
// Percent-decoding for URL query components ('+' means space).
std::optional<std::string> urlDecode(std::string_view s);
std::string urlEncode(std::string_view s);

}  // namespace mailjuke
