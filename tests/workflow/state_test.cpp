#include "workflow/outcome.hpp"
#include "workflow/state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace portscreen::workflow {
namespace {

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
    return std::any_of(problems.begin(), problems.end(), [&](const std::string& problem) {
        return problem.find(text) != std::string::npos;
    });
}

OutcomeFields seizure() {
    OutcomeFields outcome;
    outcome.seizure = true;
    outcome.inspected_on = "2026-11-27";
    outcome.method = "physical";
    outcome.category = "drugs";
    outcome.description = "cocaine in bricks behind the front wall";
    outcome.quantity = 12.5;
    outcome.unit = "kg";
    outcome.concealment = "false_wall";
    outcome.detection = "x_ray";
    outcome.place = "KEMBA";
    return outcome;
}

OutcomeFields no_find() {
    OutcomeFields outcome;
    outcome.inspected_on = "2026-11-27";
    outcome.method = "scan";
    return outcome;
}

TEST(StateMachine, TheTableAllowsExactlyTheDesignedTransitions) {
    struct Row {
        State from;
        Action action;
        State to;
    };
    const std::vector<Row> expected{
        {State::unscored, Action::select, State::selected},
        {State::scored, Action::select, State::selected},
        {State::released, Action::select, State::selected},
        {State::selected, Action::release, State::released},
        {State::scan_ordered, Action::release, State::released},
        {State::selected, Action::order_scan, State::scan_ordered},
        {State::selected, Action::order_exam, State::exam_ordered},
        {State::scan_ordered, Action::order_exam, State::exam_ordered},
        {State::scanned, Action::order_exam, State::exam_ordered},
        {State::selected, Action::scan_attached, State::scanned},
        {State::scan_ordered, Action::scan_attached, State::scanned},
        {State::scanned, Action::clear, State::closed},
        {State::scanned, Action::refer, State::exam_ordered},
        {State::scan_ordered, Action::record_outcome, State::closed},
        {State::scanned, Action::record_outcome, State::closed},
        {State::exam_ordered, Action::record_outcome, State::closed},
    };
    for (const auto& row : expected)
        EXPECT_EQ(next_state(row.from, row.action), row.to)
            << to_string(row.from) << " " << to_string(row.action);
    int allowed = 0;
    for (const auto from : all_states())
        for (const auto action : all_actions())
            allowed += next_state(from, action).has_value() ? 1 : 0;
    EXPECT_EQ(allowed, static_cast<int>(expected.size()));
    EXPECT_FALSE(next_state(State::closed, Action::select));
    EXPECT_FALSE(next_state(State::scored, Action::order_scan));
}

TEST(StateMachine, NamesRoundTrip) {
    for (const auto state : all_states())
        EXPECT_EQ(parse_state(to_string(state)), state);
    for (const auto action : all_actions())
        EXPECT_EQ(parse_action(to_string(action)), action);
    EXPECT_EQ(to_string(State::scan_ordered), "scan_ordered");
    EXPECT_EQ(to_string(Action::record_outcome), "record_outcome");
    EXPECT_FALSE(parse_state("open"));
    EXPECT_FALSE(parse_action("Select"));
}

TEST(StateMachine, RefusalNamesTheContainerItsStateAndTheStatesTheActionNeeds) {
    EXPECT_EQ(refusal("MSCU1234565", State::released, Action::record_outcome),
              "container MSCU1234565 is released; record_outcome needs scan_ordered, scanned or "
              "exam_ordered");
    EXPECT_EQ(refusal("MSCU1234565", State::closed, Action::clear),
              "container MSCU1234565 is closed; clear needs scanned");
    EXPECT_EQ(refusal("MSCU1234565", State::closed, Action::release),
              "container MSCU1234565 is closed; release needs selected or scan_ordered");
}

TEST(Requests, SelectNeedsARedOrYellowLaneAndAReason) {
    ActionRequest request;
    request.action = Action::select;
    request.lane = "green";
    request.reason = "  ";
    const auto problems = request_problems(request);
    ASSERT_EQ(problems.size(), 2U);
    EXPECT_EQ(problems[0], "lane: must be red or yellow, not 'green'");
    EXPECT_EQ(problems[1], "reason: required to select");
    request.lane = "yellow";
    request.reason = "undervalued tiles";
    EXPECT_TRUE(request_problems(request).empty());
}

TEST(Requests, ReasonsOutcomesAndScanIdsAreCheckedPerAction) {
    for (const auto action : {Action::release, Action::order_exam, Action::refer}) {
        ActionRequest request;
        request.action = action;
        EXPECT_TRUE(mentions(request_problems(request), "reason: required")) << to_string(action);
    }
    ActionRequest order_scan;
    order_scan.action = Action::order_scan;
    EXPECT_TRUE(request_problems(order_scan).empty());
    order_scan.reason = std::string(kMaxReason + 1, 'x');
    EXPECT_TRUE(mentions(request_problems(order_scan), "reason: longer than 500 characters"));
    order_scan.reason.clear();
    order_scan.outcome = no_find();
    EXPECT_TRUE(mentions(request_problems(order_scan), "outcome: not taken by order_scan"));

    ActionRequest record;
    record.action = Action::record_outcome;
    EXPECT_TRUE(mentions(request_problems(record), "outcome: required to record_outcome"));
    record.outcome = seizure();
    record.outcome->quantity = 0;
    EXPECT_TRUE(mentions(request_problems(record), "outcome.quantity: must be greater than 0"));

    ActionRequest clear;
    clear.action = Action::clear;
    EXPECT_TRUE(request_problems(clear).empty()); // builds its own no-find
    clear.outcome = seizure();
    EXPECT_TRUE(mentions(request_problems(clear), "clear records a no-find by scan only"));

    ActionRequest attached;
    attached.action = Action::scan_attached;
    EXPECT_TRUE(mentions(request_problems(attached), "scan_id: required"));
}

TEST(Outcome, ACompleteSeizureAndAPlainNoFindPass) {
    EXPECT_TRUE(outcome_problems(seizure()).empty());
    EXPECT_TRUE(outcome_problems(no_find()).empty());
    auto checked = no_find();
    checked.detection = "x_ray";
    checked.notes = "nothing unusual in the image";
    EXPECT_TRUE(outcome_problems(checked).empty());
}

TEST(Outcome, ASeizureNeedsEveryCenFieldFromItsList) {
    OutcomeFields outcome;
    outcome.seizure = true;
    outcome.inspected_on = "27/11/2026";
    outcome.method = "sniff";
    outcome.category = "narcotics";
    outcome.quantity = -1;
    outcome.unit = "tons";
    const auto problems = outcome_problems(outcome);
    EXPECT_TRUE(mentions(problems, "outcome.inspected_on: '27/11/2026' is not a date YYYY-MM-DD"));
    EXPECT_TRUE(mentions(problems, "outcome.method: must be scan or physical, not 'sniff'"));
    EXPECT_TRUE(mentions(problems, "outcome.category: 'narcotics' is not one of drugs, tobacco"));
    EXPECT_TRUE(mentions(problems, "outcome.description: required for a seizure"));
    EXPECT_TRUE(mentions(problems, "outcome.quantity: must be greater than 0"));
    EXPECT_TRUE(mentions(problems, "outcome.unit: 'tons' is not one of"));
    EXPECT_TRUE(mentions(problems, "outcome.concealment: required for a seizure"));
    EXPECT_TRUE(mentions(problems, "outcome.detection: required for a seizure"));
    EXPECT_EQ(problems.size(), 8U);

    auto missing_quantity = seizure();
    missing_quantity.quantity.reset();
    EXPECT_EQ(outcome_problems(missing_quantity),
              std::vector<std::string>{"outcome.quantity: required for a seizure"});
}

TEST(Outcome, ANoFindNamesNoGoods) {
    auto outcome = no_find();
    outcome.category = "drugs";
    outcome.quantity = 1;
    outcome.unit = "kg";
    outcome.concealment = "none";
    outcome.detection = "telepathy";
    const auto problems = outcome_problems(outcome);
    EXPECT_EQ(problems.size(), 5U);
    EXPECT_TRUE(mentions(problems, "outcome.category: must be empty for a no-find"));
    EXPECT_TRUE(mentions(problems, "outcome.quantity: must be empty for a no-find"));
    EXPECT_TRUE(mentions(problems, "outcome.detection: 'telepathy' is not one of"));
}

TEST(Outcome, DatesMustExistAndTextsHaveALimit) {
    EXPECT_TRUE(is_iso_date("2024-02-29"));
    EXPECT_FALSE(is_iso_date("2026-02-29"));
    EXPECT_FALSE(is_iso_date("2026-13-01"));
    EXPECT_FALSE(is_iso_date("2026-1-01"));
    EXPECT_FALSE(is_iso_date("2026-11-27T00:00:00Z"));
    auto outcome = seizure();
    outcome.notes = std::string(kMaxOutcomeText + 1, 'n');
    outcome.place = std::string(kMaxOutcomeText, 'p');
    EXPECT_EQ(outcome_problems(outcome),
              std::vector<std::string>{"outcome.notes: longer than 2000 characters"});
}

TEST(Outcome, VocabulariesAreListedForForms) {
    EXPECT_EQ(categories().size(), 13U);
    EXPECT_EQ(categories().front(), "drugs");
    EXPECT_EQ(units().size(), 7U);
    EXPECT_EQ(concealments().size(), 10U);
    EXPECT_EQ(detections().front(), "x_ray");
    EXPECT_EQ(methods().size(), 2U);
}

} // namespace
} // namespace portscreen::workflow
