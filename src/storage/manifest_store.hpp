#pragma once

#include "common/result.hpp"
#include "core/manifest.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// The write path of manifests: messages, vessel calls, consignments and their revisions,
/// goods, containers, seals and parties.
namespace portscreen::storage {

/// One message as accepted by the ingest stage: parsed, validated, not yet stored.
struct IncomingMessage {
    std::string message_id;   ///< the client's id
    std::string content_type; ///< "application/json" or "application/edifact"
    std::string_view payload; ///< raw bytes as received
    std::string content_sha256;
    std::string source;                    ///< client identity
    std::string received_at;               ///< ISO 8601 UTC
    std::string interchange_key;           ///< EDIFACT "sender/control-ref", empty for JSON
    std::vector<core::Manifest> manifests; ///< already parsed and validated
};

/// What storing did to one consignment.
struct StoredConsignment {
    std::string master_bl;
    std::string house_bl;
    int revision = 0;
    std::string action; ///< created, replaced, changed or cancelled
};

/// What storing did with one manifest of a message: what an acknowledgement reports.
struct StoredManifest {
    std::int64_t vessel_call_id = 0;
    std::string imo;
    std::string vessel_name;
    std::string voyage;
    std::string port_of_call;
    std::string function; ///< the manifest's message function
    std::vector<StoredConsignment> consignments;
    std::vector<std::string> containers; ///< container numbers of the manifest, in its order
};

enum class StoreStatus {
    stored,    ///< written; reply_body is the new acknowledgement
    duplicate, ///< already stored; reply_body is the acknowledgement sent the first time
    rejected,  ///< refused by a business rule; problems say why, nothing was written
};

struct StoreResult {
    StoreStatus status = StoreStatus::rejected;
    std::string reply_body;
    Problems problems; ///< errors when rejected; warnings may come with a stored message
};

/// Builds the acknowledgement body of a stored message. Called inside the transaction, so the
/// body is saved with the message and a resend gets the same answer.
using AckFormatter =
    std::function<std::string(const IncomingMessage&, const std::vector<StoredManifest>&)>;

/// Stores batches of accepted messages. See docs/storage.md for the amendment semantics.
///
/// Not thread-safe: one writer thread owns the store and its writer connection. The statements
/// are prepared once, at construction, and reused for every batch.
class ManifestStore {
public:
    /// `db` must be a writer connection and must outlive the store.
    explicit ManifestStore(Database& db);
    ManifestStore(const ManifestStore&) = delete;
    ManifestStore& operator=(const ManifestStore&) = delete;
    ~ManifestStore();

    /// One transaction for the whole batch (group commit); each message inside its own
    /// savepoint, so a message refused by a business rule rolls back alone and comes back
    /// `rejected` with its problems. Commits once, then returns one result per message in order.
    /// The reply_body of a stored message is what `format_ack` returned; it is saved in
    /// `messages` in the same transaction.
    ///
    /// Throws `Error` when the environment fails (I/O error, disk full, lock timeout) and
    /// whatever `format_ack` throws; the whole batch is then rolled back and nothing may be
    /// acknowledged.
    std::vector<StoreResult> store_batch(std::span<const IncomingMessage> batch,
                                         const AckFormatter& format_ack);

private:
    /// Stores the batch in one transaction. With `isolate`, each message has its own savepoint;
    /// without, a refused message in a batch of several rolls everything back and the result
    /// is empty.
    std::optional<std::vector<StoreResult>>
    store_in_transaction(std::span<const IncomingMessage> batch, const AckFormatter& format_ack,
                         bool isolate);

    struct Statements;
    class MessageWriter;

    Database& db_;
    std::unique_ptr<Statements> statements_;
};

/// The key under which parties are deduplicated: the country, then the name upper-cased with
/// punctuation dropped and runs of spaces collapsed ("DE|ACME TRADING GMBH"). A party with no
/// name is keyed by the sender's identifier.
std::string party_key(const core::Party& party);

} // namespace portscreen::storage
