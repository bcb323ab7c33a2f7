// FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9; RFC 3501 §6.4.5).
#include <algorithm>

#include "proto/imap/structure_writer.h"
#include "proto/imap/writer.h"
#include "server/imap/fetch_items.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {
namespace {

struct FetchOut {
  Status status;
  std::vector<core::ImapMessage> seen;  // messages that got \Seen from this FETCH
  std::string text;                     // the untagged FETCH responses
};

void appendLiteral(std::string& out, std::string_view bytes) {
  out += '{';
  out += std::to_string(bytes.size());
  out += "}\r\n";
  out.append(bytes);
}

}  // namespace

void ImapSession::cmdFetch() {
  std::optional<int64_t> changed_since;  // RFC 7162 §3.1.4 FETCH … (CHANGEDSINCE n)
  if (cmd_.args.size() == 3) {
    auto cs = parseChangedSince(cmd_.args[2]);
    if (!cs.ok()) return bad(cs.error().message);
    changed_since = *cs;
  } else if (cmd_.args.size() != 2) {
    return bad("FETCH needs a sequence set and data items");
  }
  if (cmd_.args[0].kind != Token::Kind::kAtom) return bad("Bad sequence set");
  auto set = parseSequenceSet(cmd_.args[0].text);
  if (!set.ok()) return bad(set.error().message);
  auto parsed = parseFetchItems(cmd_.args[1]);
  if (!parsed.ok()) return bad(parsed.error().message);
  FetchPlan plan = std::move(parsed).value();
  if (cmd_.uid) plan.uid = true;  // RFC 9051 §6.4.9: UID FETCH always returns UID
  if (changed_since) plan.modseq = true;
  if (plan.modseq) condstore_ = true;  // RFC 7162 §3.1: a CONDSTORE-enabling command
  if (!cmd_.uid) {
    // RFC 9051 §6.4.5: a message number above the mailbox size is a BAD sequence set (ranges
    // with '*' are accepted, so "1:*" on an empty mailbox is simply empty).
    for (const auto& r : *set)
      if (r.first != kStar && r.last != kStar &&
          std::max(r.first, r.last) > selected_->messages.size())
        return bad("Invalid message sequence number");
  }
  std::vector<size_t> idx = resolve(*set);
  if (changed_since)
    std::erase_if(idx, [&](size_t i) { return selected_->messages[i].modseq <= *changed_since; });
  if (idx.empty()) return tagged("OK", cmd_.name + " completed");
  const bool mark_seen = plan.setsSeen() && !selected_->read_only;
  std::vector<core::ImapMessage> targets;
  for (size_t i : idx) targets.push_back(selected_->messages[i]);
  std::string folder_id = selected_->folder.id;

  blocking<FetchOut>(
      [this, plan, idx, targets, mark_seen, folder_id]() mutable {
        FetchOut out;
        // RFC 9051 §6.4.5: BODY[section] (not PEEK) sets \Seen; the FETCH then reports FLAGS.
        std::vector<int64_t> unseen;
        if (mark_seen)
          for (const auto& m : targets)
            if (!core::hasFlag(m.flags, "\\Seen")) unseen.push_back(m.uid);
        if (!unseen.empty()) {
          auto r = backend_.storeFlags(folder_id, unseen, {core::FlagMode::kAdd, {"\\Seen"}, {}});
          if (!r.ok()) {
            out.status = r.error();
            return out;
          }
          out.seen = std::move(r->changed);
        }
        // ENVELOPE / BODYSTRUCTURE / BODY and section offsets: the structure cached at
        // delivery, one query for the whole set; the blob is read only for sections (once per
        // message) or to parse messages stored before the cache existed.
        const bool need_env = plan.needsEnvelope(), need_parts = plan.needsParts();
        std::vector<core::CachedStructure> cached;
        if (need_env || need_parts) {
          std::vector<int64_t> uids;
          uids.reserve(targets.size());
          for (const auto& m : targets) uids.push_back(m.uid);
          auto c = backend_.structures(folder_id, uids, need_env, need_parts);
          if (!c.ok()) {
            out.status = c.error();
            return out;
          }
          cached = std::move(*c);
        }
        for (size_t k = 0; k < targets.size(); ++k) {
          core::ImapMessage& m = targets[k];
          bool flag_changed = false;
          for (const auto& c : out.seen)
            if (c.uid == m.uid) m = c, flag_changed = true;
          std::string content;
          bool have_content = false;
          auto load = [&]() -> Status {
            if (have_content) return {};
            auto c = backend_.content(m.blob_id);
            if (!c.ok()) return c.error();
            content = std::move(*c);
            have_content = true;
            return {};
          };
          if (plan.needsBlob()) {
            if (auto st = load(); !st.ok()) {
              out.status = st;
              return out;
            }
          }
          std::optional<mime::MessageStructure> structure;
          if (need_env || need_parts) {
            auto c = std::lower_bound(cached.begin(), cached.end(), m.uid,
                                      [](const auto& a, int64_t uid) { return a.uid < uid; });
            if (c != cached.end() && c->uid == m.uid)
              structure = structureFromCache(c->envelope, c->bodystructure, need_env, need_parts);
            if (!structure) {
              if (auto st = load(); !st.ok()) {
                out.status = st;
                return out;
              }
              auto s = mime::parseStructure(content);
              if (s.ok()) structure = std::move(*s);
            }
          }
          std::string& o = out.text;
          o += "* " + std::to_string(idx[k] + 1) + " FETCH (";
          size_t start = o.size();
          auto sep = [&] {
            if (o.size() > start) o += ' ';
          };
          if (plan.uid) sep(), o += "UID " + std::to_string(m.uid);
          if (plan.flags || flag_changed) sep(), o += "FLAGS ", appendFlags(o, m);
          if (plan.internal_date)
            sep(), o += "INTERNALDATE \"" + formatDateTime(m.internal_date) + "\"";
          if (plan.size) sep(), o += "RFC822.SIZE " + std::to_string(m.size);
          if (plan.modseq) sep(), o += "MODSEQ (" + std::to_string(m.modseq) + ")";
          if (plan.envelope) {
            sep(), o += "ENVELOPE ";
            o += structure ? renderEnvelope(structure->envelope)
                           : "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)";
          }
          if (plan.bodystructure && structure)
            sep(), o += "BODYSTRUCTURE " + renderBody(structure->root, true);
          if (plan.body && structure) sep(), o += "BODY " + renderBody(structure->root, false);
          for (const auto& s : plan.sections) {
            std::string bytes = structure ? extractSection(content, *structure, s)
                                : s.part.empty() && s.text.empty() ? content
                                                                   : std::string();
            sep();
            o += s.response_name;
            if (s.origin) {
              // RFC 9051 §6.4.5: <origin.count> → at most count octets from origin.
              o += "<" + std::to_string(*s.origin) + ">";
              bytes = *s.origin >= bytes.size() ? std::string() : bytes.substr(*s.origin, *s.count);
            }
            o += ' ';
            appendLiteral(o, bytes);
          }
          o += ")\r\n";
        }
        return out;
      },
      [this](FetchOut& r) {
        for (const auto& c : r.seen)
          for (auto& m : selected_->messages)
            if (m.uid == c.uid) m = c;
        if (!r.status.ok()) return no(r.status.error());
        out_ += r.text;
        tagged("OK", cmd_.name + " completed");
      });
}

}  // namespace mailjuke::imap
