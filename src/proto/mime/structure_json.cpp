#include "proto/mime/structure_json.h"

#include <nlohmann/json.hpp>

namespace mailjuke::mime {
namespace {

using nlohmann::json;

json opt(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

std::optional<std::string> optOf(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

json addressesJson(const std::vector<MimeAddress>& list) {
  json out = json::array();
  for (const auto& a : list) out.push_back({a.name, a.mailbox, a.host, int(a.kind)});
  return out;
}

std::vector<MimeAddress> addressesOf(const json& j) {
  std::vector<MimeAddress> out;
  for (const auto& a : j) {
    int kind = a.at(3).get<int>();
    if (kind < 0 || kind > 2) throw std::out_of_range("address kind");
    out.push_back({a.at(0).get<std::string>(), a.at(1).get<std::string>(),
                   a.at(2).get<std::string>(), MimeAddress::Kind(kind)});
  }
  return out;
}

json envelopeJson(const Envelope& e) {
  return {{"date", opt(e.date)},
          {"subject", opt(e.subject)},
          {"in_reply_to", opt(e.in_reply_to)},
          {"message_id", opt(e.message_id)},
          {"from", addressesJson(e.from)},
          {"sender", addressesJson(e.sender)},
          {"reply_to", addressesJson(e.reply_to)},
          {"to", addressesJson(e.to)},
          {"cc", addressesJson(e.cc)},
          {"bcc", addressesJson(e.bcc)}};
}

Envelope envelopeOf(const json& j) {
  Envelope e;
  e.date = optOf(j, "date");
  e.subject = optOf(j, "subject");
  e.in_reply_to = optOf(j, "in_reply_to");
  e.message_id = optOf(j, "message_id");
  e.from = addressesOf(j.at("from"));
  e.sender = addressesOf(j.at("sender"));
  e.reply_to = addressesOf(j.at("reply_to"));
  e.to = addressesOf(j.at("to"));
  e.cc = addressesOf(j.at("cc"));
  e.bcc = addressesOf(j.at("bcc"));
  return e;
}

json paramsJson(const Params& ps) {
  json out = json::array();
  for (const auto& [k, v] : ps) out.push_back({k, v});
  return out;
}

Params paramsOf(const json& j) {
  Params out;
  for (const auto& p : j) out.emplace_back(p.at(0).get<std::string>(), p.at(1).get<std::string>());
  return out;
}

json partJson(const MimePart& p) {
  json j = {{"t", p.type},
            {"s", p.subtype},
            {"p", paramsJson(p.params)},
            {"id", opt(p.id)},
            {"d", opt(p.description)},
            {"m", opt(p.md5)},
            {"l", opt(p.location)},
            {"lang", p.languages},
            {"e", p.encoding},
            {"x", opt(p.disposition)},
            {"xp", paramsJson(p.disposition_params)},
            {"hb", p.header_begin},
            {"bb", p.body_begin},
            {"be", p.body_end},
            {"n", p.lines}};
  if (!p.children.empty()) {
    json c = json::array();
    for (const auto& child : p.children) c.push_back(partJson(child));
    j["c"] = std::move(c);
  }
  if (p.envelope) j["env"] = envelopeJson(*p.envelope);
  return j;
}

MimePart partOf(const json& j, int depth) {
  if (depth > 64) throw std::out_of_range("nesting");
  MimePart p;
  p.type = j.at("t").get<std::string>();
  p.subtype = j.at("s").get<std::string>();
  p.params = paramsOf(j.at("p"));
  p.id = optOf(j, "id");
  p.description = optOf(j, "d");
  p.md5 = optOf(j, "m");
  p.location = optOf(j, "l");
  p.languages = j.at("lang").get<std::vector<std::string>>();
  p.encoding = j.at("e").get<std::string>();
  p.disposition = optOf(j, "x");
  p.disposition_params = paramsOf(j.at("xp"));
  p.header_begin = j.at("hb").get<size_t>();
  p.body_begin = j.at("bb").get<size_t>();
  p.body_end = j.at("be").get<size_t>();
  p.lines = j.at("n").get<size_t>();
  if (auto it = j.find("c"); it != j.end())
    for (const auto& c : *it) p.children.push_back(partOf(c, depth + 1));
  if (auto it = j.find("env"); it != j.end())
    p.envelope = std::make_unique<Envelope>(envelopeOf(*it));
  return p;
}

}  // namespace

std::string envelopeToJson(const Envelope& envelope) { return envelopeJson(envelope).dump(); }

std::optional<Envelope> envelopeFromJson(std::string_view text) {
  try {
    return envelopeOf(json::parse(text));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string partToJson(const MimePart& part) { return partJson(part).dump(); }

std::optional<MimePart> partFromJson(std::string_view text) {
  try {
    return partOf(json::parse(text), 0);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace mailjuke::mime
