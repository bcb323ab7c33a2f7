#include "core/privacy/schema_info.h"

#include <algorithm>
#include <cctype>

namespace mailjuke::core::privacy {
namespace {

// "'{}'::text" → "{}", "'it''s'" → "it's", "0" → "0".
std::string defaultLiteral(std::string d) {
  if (d.empty() || d.front() != '\'') return d.substr(0, d.find("::"));
  std::string out;
  for (size_t i = 1; i < d.size(); ++i) {
    if (d[i] == '\'') {
      if (i + 1 < d.size() && d[i + 1] == '\'') {
        out += '\'';
        ++i;
        continue;
      }
      break;
    }
    out += d[i];
  }
  return out;
}

}  // namespace

Result<store::Value> blankValue(store::Tx& tx, const std::string& table,
                                const std::string& column) {
  std::optional<store::Row> row;
  bool not_null = false;
  if (tx.dialect() == store::Dialect::kSqlite) {
    MJ_TRY_ASSIGN(row, tx.queryOne("SELECT \"notnull\", type, dflt_value FROM pragma_table_info(?) "
                                   "WHERE name = ?",
                                   {table, column}));
    if (row) not_null = row->integer(0) != 0;
  } else {
    MJ_TRY_ASSIGN(row, tx.queryOne("SELECT is_nullable, data_type, column_default FROM "
                                   "information_schema.columns WHERE table_schema = "
                                   "current_schema() AND table_name = ? AND column_name = ?",
                                   {table, column}));
    if (row) not_null = row->text(0) == "NO";
  }
  if (!row) return Error::internal("unknown column " + table + "." + column);
  if (!not_null) return store::Value(nullptr);
  std::string type = row->text(1);
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  bool integer = type.find("int") != std::string::npos;
  if (!row->isNull(2)) {
    std::string lit = defaultLiteral(row->text(2));
    if (integer) {
      try {
        return store::Value(int64_t(std::stoll(lit)));
      } catch (...) {
        return store::Value(int64_t(0));
      }
    }
    return store::Value(lit);
  }
  return integer ? store::Value(int64_t(0)) : store::Value(std::string());
}

}  // namespace mailjuke::core::privacy
