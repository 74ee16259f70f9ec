#include "sharing/policy.hpp"

#include "core/codes.hpp"

#include <algorithm>
#include <set>

namespace portscreen::sharing {
namespace {

bool contains(const std::vector<Kind>& kinds, Kind kind) {
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

bool meets(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return std::any_of(a.begin(), a.end(), [&b](const std::string& port) {
        return std::find(b.begin(), b.end(), port) != b.end();
    });
}

/// Whether `peer` is where a message of `kind` for `to` and `ports` belongs, leaving the
/// policy's kind list aside.
bool addressed_to(const Peer& peer, Kind kind, std::string_view to,
                  const std::vector<std::string>& ports, bool to_is_direct) {
    if (!to.empty())
        return peer.identity.name == to || (!to_is_direct && peer.hub);
    // A hub that lists no ports serves them all.
    if (kind == Kind::alert)
        return meets(peer.ports, ports) || (peer.hub && peer.ports.empty());
    return true;
}

/// Whether `name` is a peer this node connects to (it has an endpoint).
bool connects_to(const SharingOptions& options, std::string_view name) {
    for (const auto& peer : options.peers)
        if (peer.identity.name == name)
            return !peer.endpoint.empty();
    return false;
}

} // namespace

std::vector<std::string> validate(const SharingOptions& options) {
    std::vector<std::string> problems;
    const auto check_ports = [&problems](const std::vector<std::string>& ports,
                                         const std::string& where) {
        for (std::size_t i = 0; i < ports.size(); ++i)
            if (!core::has_locode_shape(ports[i]))
                problems.push_back(where + "[" + std::to_string(i) + "]: '" + ports[i] +
                                   "' is not a UN/LOCODE");
    };
    check_ports(options.ports, "share.ports");
    if (!(options.alert_threshold >= 0 && options.alert_threshold <= 100))
        problems.push_back("share.alert_threshold: must be within 0 to 100");
    if (!(options.alert_points >= 0 && options.alert_points <= 100))
        problems.push_back("share.alert_points: must be within 0 to 100");
    if (options.alert_days < 1 || options.alert_days > 3650)
        problems.push_back("share.alert_days: must be within 1 to 3650");
    std::set<std::string> names;
    std::set<std::string> keys;
    for (std::size_t i = 0; i < options.peers.size(); ++i) {
        const Peer& peer = options.peers[i];
        const std::string where = "share.peers[" + std::to_string(i) + "]";
        for (const auto& problem : validate_public_identity(peer.identity))
            problems.push_back(where + "." + problem);
        if (!names.insert(peer.identity.name).second)
            problems.push_back(where + ".name: '" + peer.identity.name + "' is listed twice");
        if (!keys.insert(peer.identity.curve_public).second)
            problems.push_back(where + ".curve_public: the key is listed twice");
        check_ports(peer.ports, where + ".ports");
        if (peer.hub && peer.endpoint.empty())
            problems.push_back(where + ".endpoint: a hub must have one");
        if (!peer.endpoint.empty() && peer.endpoint.rfind("tcp://", 0) != 0 &&
            peer.endpoint.rfind("ipc://", 0) != 0)
            problems.push_back(where + ".endpoint: '" + peer.endpoint +
                               "' is not tcp://HOST:PORT or ipc://PATH");
    }
    return problems;
}

const Peer* find_peer(const SharingOptions& options, std::string_view name) {
    for (const auto& peer : options.peers)
        if (peer.identity.name == name)
            return &peer;
    return nullptr;
}

const Peer* find_peer_by_curve_key(const SharingOptions& options, std::string_view curve_public) {
    for (const auto& peer : options.peers)
        if (peer.identity.curve_public == curve_public)
            return &peer;
    return nullptr;
}

Delivery deliver_own(const SharingOptions& options, const Peer& peer, Kind kind,
                     std::string_view to, const std::vector<std::string>& ports) {
    if (peer.endpoint.empty() || !contains(peer.send, kind) ||
        !addressed_to(peer, kind, to, ports, connects_to(options, to)))
        return {};
    return {true, peer.personal_data};
}

bool relay_to(const SharingOptions& options, const Peer& peer, const Envelope& envelope,
              std::string_view from) {
    if (!options.hub || peer.endpoint.empty() || peer.identity.name == from ||
        peer.identity.name == envelope.origin || !contains(peer.send, envelope.kind))
        return false;
    if (envelope.personal && !peer.personal_data)
        return false;
    return addressed_to(peer, envelope.kind, envelope.to, envelope.ports,
                        connects_to(options, envelope.to));
}

bool applies_here(const Envelope& envelope, std::string_view own_name) {
    return envelope.to.empty() || envelope.to == own_name;
}

} // namespace portscreen::sharing
