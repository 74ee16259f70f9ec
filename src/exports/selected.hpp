#pragma once

#include "exports/exports.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// Internal to the exports module: the containers selected in a period, read once and shared by
/// the selections table and the statistics.
namespace portscreen::exports::detail {

struct SelectedContainer {
    std::int64_t container_id = 0;
    std::string day;
    std::string container_number;
    std::string vessel_name;
    std::string imo;
    std::string voyage;
    std::string lane;
    std::string source;
    bool random = false;
    std::optional<double> score;
    std::string reason;
    std::string decided_by;
    std::string decided_at;
    std::string state;  ///< the workflow state, "selected" without a workflow row
    std::string result; ///< the outcome's result, "" when none is recorded
};

/// The day's selections of the period and the officers' manual selections kept only in
/// `workflow` (day: the call's ETA day), ordered by day and container number.
std::vector<SelectedContainer> selected_containers(storage::Database& db, const Period& period);

} // namespace portscreen::exports::detail
