// Separate compilation of Boost.Asio and Beast: their bodies are compiled once, here.
#include <utility>

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
