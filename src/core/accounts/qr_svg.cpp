#include "core/accounts/qr_svg.h"

#include <qrencode.h>

#include <memory>

namespace mailjuke::core {

Result<std::string> qrSvg(const std::string& text) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M), QRcode_free);
  if (!qr) return Error::internal("cannot encode the QR code");
  const int quiet = 4, size = qr->width + 2 * quiet;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
                    std::to_string(size) + " " + std::to_string(size) +
                    "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\">" +
                    "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
  for (int y = 0; y < qr->width; ++y)
    for (int x = 0; x < qr->width; ++x)
      if (qr->data[y * qr->width + x] & 1)  // bit 0: dark module
        svg += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
  svg += "\"/></svg>";
  return svg;
}

}  // namespace mailjuke::core
