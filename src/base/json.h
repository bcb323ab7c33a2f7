// The project's JSON type (nlohmann). Kept in one header so the choice can change in one place.
#pragma once

#include <nlohmann/json.hpp>

namespace mailjuke {
using Json = nlohmann::json;
}
