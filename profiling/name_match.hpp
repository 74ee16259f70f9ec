#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

/// Fuzzy matching of party names (shippers, consignees, notify parties, forwarders) against a
/// watchlist, as pure functions. The rules are described in this folder's README.
namespace portscreen::profiling {

/// A party name split into the words that are compared and the words that were set aside.
struct PartyName {
    std::vector<std::string> words;       ///< normalised words that are compared, in order
    std::vector<std::string> legal_forms; ///< canonical legal forms removed ("LTD", "LLC")
    std::vector<std::string> stop_words;  ///< stop words removed ("THE", "AND", "&")
};

/// Normalises a UTF-8 party name and sets aside its legal forms and stop words: ASCII upper case,
/// common Latin accents folded ("É" is "E", "ß" is "SS"), punctuation dropped, legal forms removed
/// from either end ("ACME TRADING CO., LTD." is "ACME TRADING" with CO and LTD). At least one word
/// is always kept, so "LIMITED" alone stays a word.
PartyName parse_party_name(std::string_view name);

/// The compared words of `parse_party_name` joined by single spaces: a key for storage and tests.
std::string normalize_party_name(std::string_view name);

/// The spelling key of one normalised word: variant spellings of the same sound share a key
/// ("MOHAMMED", "MUHAMMAD" and "MOHAMED"; "NOOR" and "NUR"; "YOUSSEF" and "YUSUF").
std::string spelling_key(std::string_view word);

/// Optimal-string-alignment Damerau-Levenshtein distance: insertions, deletions, substitutions
/// and transpositions of adjacent characters each cost 1. Works on bytes.
int edit_distance(std::string_view a, std::string_view b);

/// How one word (or two adjacent words written as one) of a name met a word of the other.
enum class WordMatchKind {
    exact,            ///< same normalised word
    spelling_variant, ///< same spelling key ("NOOR" and "NUR")
    typo,             ///< a small edit distance ("LOGISTICS" and "LOGISITCS")
    joined,           ///< two words written as one ("SEA STAR" and "SEASTAR")
    initial,          ///< a single letter and a word starting with it ("J" and "JOHN")
};

/// One matched pair, as words of the first and the second name.
struct WordMatch {
    std::string first;  ///< word of the first name; two words with a space when joined
    std::string second; ///< word of the second name; two words with a space when joined
    WordMatchKind kind = WordMatchKind::exact;
    int distance = 0;        ///< edit distance, for typos
    double similarity = 0.0; ///< 0..1, what the pair contributes per unit of weight
};

/// The structured result of comparing two party names, with everything the score rests on.
struct NameComparison {
    double score = 0.0; ///< 0..1, after penalties
    std::vector<WordMatch> matches;
    std::vector<std::string> unmatched_first;  ///< words of the first name left unmatched
    std::vector<std::string> unmatched_second; ///< words of the second name left unmatched
    std::vector<std::string> legal_forms_first;
    std::vector<std::string> legal_forms_second;
    std::vector<std::string> stop_words; ///< stop words ignored, from both names
    bool order_differs = false;          ///< matched words stand in another order
    bool legal_forms_differ = false;     ///< both names have legal forms and none is shared
    bool country_differs = false;        ///< set by PartyMatcher only
};

/// Compares two party names. Symmetric in score and deterministic; 1.0 for equal normalised
/// names unless both carry legal forms and none is shared.
NameComparison compare_party_names(std::string_view first, std::string_view second);

/// `compare_party_names(a, b).score`.
double name_similarity(std::string_view a, std::string_view b);

/// The reasons of a comparison as a short sentence for an officer: "same words in another order;
/// 'NOOR' ~ 'NUR' (spelling variant); legal form LLC dropped".
std::string describe(const NameComparison& comparison);

/// One party of a watchlist.
struct WatchlistEntry {
    std::string id;
    std::string name;
    std::string country; ///< ISO 3166 alpha-2, or empty when unknown
};

struct MatchOptions {
    double threshold = 0.85;      ///< matches scoring below are not returned
    std::size_t max_results = 10; ///< best ones kept
};

/// A watchlist entry that matched a name, with why and how close.
struct NameMatch {
    std::size_t entry_index = 0; ///< into the watchlist given to PartyMatcher
    double score = 0.0;
    NameComparison detail;   ///< first is the queried name, second the entry
    std::string explanation; ///< "matches watchlist entry '...' (score 0.93): ..."
};

/// Matches names against a watchlist through an index of words, spelling keys and deletion
/// variants, so that only entries sharing something with the name are scored. Built once;
/// immutable afterwards, so one instance may be read from many threads.
class PartyMatcher {
public:
    explicit PartyMatcher(std::vector<WatchlistEntry> entries, MatchOptions options = {});
    ~PartyMatcher();
    PartyMatcher(PartyMatcher&&) noexcept;
    PartyMatcher& operator=(PartyMatcher&&) noexcept;
    PartyMatcher(const PartyMatcher&) = delete;
    PartyMatcher& operator=(const PartyMatcher&) = delete;

    /// Entries matching `name` at or above the threshold, best first (ties by entry index). A
    /// country given on both sides that differs costs `kCountryPenalty`; it never blocks.
    std::vector<NameMatch> match(std::string_view name, std::string_view country = {}) const;

    /// Indices of the entries the index proposes for `name`, sorted: the only ones `match`
    /// scores. For tests of the index.
    std::vector<std::uint32_t> candidates(std::string_view name) const;

    const std::vector<WatchlistEntry>& entries() const { return entries_; }

    static constexpr double kCountryPenalty = 0.1;

private:
    struct Index;
    std::vector<WatchlistEntry> entries_;
    MatchOptions options_;
    std::unique_ptr<const Index> index_;
};

} // namespace portscreen::profiling
