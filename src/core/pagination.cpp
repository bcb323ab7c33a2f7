#include "core/pagination.h"

namespace mailjuke::core {

Result<Page> paginate(store::Tx& tx, std::string sql, store::Params params,
                      const std::string& id_column, const PageRequest& req,
                      const std::function<Json(const store::Row&)>& to_json) {
  if (req.cursor) {
    sql += " AND " + id_column + (req.newest_first ? " < ?" : " > ?");
    params.push_back(*req.cursor);
  }
  sql += " ORDER BY " + id_column + (req.newest_first ? " DESC" : "") + " LIMIT ?";
  params.push_back(int64_t(req.limit + 1));
  MJ_TRY_ASSIGN(auto rows, tx.query(sql, params));
  Page page;
  for (size_t i = 0; i < rows.size() && i < size_t(req.limit); ++i)
    page.data.push_back(to_json(rows[i]));
  if (rows.size() > size_t(req.limit))
    page.next_cursor = rows[req.limit - 1].text(0);  // the id is the first column
  return page;
}

}  // namespace mailjuke::core
