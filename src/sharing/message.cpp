#include "sharing/message.hpp"

#include "core/codes.hpp"
#include "sharing/identity.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <stdexcept>

namespace portscreen::sharing {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 5> kKindNames{"alert", "outcome", "watchlist", "query",
                                                     "answer"};
constexpr std::size_t kMaxPorts = 50;

[[noreturn]] void bad(const std::string& field, const std::string& problem) {
    throw std::invalid_argument("envelope " + field + ": " + problem);
}

const json& member(const json& object, const char* key, json::value_t type, const char* what) {
    const auto found = object.find(key);
    if (found == object.end())
        bad(key, "missing");
    const bool integer_ok = type == json::value_t::number_integer && found->is_number_integer();
    if (found->type() != type && !integer_ok)
        bad(key, std::string("must be ") + what);
    return *found;
}

} // namespace

std::string_view to_string(Kind kind) {
    return kKindNames[static_cast<std::size_t>(kind)];
}

std::optional<Kind> parse_kind(std::string_view name) {
    for (std::size_t i = 0; i < kKindNames.size(); ++i)
        if (kKindNames[i] == name)
            return static_cast<Kind>(i);
    return std::nullopt;
}

std::string encode(const Envelope& envelope) {
    // nlohmann::json keeps object keys sorted, so the same envelope always gives the same bytes.
    json j = {{"v", 1},
              {"id", envelope.id},
              {"origin", envelope.origin},
              {"seq", envelope.seq},
              {"kind", to_string(envelope.kind)},
              {"created_at", envelope.created_at},
              {"to", envelope.to},
              {"ports", envelope.ports},
              {"personal", envelope.personal},
              {"body", json::parse(envelope.body)}};
    return j.dump();
}

Envelope decode(std::string_view bytes) {
    json j;
    try {
        j = json::parse(bytes);
    } catch (const json::exception& e) {
        throw std::invalid_argument(std::string("envelope is not JSON: ") + e.what());
    }
    if (!j.is_object())
        throw std::invalid_argument("envelope is not a JSON object");
    if (member(j, "v", json::value_t::number_unsigned, "a whole number") != 1)
        bad("v", "version " + j["v"].dump() + " is not 1");
    Envelope out;
    out.origin = member(j, "origin", json::value_t::string, "text").get<std::string>();
    if (!valid_node_name(out.origin))
        bad("origin", "'" + out.origin + "' is not a node name");
    const json& seq = member(j, "seq", json::value_t::number_unsigned, "a whole number above 0");
    out.seq = seq.get<std::int64_t>();
    if (out.seq < 1)
        bad("seq", "must be a whole number above 0");
    out.id = member(j, "id", json::value_t::string, "text").get<std::string>();
    if (out.id != out.origin + ":" + std::to_string(out.seq))
        bad("id", "'" + out.id + "' is not origin:seq");
    const auto kind_name = member(j, "kind", json::value_t::string, "text").get<std::string>();
    const auto kind = parse_kind(kind_name);
    if (!kind)
        bad("kind", "'" + kind_name + "' is not a message kind");
    out.kind = *kind;
    out.created_at = member(j, "created_at", json::value_t::string, "text").get<std::string>();
    if (out.created_at.size() != 20 || out.created_at.back() != 'Z')
        bad("created_at", "'" + out.created_at + "' is not UTC time as YYYY-MM-DDTHH:MM:SSZ");
    out.to = member(j, "to", json::value_t::string, "text").get<std::string>();
    if (!out.to.empty() && !valid_node_name(out.to))
        bad("to", "'" + out.to + "' is not a node name");
    const json& ports = member(j, "ports", json::value_t::array, "a list");
    if (ports.size() > kMaxPorts)
        bad("ports", "more than " + std::to_string(kMaxPorts) + " ports");
    for (std::size_t i = 0; i < ports.size(); ++i) {
        if (!ports[i].is_string() || !core::has_locode_shape(ports[i].get<std::string>()))
            bad("ports[" + std::to_string(i) + "]", "not a UN/LOCODE");
        out.ports.push_back(ports[i].get<std::string>());
    }
    out.personal = member(j, "personal", json::value_t::boolean, "true or false").get<bool>();
    out.body = member(j, "body", json::value_t::object, "an object").dump();
    return out;
}

} // namespace portscreen::sharing
