#pragma once

#include "estimates.hpp"
#include "reference/reference.hpp"
#include "rules.hpp"
#include "storage/database.hpp"

#include <vector>

namespace portscreen::scoring {

/// Replays a draft rule set over the stored containers of the last `days` days that have any,
/// with the active watchlist and model, and compares the selection it would have made under
/// `policy` with the recorded outcomes. Party history is read as it stands now, so it includes
/// what came after each day. `db` is a writer (loading the profile may store the default rule
/// set on a new node).
profiling::BacktestReport backtest_rule_set(storage::Database& db, const profiling::RuleSet& draft,
                                            int days, const profiling::SelectionPolicy& policy,
                                            const std::vector<reference::HsEntry>& hs);

} // namespace portscreen::scoring
