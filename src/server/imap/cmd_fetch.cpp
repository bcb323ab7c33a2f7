// FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9; RFC 3501 §6.4.5).
#include <algorithm>

#include "proto/imap/structure_writer.h"
#include "proto/imap/writer.h"
#include "server/imap/fetch_items.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {

// A FETCH over many messages runs in chunks: each chunk is one trip to the worker pool and at
// most kChunkMessages messages or about kChunkBytes of response, which the network side can
// start writing while the next chunk is read. The server's memory per session stays bounded
// whatever the size of the folder (a `UID FETCH 1:* BODY.PEEK[]` of 10,000 messages is ~35 MB).
struct ImapSession::FetchJob {
  FetchPlan plan;
  std::vector<size_t> idx;  // positions in the selected folder, for the sequence numbers
  std::vector<core::ImapMessage> targets;
  bool mark_seen = false;
  std::string folder_id;
  size_t next = 0;                 // first target of the next chunk
  std::vector<int64_t> seen_uids;  // got \Seen from this FETCH (ascending): report FLAGS
};

namespace {

constexpr size_t kChunkMessages = 1000;
constexpr size_t kChunkBytes = size_t(1) << 20;

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
  auto job = std::make_shared<FetchJob>();
  job->mark_seen = plan.setsSeen() && !selected_->read_only;
  job->plan = std::move(plan);
  job->targets.reserve(idx.size());
  for (size_t i : idx) job->targets.push_back(selected_->messages[i]);
  job->idx = std::move(idx);
  job->folder_id = selected_->folder.id;
  fetchChunk(std::move(job));
}

void ImapSession::fetchChunk(std::shared_ptr<FetchJob> job) {
  blocking<FetchOut>(
      [this, job] {
        FetchOut out;
        const FetchPlan& plan = job->plan;
        if (job->next == 0 && job->mark_seen) {
          // RFC 9051 §6.4.5: BODY[section] (not PEEK) sets \Seen, for the whole set at once
          // (one MODSEQ); the FETCH then reports FLAGS for those messages.
          std::vector<int64_t> unseen;
          for (const auto& m : job->targets)
            if (!core::hasFlag(m.flags, "\\Seen")) unseen.push_back(m.uid);
          if (!unseen.empty()) {
            auto r =
                backend_.storeFlags(job->folder_id, unseen, {core::FlagMode::kAdd, {"\\Seen"}, {}});
            if (!r.ok()) {
              out.status = r.error();
              return out;
            }
            out.seen = std::move(r->changed);
            std::sort(out.seen.begin(), out.seen.end(),
                      [](const auto& a, const auto& b) { return a.uid < b.uid; });
            for (const auto& c : out.seen) job->seen_uids.push_back(c.uid);
            for (auto& m : job->targets) {  // the flags every chunk reports
              auto c = std::lower_bound(out.seen.begin(), out.seen.end(), m.uid,
                                        [](const auto& a, int64_t uid) { return a.uid < uid; });
              if (c != out.seen.end() && c->uid == m.uid) m = *c;
            }
          }
        }
        const size_t first = job->next;
        const size_t last = std::min(job->targets.size(), first + kChunkMessages);
        // ENVELOPE / BODYSTRUCTURE / BODY and section offsets: the structure cached at
        // delivery, one query per chunk; the blob is read only for sections (once per
        // message) or to parse messages stored before the cache existed.
        const bool need_env = plan.needsEnvelope(), need_parts = plan.needsParts();
        std::vector<core::CachedStructure> cached;
        if (need_env || need_parts) {
          std::vector<int64_t> uids;
          uids.reserve(last - first);
          for (size_t k = first; k < last; ++k) uids.push_back(job->targets[k].uid);
          auto c = backend_.structures(job->folder_id, uids, need_env, need_parts);
          if (!c.ok()) {
            out.status = c.error();
            return out;
          }
          cached = std::move(*c);
        }
        size_t k = first;
        for (; k < last && out.text.size() < kChunkBytes; ++k) {
          const core::ImapMessage& m = job->targets[k];
          const bool flag_changed =
              std::binary_search(job->seen_uids.begin(), job->seen_uids.end(), m.uid);
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
          appendFetchResponse(out.text, job->idx[k] + 1, m, flag_changed, plan, structure, content);
        }
        job->next = k;
        return out;
      },
      [this, job](FetchOut& r) {
        auto& messages = selected_->messages;
        for (const auto& c : r.seen) {
          auto m = std::lower_bound(messages.begin(), messages.end(), c.uid,
                                    [](const auto& a, int64_t uid) { return a.uid < uid; });
          if (m != messages.end() && m->uid == c.uid) *m = c;
        }
        if (!r.status.ok()) return no(r.status.error());
        if (out_.empty())
          out_ = std::move(r.text);
        else
          out_ += r.text;
        if (job->next < job->targets.size()) return fetchChunk(job);
        tagged("OK", cmd_.name + " completed");
      });
}

void ImapSession::appendFetchResponse(std::string& o, size_t number, const core::ImapMessage& m,
                                      bool flag_changed, const FetchPlan& plan,
                                      const std::optional<mime::MessageStructure>& structure,
                                      const std::string& content) const {
  o += "* ";
  o += std::to_string(number);
  o += " FETCH (";
  size_t start = o.size();
  auto sep = [&] {
    if (o.size() > start) o += ' ';
  };
  if (plan.uid) sep(), o += "UID ", o += std::to_string(m.uid);
  if (plan.flags || flag_changed) sep(), o += "FLAGS ", appendFlags(o, m);
  if (plan.internal_date) sep(), o += "INTERNALDATE \"" + formatDateTime(m.internal_date) + "\"";
  if (plan.size) sep(), o += "RFC822.SIZE ", o += std::to_string(m.size);
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
    sep();
    o += s.response_name;
    const bool whole = s.part.empty() && s.text.empty();
    std::string extracted;
    std::string_view bytes;  // stays empty for a section of a message that could not be parsed
    if (whole) {
      bytes = content;
    } else if (structure) {
      extracted = extractSection(content, *structure, s);
      bytes = extracted;
    }
    if (s.origin) {
      // RFC 9051 §6.4.5: <origin.count> → at most count octets from origin.
      o += '<';
      o += std::to_string(*s.origin);
      o += '>';
      bytes = *s.origin >= bytes.size() ? std::string_view() : bytes.substr(*s.origin, *s.count);
    }
    o += ' ';
    appendLiteral(o, bytes);
  }
  o += ")\r\n";
}

}  // namespace mailjuke::imap
