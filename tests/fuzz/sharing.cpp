// Messages between ports: the envelope decoder, the body parsers of every kind, the signature
// check, and receive() applying the message into a real node database (a fresh copy of one made
// at start, so that each input runs alone and a finding replays). The input is the envelope's
// bytes, signed with the key of a listed peer so that the fuzzer gets past the signature.
// Properties: a decoded envelope re-encodes to bytes that decode to the same encoding; a body
// that parses writes JSON that parses to the same JSON; a wrong signature is always refused;
// receive() takes the message (applied, refused or duplicate) and never throws, since a throw
// leaves the batch unacknowledged and the peer would resend it for ever.

#include "common/log.hpp"
#include "fuzz_support.hpp"
#include "sharing/store.hpp"
#include "storage/database.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

using namespace portscreen;

constexpr const char* kNow = "2026-11-28T08:00:00.000Z";

struct World {
    fuzz::ScratchDir dir;
    std::filesystem::path template_db = dir.path() / "template.db";
    std::filesystem::path work_db = dir.path() / "work.db";
    sharing::NodeIdentity self = sharing::generate_identity("NLRTM-PCU");
    sharing::NodeIdentity peer = sharing::generate_identity("BEANR-PCU");
    sharing::SharingOptions options;
};

std::unique_ptr<World> world;

void check_body(const sharing::Envelope& envelope) {
    using sharing::Kind;
    try {
        switch (envelope.kind) {
        case Kind::alert: {
            const auto text = to_json(sharing::parse_alert(envelope.body), true);
            fuzz::require(to_json(sharing::parse_alert(text), true) == text, "alert body");
            break;
        }
        case Kind::outcome: {
            const auto text = to_json(sharing::parse_outcome(envelope.body), true);
            fuzz::require(to_json(sharing::parse_outcome(text), true) == text, "outcome body");
            break;
        }
        case Kind::watchlist: {
            const auto text = to_json(sharing::parse_watchlist(envelope.body));
            fuzz::require(to_json(sharing::parse_watchlist(text)) == text, "watchlist body");
            break;
        }
        case Kind::query: {
            const auto text = to_json(sharing::parse_query(envelope.body));
            fuzz::require(to_json(sharing::parse_query(text)) == text, "query body");
            break;
        }
        case Kind::answer: {
            const auto text = to_json(sharing::parse_answer(envelope.body), true);
            fuzz::require(to_json(sharing::parse_answer(text), true) == text, "answer body");
            break;
        }
        }
    } catch (const std::invalid_argument&) {
        // An unreadable body is refused when received; nothing more to check here.
    }
}

/// Whether the envelope decodes; checks its re-encoding and its body when it does.
bool check_envelope(std::string_view bytes) {
    sharing::Envelope envelope;
    try {
        envelope = sharing::decode(bytes);
    } catch (const std::invalid_argument&) {
        return false;
    }
    const std::string encoded = sharing::encode(envelope);
    sharing::Envelope again;
    try {
        again = sharing::decode(encoded);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "%s\n", e.what());
        fuzz::require(false, "an encoded envelope decodes");
    }
    fuzz::require(sharing::encode(again) == encoded, "an envelope re-encodes to the same bytes");
    check_body(envelope);
    return true;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    log::set_level(log::Level::error); // refusals are expected here, thousands a second
    world = std::make_unique<World>();
    sharing::Peer peer;
    peer.identity = world->peer.public_part;
    peer.endpoint = "tcp://127.0.0.1:5557";
    peer.ports = {"BEANR"};
    peer.send = {sharing::Kind::alert, sharing::Kind::outcome, sharing::Kind::watchlist,
                 sharing::Kind::query, sharing::Kind::answer};
    peer.personal_data = true;
    world->options.endpoint = "tcp://127.0.0.1:5558";
    world->options.ports = {"NLRTM"};
    world->options.peers = {peer};
    auto db = storage::Database::open(world->template_db, storage::Access::writer);
    sharing::configure(db, world->options);
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto bytes = fuzz::as_text(data, size);
    const bool decodes = check_envelope(bytes);

    sharing::LinkMessage message;
    message.link_seq = 1;
    message.message.bytes = std::string(bytes);
    message.message.signature = sharing::sign(bytes, world->peer.sign_secret);

    sharing::LinkMessage forged = message;
    forged.message.signature[0] = static_cast<char>(forged.message.signature[0] ^ 1);
    const auto checked = sharing::check(world->self, world->options, {&forged, 1});
    fuzz::require(checked.size() == 1 && !checked[0].problem.empty(),
                  "a forged message is refused");

    std::filesystem::copy_file(world->template_db, world->work_db,
                               std::filesystem::copy_options::overwrite_existing);
    for (const char* suffix : {"-wal", "-shm"})
        std::filesystem::remove(world->work_db.string() + suffix);
    auto db = storage::Database::open(world->work_db, storage::Access::writer);
    db.execute("PRAGMA synchronous=OFF");
    sharing::Receipt receipt;
    try {
        receipt =
            sharing::receive(db, world->self, world->options, "BEANR-PCU", {&message, 1}, kNow);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "receive threw: %s\n", e.what());
        fuzz::require(false, "receive takes every message without throwing");
    }
    fuzz::require(receipt.last_link_seq == 1, "the message is taken");
    fuzz::require(receipt.applied + receipt.refused + receipt.duplicates <= 1,
                  "one message counts once");
    fuzz::require(decodes || receipt.refused == 1, "an envelope that does not decode is refused");
    return 0;
}
