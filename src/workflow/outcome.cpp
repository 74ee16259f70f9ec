#include "workflow/outcome.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>

namespace portscreen::workflow {
namespace {

constexpr std::array<std::string_view, 2> kMethods{"scan", "physical"};
constexpr std::array<std::string_view, 13> kCategories{
    "drugs",       "tobacco",  "alcohol",   "weapons", "ammunition",     "explosives", "cites",
    "counterfeit", "currency", "chemicals", "waste",   "cultural_goods", "other"};
constexpr std::array<std::string_view, 7> kUnits{"kg",       "g",      "l",  "pieces",
                                                 "packages", "sticks", "usd"};
constexpr std::array<std::string_view, 10> kConcealments{
    "none",         "natural_cargo", "false_wall",         "false_floor",         "false_ceiling",
    "inside_goods", "machinery",     "refrigeration_unit", "container_structure", "other"};
constexpr std::array<std::string_view, 6> kDetections{"x_ray",        "physical", "dog",
                                                      "intelligence", "random",   "other"};

bool contains(std::span<const std::string_view> list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::string joined(std::span<const std::string_view> list) {
    std::string text;
    for (const auto& item : list) {
        if (!text.empty())
            text.append(", ");
        text.append(item);
    }
    return text;
}

std::string problem(std::string_view field, std::string_view text) {
    return std::string("outcome.").append(field).append(": ").append(text);
}

/// A coded field: required or not, and one of its list when given.
void check_code(std::vector<std::string>& problems, std::string_view field, std::string_view value,
                std::span<const std::string_view> list, bool required) {
    if (value.empty()) {
        if (required)
            problems.push_back(problem(field, "required for a seizure"));
        return;
    }
    if (!contains(list, value))
        problems.push_back(problem(
            field, std::string("'").append(value).append("' is not one of ").append(joined(list))));
}

int parse_int(std::string_view digits) {
    int value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
}

} // namespace

std::span<const std::string_view> methods() {
    return kMethods;
}
std::span<const std::string_view> categories() {
    return kCategories;
}
std::span<const std::string_view> units() {
    return kUnits;
}
std::span<const std::string_view> concealments() {
    return kConcealments;
}
std::span<const std::string_view> detections() {
    return kDetections;
}

bool is_iso_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return false;
    for (const std::size_t at : {0, 1, 2, 3, 5, 6, 8, 9})
        if (text[at] < '0' || text[at] > '9')
            return false;
    const std::chrono::year_month_day date{
        std::chrono::year{parse_int(text.substr(0, 4))},
        std::chrono::month{static_cast<unsigned>(parse_int(text.substr(5, 2)))},
        std::chrono::day{static_cast<unsigned>(parse_int(text.substr(8, 2)))}};
    return date.ok();
}

std::vector<std::string> outcome_problems(const OutcomeFields& outcome) {
    std::vector<std::string> problems;
    if (!is_iso_date(outcome.inspected_on))
        problems.push_back(problem(
            "inspected_on",
            std::string("'").append(outcome.inspected_on).append("' is not a date YYYY-MM-DD")));
    if (!contains(kMethods, outcome.method))
        problems.push_back(problem(
            "method",
            std::string("must be scan or physical, not '").append(outcome.method).append("'")));
    if (outcome.seizure) {
        check_code(problems, "category", outcome.category, kCategories, true);
        if (outcome.description.empty())
            problems.push_back(problem("description", "required for a seizure"));
        if (!outcome.quantity)
            problems.push_back(problem("quantity", "required for a seizure"));
        else if (!std::isfinite(*outcome.quantity) || *outcome.quantity <= 0)
            problems.push_back(problem("quantity", "must be greater than 0"));
        check_code(problems, "unit", outcome.unit, kUnits, true);
        check_code(problems, "concealment", outcome.concealment, kConcealments, true);
        check_code(problems, "detection", outcome.detection, kDetections, true);
    } else {
        // A no-find names no goods: these fields only make sense for a seizure.
        if (!outcome.category.empty())
            problems.push_back(problem("category", "must be empty for a no-find"));
        if (outcome.quantity)
            problems.push_back(problem("quantity", "must be empty for a no-find"));
        if (!outcome.unit.empty())
            problems.push_back(problem("unit", "must be empty for a no-find"));
        if (!outcome.concealment.empty())
            problems.push_back(problem("concealment", "must be empty for a no-find"));
        check_code(problems, "detection", outcome.detection, kDetections, false);
    }
    const std::array<std::pair<std::string_view, const std::string*>, 3> texts{
        {{"description", &outcome.description},
         {"place", &outcome.place},
         {"notes", &outcome.notes}}};
    for (const auto& [field, text] : texts)
        if (text->size() > kMaxOutcomeText)
            problems.push_back(problem(field, std::string("longer than ")
                                                  .append(std::to_string(kMaxOutcomeText))
                                                  .append(" characters")));
    return problems;
}

} // namespace portscreen::workflow
