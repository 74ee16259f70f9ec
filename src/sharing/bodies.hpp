#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The body of each kind of message (docs/protocols.md), with its JSON form. Writers leave out
/// the fields marked personal unless told to keep them; readers check every field and throw
/// std::invalid_argument naming the first bad one ("body.container: 'MSKU1' is not an ISO 6346
/// number"). Pure.
namespace portscreen::sharing {

struct SharedFactor {
    std::string kind; ///< rule, watchlist, model, alert, other, limit
    std::string id;
    std::string text;
    double points = 0;
};

/// A high-risk container on its way to the peer's port.
struct AlertBody {
    std::string container;        ///< ISO 6346
    std::vector<std::string> bls; ///< master B/L numbers
    std::string vessel_imo;       ///< may be empty
    std::string vessel_name;
    std::string voyage;
    std::string port_of_call;       ///< UN/LOCODE of the sending port
    std::string eta;                ///< at the sending port
    std::vector<std::string> route; ///< UN/LOCODEs from loading to delivery
    double score = 0;
    std::string reason; ///< the officer's words, or the largest factor's text
    std::vector<SharedFactor> factors;
    // personal: names of the parties, as declared
    std::vector<std::string> shippers;
    std::vector<std::string> consignees;
};

/// An inspection outcome, no-finds included.
struct OutcomeBody {
    std::string container;
    std::vector<std::string> bls;
    std::string port_of_call;
    std::string inspected_on; ///< YYYY-MM-DD
    std::string method;       ///< scan or physical
    bool seizure = false;
    std::string category; ///< CEN-style commodity category; empty for a no-find
    std::string description;
    std::optional<double> quantity;
    std::string unit;
    std::string concealment;
    std::string detection;
    std::string place;
    // personal
    std::string recorded_by;
    std::string notes;
};

/// A watchlist entry added or removed at its origin. Party entries are names: they are personal
/// and only leave a node whose policy allows it.
struct WatchlistBody {
    bool removed = false;
    std::string entry_id;
    std::string kind; ///< as in watchlist imports
    std::string value;
    std::string country;
    std::string reason;
    std::string source;
    std::string expires;
    std::optional<double> points;
};

struct QueryBody {
    std::string container;
};

/// Where a node saw the container, and what its inspections found.
struct Sighting {
    std::string port_of_call;
    std::string vessel_name;
    std::string voyage;
    std::string eta;
    std::vector<std::string> bls;
    std::optional<double> score;
};

struct AnswerBody {
    std::string query_id; ///< the global id of the query answered
    std::string container;
    std::vector<Sighting> sightings;
    std::vector<OutcomeBody> outcomes;
};

std::string to_json(const AlertBody& body, bool keep_personal);
std::string to_json(const OutcomeBody& body, bool keep_personal);
std::string to_json(const WatchlistBody& body);
std::string to_json(const QueryBody& body);
std::string to_json(const AnswerBody& body, bool keep_personal);

AlertBody parse_alert(std::string_view json);
OutcomeBody parse_outcome(std::string_view json);
WatchlistBody parse_watchlist(std::string_view json);
QueryBody parse_query(std::string_view json);
AnswerBody parse_answer(std::string_view json);

/// Replaces every occurrence of each name (case-insensitive, at least three characters) in
/// `text` by "[name withheld]": factor texts may quote the parties they are about.
std::string withhold_names(std::string_view text, const std::vector<std::string>& names);

} // namespace portscreen::sharing
