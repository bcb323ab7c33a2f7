// Access and portability exports (Art. 15, 20): a ZIP with one JSON file per data category, a
// CSV per table, and a manifest saying for each table what it holds, why, on which legal basis,
// for how long, who receives it and where it came from. Built by walking the data inventory's
// subject links, so only the person's own rows are read; secrets (hashes, keys) are left out,
// and rows found through the person's actions carry only the columns about them.
#pragma once

#include <functional>
#include <string>

#include "core/context.h"

namespace mailjuke::core::privacy {

struct ExportSummary {
  int files = 0;
  int64_t rows = 0;
};

// Writes the ZIP to `path` (via a temporary file renamed into place). `progress(done, total)`
// is called after each table.
Result<ExportSummary> writeExport(CoreContext& ctx, const std::string& user_id,
                                  const std::string& path,
                                  const std::function<void(int, int)>& progress = {});

// RFC 4180 field quoting; a leading = + - @ is prefixed with ' so spreadsheets do not run it.
std::string csvField(const std::string& s);

}  // namespace mailjuke::core::privacy
