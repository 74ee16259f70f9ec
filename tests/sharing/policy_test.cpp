#include "sharing/policy.hpp"

#include <gtest/gtest.h>

#include <tuple>

namespace portscreen::sharing {
namespace {

Peer peer(const std::string& name, std::vector<std::string> ports, bool hub = false) {
    Peer p;
    const auto identity = generate_identity(name);
    p.identity = identity.public_part;
    p.endpoint = "tcp://127.0.0.1:7000";
    p.ports = std::move(ports);
    p.send = {Kind::alert, Kind::outcome, Kind::watchlist, Kind::query, Kind::answer};
    p.hub = hub;
    return p;
}

Envelope envelope(Kind kind, std::string origin, std::vector<std::string> ports = {},
                  std::string to = {}) {
    Envelope e;
    e.kind = kind;
    e.origin = std::move(origin);
    e.ports = std::move(ports);
    e.to = std::move(to);
    return e;
}

TEST(Policy, AlertsGoToThePortsAheadAndToHubsServingAll) {
    SharingOptions options;
    options.peers = {peer("BEANR-PCU", {"BEANR"}), peer("DEHAM-PCU", {"DEHAM"}),
                     peer("EU-HUB", {}, true)};
    const auto& [antwerp, hamburg, hub] =
        std::tie(options.peers[0], options.peers[1], options.peers[2]);
    const std::vector<std::string> ahead{"BEANR"};
    EXPECT_TRUE(deliver_own(options, antwerp, Kind::alert, "", ahead).send);
    EXPECT_FALSE(deliver_own(options, hamburg, Kind::alert, "", ahead).send);
    EXPECT_TRUE(deliver_own(options, hub, Kind::alert, "", ahead).send);
    EXPECT_TRUE(deliver_own(options, hamburg, Kind::outcome, "", {}).send);
}

TEST(Policy, KindsNotListedAndPeersWithoutEndpointGetNothing) {
    const SharingOptions options;
    auto antwerp = peer("BEANR-PCU", {"BEANR"});
    antwerp.send = {Kind::alert};
    EXPECT_FALSE(deliver_own(options, antwerp, Kind::outcome, "", {}).send);
    antwerp.endpoint.clear();
    EXPECT_FALSE(deliver_own(options, antwerp, Kind::alert, "", {"BEANR"}).send);
}

TEST(Policy, PersonalDataFollowsThePeer) {
    const SharingOptions options;
    auto antwerp = peer("BEANR-PCU", {"BEANR"});
    EXPECT_FALSE(deliver_own(options, antwerp, Kind::outcome, "", {}).keep_personal);
    antwerp.personal_data = true;
    EXPECT_TRUE(deliver_own(options, antwerp, Kind::outcome, "", {}).keep_personal);
}

TEST(Policy, AnswersGoToTheAskerOrThroughHubs) {
    SharingOptions options;
    options.peers = {peer("BEANR-PCU", {"BEANR"}), peer("EU-HUB", {}, true)};
    const auto& antwerp = options.peers[0];
    const auto& hub = options.peers[1];
    // Antwerp is connected to: its answer goes to it alone.
    EXPECT_TRUE(deliver_own(options, antwerp, Kind::answer, "BEANR-PCU", {}).send);
    EXPECT_FALSE(deliver_own(options, hub, Kind::answer, "BEANR-PCU", {}).send);
    // Hamburg is not: the hub carries its answer.
    EXPECT_FALSE(deliver_own(options, antwerp, Kind::answer, "DEHAM-PCU", {}).send);
    EXPECT_TRUE(deliver_own(options, hub, Kind::answer, "DEHAM-PCU", {}).send);
}

TEST(Policy, HubRelaysOnlyOnwardAndKeepsPersonalDataHome) {
    SharingOptions options;
    options.hub = true;
    options.peers = {peer("NLRTM-PCU", {"NLRTM"}), peer("BEANR-PCU", {"BEANR"}),
                     peer("DEHAM-PCU", {"DEHAM"})};
    const auto& rotterdam = options.peers[0];
    const auto& antwerp = options.peers[1];
    const auto& hamburg = options.peers[2];
    const auto alert = envelope(Kind::alert, "NLRTM-PCU", {"BEANR"});
    EXPECT_TRUE(relay_to(options, antwerp, alert, "NLRTM-PCU"));
    EXPECT_FALSE(relay_to(options, hamburg, alert, "NLRTM-PCU"));
    EXPECT_FALSE(relay_to(options, rotterdam, alert, "NLRTM-PCU"));
    auto outcome = envelope(Kind::outcome, "NLRTM-PCU");
    EXPECT_TRUE(relay_to(options, hamburg, outcome, "NLRTM-PCU"));
    outcome.personal = true;
    EXPECT_FALSE(relay_to(options, hamburg, outcome, "NLRTM-PCU"));
    const auto answer = envelope(Kind::answer, "NLRTM-PCU", {}, "DEHAM-PCU");
    EXPECT_TRUE(relay_to(options, hamburg, answer, "NLRTM-PCU"));
    EXPECT_FALSE(relay_to(options, antwerp, answer, "NLRTM-PCU"));
    options.hub = false;
    EXPECT_FALSE(relay_to(options, antwerp, alert, "NLRTM-PCU"));
}

TEST(Policy, AppliesHereUnlessAddressedElsewhere) {
    EXPECT_TRUE(applies_here(envelope(Kind::alert, "A"), "B"));
    EXPECT_TRUE(applies_here(envelope(Kind::answer, "A", {}, "B"), "B"));
    EXPECT_FALSE(applies_here(envelope(Kind::answer, "A", {}, "C"), "B"));
}

TEST(Policy, ValidationNamesEveryProblem) {
    SharingOptions options;
    options.ports = {"nlrtm"};
    options.peers = {peer("A", {"BEANR"}), peer("A", {"XX"}, true)};
    options.peers[1].endpoint.clear();
    options.peers[1].identity.sign_public = "zz";
    const auto problems = validate(options);
    const auto has = [&problems](const std::string& text) {
        for (const auto& p : problems)
            if (p.find(text) != std::string::npos)
                return true;
        return false;
    };
    EXPECT_TRUE(has("share.ports[0]"));
    EXPECT_TRUE(has("share.peers[1].name: 'A' is listed twice"));
    EXPECT_TRUE(has("share.peers[1].ports[0]"));
    EXPECT_TRUE(has("share.peers[1].endpoint: a hub must have one"));
    EXPECT_TRUE(has("share.peers[1].sign_public"));
    SharingOptions good;
    good.peers = {peer("A", {"BEANR"})};
    EXPECT_TRUE(validate(good).empty());
}

} // namespace
} // namespace portscreen::sharing
