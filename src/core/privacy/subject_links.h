// How a person's rows are found in each table of the data inventory: the column that names them
// (their user id or e-mail address). Export, erasure and "what we hold" walk these links; a unit
// test fails when a table that holds account holders' data has no link and no stated reason.
#pragma once

#include <string_view>
#include <vector>

namespace mailjuke::core::privacy {

enum class LinkBy { kUserId, kEmail };

struct SubjectLink {
  std::string_view table;
  std::string_view column;  // compared with the person's id or e-mail
  LinkBy by;
  std::string_view prefix;  // prepended to the value ("acct:" in login_failures)
  // Columns that are the person's in rows found this way; empty: every personal column. A row
  // found through someone else's action (an invitation they sent) only changes those columns.
  std::vector<std::string_view> columns;
};

const std::vector<SubjectLink>& subjectLinks();

// Tables with personal data that no account links to, and why (workspace content where
// MailJuke is processor goes with the workspace; hashes that cannot be reversed).
struct Unlinked {
  std::string_view table;
  std::string_view reason;
};
const std::vector<Unlinked>& unlinkedTables();

// Secrets never exported, even to their owner (hashes and keys help nobody and harm if leaked).
bool isSecretColumn(std::string_view column);

}  // namespace mailjuke::core::privacy
