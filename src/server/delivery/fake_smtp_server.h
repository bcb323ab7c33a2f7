// Test helper: a tiny scripted SMTP server on 127.0.0.1:0 (blocking sockets, one thread per
// connection) that records what clients send.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mailjuke::delivery::testing {

class FakeSmtpServer {
 public:
  struct Received {
    std::string from;
    std::vector<std::string> rcpts;
    std::string data;  // unstuffed, CRLF, without the final ".\r\n"
  };

  std::string greeting = "220 fake.test ESMTP\r\n";
  std::string ehlo = "250-fake.test hello\r\n250-SIZE 10000000\r\n250-8BITMIME\r\n250 HELP\r\n";
  std::map<std::string, std::string> rcpt_replies;  // address → reply; default 250
  std::deque<std::string> data_replies;             // consumed per DATA end; default 250
  // Reply to STARTTLS (advertise it in `ehlo`); "220 ..." is followed by plain-text garbage, so
  // the client's TLS handshake fails.
  std::string starttls_reply = "502 5.5.1 not implemented\r\n";

  FakeSmtpServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~FakeSmtpServer() { stop(); }

  void start() {
    acceptor_ = std::thread([this] {
      for (;;) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;
        std::lock_guard lock(mu_);
        ++connections_;
        fds_.push_back(fd);
        threads_.emplace_back([this, fd] { serve(fd); });
      }
    });
  }

  void stop() {
    if (stopped_.exchange(true)) return;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

  uint16_t port() const { return port_; }
  int connections() {
    std::lock_guard lock(mu_);
    return connections_;
  }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  std::vector<std::string> commands() {
    std::lock_guard lock(mu_);
    return commands_;
  }

 private:
  static bool readLine(int fd, std::string& buf, std::string& line) {
    for (;;) {
      auto p = buf.find("\r\n");
      if (p != std::string::npos) {
        line = buf.substr(0, p);
        buf.erase(0, p + 2);
        return true;
      }
      char tmp[4096];
      ssize_t n = ::read(fd, tmp, sizeof tmp);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
    }
  }
  static void send(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::write(fd, s.data() + off, s.size() - off);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }
  static std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
    return s;
  }
  static std::string angle(const std::string& line) {
    auto a = line.find('<'), b = line.find('>');
    return a == std::string::npos || b == std::string::npos ? "" : line.substr(a + 1, b - a - 1);
  }

  void serve(int fd) {
    std::string buf, line;
    send(fd, greeting);
    Received cur;
    while (readLine(fd, buf, line)) {
      {
        std::lock_guard lock(mu_);
        commands_.push_back(line);
      }
      std::string cmd = upper(line.substr(0, 4));
      if (cmd == "EHLO") {
        send(fd, ehlo);
      } else if (cmd == "HELO") {
        send(fd, "250 fake.test\r\n");
      } else if (cmd == "MAIL") {
        cur = Received{angle(line), {}, ""};
        send(fd, "250 2.1.0 ok\r\n");
      } else if (cmd == "RCPT") {
        std::string a = angle(line);
        std::string reply;
        {
          std::lock_guard lock(mu_);
          auto it = rcpt_replies.find(a);
          reply = it == rcpt_replies.end() ? "250 2.1.5 ok\r\n" : it->second;
        }
        if (reply[0] == '2') cur.rcpts.push_back(a);
        send(fd, reply);
      } else if (cmd == "DATA") {
        send(fd, "354 go ahead\r\n");
        std::string data;
        while (readLine(fd, buf, line) && line != ".") {
          if (!line.empty() && line[0] == '.') line.erase(0, 1);
          data += line + "\r\n";
        }
        cur.data = data;
        std::string reply = "250 2.0.0 queued\r\n";
        {
          std::lock_guard lock(mu_);
          if (!data_replies.empty()) {
            reply = data_replies.front();
            data_replies.pop_front();
          }
          if (reply[0] == '2') received_.push_back(cur);
        }
        send(fd, reply);
      } else if (cmd == "STAR") {
        send(fd, starttls_reply);
        if (starttls_reply[0] == '2') send(fd, "this is not a TLS server hello\r\n");
      } else if (cmd == "RSET") {
        send(fd, "250 2.0.0 reset\r\n");
      } else if (cmd == "QUIT") {
        send(fd, "221 2.0.0 bye\r\n");
        break;
      } else {
        send(fd, "502 5.5.2 unknown\r\n");
      }
    }
    std::lock_guard lock(mu_);
    fds_.erase(std::remove(fds_.begin(), fds_.end(), fd), fds_.end());
    ::close(fd);
  }

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  int connections_ = 0;
  std::vector<Received> received_;
  std::vector<std::string> commands_;
};

}  // namespace mailjuke::delivery::testing
