#include "server/dns/udp_worker.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

namespace mailjuke::dns {
namespace {

constexpr unsigned kBatch = 64;
constexpr size_t kQueryBuffer = 4096;
constexpr size_t kControlBuffer = 64;

// Turns a received IP_PKTINFO into the one to send with: source = the query's destination.
void fixPktinfo(msghdr& h) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      auto* info = reinterpret_cast<in_pktinfo*>(CMSG_DATA(c));
      info->ipi_spec_dst = info->ipi_addr;
      info->ipi_ifindex = 0;
    }
  }
}

}  // namespace

void UdpWorker::run() {
  struct Slot {
    uint8_t in[kQueryBuffer];
    sockaddr_storage peer;
    alignas(cmsghdr) uint8_t control[kControlBuffer];
    iovec in_iov;
    iovec out_iov;
  };
  const size_t out_capacity = std::max<size_t>(options_.max_udp_payload, kMinUdpPayload);
  auto slots = std::make_unique<Slot[]>(kBatch);
  std::vector<uint8_t> out(kBatch * out_capacity);
  std::vector<mmsghdr> recv(kBatch), send(kBatch);

  std::shared_ptr<const ZoneSet> snapshot;
  uint64_t version = 0;

  while (!stopping_.load(std::memory_order_relaxed)) {
    for (unsigned i = 0; i < kBatch; ++i) {
      Slot& s = slots[i];
      s.in_iov = {s.in, sizeof s.in};
      msghdr& h = recv[i].msg_hdr;
      h = msghdr{};
      h.msg_name = &s.peer;
      h.msg_namelen = sizeof s.peer;
      h.msg_iov = &s.in_iov;
      h.msg_iovlen = 1;
      if (pktinfo_) {
        h.msg_control = s.control;
        h.msg_controllen = sizeof s.control;
      }
    }
    // Blocks until at least one datagram is there, then takes what else is queued: one system
    // call per wake-up. stop() wakes it with shutdown(); SO_RCVTIMEO bounds the wait anyway.
    int n;
    if (options_spin_.count() > 0) {
      // Busy-poll for a little while before sleeping: with a core to itself, the thread then
      // skips the sleep/wake-up cycle between closely spaced datagrams.
      auto until = std::chrono::steady_clock::now() + options_spin_;
      do {
        n = recvmmsg(fd_, recv.data(), kBatch, MSG_DONTWAIT, nullptr);
      } while (n < 0 && errno == EAGAIN && !stopping_.load(std::memory_order_relaxed) &&
               std::chrono::steady_clock::now() < until);
      if (n < 0 && errno == EAGAIN) n = recvmmsg(fd_, recv.data(), kBatch, MSG_WAITFORONE, nullptr);
    } else {
      n = recvmmsg(fd_, recv.data(), kBatch, MSG_WAITFORONE, nullptr);
    }
    if (n <= 0) {
      if (n < 0 && errno == EBADF) break;
      continue;
    }
    // Pick up a newer snapshot between batches: one relaxed load when nothing changed.
    if (uint64_t v = holder_.version(); v != version) {
      snapshot = holder_.get();
      version = v;
    }
    unsigned replies = 0;
    for (int i = 0; i < n; ++i) {
      Slot& s = slots[i];
      uint8_t* o = out.data() + static_cast<size_t>(i) * out_capacity;
      size_t len = recv[i].msg_len;
      if (recv[i].msg_hdr.msg_flags & MSG_TRUNC) len = std::min<size_t>(len, sizeof s.in);
      Answer a = answerQuery(*snapshot, s.in, len, o, out_capacity, options_);
      if (a.action != Answer::Action::kReply) continue;
      s.out_iov = {o, a.size};
      msghdr& h = send[replies].msg_hdr;
      h = msghdr{};
      h.msg_name = &s.peer;
      h.msg_namelen = recv[i].msg_hdr.msg_namelen;
      h.msg_iov = &s.out_iov;
      h.msg_iovlen = 1;
      if (pktinfo_ && recv[i].msg_hdr.msg_controllen > 0) {
        h.msg_control = s.control;
        h.msg_controllen = recv[i].msg_hdr.msg_controllen;
        fixPktinfo(h);
      }
      ++replies;
    }
    counters_.udp_queries.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    counters_.udp_batches.fetch_add(1, std::memory_order_relaxed);
    for (unsigned sent = 0; sent < replies;) {
      int r = sendmmsg(fd_, send.data() + sent, replies - sent, 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        ++sent;  // skip the datagram that failed (e.g. unreachable peer) and go on
        continue;
      }
      sent += static_cast<unsigned>(r);
    }
  }
}

}  // namespace mailjuke::dns
