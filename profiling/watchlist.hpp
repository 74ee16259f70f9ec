#pragma once

#include "facts.hpp"
#include "name_match.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

/// Watchlists: parties, containers, vessels, bills of lading and routes that officers want
/// flagged on every container that touches them, with how close the match is and why. Pure: no
/// I/O, no clock reads; the caller passes the text of an import and the day. Formats and rules
/// are described in docs/watchlists.md.
namespace portscreen::profiling {

enum class WatchKind : std::uint8_t { party, container, vessel, bill_of_lading, route };

/// "party", "container", "vessel", "bill_of_lading", "route": the names used in imports.
std::string_view to_string(WatchKind kind);

/// The kind named by `name`, case-insensitive ("bl" is accepted for bill_of_lading).
std::optional<WatchKind> parse_watch_kind(std::string_view name);

/// Score points of a match when the entry gives none: container 70, bill_of_lading 70,
/// party 50, vessel 30, route 25 (on the 0–100 scale of the risk score).
double default_points(WatchKind kind);

/// One listed item. The parsers store `value` in canonical form: container numbers as 11
/// characters, IMO numbers as 7 digits, B/L numbers in upper case without punctuation, route
/// patterns as "PKKHI > * > AE"; party names as written.
struct WatchEntry {
    std::string id; ///< required, unique within one imported list
    WatchKind kind = WatchKind::party;
    std::string value;   ///< party name, container number, IMO number, B/L number or route
    std::string country; ///< parties only: ISO 3166 alpha-2 or empty
    std::string reason;  ///< plain language, required
    std::string source;  ///< who listed it, required
    std::string expires; ///< YYYY-MM-DD, empty for never; the entry still matches on that day
    std::optional<double> points; ///< 0..100; `default_points(kind)` when absent
    /// An alert or seizure received from another port (`source` names it), listed as a
    /// container entry: its hits read "Alert from <source>: <reason>" and score as alerts.
    bool shared_alert = false;

    double points_or_default() const { return points.value_or(default_points(kind)); }
};

/// Problems found in a watchlist, all of them, each naming where: "ports.csv:7: column
/// 'expires': '2024-13-01' is not a date". `what()` lists them one per line.
class WatchlistError : public std::runtime_error {
public:
    explicit WatchlistError(std::vector<std::string> problems);
    const std::vector<std::string>& problems() const { return problems_; }

private:
    std::vector<std::string> problems_;
};

/// Parses a CSV watchlist (RFC 4180: a header row naming the columns in any order, quoted fields
/// may hold commas, quotes and line breaks). Columns: id, kind, value, reason, source (required)
/// and country, expires, points (optional); any other column is an error. `source_name` names
/// the file in error messages. Throws WatchlistError listing every problem.
std::vector<WatchEntry> parse_watchlist_csv(std::string_view text, std::string_view source_name);

/// Parses a JSON watchlist: {"entries": [{"id": ..., "kind": ..., ...}]}, the same fields as
/// the CSV columns ("points" a number; null or absent for optional fields). Errors name the
/// entry by index and line. Throws WatchlistError listing every problem.
std::vector<WatchEntry> parse_watchlist_json(std::string_view text, std::string_view source_name);

/// The problems of one entry, each starting with the field ("value: 'MSKU5705453' has check
/// digit 3, expected 2"); empty when valid. Ids are not compared here.
std::vector<std::string> validate_watch_entry(const WatchEntry& entry);

/// One watchlist entry matched by one container, at its best place.
struct WatchHit {
    std::size_t entry = 0; ///< index into Watchlist::entries()
    WatchKind kind = WatchKind::party;
    std::string where;   ///< "consignee of B/L MAEU123", "container", "vessel", "route of B/L X"
    std::string matched; ///< the manifest value that matched, as declared
    double similarity = 1.0; ///< 1 for exact matches; the name score for parties
    double points = 0.0;     ///< entry points, times the similarity for parties
    std::string explanation; ///< one sentence for an officer, ending with source and reason
};

/// A party name's matches as a Watchlist computes them, before the day's expiry filter.
struct CachedPartyMatch {
    std::uint32_t entry = 0; ///< index into Watchlist::entries()
    double similarity = 0.0;
    std::string reasons; ///< describe() of the comparison, with the countries when they differ
};

class Watchlist;

/// Remembers the party matches of names already seen, so that the consignees that come back
/// every day are matched once. One per thread: not safe to share. Holds at most `max_names`
/// names and starts afresh when full; tied to one Watchlist, it empties itself when used with
/// another.
class PartyMatchCache {
public:
    explicit PartyMatchCache(std::size_t max_names = 50'000) : max_names_(max_names) {}

    std::size_t size() const { return map_.size(); }
    std::uint64_t hits() const { return hits_; }
    std::uint64_t misses() const { return misses_; }
    void clear() { map_.clear(); }

private:
    friend class Watchlist;

    struct Key {
        std::string name;
        std::string country;
    };
    struct KeyView {
        std::string_view name;
        std::string_view country;
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(const KeyView& key) const noexcept;
        std::size_t operator()(const Key& key) const noexcept {
            return (*this)(KeyView{key.name, key.country});
        }
    };
    struct Equal {
        using is_transparent = void;
        static KeyView view(const Key& key) { return {key.name, key.country}; }
        static KeyView view(const KeyView& key) { return key; }
        template <typename A, typename B> bool operator()(const A& a, const B& b) const {
            return view(a).name == view(b).name && view(a).country == view(b).country;
        }
    };

    std::size_t max_names_;
    std::uint64_t owner_ = 0; ///< Watchlist::identity_ of the list the entries belong to
    std::uint64_t hits_ = 0;
    std::uint64_t misses_ = 0;
    std::unordered_map<Key, std::vector<CachedPartyMatch>, Hash, Equal> map_;
};

/// A watchlist ready for matching: party names through a PartyMatcher, the other kinds through
/// hash tables and route patterns. Immutable after construction, so one instance may be read
/// from many threads (each with its own PartyMatchCache).
class Watchlist {
public:
    /// Throws WatchlistError when an entry is invalid (see validate_watch_entry). Ids need not be
    /// unique: a watchlist may merge several imported lists. `party_options` set the name
    /// threshold and how many entries one name may match.
    explicit Watchlist(std::vector<WatchEntry> entries, MatchOptions party_options = {});
    ~Watchlist();
    Watchlist(Watchlist&&) noexcept;
    Watchlist& operator=(Watchlist&&) noexcept;
    Watchlist(const Watchlist&) = delete;
    Watchlist& operator=(const Watchlist&) = delete;

    /// Replaces `out` with the hits of one container on `today` (YYYY-MM-DD; entries expired before
    /// it never match), at most one per entry (its best: highest similarity, then first place in
    /// manifest order), best points first, ties by entry index. Checks the shipper, consignee,
    /// notify party and forwarder of each consignment, the container number, the vessel's IMO
    /// number, master and house B/L numbers and each consignment's route.
    void match(const ContainerFacts& facts, std::string_view today, std::vector<WatchHit>& out,
               PartyMatchCache* cache = nullptr) const;

    /// Party matches of one name, before the expiry filter (what the cache stores).
    std::vector<CachedPartyMatch> match_party(std::string_view name,
                                              std::string_view country = {}) const;

    const std::vector<WatchEntry>& entries() const { return entries_; }

private:
    struct Tables;
    const std::vector<CachedPartyMatch>& cached_party(PartyMatchCache& cache, std::string_view name,
                                                      std::string_view country) const;
    /// Calls sink(entry index, route text) for each route pattern the consignment follows.
    template <typename Sink>
    void match_routes(const ConsignmentFacts& consignment, Sink&& sink) const;

    std::vector<WatchEntry> entries_;
    std::uint64_t identity_ = 0; ///< distinct for every Watchlist built in the process
    std::unique_ptr<const Tables> tables_;
};

} // namespace portscreen::profiling
