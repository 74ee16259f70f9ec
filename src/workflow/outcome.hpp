#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// The inspection outcome an officer or operator records, in CEN-style fields (after the WCO
/// Customs Enforcement Network seizure record), and its pure validation.
namespace portscreen::workflow {

/// What an inspection found. For a no-find, `category`, `quantity`, `unit` and `concealment`
/// must be left empty: a no-find that names seized goods is a mistake worth showing, not data
/// to drop silently. `description`, `detection`, `place` and `notes` may be given for both.
struct OutcomeFields {
    bool seizure = false;
    std::string inspected_on;       ///< YYYY-MM-DD
    std::string method;             ///< scan or physical
    std::string category;           ///< one of categories(), for a seizure
    std::string description;        ///< what was found; required for a seizure
    std::optional<double> quantity; ///< in `unit`, greater than 0 for a seizure
    std::string unit;               ///< one of units(), for a seizure
    std::string concealment;        ///< one of concealments(), for a seizure
    std::string detection;          ///< one of detections(); required for a seizure
    std::string place;              ///< UN/LOCODE or free text
    std::string notes;
};

/// The longest text an outcome field may hold.
inline constexpr std::size_t kMaxOutcomeText = 2000;

/// The vocabularies of the coded fields, in display order, so forms and APIs can list them.
std::span<const std::string_view> methods();
std::span<const std::string_view> categories();
std::span<const std::string_view> units();
std::span<const std::string_view> concealments();
std::span<const std::string_view> detections();

/// True for a real calendar date written YYYY-MM-DD.
bool is_iso_date(std::string_view text);

/// Every problem with an outcome, each naming its field ("outcome.quantity: must be greater
/// than 0"); empty when the outcome may be recorded.
std::vector<std::string> outcome_problems(const OutcomeFields& outcome);

} // namespace portscreen::workflow
