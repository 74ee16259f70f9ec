#include "workflow/state.hpp"

#include <array>

namespace portscreen::workflow {
namespace {

constexpr std::array kStates{State::unscored,     State::scored,  State::selected,
                             State::scan_ordered, State::scanned, State::exam_ordered,
                             State::closed,       State::released};
constexpr std::array<std::string_view, kStates.size()> kStateNames{
    "unscored", "scored",       "selected", "scan_ordered",
    "scanned",  "exam_ordered", "closed",   "released"};

constexpr std::array kActions{Action::select,     Action::release,       Action::order_scan,
                              Action::order_exam, Action::scan_attached, Action::clear,
                              Action::refer,      Action::record_outcome};
constexpr std::array<std::string_view, kActions.size()> kActionNames{
    "select",        "release", "order_scan", "order_exam",
    "scan_attached", "clear",   "refer",      "record_outcome"};

struct Transition {
    State from;
    Action action;
    State to;
};

// The whole workflow; anything not listed is refused.
constexpr std::array kTable{
    Transition{State::unscored, Action::select, State::selected},
    Transition{State::scored, Action::select, State::selected},
    Transition{State::released, Action::select, State::selected},
    Transition{State::selected, Action::release, State::released},
    Transition{State::scan_ordered, Action::release, State::released},
    Transition{State::selected, Action::order_scan, State::scan_ordered},
    Transition{State::selected, Action::order_exam, State::exam_ordered},
    Transition{State::scan_ordered, Action::order_exam, State::exam_ordered},
    Transition{State::scanned, Action::order_exam, State::exam_ordered},
    Transition{State::selected, Action::scan_attached, State::scanned},
    Transition{State::scan_ordered, Action::scan_attached, State::scanned},
    Transition{State::scanned, Action::clear, State::closed},
    Transition{State::scanned, Action::refer, State::exam_ordered},
    Transition{State::scan_ordered, Action::record_outcome, State::closed},
    Transition{State::scanned, Action::record_outcome, State::closed},
    Transition{State::exam_ordered, Action::record_outcome, State::closed},
};

template <typename Enum, std::size_t N>
std::optional<Enum> parse(const std::array<Enum, N>& values,
                          const std::array<std::string_view, N>& names, std::string_view text) {
    for (std::size_t index = 0; index < N; ++index)
        if (names[index] == text)
            return values[index];
    return std::nullopt;
}

std::string field_problem(std::string_view field, std::string_view text) {
    return std::string(field).append(": ").append(text);
}

} // namespace

std::string_view to_string(State state) {
    return kStateNames[static_cast<std::size_t>(state)];
}
std::string_view to_string(Action action) {
    return kActionNames[static_cast<std::size_t>(action)];
}
std::optional<State> parse_state(std::string_view text) {
    return parse(kStates, kStateNames, text);
}
std::optional<Action> parse_action(std::string_view text) {
    return parse(kActions, kActionNames, text);
}

std::span<const Action> all_actions() {
    return kActions;
}
std::span<const State> all_states() {
    return kStates;
}

std::optional<State> next_state(State from, Action action) {
    for (const auto& transition : kTable)
        if (transition.from == from && transition.action == action)
            return transition.to;
    return std::nullopt;
}

std::vector<State> allowed_from(Action action) {
    std::vector<State> states;
    for (const auto state : kStates)
        if (next_state(state, action))
            states.push_back(state);
    return states;
}

std::string refusal(std::string_view container_number, State from, Action action) {
    std::string text = std::string("container ")
                           .append(container_number)
                           .append(" is ")
                           .append(to_string(from))
                           .append("; ")
                           .append(to_string(action))
                           .append(" needs ");
    const auto states = allowed_from(action);
    for (std::size_t index = 0; index < states.size(); ++index) {
        if (index > 0)
            text.append(index + 1 == states.size() ? " or " : ", ");
        text.append(to_string(states[index]));
    }
    return text;
}

std::vector<std::string> request_problems(const ActionRequest& request) {
    std::vector<std::string> problems;
    const Action action = request.action;
    if (action == Action::select && request.lane != "red" && request.lane != "yellow")
        problems.push_back(field_problem(
            "lane", std::string("must be red or yellow, not '").append(request.lane).append("'")));
    const bool needs_reason = action == Action::select || action == Action::release ||
                              action == Action::order_exam || action == Action::refer;
    if (needs_reason && request.reason.find_first_not_of(" \t\r\n") == std::string::npos)
        problems.push_back(
            field_problem("reason", std::string("required to ").append(to_string(action))));
    if (request.reason.size() > kMaxReason)
        problems.push_back(field_problem(
            "reason",
            std::string("longer than ").append(std::to_string(kMaxReason)).append(" characters")));
    if (action == Action::scan_attached && request.scan_id.empty())
        problems.push_back(field_problem("scan_id", "required to scan_attached"));
    if (action == Action::record_outcome && !request.outcome)
        problems.push_back(field_problem("outcome", "required to record_outcome"));
    if (request.outcome && action != Action::record_outcome && action != Action::clear)
        problems.push_back(
            field_problem("outcome", std::string("not taken by ").append(to_string(action))));
    if (request.outcome && (action == Action::record_outcome || action == Action::clear)) {
        const auto& outcome = *request.outcome;
        // Clearing is the operator's no-find after X-ray; a seizure goes through an officer.
        if (action == Action::clear && (outcome.seizure || outcome.method != "scan"))
            problems.push_back(field_problem("outcome", "clear records a no-find by scan only"));
        for (auto& text : outcome_problems(outcome))
            problems.push_back(std::move(text));
    }
    return problems;
}

} // namespace portscreen::workflow
