// Operators suspend workspaces (abuse, unpaid debts). While suspended, the workspace's mail
// stops (the mail directory treats any non-active workspace as stopped) and the actions that
// change or grow what it holds are refused; reading, exporting, billing and privacy requests
// keep working, so a customer can always pay, take their data or leave.
#pragma once

#include <string>

#include "core/access/permissions.h"
#include "core/context.h"

namespace mailjuke::core {

bool refusedWhileSuspended(Action a);
// Forbidden, naming the operator's reason, when `ws` is suspended.
Status requireNotSuspended(store::Tx& tx, const std::string& ws);

}  // namespace mailjuke::core
