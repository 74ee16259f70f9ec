#pragma once

#include "facts.hpp"

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// Named features of one container, derived from its `ContainerFacts`: the risk indicators PCU
/// officers are trained on, as numbers, flags and lists of codes that rules and learned models
/// read. The catalogue and its meaning are documented in docs/rules.md.
namespace portscreen::profiling {

enum class FeatureType {
    number,   ///< a quantity; NaN when unknown
    flag,     ///< 1 or 0; NaN when unknown
    text_list ///< upper-case codes or names, in order of appearance, without repeats
};

struct FeatureDef {
    std::string_view name; ///< "group.name", e.g. "consignee.times_seen"
    FeatureType type;
    std::string_view description;
};

/// Every feature, in a fixed order: a feature's index is its id in `FeatureValues`.
std::span<const FeatureDef> feature_catalog();

/// The index of the feature called `name`, or nothing when there is none.
std::optional<std::size_t> find_feature(std::string_view name);

/// The features of one container, indexed like `feature_catalog()`.
struct FeatureValues {
    std::vector<double> numbers;                 ///< number and flag features; NaN = unknown
    std::vector<std::vector<std::string>> texts; ///< text_list features; empty for the others
};

/// The HS chapters (1 to 99) a goods description points to.
struct DescriptionChapters {
    /// A chapter fits a description when its score reaches this share of the best chapter's.
    static constexpr float kFitShare = 0.5F;

    std::bitset<100> reached;        ///< every chapter one of the informative words occurs in
    std::array<float, 100> scores{}; ///< per chapter, the summed weights of the words in it
    float best_score = 0;
    std::array<int, 3> best{}; ///< the chapters the words point to most strongly, best first
    int best_count = 0;        ///< how many of `best` are set
    int informative_words = 0;

    /// Whether `chapter` is among the chapters the words point to most strongly (at least
    /// kFitShare of the best score); false when no word is informative.
    bool fits(int chapter) const;
};

/// Which HS chapters the words of a goods description point to, built from the HS nomenclature
/// (codes of 2, 4 and 6 digits with their descriptions). A word is informative when it occurs
/// in the texts of at most `kMaxChapters` chapters, and weighs more the fewer chapters it
/// occurs in (log(chapters / its chapters)); a chapter scores the weights of the description's
/// words found in it. Words are compared in upper-case ASCII with plurals folded ("TILES" is
/// "TILE"), and a few trade words are read as their HS wording ("PHONE" as "TELEPHONE").
/// Immutable after construction; safe to share between threads.
class CommodityIndex {
public:
    static constexpr int kMaxChapters = 12;

    CommodityIndex() = default; ///< knows no word: every description is uninformative
    explicit CommodityIndex(const std::vector<std::pair<std::string, std::string>>& nomenclature);

    /// Chapters the description's informative words point to; `informative_words` is 0 when it
    /// has none. Allocates nothing.
    DescriptionChapters chapters_for(std::string_view description) const;

    /// Whether `chapter` has a description in the nomenclature this index was built from.
    bool has_chapter(int chapter) const;

    std::size_t word_count() const { return size_; }

private:
    struct Slot {
        std::uint64_t hash = 0;
        std::string word; ///< empty for a free slot
        std::bitset<100> chapters;
        std::array<std::uint8_t, kMaxChapters> chapter_list{}; ///< the same, as numbers
        std::uint8_t chapter_count = 0;
        float weight = 0; ///< how specific the word is: log(chapters known / its chapters)
    };
    const Slot* find(std::string_view word) const;

    std::vector<Slot> slots_; ///< open addressing, power-of-two size
    std::size_t size_ = 0;
    std::bitset<100> chapters_known_;
};

/// Statistics of ln(kg per package) of the goods seen under one HS heading.
struct MassNorm {
    double count = 0;
    double sum_log = 0;
    double sum_sq_log = 0;

    void add(double kg_per_package);
    double mean_log() const; ///< NaN when empty
    double sd_log() const;   ///< sample standard deviation; NaN below 2 observations
};

/// Typical mass per package by HS heading (4 digits). The node keeps the counts in its database,
/// adds each container's `mass_observations` as it goes, and hands a filled copy to scoring.
class MassNorms {
public:
    /// Adds one observation; ignored unless `hs4` is 4 digits and the mass positive and finite.
    void add(std::string_view hs4, double kg_per_package);
    /// Replaces the statistics of one heading, as loaded from storage.
    void set(std::string_view hs4, const MassNorm& norm);
    /// The statistics of a heading, or null when it has none.
    const MassNorm* find(std::string_view hs4) const;
    std::size_t headings() const;

private:
    std::vector<MassNorm> by_heading_; ///< 10,000 entries once anything is added
};

/// One goods item's mass per package under its heading, as `MassNorms::add` takes it.
struct MassObservation {
    std::string hs4;
    double kg_per_package = 0;
};

/// The mass-per-package observations of a container: one per goods item with an HS code of at
/// least 4 digits, packages and a positive gross mass.
std::vector<MassObservation> mass_observations(const ContainerFacts& facts);

/// What `derive_features` may look up besides the facts; a null member makes its features
/// unknown (NaN).
struct FeatureContext {
    const CommodityIndex* commodities = nullptr;
    const MassNorms* mass_norms = nullptr;
};

/// Below this many observations of a heading, its mass z-score is unknown.
constexpr double kMinMassObservations = 20;

/// Computes every feature of the catalogue for one container into `out`, reusing its buffers:
/// after the first call only text lists with new long strings allocate.
void derive_features(const ContainerFacts& facts, const FeatureContext& context,
                     FeatureValues& out);

/// `derive_features` into a new `FeatureValues`.
FeatureValues derive_features(const ContainerFacts& facts, const FeatureContext& context);

/// The number and flag features a learned model uses, in catalogue order: all of them except
/// raw identifiers and the values that only serve explanations.
std::vector<std::size_t> model_feature_indices();

} // namespace portscreen::profiling
