// The one place that includes Boost.Asio for the project (with the g++ 12 <utility> snag fixed).
// Include only from net/ and server/ sources, never from widely included headers.
#pragma once

#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace mailjuke::net {
namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
}  // namespace mailjuke::net
