#pragma once

#include "facts.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

/// Reads what scoring needs from the node's database.
namespace portscreen::scoring {

/// A container's facts with the newest message row they came from: the container's own
/// declaration or the last change of a bill of lading placed in it.
struct LoadedContainer {
    profiling::ContainerFacts facts;
    std::int64_t basis = 0;
    std::int64_t image_basis = 0; ///< row of the newest scan analysis read, 0 for none
};

/// Loads container facts, one vessel call per query, with the party history as counted now.
/// Owns its prepared statements; used by one thread with its own connection.
class FactsLoader {
public:
    explicit FactsLoader(storage::Database& db);

    /// The containers of the vessel call, by container number: all of them, or those whose
    /// row id is in `only`.
    std::vector<LoadedContainer> load_call(std::int64_t vessel_call_id,
                                           const std::vector<std::int64_t>* only = nullptr);

    /// Messages whose issue time is cached: at most those of the last call loaded.
    std::size_t cached_issue_times() const { return issued_.size(); }

private:
    const std::string& issued_at(std::int64_t message_row);
    const profiling::PartyFacts& party(const storage::Statement& row, int column);

    storage::Statement call_;
    storage::Statement party_;
    storage::Statement message_issued_;
    storage::Statement images_;
    std::unordered_map<std::int64_t, profiling::PartyFacts> parties_;
    // The issue time sits after the payload in each row; read once per message, it is cached.
    std::unordered_map<std::int64_t, std::string> issued_;
};

} // namespace portscreen::scoring
