#include "core/privacy/workspace_mail_export.h"

#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/mail/blob_store.h"

namespace mailjuke::core::privacy {
namespace {

// A safe path component: letters, digits, '.', '_', '-', '@', '+'; never "." or "..".
std::string safeName(const std::string& name) {
  std::string out;
  for (unsigned char c : name)
    out += (std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@' || c == '+') ? char(c)
                                                                                         : '_';
  if (out.empty() || out[0] == '.') out = "_" + out;
  return out;
}

bool isFromLine(const std::string& line) {
  size_t i = 0;
  while (i < line.size() && line[i] == '>') ++i;
  return line.compare(i, 5, "From ") == 0;
}

}  // namespace

int64_t appendMboxMessage(std::ostream& out, std::istream& content, int64_t internal_date) {
  time_t t = time_t(internal_date);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
  std::string from = std::string("From MAILER-DAEMON ") + date + "\n";
  out << from;
  int64_t bytes = int64_t(from.size());
  std::string line;
  while (std::getline(content, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (isFromLine(line)) {
      out << '>';
      ++bytes;
    }
    out << line << '\n';
    bytes += int64_t(line.size()) + 1;
  }
  out << '\n';  // the blank line between messages
  return bytes + 1;
}

Result<std::vector<MailboxFile>> writeWorkspaceMail(CoreContext& ctx, const std::string& blob_dir,
                                                    const std::string& ws,
                                                    const std::string& tmp_dir) {
  struct Folder {
    std::string id, mailbox, name;
  };
  MJ_TRY_ASSIGN(auto folders,
                ctx.db.read<std::vector<Folder>>([&](store::Tx& tx) -> Result<std::vector<Folder>> {
                  MJ_TRY_ASSIGN(auto rows,
                                tx.query("SELECT f.id, m.local_part, d.name, f.name FROM "
                                         "mail_folders f JOIN mailboxes m ON m.id = "
                                         "f.mailbox_id JOIN domains d ON d.id = "
                                         "m.domain_id WHERE m.workspace_id = ? ORDER BY "
                                         "d.name, m.local_part, f.name",
                                         {ws}));
                  std::vector<Folder> out;
                  for (const auto& r : rows)
                    out.push_back({r.text(0), r.text(1) + "@" + r.text(2), r.text(3)});
                  return out;
                }));
  std::error_code ec;
  std::filesystem::create_directories(tmp_dir, ec);
  if (ec) return Error::internal("cannot create " + tmp_dir + ": " + ec.message());
  BlobStore blobs(blob_dir);
  std::vector<MailboxFile> files;
  std::set<std::string> names;
  for (const auto& f : folders) {
    MailboxFile mf;
    mf.mailbox = f.mailbox;
    mf.folder = f.name;
    mf.file = "mail/" + safeName(f.mailbox) + "/" + safeName(f.name) + ".mbox";
    if (!names.insert(mf.file).second)  // two names made the same: the folder id tells apart
      mf.file = "mail/" + safeName(f.mailbox) + "/" + safeName(f.name) + "-" + f.id + ".mbox";
    mf.path = tmp_dir + "/" + std::to_string(files.size()) + ".mbox";
    std::ofstream out(mf.path, std::ios::binary | std::ios::trunc);
    if (!out) return Error::internal("cannot write " + mf.path);
    // In pages by uid: only ids in memory, one message's line at a time.
    int64_t after = 0;
    for (;;) {
      MJ_TRY_ASSIGN(auto page, ctx.db.read<std::vector<store::Row>>([&](store::Tx& tx) {
        return tx.query(
            "SELECT uid, blob_id, internal_date FROM mail_messages WHERE folder_id = "
            "? AND uid > ? ORDER BY uid LIMIT 500",
            {f.id, after});
      }));
      if (page.empty()) break;
      for (const auto& m : page) {
        after = m.integer(0);
        std::ifstream in(blobs.path(m.text(1)), std::ios::binary);
        if (!in) continue;  // deleted meanwhile (expunged): not part of the export any more
        mf.bytes += appendMboxMessage(out, in, m.integer(2));
        ++mf.messages;
      }
    }
    out.close();
    if (!out) return Error::internal("cannot write " + mf.path);
    files.push_back(std::move(mf));
  }
  return files;
}

}  // namespace mailjuke::core::privacy
