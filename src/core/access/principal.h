// Who is acting: a signed-in person (session) or a workspace API key. Built by the transport
// from credentials; services decide what it may do.
#pragma once

#include <optional>
#include <string>

#include "core/access/permissions.h"

namespace mailjuke::core {

struct Principal {
  enum class Kind { kAnonymous, kUser, kApiKey };
  Kind kind = Kind::kAnonymous;
  std::string user_id;     // kUser
  std::string session_id;  // kUser via session cookie
  std::string api_key_id;  // kApiKey
  std::string key_workspace_id;
  Role key_role = Role::kViewer;
  bool is_operator = false;
  std::string ip;
  std::string user_agent;

  bool isUser() const { return kind == Kind::kUser; }
  bool isKey() const { return kind == Kind::kApiKey; }
  // The actor recorded in audit events.
  std::string actorType() const { return isKey() ? "api_key" : isUser() ? "user" : "anonymous"; }
  std::string actorId() const { return isKey() ? api_key_id : user_id; }
};

}  // namespace mailjuke::core
