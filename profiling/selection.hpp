#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// The day's selection: which containers to release, scan or open, within the unit's capacity,
/// with a protected share of random picks so that hit rates can be measured without bias.
/// Pure: the same candidates, policy, manual decisions and day give the same result.
namespace portscreen::profiling {

/// Release (green), scan (yellow, X-ray) or physical examination (red).
enum class Lane : std::uint8_t { green, yellow, red };

/// Why a container was selected. The first four are the main source of its risk score.
enum class SelectionSource : std::uint8_t { rule, model, watchlist, alert, random, manual };

inline constexpr std::size_t kSelectionSourceCount = 6;

std::string_view to_string(Lane lane);
std::string_view to_string(SelectionSource source);

/// The unit's capacity and thresholds for one day.
struct SelectionPolicy {
    int scan_capacity = 0;     ///< containers per day in the yellow lane, random picks included
    int exam_capacity = 0;     ///< containers per day in the red lane
    double threshold = 40;     ///< below this score a container is never targeted
    double red_threshold = 70; ///< at or above: exam while exam capacity lasts, else scan
    /// Share of the scan capacity kept for random picks (0..1). The day's slots are
    /// share × scan_capacity, rounded up or down at random so that the long-run share is exact;
    /// see `random_slots`.
    double exploration_share = 0.05;
    std::uint64_t seed = 0; ///< keys the random picks; keep it within the unit and rotate it
};

/// One container of the day with its risk score (0–100) and what drove it.
struct Candidate {
    std::int64_t id = 0;          ///< unique within the day
    std::string container_number; ///< ISO 6346; keys the random picks, so pass it normalised
    double score = 0;             ///< NaN when unscored: never targeted, still open to random picks
    SelectionSource source = SelectionSource::rule; ///< rule, model, watchlist or alert
    std::string reason;                             ///< the score's explanation, shown as is
};

/// An officer's addition or removal of a container. `lane` is used by additions only.
struct ManualDecision {
    std::int64_t id = 0;
    bool add = true;
    Lane lane = Lane::yellow;
    std::string reason;
    std::string officer;
};

/// One container's lane and why.
struct Decision {
    std::int64_t id = 0;
    std::string container_number;
    Lane lane = Lane::green;
    SelectionSource source = SelectionSource::rule;
    bool random = false; ///< source == random: picked for exploration, not by its score
    std::string reason;
    /// Position in the day's score order over all candidates, 1 = highest score (ties by
    /// container number, then id; unscored last). Random and manual picks carry theirs too.
    int rank = 0;
    double score = 0;
    bool over_capacity = false; ///< a manual addition honoured beyond the lane's capacity
    std::string officer;        ///< who decided, for manual decisions
};

/// The day's selection and its tallies.
struct SelectionResult {
    std::string day;
    std::vector<Decision> selected; ///< red then yellow, each by rank; green is not listed
    std::vector<Decision> removed;  ///< removed by hand: green, never targeted or picked
    int candidates = 0;
    int scans_used = 0; ///< yellow lane, random picks and over-capacity additions included
    int exams_used = 0; ///< red lane, over-capacity additions included
    int targeted = 0;   ///< selected not at random: by_score + manual_added
    int by_score = 0;   ///< selected because the score reached the threshold
    int manual_added = 0;
    int over_capacity = 0;      ///< manual additions beyond capacity
    int capacity_shortfall = 0; ///< reached the threshold but found no capacity left
    int random_slots = 0;       ///< scan slots kept for random picks today
    int random_picks = 0;       ///< at most random_slots; fewer only when the pool is smaller
    int pool = 0;               ///< not targeted and not removed: the population random picks
                                ///< sample, random picks included
    std::vector<std::string> problems; ///< manual decisions that could not be applied
};

/// The keyed hash that orders random picks: SplitMix64 finalisers over FNV-1a of the day and
/// the container number, keyed by the seed. Stable across platforms and compilers.
std::uint64_t selection_key(std::uint64_t seed, std::string_view day,
                            std::string_view container_number);

/// Scan slots kept for random picks on `day`: x = share × scan_capacity, floor(x) plus one more
/// with probability frac(x), decided by a hash of (seed, day) alone. Over many days the mean is
/// exactly the share; small units are not forced to spend a whole slot a day.
int random_slots(const SelectionPolicy& policy, std::string_view day);

/// Selects the day's containers:
/// 1. manual removals and additions, the last decision per container winning; additions take
///    their lane and use its capacity first, and are honoured beyond it (marked over capacity);
/// 2. random slots are set aside from the scan capacity, out of reach of additions and targeting;
/// 3. targeting by rank among scores ≥ threshold: red at ≥ red_threshold while exams remain,
///    otherwise yellow while the remaining scan slots last;
/// 4. random picks: the random slots go to the pool members with the smallest `selection_key`,
///    a uniform sample that depends neither on input order nor on any score.
/// Throws std::invalid_argument, naming every problem, for an invalid policy, a duplicate
/// candidate id or a candidate whose source is random or manual. Manual decisions naming no
/// candidate, or adding to the green lane, are skipped and listed in `problems`.
SelectionResult select(std::span<const Candidate> candidates, const SelectionPolicy& policy,
                       std::span<const ManualDecision> manual, std::string_view day);

} // namespace portscreen::profiling
