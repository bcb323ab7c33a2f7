// One IMAP session as a sans-I/O state machine (RFC 9051, RFC 3501): bytes in, responses out,
// plus "steps" telling the I/O driver what to do next (read more, run blocking backend work on
// the worker pool, start TLS, close). The driver owns sockets and timers; tests and the fuzz
// target drive the session directly.
//
// Thread-safety: none; the driver never touches a session from two threads at once (it calls
// runBlocking() on the worker pool while the network side is suspended).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/imap/command.h"
#include "proto/imap/reader.h"
#include "server/imap/fetch_items.h"
#include "server/imap/imap_backend.h"

namespace mailjuke::imap {

struct SessionOptions {
  std::string hostname = "mail.mailjuke.test";
  std::string client_ip;
  size_t max_errors = 20;          // BAD responses before "* BYE" and close
  bool tls_available = true;       // STARTTLS offered (a certificate is loaded)
  bool tls_active = false;         // implicit TLS (993) is already up
  bool plaintext_auth_ok = false;  // allow_plaintext_auth_on_loopback and a loopback peer
  ReaderLimits limits;
  // A slot for one more session of this mailbox (held until the session ends), or nullptr when
  // the mailbox is at its connection cap. Unset: no per-user cap.
  std::function<std::shared_ptr<void>(const std::string& mailbox_id)> user_slot;
};

class ImapSession {
 public:
  enum class Step {
    kNeedInput,  // flush output, then read and feed() more bytes
    kBlocking,   // call runBlocking() on the worker pool, then process() again
    kStartTls,   // flush output, run the TLS handshake, then tlsEstablished()
    kClose,      // flush output and close the connection
  };
  enum class State { kNotAuthenticated, kAuthenticated, kSelected, kLogout };

  ImapSession(SessionOptions options, ImapBackend& backend);

  void greet();  // "* OK [CAPABILITY …]" (after the handshake on implicit TLS)
  void feed(std::string_view bytes);
  // Handles buffered input in order until it needs more, blocking work, TLS or closing. With
  // `stopping`, the session says "* BYE" before the next command and closes.
  Step process(bool stopping = false);
  void runBlocking();     // the pending backend work
  void tlsEstablished();  // RFC 9051 §6.2.1: discard input from before TLS, new capabilities
  void timedOut();        // "* BYE", then kClose (RFC 9051 §5.4 autologout)
  void shutdownNow();     // "* BYE", then kClose

  // IDLE (RFC 2177): `wake` is called (from any thread) when another session or SMTP delivery
  // changed this session's mailbox; the driver then interrupts its read while idling() and
  // calls process() again, which reloads the folder if refreshDue().
  void setWake(std::function<void()> wake) { watch_state_->wake = std::move(wake); }
  bool idling() const { return idling_; }
  bool refreshDue() const { return idling_ && selected_ && watch_state_->dirty.load(); }

  std::string takeOutput() { return std::exchange(out_, {}); }
  const std::string& output() const { return out_; }
  bool closing() const { return closing_; }
  bool tls() const { return tls_; }
  State state() const { return state_; }
  bool idle() const { return !work_ && !then_ && !sasl_pending_; }
  uint64_t progress() const { return progress_; }
  const std::shared_ptr<const core::MailAccount>& account() const { return account_; }

  // The selected folder's view (RFC 9051 §2.3.1.2: message sequence numbers are positions).
  struct Selected {
    core::ImapFolder folder;
    bool read_only = false;
    std::vector<core::ImapMessage> messages;  // UID order; index + 1 = sequence number
    // The folder's HIGHESTMODSEQ when `messages` was loaded, or older: a refresh that finds it
    // unchanged reads nothing else (updates.cpp).
    int64_t loaded_modseq = -1;
  };

 private:
  // Response helpers (imap_session.cpp).
  void untagged(std::string_view text);
  void tagged(std::string_view status, std::string_view text);
  void bad(std::string_view text);  // counts towards max_errors
  void no(const Error& e);          // maps a core error to NO [code] (imap_replies.cpp)
  std::string capabilities() const;
  bool mayLogin() const { return tls_ || opt_.plaintext_auth_ok; }
  std::string mailboxName(const std::string& utf8) const;  // for responses
  std::optional<std::string> mailboxArg(const Token& t);   // decoded, or BAD sent
  // Schedules backend work: `work` on the pool, then `then` back here. On a throw, NO.
  template <class T>
  void blocking(std::function<T()> work, std::function<void(T&)> then) {
    auto slot = std::make_shared<std::optional<T>>();
    work_ = [slot, work = std::move(work)] { *slot = work(); };
    then_ = [slot, then = std::move(then)] { then(**slot); };
  }
  // Sequence numbers or UIDs (per cmd_.uid) of `set` → indexes into selected_->messages.
  std::vector<size_t> resolve(const SequenceSet& set) const;

  void handle(const std::string& wire);
  void dispatch();
  void dispatchSelected();
  void guarded(const std::function<void()>& f);  // a throw → NO [SERVERBUG]

  // Untagged updates (updates.cpp, RFC 9051 §7.4.1, §7.5.1): reloads the selected folder and
  // reports EXPUNGE / FETCH FLAGS / EXISTS (RECENT in rev1), then runs `next` (if any).
  // EXPUNGE is withheld unless `allow_expunge` (not during FETCH, STORE, SEARCH).
  void refresh(bool allow_expunge, std::function<void()> next);
  // `first_recent_uid`: new arrivals from this UID on are recent in this session.
  void reportChanges(const std::vector<core::ImapMessage>& next, bool allow_expunge,
                     int64_t first_recent_uid);
  std::string flagsUpdate(size_t index) const;  // "n FETCH (FLAGS (…) [MODSEQ (m)])"

  // \Recent (recent.cpp, RFC 3501 §2.3.2; none after ENABLE IMAP4rev2).
  bool isRecent(int64_t uid) const;
  size_t recentCount() const;  // in the selected folder's snapshot
  void addRecent(const std::vector<core::ImapMessage>& messages, size_t from,
                 int64_t first_recent_uid);
  void appendFlags(std::string& out, const core::ImapMessage& m) const;  // FLAGS (… \Recent)

  // One command (or a family) per file: cmd_*.cpp.
  void cmdSimple();  // CAPABILITY NOOP LOGOUT ENABLE ID NAMESPACE
  void cmdNoop();    // NOOP, and CHECK in the selected state
  void cmdStartTls();
  void cmdLogin();
  void cmdAuthenticate();
  void saslResponse(const std::string& line);
  void authPlain(const std::string& b64);
  void startAuth(std::string user, std::string password);
  void cmdList();  // LIST LSUB
  void cmdStatus();
  // STATUS items (RFC 9051 §6.3.11), upper-cased, or BAD sent; and the untagged STATUS line.
  std::optional<std::vector<std::string>> statusItems(const Token& list);
  std::string statusLine(const std::vector<std::string>& items,
                         const core::ImapFolderStatus& st) const;
  void cmdMailbox();  // CREATE DELETE RENAME SUBSCRIBE UNSUBSCRIBE
  void cmdAppend();
  void cmdCopy();    // COPY MOVE
  void cmdSelect();  // SELECT EXAMINE
  void cmdClose();   // CLOSE UNSELECT
  void cmdExpunge();
  void cmdFetch();
  struct FetchJob;  // a FETCH in progress (cmd_fetch.cpp)
  void fetchChunk(std::shared_ptr<FetchJob> job);
  void appendFetchResponse(std::string& out, size_t number, const core::ImapMessage& m,
                           bool flag_changed, const FetchPlan& plan,
                           const std::optional<mime::MessageStructure>& structure,
                           const std::string& content) const;
  void cmdStore();
  void cmdSearch();
  void cmdIdle();
  void cmdQuota();  // GETQUOTA GETQUOTAROOT SETQUOTA (RFC 9208)

  SessionOptions opt_;
  ImapBackend& backend_;
  CommandReader reader_;
  std::string out_;
  State state_ = State::kNotAuthenticated;
  bool closing_ = false;
  bool tls_ = false;
  bool tls_pending_ = false;
  bool sasl_pending_ = false;  // AUTHENTICATE PLAIN waits for the client's response line
  size_t errors_ = 0;
  uint64_t progress_ = 0;
  Command cmd_;  // the command being handled
  std::shared_ptr<const core::MailAccount> account_;
  std::shared_ptr<void> user_slot_;  // SessionOptions::user_slot, while logged in
  std::optional<Selected> selected_;
  std::function<void()> work_;  // runs in runBlocking()
  std::function<void()> then_;  // runs in the next process()
  bool work_threw_ = false;

  // Change notifications for IDLE and untagged updates (see setWake).
  struct WatchState {
    std::atomic<bool> dirty{false};
    std::function<void()> wake;
  };
  std::shared_ptr<WatchState> watch_state_ = std::make_shared<WatchState>();
  std::unique_ptr<core::MailChanges::Subscription> watch_;
  bool idling_ = false;               // IDLE sent "+ idling", waiting for DONE
  bool expunge_pending_ = false;      // EXPUNGEs withheld during FETCH/STORE/SEARCH
  std::vector<int64_t> recent_uids_;  // \Recent in this session, ascending (recent.cpp)
  bool condstore_ = false;            // RFC 7162 §3.1: CONDSTORE enabled
  bool rev2_ = false;                 // ENABLE IMAP4rev2 (RFC 9051)
};

}  // namespace mailjuke::imap
