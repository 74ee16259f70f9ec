#pragma once

#include "identity.hpp"
#include "message.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Who a node shares with and what: its trusted peers and the policy per peer. The decisions are
/// pure functions of the configuration and one message (docs/sharing.md).
namespace portscreen::sharing {

/// One trusted node. A peer with an endpoint is connected to; one without is only known, so
/// that messages it originates can be checked when a hub passes them on.
struct Peer {
    PublicIdentity identity;
    std::string endpoint; ///< its sharing endpoint, e.g. tcp://10.0.0.7:5557; may be empty
    std::vector<std::string> ports; ///< UN/LOCODEs it screens (a hub: every port it serves)
    std::vector<Kind> send;         ///< kinds this node may send to it
    bool personal_data = false;     ///< whether names of persons and parties may go to it
    bool hub = false;               ///< it passes messages on to its own peers
};

struct SharingOptions {
    std::string endpoint;           ///< this node's sharing endpoint; empty turns sharing off
    std::vector<std::string> ports; ///< UN/LOCODEs this node screens
    double alert_threshold = 70;    ///< scores at or above this are alerted to the ports ahead
    double alert_points = 40;       ///< points a received alert (or seizure) adds to a score
    int alert_days = 30;            ///< how long a received alert keeps raising scores
    bool hub = false;               ///< pass messages on between peers
    std::vector<Peer> peers;
    std::int64_t max_message_bytes = 1 << 20;
    int window = 5000; ///< messages in flight per peer before an acknowledgement
};

/// Problems of a configuration, each naming the peer and field ("share.peers[2].sign_public:
/// ..."): duplicate names or keys, unknown kinds, bad LOCODEs, a hub peer with no endpoint.
std::vector<std::string> validate(const SharingOptions& options);

const Peer* find_peer(const SharingOptions& options, std::string_view name);
const Peer* find_peer_by_curve_key(const SharingOptions& options, std::string_view curve_public);

/// Whether a message this node originates goes to `peer`, and with names kept or withheld.
struct Delivery {
    bool send = false;
    bool keep_personal = false;
};

/// For a message this node makes: the peer must have an endpoint and the kind must be in its
/// `send` list; an alert goes only to peers whose ports meet `ports` (the route still ahead),
/// or to hubs that list no ports; a message with an addressee (`to`) goes to it when it is a
/// peer this node connects to, and otherwise to the hubs, which pass it on.
Delivery deliver_own(const SharingOptions& options, const Peer& peer, Kind kind,
                     std::string_view to, const std::vector<std::string>& ports);

/// For a message a hub received from `from`: passed on unchanged to `peer` when this node is a
/// hub, `peer` is neither the one it came from nor its origin, the policy sends the kind to
/// `peer` (and the ports or addressee match as for its own), and the message carries no
/// personal data unless `peer` may have it.
bool relay_to(const SharingOptions& options, const Peer& peer, const Envelope& envelope,
              std::string_view from);

/// Whether a received message should be applied here (or only passed on): answers addressed to
/// another node are not.
bool applies_here(const Envelope& envelope, std::string_view own_name);

} // namespace portscreen::sharing
