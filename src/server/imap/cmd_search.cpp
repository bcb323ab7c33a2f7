// SEARCH and UID SEARCH (RFC 9051 §6.4.4, §6.4.9; RFC 3501 §7.2.5 untagged SEARCH), with
// RETURN options and ESEARCH results (RFC 4731; always ESEARCH after ENABLE IMAP4rev2) and the
// CONDSTORE MODSEQ key (RFC 7162 §3.1.5).
#include <strings.h>

#include <algorithm>
#include <unordered_map>

#include "proto/imap/header_text.h"
#include "proto/mime/structure_json.h"

#include "server/imap/imap_session.h"
#include "server/imap/search_keys.h"

namespace mailjuke::imap {
namespace {

struct SearchOut {
  Status status;
  std::vector<int64_t> hits;  // sequence numbers or UIDs, ascending
  int64_t max_modseq = 0;     // of the hits
};

struct ReturnOptions {
  bool esearch = false;  // RETURN given (or rev2): answer ESEARCH
  bool min = false, max = false, count = false, all = false;
};

// "1:3,5,7:8" from ascending numbers (RFC 4731 §3.1 ALL).
std::string compactSet(const std::vector<int64_t>& v) {
  std::string out;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(v[i]);
    if (j > i) out += ':' + std::to_string(v[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace

void ImapSession::cmdSearch() {
  std::vector<Token> args = cmd_.args;
  ReturnOptions ret;
  if (args.size() >= 2 && args[0].isAtom("RETURN") && args[1].kind == Token::Kind::kList) {
    ret.esearch = true;
    for (const auto& o : args[1].items) {
      if (o.kind != Token::Kind::kAtom) return bad("Bad RETURN option");
      const char* t = o.text.c_str();
      if (!strcasecmp(t, "MIN"))
        ret.min = true;
      else if (!strcasecmp(t, "MAX"))
        ret.max = true;
      else if (!strcasecmp(t, "COUNT"))
        ret.count = true;
      else if (!strcasecmp(t, "ALL"))
        ret.all = true;
      else
        return bad("Unknown RETURN option " + o.text);
    }
    // RFC 4731 §3.1: RETURN () means RETURN (ALL).
    if (!ret.min && !ret.max && !ret.count) ret.all = true;
    args.erase(args.begin(), args.begin() + 2);
  } else if (rev2_) {
    ret.esearch = ret.all = true;  // RFC 9051 §6.4.4: rev2 answers ESEARCH
  }
  auto key = parseSearch(args);
  if (!key.ok()) {
    if (key.error().code == ErrorCode::kUnsupportedMedia)
      return tagged("NO", "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
    return bad(key.error().message);
  }
  const bool modseq = usesModseq(*key);
  if (modseq) condstore_ = true;  // RFC 7162 §3.1
  const bool sent = usesSentDate(*key);
  const bool heavy = sent || needsContent(*key);
  std::vector<core::ImapMessage> msgs = selected_->messages;
  const bool uid = cmd_.uid;
  std::vector<bool> recent(msgs.size());
  for (size_t i = 0; i < msgs.size(); ++i) recent[i] = isRecent(msgs[i].uid);
  auto run = [this, msgs, uid, sent, recent, folder_id = selected_->folder.id,
              key = std::move(key).value()] {
    SearchOut out;
    uint32_t max_uid = msgs.empty() ? 0 : static_cast<uint32_t>(msgs.back().uid);
    // SENT* keys: the Date: field from the envelope cached at delivery, one query.
    std::unordered_map<int64_t, std::optional<std::string>> dates;
    if (sent) {
      std::vector<int64_t> uids;
      uids.reserve(msgs.size());
      for (const auto& m : msgs) uids.push_back(m.uid);
      auto c = backend_.structures(folder_id, uids, true, false);
      if (!c.ok()) {
        out.status = c.error();
        return out;
      }
      for (auto& cs : *c) {
        if (!cs.envelope) continue;
        auto env = mime::envelopeFromJson(*cs.envelope);
        if (env) dates[cs.uid] = env->date;
      }
    }
    for (size_t i = 0; i < msgs.size(); ++i) {
      std::optional<std::string> content;
      Status failed;
      SearchSubject s{msgs[i], static_cast<uint32_t>(i + 1), static_cast<uint32_t>(msgs.size()),
                      max_uid, [&]() -> const std::string& {
                        if (!content) {
                          auto c = backend_.content(msgs[i].blob_id);
                          if (!c.ok()) failed = c.error();
                          content = c.ok() ? std::move(*c) : std::string();
                        }
                        return *content;
                      }};
      // Header keys read the header block, which the store keeps in memory after first use.
      std::optional<std::string> header;
      s.header = [&]() -> const std::string& {
        if (content) return *content;
        if (!header) {
          auto h = backend_.header(msgs[i].blob_id);
          if (!h.ok()) failed = h.error();
          header = h.ok() ? std::move(*h) : std::string();
        }
        return *header;
      };
      s.recent = recent[i];
      s.sent_day = [&]() -> std::optional<int64_t> {
        auto it = dates.find(msgs[i].uid);
        if (it != dates.end()) return it->second ? sentDay(*it->second) : std::nullopt;
        // Not cached (stored before the cache existed): the header block's Date: field.
        auto d = headerValue(s.header(), "Date");
        return d ? sentDay(*d) : std::nullopt;
      };
      bool hit = matches(key, s);
      if (!failed.ok()) {
        out.status = failed;
        return out;
      }
      if (hit) {
        out.hits.push_back(uid ? msgs[i].uid : int64_t(i + 1));
        out.max_modseq = std::max(out.max_modseq, msgs[i].modseq);
      }
    }
    return out;
  };
  auto then = [this, ret, modseq](SearchOut& r) {
    if (!r.status.ok()) return no(r.status.error());
    // RFC 7162 §3.1.5: with a MODSEQ key, the highest mod-sequence of the matches.
    const bool with_modseq = modseq && !r.hits.empty();
    if (!ret.esearch) {
      std::string line = "SEARCH";
      for (int64_t n : r.hits) line += " " + std::to_string(n);
      if (with_modseq) line += " (MODSEQ " + std::to_string(r.max_modseq) + ")";
      untagged(line);
      return tagged("OK", cmd_.name + " completed");
    }
    // RFC 4731 §3.1: * ESEARCH (TAG "t") [UID] MIN n MAX n COUNT n ALL set
    std::string line = "ESEARCH (TAG \"" + cmd_.tag + "\")";
    if (cmd_.uid) line += " UID";
    if (ret.min && !r.hits.empty()) line += " MIN " + std::to_string(r.hits.front());
    if (ret.max && !r.hits.empty()) line += " MAX " + std::to_string(r.hits.back());
    if (ret.count) line += " COUNT " + std::to_string(r.hits.size());
    if (ret.all && !r.hits.empty()) line += " ALL " + compactSet(r.hits);
    if (with_modseq) line += " MODSEQ " + std::to_string(r.max_modseq);
    untagged(line);
    tagged("OK", cmd_.name + " completed");
  };
  if (!heavy) {
    // Flags, dates, sizes and numbers are in memory: answer without a trip to the pool.
    SearchOut r = run();
    return then(r);
  }
  blocking<SearchOut>(std::move(run), std::move(then));
}

}  // namespace mailjuke::imap
