// CAPABILITY, LOGOUT, ID, ENABLE, NAMESPACE (NOOP: cmd_noop.cpp).
#include "proto/imap/writer.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {

void ImapSession::cmdSimple() {
  const std::string& n = cmd_.name;
  if (n == "CAPABILITY") {  // RFC 9051 §6.1.1
    if (!cmd_.args.empty()) return bad("CAPABILITY takes no arguments");
    untagged("CAPABILITY " + capabilities());
    return tagged("OK", "CAPABILITY completed");
  }
  if (n == "LOGOUT") {  // RFC 9051 §6.1.3
    untagged("BYE Logging out");
    tagged("OK", "LOGOUT completed");
    state_ = State::kLogout;
    closing_ = true;
    return;
  }
  if (n == "ID") {  // RFC 2971 §3.1: the client's list (or NIL) is logged by nobody here.
    if (cmd_.args.size() != 1 || (!cmd_.args[0].isNil() && cmd_.args[0].kind != Token::Kind::kList))
      return bad("ID takes a parameter list or NIL");
    untagged("ID (\"name\" \"MailJuke\" \"vendor\" \"MailJuke\")");
    return tagged("OK", "ID completed");
  }
  if (n == "ENABLE") {  // RFC 5161 §3.1: ENABLED lists what this command newly enabled.
    if (cmd_.args.empty()) return bad("ENABLE needs at least one capability");
    std::string enabled;
    for (const auto& t : cmd_.args) {
      if (t.kind != Token::Kind::kAtom) return bad("ENABLE takes capability names");
      std::string u = t.text;
      for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (u == "CONDSTORE" && !condstore_) {  // RFC 7162 §3.1
        condstore_ = true;
        enabled += " CONDSTORE";
      } else if (u == "IMAP4REV2" && !rev2_) {  // RFC 9051 §6.3.1
        rev2_ = true;
        enabled += " IMAP4rev2";
      }
    }
    untagged("ENABLED" + enabled);
    return tagged("OK", "ENABLE completed");
  }
  // NAMESPACE, RFC 2342 §5: one personal namespace, no shared or other users' folders.
  if (!cmd_.args.empty()) return bad("NAMESPACE takes no arguments");
  untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
  tagged("OK", "NAMESPACE completed");
}

}  // namespace mailjuke::imap
