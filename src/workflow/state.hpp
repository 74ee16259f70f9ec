#pragma once

#include "workflow/outcome.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// The inspection workflow of one container as a pure state machine: states, actions, the
/// transition table, the refusal text and the checks of a request. No I/O here; the store in
/// workflow.hpp applies what these functions allow.
namespace portscreen::workflow {

/// Where a container stands. `unscored` and `scored` are derived (no `workflow` row); the
/// others are stored.
enum class State {
    unscored,
    scored,
    selected,
    scan_ordered,
    scanned,
    exam_ordered,
    closed,
    released
};

/// What a person (or the scan link) does to a container.
enum class Action {
    select,
    release,
    order_scan,
    order_exam,
    scan_attached,
    clear,
    refer,
    record_outcome
};

/// snake_case names, as stored and as sent over the API.
std::string_view to_string(State state);
std::string_view to_string(Action action);
std::optional<State> parse_state(std::string_view text);
std::optional<Action> parse_action(std::string_view text);

/// Every action and every state, in declaration order.
std::span<const Action> all_actions();
std::span<const State> all_states();

/// The state `action` leads to from `from`, or nothing when the table does not allow it.
std::optional<State> next_state(State from, Action action);

/// The states `action` may start from, in declaration order.
std::vector<State> allowed_from(Action action);

/// Why `action` is refused from `from`, naming the container, e.g. "container MSCU1234565 is
/// released; record_outcome needs scan_ordered, scanned or exam_ordered".
std::string refusal(std::string_view container_number, State from, Action action);

/// One action asked of the workflow, as received from a person or the system.
struct ActionRequest {
    Action action = Action::select;
    std::string lane;   ///< red or yellow; select only
    std::string reason; ///< why; required for select, release, order_exam and refer
    std::optional<OutcomeFields> outcome; ///< record_outcome; clear may give a no-find
    std::string scan_id;                  ///< the scan behind scan_attached
};

/// The longest reason a request may give.
inline constexpr std::size_t kMaxReason = 500;

/// Every problem with a request regardless of the container's state (missing lane, empty
/// reason, bad outcome fields), each naming its field; empty when it may be applied.
std::vector<std::string> request_problems(const ActionRequest& request);

} // namespace portscreen::workflow
