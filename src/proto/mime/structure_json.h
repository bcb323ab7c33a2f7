// A compact JSON form of MessageStructure, cached in the mail store's metadata at delivery so
// IMAP FETCH answers ENVELOPE, BODYSTRUCTURE and BODY[section] without re-parsing the body.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "proto/mime/structure.h"

namespace mailjuke::mime {

std::string envelopeToJson(const Envelope& envelope);
std::optional<Envelope> envelopeFromJson(std::string_view json);
std::string partToJson(const MimePart& part);
std::optional<MimePart> partFromJson(std::string_view json);

}  // namespace mailjuke::mime
