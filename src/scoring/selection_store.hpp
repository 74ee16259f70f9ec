#pragma once

#include "estimates.hpp"
#include "selection.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <string_view>

/// The day's selection as the node keeps it: drawn from the stored scores of the containers
/// arriving that day, with the officers' manual decisions, and the estimates its random share
/// allows once outcomes are in.
namespace portscreen::scoring {

/// Selects among the containers of the vessel calls whose ETA falls on `day` (YYYY-MM-DD) and
/// stores the result in one transaction, replacing an earlier selection of the same day.
profiling::SelectionResult select_day(storage::Database& db, const std::string& day,
                                      const profiling::SelectionPolicy& policy,
                                      std::string_view decided_by);

/// Records an officer's decision to add a container of `day` to a lane or to remove it; the
/// next `select_day` applies it. Throws std::runtime_error when no container of that day has
/// the number.
void record_manual_decision(storage::Database& db, const std::string& day,
                            std::string_view container_number,
                            const profiling::ManualDecision& decision);

/// Hit-rate estimates over the stored selections of days in [from, to].
profiling::HitRateEstimates estimate_days(storage::Database& db, const std::string& from,
                                          const std::string& to);

/// The policy as JSON text, as stored with each day.
std::string policy_json(const profiling::SelectionPolicy& policy);

/// The port's selection policy as last saved, or nothing before the first save.
std::optional<profiling::SelectionPolicy> saved_policy(storage::Database& db);
/// Saves the port's selection policy, used by every later selection that does not override it.
void save_policy(storage::Database& db, const profiling::SelectionPolicy& policy);

} // namespace portscreen::scoring
