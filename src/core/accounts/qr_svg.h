// QR codes as SVG (libqrencode), for TOTP enrolment: the dashboard shows it with no script.
#pragma once

#include <string>

#include "base/result.h"

namespace mailjuke::core {

// An SVG image of `text` as a QR code (error correction M, 4-module quiet zone).
Result<std::string> qrSvg(const std::string& text);

}  // namespace mailjuke::core
