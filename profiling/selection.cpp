#include "selection.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

namespace portscreen::profiling {
namespace {

constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;
// Separates the day's slot coin from every container key.
constexpr std::uint64_t kSlotDomain = 0x736c6f7473ULL; // "slots"

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t hash = kFnvOffset;
    for (const char byte : text) {
        hash ^= static_cast<unsigned char>(byte);
        hash *= kFnvPrime;
    }
    return hash;
}

// SplitMix64's output function: a bijection with full avalanche, which FNV-1a lacks on its own.
std::uint64_t mix(std::uint64_t value) {
    value += 0x9e3779b97f4a7c15ULL;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

std::uint64_t day_key(std::uint64_t seed, std::string_view day) {
    return mix(mix(seed) ^ fnv1a(day));
}

// Uniform in [0, 1) from the top 53 bits.
double unit_interval(std::uint64_t key) {
    return static_cast<double>(key >> 11) * 0x1.0p-53;
}

bool is_score_source(SelectionSource source) {
    return source != SelectionSource::random && source != SelectionSource::manual;
}

std::string format_number(double value) {
    char buffer[32];
    const auto [end, error] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 4);
    if (error != std::errc{})
        return "?";
    return std::string(buffer, end);
}

std::string random_reason(double share) {
    return "random exploration (" + format_number(share * 100.0) + "% share)";
}

void validate_policy(const SelectionPolicy& policy, std::vector<std::string>& problems) {
    if (policy.scan_capacity < 0)
        problems.push_back("scan capacity " + std::to_string(policy.scan_capacity) +
                           " is negative");
    if (policy.exam_capacity < 0)
        problems.push_back("exam capacity " + std::to_string(policy.exam_capacity) +
                           " is negative");
    if (!std::isfinite(policy.threshold))
        problems.push_back("threshold is not a number");
    if (!std::isfinite(policy.red_threshold))
        problems.push_back("red threshold is not a number");
    if (!(policy.exploration_share >= 0.0 && policy.exploration_share <= 1.0))
        problems.push_back("exploration share " + format_number(policy.exploration_share) +
                           " is not between 0 and 1");
}

[[noreturn]] void throw_problems(std::string_view what, const std::vector<std::string>& problems) {
    std::string message(what);
    for (const auto& problem : problems)
        message += (&problem == &problems.front() ? ": " : "; ") + problem;
    throw std::invalid_argument(message);
}

// Highest score first; equal scores by container number, then id, so the order never depends on
// the order the candidates came in. Unscored (NaN) last.
bool ranks_before(const Candidate& a, const Candidate& b) {
    const bool a_nan = std::isnan(a.score);
    const bool b_nan = std::isnan(b.score);
    if (a_nan != b_nan)
        return b_nan;
    if (!a_nan && a.score != b.score)
        return a.score > b.score;
    if (a.container_number != b.container_number)
        return a.container_number < b.container_number;
    return a.id < b.id;
}

enum class Mark : std::uint8_t { none, added, removed, targeted, random };

} // namespace

std::string_view to_string(Lane lane) {
    switch (lane) {
    case Lane::green: return "green";
    case Lane::yellow: return "yellow";
    case Lane::red: return "red";
    }
    return "unknown";
}

std::string_view to_string(SelectionSource source) {
    switch (source) {
    case SelectionSource::rule: return "rule";
    case SelectionSource::model: return "model";
    case SelectionSource::watchlist: return "watchlist";
    case SelectionSource::alert: return "alert";
    case SelectionSource::random: return "random";
    case SelectionSource::manual: return "manual";
    }
    return "unknown";
}

std::uint64_t selection_key(std::uint64_t seed, std::string_view day,
                            std::string_view container_number) {
    return mix(day_key(seed, day) ^ fnv1a(container_number));
}

int random_slots(const SelectionPolicy& policy, std::string_view day) {
    std::vector<std::string> problems;
    validate_policy(policy, problems);
    if (!problems.empty())
        throw_problems("invalid selection policy", problems);
    const double exact = policy.exploration_share * policy.scan_capacity;
    // 0.07 × 100 is 7.000000000000001 in binary: whole numbers stay whole.
    const double nearest = std::round(exact);
    if (std::abs(exact - nearest) < 1e-9)
        return static_cast<int>(nearest);
    const double whole = std::floor(exact);
    const bool round_up =
        unit_interval(mix(day_key(policy.seed, day) ^ kSlotDomain)) < exact - whole;
    return static_cast<int>(whole) + (round_up ? 1 : 0);
}

SelectionResult select(std::span<const Candidate> candidates, const SelectionPolicy& policy,
                       std::span<const ManualDecision> manual, std::string_view day) {
    std::vector<std::string> invalid;
    validate_policy(policy, invalid);
    std::unordered_map<std::int64_t, std::size_t> index_of;
    index_of.reserve(candidates.size());
    for (std::size_t idx = 0; idx < candidates.size(); ++idx) {
        const Candidate& candidate = candidates[idx];
        if (!index_of.emplace(candidate.id, idx).second)
            invalid.push_back("container id " + std::to_string(candidate.id) + " (" +
                              candidate.container_number + ") appears twice");
        if (!is_score_source(candidate.source))
            invalid.push_back("container " + candidate.container_number + ": source " +
                              std::string(to_string(candidate.source)) + " is not a score source");
    }
    if (!invalid.empty())
        throw_problems("cannot select", invalid);

    SelectionResult result;
    result.day = std::string(day);
    result.candidates = static_cast<int>(candidates.size());

    std::vector<std::size_t> order(candidates.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return ranks_before(candidates[a], candidates[b]);
    });
    std::vector<int> rank(candidates.size());
    for (std::size_t position = 0; position < order.size(); ++position)
        rank[order[position]] = static_cast<int>(position) + 1;

    const auto decision_for = [&](std::size_t idx, Lane lane, SelectionSource source) {
        Decision decision;
        decision.id = candidates[idx].id;
        decision.container_number = candidates[idx].container_number;
        decision.lane = lane;
        decision.source = source;
        decision.random = source == SelectionSource::random;
        decision.rank = rank[idx];
        decision.score = candidates[idx].score;
        return decision;
    };

    // The last decision per container wins: officers change their minds, and the list is kept in
    // the order they decided.
    std::unordered_map<std::int64_t, std::size_t> last_decision;
    for (std::size_t decision_idx = 0; decision_idx < manual.size(); ++decision_idx) {
        const ManualDecision& decision = manual[decision_idx];
        if (!index_of.contains(decision.id)) {
            result.problems.push_back(
                "manual " + std::string(decision.add ? "addition" : "removal") + " by " +
                decision.officer + ": container id " + std::to_string(decision.id) +
                " is not among the day's candidates");
            continue;
        }
        last_decision[decision.id] = decision_idx;
    }

    std::vector<Mark> mark(candidates.size(), Mark::none);
    result.random_slots = random_slots(policy, day);
    // Random slots are set aside first so that neither additions nor targeting can crowd them
    // out: a busy day must not lose its random picks, or the days that keep them would be a
    // biased sample of days.
    const int scan_slots = policy.scan_capacity - result.random_slots;
    int scans_targeted = 0;

    for (std::size_t decision_idx = 0; decision_idx < manual.size(); ++decision_idx) {
        const ManualDecision& manual_decision = manual[decision_idx];
        const auto last = last_decision.find(manual_decision.id);
        if (last == last_decision.end() || last->second != decision_idx)
            continue;
        const std::size_t idx = index_of.at(manual_decision.id);
        if (!manual_decision.add) {
            mark[idx] = Mark::removed;
            Decision decision = decision_for(idx, Lane::green, SelectionSource::manual);
            decision.reason = manual_decision.reason;
            decision.officer = manual_decision.officer;
            result.removed.push_back(std::move(decision));
            continue;
        }
        if (manual_decision.lane == Lane::green) {
            result.problems.push_back(
                "manual addition of container " + candidates[idx].container_number + " by " +
                manual_decision.officer + ": an addition needs the yellow or red lane");
            continue;
        }
        mark[idx] = Mark::added;
        Decision decision = decision_for(idx, manual_decision.lane, SelectionSource::manual);
        decision.reason = manual_decision.reason;
        decision.officer = manual_decision.officer;
        if (manual_decision.lane == Lane::red) {
            decision.over_capacity = result.exams_used >= policy.exam_capacity;
            ++result.exams_used;
        } else {
            decision.over_capacity = scans_targeted >= scan_slots;
            ++scans_targeted;
        }
        result.over_capacity += decision.over_capacity ? 1 : 0;
        ++result.manual_added;
        result.selected.push_back(std::move(decision));
    }

    for (const std::size_t idx : order) {
        const Candidate& candidate = candidates[idx];
        // NaN compares false, so unscored containers stop here too.
        if (mark[idx] != Mark::none || !(candidate.score >= policy.threshold))
            continue;
        const bool wants_exam = candidate.score >= policy.red_threshold;
        Lane lane = Lane::green;
        if (wants_exam && result.exams_used < policy.exam_capacity)
            lane = Lane::red;
        else if (scans_targeted < scan_slots)
            lane = Lane::yellow;
        if (lane == Lane::green) {
            ++result.capacity_shortfall;
            continue;
        }
        mark[idx] = Mark::targeted;
        Decision decision = decision_for(idx, lane, candidate.source);
        decision.reason = candidate.reason;
        if (lane == Lane::red) {
            ++result.exams_used;
        } else {
            ++scans_targeted;
            if (wants_exam)
                decision.reason += decision.reason.empty() ? "exam capacity full: scan instead"
                                                           : "; exam capacity full: scan instead";
        }
        ++result.by_score;
        result.selected.push_back(std::move(decision));
    }

    // Ordered by the keyed hash alone: which pool members are picked does not depend on input
    // order or on any score, so the picks are a uniform sample of the pool.
    std::vector<std::pair<std::uint64_t, std::size_t>> pool;
    for (std::size_t idx = 0; idx < candidates.size(); ++idx)
        if (mark[idx] == Mark::none)
            pool.emplace_back(selection_key(policy.seed, day, candidates[idx].container_number),
                              idx);
    result.pool = static_cast<int>(pool.size());
    const auto picks = std::min(pool.size(), static_cast<std::size_t>(result.random_slots));
    const auto hash_before = [&](const auto& a, const auto& b) {
        if (a.first != b.first)
            return a.first < b.first;
        // Equal keys mean equal container numbers: the id decides, never the score.
        return candidates[a.second].id < candidates[b.second].id;
    };
    std::partial_sort(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(picks), pool.end(),
                      hash_before);
    const std::string reason = random_reason(policy.exploration_share);
    for (std::size_t pick = 0; pick < picks; ++pick) {
        const std::size_t idx = pool[pick].second;
        mark[idx] = Mark::random;
        Decision decision = decision_for(idx, Lane::yellow, SelectionSource::random);
        decision.reason = reason;
        result.selected.push_back(std::move(decision));
    }
    result.random_picks = static_cast<int>(picks);
    result.scans_used = scans_targeted + result.random_picks;
    result.targeted = result.by_score + result.manual_added;

    const auto worklist_before = [](const Decision& a, const Decision& b) {
        if (a.lane != b.lane)
            return a.lane == Lane::red;
        return a.rank < b.rank;
    };
    std::sort(result.selected.begin(), result.selected.end(), worklist_before);
    std::sort(result.removed.begin(), result.removed.end(),
              [](const Decision& a, const Decision& b) { return a.rank < b.rank; });
    return result;
}

} // namespace portscreen::profiling
