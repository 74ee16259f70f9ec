#include "features.hpp"

#include "indicators.hpp"
#include "name_match.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>

namespace portscreen::profiling {
namespace {

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------------------------------------
// The catalogue. `Id` and `kEntries` must list the features in the same order; a compile-time
// check below keeps them together.

enum class Id : std::size_t {
    route_ports,
    route_countries,
    route_port_of_loading,
    route_loading_countries,
    route_transshipment_ports,
    route_transshipments,
    route_shipper_outside_loading_country,
    goods_items,
    goods_packages,
    goods_total_mass_kg,
    goods_hs_codes,
    goods_hs_chapters,
    goods_hs_headings,
    goods_missing_hs_code,
    goods_vague_description,
    goods_vague_descriptions,
    goods_hs_description_mismatch,
    goods_mismatched_hs_codes,
    goods_described_chapters,
    goods_mass_per_package_z,
    goods_mass_per_package_kg,
    goods_usual_mass_per_package_kg,
    goods_mass_per_package_heading,
    container_declared_empty,
    container_gross_mass_kg,
    container_cargo_mass_kg,
    container_empty_with_cargo_mass,
    container_teu,
    container_cargo_kg_per_teu,
    container_goods_mass_gap_kg,
    container_seal_count,
    container_full_without_seal,
    container_consignments,
    manifest_hours_before_eta,
    manifest_amendments,
    manifest_last_change_hours_before_eta,
    consignee_names,
    consignee_countries,
    consignee_times_seen,
    consignee_days_known,
    consignee_inspections,
    consignee_findings,
    consignee_finding_rate,
    consignee_first_time,
    consignee_new_names,
    consignee_is_forwarder,
    consignee_forwarder_names,
    consignee_is_private_person,
    consignee_person_names,
    consignee_is_notify_party,
    consignee_to_order,
    shipper_names,
    shipper_countries,
    shipper_times_seen,
    shipper_days_known,
    shipper_inspections,
    shipper_findings,
    shipper_finding_rate,
    shipper_first_time,
    shipper_new_names,
    image_scanned,
    image_declared_empty_but_loaded,
    image_density_inconsistent,
    image_mass_ratio,
    image_anomaly_score,
    image_confidence,
    count
};

constexpr std::size_t kCount = static_cast<std::size_t>(Id::count);

constexpr std::size_t idx(Id id) {
    return static_cast<std::size_t>(id);
}

struct Entry {
    Id id;
    FeatureDef def;
    bool model = true; ///< read by learned models (number and flag features only)
};

using enum FeatureType;

constexpr Entry kEntries[] = {
    {Id::route_ports,
     {"route.ports", text_list,
      "UN/LOCODEs of the route in order: place of receipt, port of loading, transshipment "
      "ports, port of discharge, place of delivery, over all B/Ls in the container"}},
    {Id::route_countries,
     {"route.countries", text_list,
      "countries of `route.ports` (the first two letters of each UN/LOCODE), in route order"}},
    {Id::route_port_of_loading,
     {"route.port_of_loading", text_list, "ports of loading of the B/Ls in the container"}},
    {Id::route_loading_countries,
     {"route.loading_countries", text_list, "countries of the ports of loading"}},
    {Id::route_transshipment_ports,
     {"route.transshipment_ports", text_list, "transshipment ports declared on the B/Ls"}},
    {Id::route_transshipments,
     {"route.transshipments", number, "most transshipment ports declared on one B/L"}},
    {Id::route_shipper_outside_loading_country,
     {"route.shipper_outside_loading_country", flag,
      "a shipper's country differs from the country of its B/L's port of loading"}},
    {Id::goods_items, {"goods.items", number, "goods items stowed in the container"}},
    {Id::goods_packages, {"goods.packages", number, "packages of all goods items"}},
    {Id::goods_total_mass_kg,
     {"goods.total_mass_kg", number,
      "declared gross mass of all goods items in kg; unknown when an item has none"}},
    {Id::goods_hs_codes, {"goods.hs_codes", text_list, "declared HS codes of the goods items"}},
    {Id::goods_hs_chapters,
     {"goods.hs_chapters", text_list, "HS chapters (2 digits) of the declared codes"}},
    {Id::goods_hs_headings,
     {"goods.hs_headings", text_list, "HS headings (4 digits) of the declared codes"}},
    {Id::goods_missing_hs_code,
     {"goods.missing_hs_code", flag, "a goods item has no HS code; unknown without goods"}},
    {Id::goods_vague_description,
     {"goods.vague_description", flag,
      "a goods description names no goods (\"GENERAL CARGO\", \"FAK\", \"SAID TO CONTAIN\" "
      "alone); unknown without goods"}},
    {Id::goods_vague_descriptions,
     {"goods.vague_descriptions", text_list, "the vague descriptions, as declared"}},
    {Id::goods_hs_description_mismatch,
     {"goods.hs_description_mismatch", flag,
      "the words of a goods description point elsewhere: the declared HS chapter scores less "
      "than half the chapter they point to most strongly (words weighed by how few chapters "
      "use them); unknown when no description has informative words (vague ones are not "
      "judged) or the HS nomenclature is not loaded"}},
    {Id::goods_mismatched_hs_codes,
     {"goods.mismatched_hs_codes", text_list,
      "declared HS codes that do not fit their description"}},
    {Id::goods_described_chapters,
     {"goods.described_chapters", text_list,
      "for those items, the chapters their descriptions point to most strongly"}},
    {Id::goods_mass_per_package_z,
     {"goods.mass_per_package_z", number,
      "the most extreme z-score of ln(kg per package) against the goods seen under the same "
      "HS heading (signed: positive is heavier than usual); unknown below 20 observations"}},
    {Id::goods_mass_per_package_kg,
     {"goods.mass_per_package_kg", number, "kg per package of that most extreme item"},
     false},
    {Id::goods_usual_mass_per_package_kg,
     {"goods.usual_mass_per_package_kg", number,
      "typical kg per package under its heading (geometric mean of the observations)"},
     false},
    {Id::goods_mass_per_package_heading,
     {"goods.mass_per_package_heading", text_list, "HS heading of that most extreme item"}},
    {Id::container_declared_empty,
     {"container.declared_empty", flag, "the container is declared empty"}},
    {Id::container_gross_mass_kg,
     {"container.gross_mass_kg", number, "declared gross mass of the container in kg"}},
    {Id::container_cargo_mass_kg,
     {"container.cargo_mass_kg", number,
      "declared gross mass minus tare in kg; unknown unless both are declared"}},
    {Id::container_empty_with_cargo_mass,
     {"container.empty_with_cargo_mass", flag,
      "declared empty, yet its gross mass exceeds its tare by more than 400 kg (the heaviest "
      "usual tare of its length when no tare is declared); unknown without a gross mass"}},
    {Id::container_teu,
     {"container.teu", number,
      "length in twenty-foot units from the ISO 6346 size code (20' is 1, 40' is 2, 45' is "
      "2.25)"}},
    {Id::container_cargo_kg_per_teu,
     {"container.cargo_kg_per_teu", number,
      "`container.cargo_mass_kg` divided by `container.teu`"}},
    {Id::container_goods_mass_gap_kg,
     {"container.goods_mass_gap_kg", number,
      "`container.cargo_mass_kg` minus `goods.total_mass_kg`: positive when the box weighs "
      "more than the goods declared in it"}},
    {Id::container_seal_count, {"container.seal_count", number, "seals declared on the container"}},
    {Id::container_full_without_seal,
     {"container.full_without_seal", flag, "the container is not declared empty and has no seal"}},
    {Id::container_consignments,
     {"container.consignments", number,
      "B/Ls with goods in the container: more than 1 for groupage (LCL)"}},
    {Id::manifest_hours_before_eta,
     {"manifest.hours_before_eta", number,
      "hours from the issue of the message that declared the container to the vessel's ETA; "
      "negative when issued after it"}},
    {Id::manifest_amendments,
     {"manifest.amendments", number, "amendments of the B/Ls (highest revision minus 1)"}},
    {Id::manifest_last_change_hours_before_eta,
     {"manifest.last_change_hours_before_eta", number,
      "for amended B/Ls, hours from the latest change to the vessel's ETA (the smallest over "
      "the B/Ls; negative when changed after it); unknown when nothing was amended"}},
    {Id::consignee_names,
     {"consignee.names", text_list, "consignee names as declared, upper case"}},
    {Id::consignee_countries, {"consignee.countries", text_list, "consignee countries"}},
    {Id::consignee_times_seen,
     {"consignee.times_seen", number,
      "earlier B/Ls naming the consignee (the least seen consignee of the container)"}},
    {Id::consignee_days_known,
     {"consignee.days_known", number,
      "days from the consignee's first B/L to the ETA (0 when never seen; the newest)"}},
    {Id::consignee_inspections,
     {"consignee.inspections", number,
      "earlier inspections of containers for the consignee (the least inspected)"}},
    {Id::consignee_findings,
     {"consignee.findings", number,
      "of those, inspections that found something (the highest count)"}},
    {Id::consignee_finding_rate,
     {"consignee.finding_rate", number,
      "findings per inspection (the highest); unknown without inspections"}},
    {Id::consignee_first_time,
     {"consignee.first_time", flag, "a consignee has never been seen before"}},
    {Id::consignee_new_names,
     {"consignee.new_names", text_list, "names of the consignees never seen before"}},
    {Id::consignee_is_forwarder,
     {"consignee.is_forwarder", flag,
      "a consignee's name says forwarder or logistics firm (LOGISTICS, FORWARDING, FREIGHT, "
      "SHIPPING, CARGO, EXPRESS, CLEARING, TRANSPORT, COURIER ...) rather than the buyer"}},
    {Id::consignee_forwarder_names,
     {"consignee.forwarder_names", text_list, "names of those consignees"}},
    {Id::consignee_is_private_person,
     {"consignee.is_private_person", flag,
      "a consignee's name has two to five words, no company word and no legal form: "
      "probably a private person"}},
    {Id::consignee_person_names,
     {"consignee.person_names", text_list, "names of those consignees"}},
    {Id::consignee_is_notify_party,
     {"consignee.is_notify_party", flag,
      "a B/L names its consignee as notify party too (or says \"SAME AS CONSIGNEE\")"}},
    {Id::consignee_to_order,
     {"consignee.to_order", flag,
      "a B/L is made out to order (\"TO ORDER\", \"TO THE ORDER OF ...\"): the buyer is not "
      "named"}},
    {Id::shipper_names, {"shipper.names", text_list, "shipper names as declared, upper case"}},
    {Id::shipper_countries, {"shipper.countries", text_list, "shipper countries"}},
    {Id::shipper_times_seen,
     {"shipper.times_seen", number, "earlier B/Ls naming the shipper (the least seen)"}},
    {Id::shipper_days_known,
     {"shipper.days_known", number,
      "days from the shipper's first B/L to the ETA (0 when never seen; the newest)"}},
    {Id::shipper_inspections,
     {"shipper.inspections", number,
      "earlier inspections of containers from the shipper (the least inspected)"}},
    {Id::shipper_findings,
     {"shipper.findings", number, "of those, inspections that found something (the highest)"}},
    {Id::shipper_finding_rate,
     {"shipper.finding_rate", number,
      "findings per inspection (the highest); unknown without inspections"}},
    {Id::shipper_first_time, {"shipper.first_time", flag, "a shipper has never been seen before"}},
    {Id::shipper_new_names,
     {"shipper.new_names", text_list, "names of the shippers never seen before"}},
    // Scans come after selection, so learned models, trained on what selection knew, never
    // read them; rules do.
    {Id::image_scanned,
     {"image.scanned", flag, "an X-ray scan of the container was analysed"},
     false},
    {Id::image_declared_empty_but_loaded,
     {"image.declared_empty_but_loaded", flag,
      "declared empty, but the scan shows contents; unknown before a scan"},
     false},
    {Id::image_density_inconsistent,
     {"image.density_inconsistent", flag,
      "the scan's materials or density contradict the declared cargo; unknown before a scan"},
     false},
    {Id::image_mass_ratio,
     {"image.mass_ratio", number,
      "cargo mass implied by the scan's attenuation / declared cargo mass"},
     false},
    {Id::image_anomaly_score,
     {"image.anomaly_score", number,
      "0-1, the region of the scan that stands out most from the rest of the load"},
     false},
    {Id::image_confidence,
     {"image.confidence", number, "0-1, how far the scan can be read (penetration, coverage)"},
     false},
};

static_assert(std::size(kEntries) == kCount, "one catalogue entry per feature id");
static_assert(
    [] {
        for (std::size_t index = 0; index < kCount; ++index)
            if (idx(kEntries[index].id) != index)
                return false;
        return true;
    }(),
    "catalogue entries must follow the order of Id");

constexpr auto kCatalog = [] {
    std::array<FeatureDef, kCount> defs{};
    for (std::size_t index = 0; index < kCount; ++index)
        defs[index] = kEntries[index].def;
    return defs;
}();

// ---------------------------------------------------------------------------------------------
// Text helpers: everything is compared as upper-case ASCII.

char upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - ('a' - 'A')) : c;
}

bool is_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

bool equals_upper(std::string_view stored, std::string_view raw) {
    if (stored.size() != raw.size())
        return false;
    for (std::size_t pos = 0; pos < raw.size(); ++pos)
        if (stored[pos] != upper(raw[pos]))
            return false;
    return true;
}

/// One word of at most kMaxWord upper-case ASCII letters and digits, in a fixed buffer.
struct Word {
    static constexpr std::size_t kMaxWord = 40;
    std::array<char, kMaxWord> chars{};
    std::size_t size = 0;
    bool has_digit = false;

    std::string_view view() const { return {chars.data(), size}; }
};

/// Calls `on_word(const Word&)` for each run of ASCII letters and digits; apostrophes join
/// ("O'NEIL" is "ONEIL"), everything else separates. Longer words are cut at kMaxWord.
template <typename OnWord> void for_each_word(std::string_view text, OnWord&& on_word) {
    Word word;
    const auto finish = [&] {
        if (word.size > 0)
            on_word(word);
        word.size = 0;
        word.has_digit = false;
    };
    for (const char c : text) {
        if (c == '\'')
            continue;
        if (!is_alnum(c)) {
            finish();
            continue;
        }
        if (word.size < Word::kMaxWord)
            word.chars[word.size++] = upper(c);
        word.has_digit = word.has_digit || (c >= '0' && c <= '9');
    }
    finish();
}

bool is_one_of(std::string_view word, std::span<const std::string_view> list) {
    return std::find(list.begin(), list.end(), word) != list.end();
}

/// Folds common English plurals so that "TILES" meets "TILE" and "BATTERIES" meets "BATTERY".
std::size_t stem(std::array<char, Word::kMaxWord>& chars, std::size_t size) {
    const std::string_view word(chars.data(), size);
    if (size > 4 && word.ends_with("IES")) {
        chars[size - 3] = 'Y';
        return size - 2;
    }
    for (std::string_view suffix : {"SSES", "SHES", "CHES", "XES", "ZES"})
        if (size > suffix.size() && word.ends_with(suffix))
            return size - 2;
    if (size > 3 && word.ends_with('S') && !word.ends_with("SS") && !word.ends_with("US") &&
        !word.ends_with("IS"))
        return size - 1;
    return size;
}

// Trade words that the HS texts spell otherwise.
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"PHONE", "TELEPHONE"},    {"CELLPHONE", "TELEPHONE"},   {"MOBILEPHONE", "TELEPHONE"},
    {"TIRE", "TYRE"},          {"TV", "TELEVISION"},         {"TVS", "TELEVISION"},
    {"CHICKEN", "FOWL"},       {"FERTILIZER", "FERTILISER"}, {"ALUMINUM", "ALUMINIUM"},
    {"LAPTOP", "PORTABLE"},    {"SNEAKER", "FOOTWEAR"},      {"DIAPER", "NAPKIN"},
    {"INVERTER", "CONVERTER"},
};

// Grammar words; the chapter cap drops most of them from the full nomenclature anyway, but not
// from a small one.
constexpr std::string_view kStopWords[] = {
    "AND",       "THE",     "FOR", "WITH", "NOT",   "OTHER",     "FROM",     "INTO",
    "THAN",      "SUCH",    "ANY", "ALL",  "BUT",   "ARE",       "WHETHER",  "EXCLUDING",
    "INCLUDING", "THEREOF", "NEC", "NES",  "THEIR", "OTHERWISE", "SPECIFIED"};

/// The word as the index files it: upper case, plural folded, alias applied. Empty when the
/// word is too short, holds a digit or is a grammar word.
std::string_view index_form(Word& word) {
    for (const auto& [alias, canonical] : kAliases)
        if (word.view() == alias)
            return canonical;
    if (word.has_digit || word.size < 3 || is_one_of(word.view(), kStopWords))
        return {};
    word.size = stem(word.chars, word.size);
    for (const auto& [alias, canonical] : kAliases)
        if (word.view() == alias)
            return canonical;
    return word.view();
}

std::uint64_t hash_word(std::string_view word) {
    std::uint64_t hash = 1469598103934665603ULL; // FNV-1a
    for (const char c : word) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

/// The leading digits of an HS code ("8517.12" is "8517"), or empty.
std::string_view hs_digits(std::string_view code) {
    code = trim(code);
    std::size_t end = 0;
    while (end < code.size() && code[end] >= '0' && code[end] <= '9')
        ++end;
    return code.substr(0, end);
}

int two_digit(std::string_view digits) {
    return (digits[0] - '0') * 10 + (digits[1] - '0');
}

// ---------------------------------------------------------------------------------------------
// Dates and times: ISO 8601 as the node stores them ("2024-01-20T18:00", optionally seconds,
// fractions and "Z" or an offset).

struct TimePoint {
    double hours = 0; ///< since 1970-01-01T00:00 of the clock the text was written in
    bool zoned = false;
    double offset_hours = 0;
};

bool read_number(std::string_view text, std::size_t pos, std::size_t digits, int& value) {
    if (pos + digits > text.size())
        return false;
    value = 0;
    for (std::size_t idx = pos; idx < pos + digits; ++idx) {
        if (text[idx] < '0' || text[idx] > '9')
            return false;
        value = value * 10 + (text[idx] - '0');
    }
    return true;
}

std::optional<std::int64_t> parse_days(std::string_view text) {
    int year = 0;
    int month = 0;
    int day = 0;
    if (!read_number(text, 0, 4, year) || text.size() < 10 || text[4] != '-' ||
        !read_number(text, 5, 2, month) || text[7] != '-' || !read_number(text, 8, 2, day))
        return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year{year},
                                           std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok())
        return std::nullopt;
    return std::chrono::sys_days{date}.time_since_epoch().count();
}

std::optional<TimePoint> parse_time(std::string_view text) {
    text = trim(text);
    const auto days = parse_days(text);
    if (!days)
        return std::nullopt;
    TimePoint point;
    point.hours = static_cast<double>(*days) * 24;
    std::size_t pos = 10;
    if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
        int hour = 0;
        int minute = 0;
        if (!read_number(text, pos + 1, 2, hour) || pos + 3 >= text.size() ||
            text[pos + 3] != ':' || !read_number(text, pos + 4, 2, minute) || hour > 24 ||
            minute > 59)
            return std::nullopt;
        point.hours += hour + minute / 60.0;
        pos += 6;
        int second = 0;
        if (pos < text.size() && text[pos] == ':' && read_number(text, pos + 1, 2, second)) {
            point.hours += second / 3600.0;
            pos += 3;
            if (pos < text.size() && (text[pos] == '.' || text[pos] == ','))
                for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9';)
                    ++pos; // fractions of a second do not matter here
        }
    }
    if (pos == text.size())
        return point;
    if (text[pos] == 'Z' && pos + 1 == text.size()) {
        point.zoned = true;
        return point;
    }
    if (text[pos] == '+' || text[pos] == '-') {
        int hours = 0;
        int minutes = 0;
        if (!read_number(text, pos + 1, 2, hours))
            return std::nullopt;
        std::size_t next = pos + 3;
        if (next < text.size() && text[next] == ':')
            ++next;
        if (next < text.size() && !read_number(text, next, 2, minutes))
            return std::nullopt;
        if (next < text.size() && next + 2 != text.size())
            return std::nullopt;
        point.zoned = true;
        point.offset_hours = (text[pos] == '-' ? -1 : 1) * (hours + minutes / 60.0);
        return point;
    }
    return std::nullopt;
}

/// Hours from `from` to `to`. Zones count only when both times give one; otherwise both are
/// read as the port's local time, which is how manifests without zones are written.
double hours_between(std::string_view from, const std::optional<TimePoint>& end) {
    const auto start = parse_time(from);
    if (!start || !end)
        return kUnknown;
    double hours = end->hours - start->hours;
    if (start->zoned && end->zoned)
        hours -= end->offset_hours - start->offset_hours;
    return hours;
}

// ---------------------------------------------------------------------------------------------
// Party names.

constexpr std::string_view kForwarderWords[] = {
    "LOGISTICS", "LOGISTIC",      "FORWARDING",   "FORWARDERS",    "FORWARDER",
    "FREIGHT",   "SHIPPING",      "CARGO",        "EXPRESS",       "CLEARING",
    "TRANSPORT", "TRANSPORTS",    "TRANSPORTERS", "COURIER",       "COURIERS",
    "HAULAGE",   "CONSOLIDATORS", "NVOCC",        "TRANSPORTATION"};

// Words that make a name a company's (or an organisation's) even without a legal form.
constexpr std::string_view kCompanyWords[] = {
    "TRADING",       "TRADERS",       "TRADE",        "ENTERPRISES",
    "ENTERPRISE",    "INDUSTRIES",    "INDUSTRIAL",   "INDUSTRY",
    "GENERAL",       "MERCHANTS",     "DISTRIBUTORS", "DISTRIBUTION",
    "HOLDINGS",      "INTERNATIONAL", "INTL",         "GROUP",
    "COMPANY",       "CORPORATION",   "MOTORS",       "HARDWARE",
    "SUPERMARKET",   "SUPERMARKETS",  "AGENCIES",     "AGENCY",
    "WHOLESALERS",   "WHOLESALE",     "MILLERS",      "MILLS",
    "IMPORT",        "IMPORTS",       "IMPORTERS",    "EXPORT",
    "EXPORTS",       "EXPORTERS",     "IMPEX",        "MANUFACTURING",
    "MANUFACTURERS", "SERVICES",      "SUPPLIES",     "SUPPLY",
    "SOLUTIONS",     "TECHNOLOGIES",  "TECHNOLOGY",   "PHARMACEUTICALS",
    "PHARMA",        "STORES",        "CENTRE",       "CENTER",
    "INVESTMENTS",   "VENTURES",      "PRODUCTS",     "GLOBAL",
    "BANK",          "MINISTRY",      "GOVERNMENT",   "UNIVERSITY",
    "SCHOOL",        "HOSPITAL",      "CHURCH",       "EMBASSY",
    "AUTHORITY",     "COUNCIL",       "ASSOCIATION",  "FOUNDATION",
    "SOCIETY",       "COOPERATIVE",   "PARTNERS",     "BROTHERS",
    "BROS",          "SONS",          "ORDER",        "CONSIGNEE",
    "SHOP",          "FARM",          "FARMS",        "MARKET",
    "MART",          "ESTATE"};

// Legal forms written as one word; dotted and multi-word ones are left to parse_party_name.
constexpr std::string_view kLegalWords[] = {
    "LTD", "LIMITED", "LLC", "INC", "PLC", "GMBH", "CO",  "CORP", "SA",  "SAS",  "SARL",
    "SRL", "BV",      "NV",  "AG",  "PTY", "PVT",  "PTE", "BHD",  "SDN", "TBK",  "LTDA",
    "SPA", "KG",      "OY",  "AB",  "OOO", "JSC",  "FZE", "FZCO", "FZC", "LLP",  "LP",
    "SAE", "SAC",     "SL",  "AS",  "KFT", "EIRL", "PT",  "CV",   "CIA", "SPZOO"};

struct NameTraits {
    bool forwarder = false;
    bool person = false;
    bool to_order = false;
};

NameTraits name_traits(std::string_view name) {
    NameTraits traits;
    std::size_t words = 0;
    bool company = false;
    bool digits = false;
    bool starts_to = false;
    bool to_order = false;
    for_each_word(name, [&](const Word& word) {
        const std::string_view text = word.view();
        if (words == 0)
            starts_to = text == "TO";
        if (text == "ORDER" && (words == 0 || (starts_to && words <= 2)))
            to_order = true;
        ++words;
        digits = digits || word.has_digit;
        if (is_one_of(text, kForwarderWords))
            traits.forwarder = true;
        else if (is_one_of(text, kCompanyWords) || is_one_of(text, kLegalWords))
            company = true;
    });
    traits.to_order = to_order;
    if (traits.forwarder || company || to_order || digits || words < 2 || words > 5)
        return traits;
    // Only now the full parser: it knows dotted and multi-word legal forms ("S.A.", "CO LTD").
    traits.person = parse_party_name(name).legal_forms.empty();
    return traits;
}

/// Walks the runs of ASCII letters and digits of a text, as views into it.
class WordCursor {
public:
    explicit WordCursor(std::string_view text) : text_(text) {}

    bool next(std::string_view& word) {
        while (pos_ < text_.size() && !is_alnum(text_[pos_]))
            ++pos_;
        if (pos_ == text_.size())
            return false;
        const std::size_t start = pos_;
        while (pos_ < text_.size() && is_alnum(text_[pos_]))
            ++pos_;
        word = text_.substr(start, pos_ - start);
        return true;
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

bool iequals(std::string_view first, std::string_view second) {
    if (first.size() != second.size())
        return false;
    for (std::size_t pos = 0; pos < first.size(); ++pos)
        if (upper(first[pos]) != upper(second[pos]))
            return false;
    return true;
}

/// Same words in the same order, ignoring case and punctuation.
bool same_words(std::string_view first, std::string_view second) {
    WordCursor left(first);
    WordCursor right(second);
    std::string_view left_word;
    std::string_view right_word;
    for (;;) {
        const bool has_left = left.next(left_word);
        const bool has_right = right.next(right_word);
        if (has_left != has_right)
            return false;
        if (!has_left)
            return true;
        if (!iequals(left_word, right_word))
            return false;
    }
}

bool says_same_as_consignee(std::string_view notify) {
    WordCursor cursor(notify);
    std::string_view before_last;
    std::string_view last;
    std::string_view word;
    while (cursor.next(word)) {
        if (iequals(word, "CONSIGNEE") && iequals(last, "AS") && iequals(before_last, "SAME"))
            return true;
        before_last = last;
        last = word;
    }
    return false;
}

bool names_same_party(std::string_view consignee, std::string_view notify) {
    if (trim(notify).empty())
        return false;
    if (same_words(consignee, notify) || says_same_as_consignee(notify))
        return true;
    // Legal forms and accents may differ ("CO., LTD" and "COMPANY LIMITED"); the full
    // normalisation costs more, so only names that start alike get it.
    std::string_view consignee_first;
    std::string_view notify_first;
    if (!WordCursor(consignee).next(consignee_first) || !WordCursor(notify).next(notify_first) ||
        !iequals(consignee_first, notify_first))
        return false;
    return normalize_party_name(consignee) == normalize_party_name(notify);
}

// ---------------------------------------------------------------------------------------------
// Containers.

/// Length in feet from the first character of an ISO 6346 size-type code.
double length_feet(std::string_view size_type) {
    if (size_type.empty())
        return kUnknown;
    switch (upper(size_type.front())) {
    case '1': return 10;
    case '2': return 20;
    case '3': return 30;
    case '4': return 40;
    case 'B': return 24;
    case 'C': return 24.5;
    case 'G': return 41;
    case 'H': return 43;
    case 'K': return 44;
    case 'L': return 45;
    case 'M': return 48;
    case 'N': return 49;
    default: return kUnknown;
    }
}

/// The heaviest tare usual for a length (reefers and tanks), so an estimate errs towards less
/// cargo.
double heaviest_usual_tare(double feet) {
    if (std::isnan(feet))
        return 5200;
    if (feet <= 20)
        return 3800;
    if (feet <= 40)
        return 4800;
    return 5200;
}

constexpr double kEmptyCargoThresholdKg = 400;
// Below this spread of ln(kg per package) a heading's packages are treated as this alike, so
// that near-identical history does not turn a small difference into a huge z-score.
constexpr double kMinSdLog = 0.1;

// ---------------------------------------------------------------------------------------------
// Writing text lists without reallocating the strings of the previous container.

class TextLists {
public:
    explicit TextLists(FeatureValues& out) : out_(out) {}

    void add(Id id, std::string_view raw) {
        raw = trim(raw);
        if (raw.empty())
            return;
        auto& list = out_.texts[idx(id)];
        std::size_t& used = used_[idx(id)];
        for (std::size_t pos = 0; pos < used; ++pos)
            if (equals_upper(list[pos], raw))
                return;
        if (used == list.size())
            list.emplace_back();
        std::string& slot = list[used++];
        slot.assign(raw);
        for (char& c : slot)
            c = upper(c);
    }

    void add_country(Id id, std::string_view locode) {
        locode = trim(locode);
        if (locode.size() >= 2 && is_alnum(locode[0]) && is_alnum(locode[1]))
            add(id, locode.substr(0, 2));
    }

    void finish() {
        for (std::size_t index = 0; index < kCount; ++index)
            out_.texts[index].resize(used_[index]);
    }

private:
    FeatureValues& out_;
    std::array<std::size_t, kCount> used_{};
};

/// Running aggregates of one kind of party (consignee or shipper) over the B/Ls.
struct PartyAggregate {
    bool any = false;
    double times_seen = kUnknown;
    double days_known = kUnknown;
    double inspections = kUnknown;
    double findings = kUnknown;
    double finding_rate = kUnknown;
    bool first_time = false;

    static double min(double current, double value) {
        return std::isnan(current) ? value : std::min(current, value);
    }
    static double max(double current, double value) {
        return std::isnan(current) ? value : std::max(current, value);
    }

    void add(const PartyHistory& history, std::optional<std::int64_t> eta_days) {
        any = true;
        times_seen = min(times_seen, static_cast<double>(history.times_seen));
        if (history.times_seen == 0) {
            first_time = true;
            days_known = min(days_known, 0);
        } else if (const auto first = parse_days(history.first_seen); first && eta_days) {
            days_known = min(days_known, static_cast<double>(*eta_days - *first));
        }
        inspections = min(inspections, static_cast<double>(history.inspections));
        findings = max(findings, static_cast<double>(history.findings));
        if (history.inspections > 0)
            finding_rate = max(finding_rate, static_cast<double>(history.findings) /
                                                 static_cast<double>(history.inspections));
    }

    void write(std::vector<double>& numbers, Id times_seen_id, Id days_known_id, Id inspections_id,
               Id findings_id, Id finding_rate_id, Id first_time_id) const {
        numbers[idx(times_seen_id)] = times_seen;
        numbers[idx(days_known_id)] = days_known;
        numbers[idx(inspections_id)] = inspections;
        numbers[idx(findings_id)] = findings;
        numbers[idx(finding_rate_id)] = finding_rate;
        numbers[idx(first_time_id)] = any ? (first_time ? 1 : 0) : kUnknown;
    }
};

double flag_value(bool known, bool value) {
    return known ? (value ? 1.0 : 0.0) : kUnknown;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Catalogue.

std::span<const FeatureDef> feature_catalog() {
    return kCatalog;
}

std::optional<std::size_t> find_feature(std::string_view name) {
    for (std::size_t index = 0; index < kCount; ++index)
        if (kCatalog[index].name == name)
            return index;
    return std::nullopt;
}

std::vector<std::size_t> model_feature_indices() {
    std::vector<std::size_t> indices;
    for (std::size_t index = 0; index < kCount; ++index)
        if (kEntries[index].def.type != FeatureType::text_list && kEntries[index].model)
            indices.push_back(index);
    return indices;
}

// ---------------------------------------------------------------------------------------------
// CommodityIndex.

CommodityIndex::CommodityIndex(
    const std::vector<std::pair<std::string, std::string>>& nomenclature) {
    std::map<std::string, std::bitset<100>, std::less<>> chapters_of_word;
    for (const auto& [code, description] : nomenclature) {
        const std::string_view digits = hs_digits(code);
        if (digits.size() < 2)
            continue;
        const int chapter = two_digit(digits);
        if (chapter < 1 || chapter > 99)
            continue;
        chapters_known_.set(static_cast<std::size_t>(chapter));
        for_each_word(description, [&](const Word& found) {
            Word word = found;
            const std::string_view form = index_form(word);
            if (!form.empty())
                chapters_of_word[std::string(form)].set(static_cast<std::size_t>(chapter));
        });
    }
    std::size_t informative = 0;
    for (const auto& [word, chapters] : chapters_of_word)
        if (chapters.count() <= static_cast<std::size_t>(kMaxChapters))
            ++informative;
    std::size_t capacity = 16;
    while (capacity < informative * 2)
        capacity *= 2;
    slots_.resize(capacity);
    const double known = static_cast<double>(std::max<std::size_t>(1, chapters_known_.count()));
    for (auto& [word, chapters] : chapters_of_word) {
        if (chapters.count() > static_cast<std::size_t>(kMaxChapters))
            continue;
        const std::uint64_t hash = hash_word(word);
        std::size_t slot = hash & (capacity - 1);
        while (!slots_[slot].word.empty())
            slot = (slot + 1) & (capacity - 1);
        slots_[slot].hash = hash;
        slots_[slot].word = word;
        slots_[slot].chapters = chapters;
        for (std::size_t chapter = 1; chapter < 100; ++chapter)
            if (chapters.test(chapter))
                slots_[slot].chapter_list[slots_[slot].chapter_count++] =
                    static_cast<std::uint8_t>(chapter);
        slots_[slot].weight =
            static_cast<float>(std::log(known / static_cast<double>(chapters.count())));
        ++size_;
    }
}

const CommodityIndex::Slot* CommodityIndex::find(std::string_view word) const {
    if (slots_.empty())
        return nullptr;
    const std::uint64_t hash = hash_word(word);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
        const Slot& candidate = slots_[slot];
        if (candidate.word.empty())
            return nullptr;
        if (candidate.hash == hash && candidate.word == word)
            return &candidate;
    }
}

bool CommodityIndex::has_chapter(int chapter) const {
    return chapter >= 1 && chapter <= 99 && chapters_known_.test(static_cast<std::size_t>(chapter));
}

bool DescriptionChapters::fits(int chapter) const {
    if (informative_words == 0 || chapter < 1 || chapter > 99)
        return false;
    return scores[static_cast<std::size_t>(chapter)] >= best_score * kFitShare;
}

DescriptionChapters CommodityIndex::chapters_for(std::string_view description) const {
    DescriptionChapters result;
    auto& scores = result.scores;
    // Chapters in order of first reach; a description long enough to reach more is ranked on
    // the first ones, which is plenty for an explanation.
    std::array<std::uint8_t, 64> touched{};
    std::size_t touched_count = 0;
    for_each_word(description, [&](const Word& found) {
        Word word = found;
        const std::string_view form = index_form(word);
        if (form.empty())
            return;
        const Slot* slot = find(form);
        if (!slot)
            return;
        ++result.informative_words;
        result.reached |= slot->chapters;
        for (std::size_t pos = 0; pos < slot->chapter_count; ++pos) {
            const std::uint8_t chapter = slot->chapter_list[pos];
            if (scores[chapter] == 0 && touched_count < touched.size())
                touched[touched_count++] = chapter;
            scores[chapter] += slot->weight;
        }
    });
    if (result.informative_words == 0)
        return result;
    // The strongest chapters (those that fit), best first, ties by number.
    float& best_score = result.best_score;
    for (std::size_t pos = 0; pos < touched_count; ++pos)
        best_score = std::max(best_score, scores[touched[pos]]);
    for (std::size_t rank = 0; rank < result.best.size(); ++rank) {
        int pick = 0;
        for (std::size_t pos = 0; pos < touched_count; ++pos) {
            const int chapter = touched[pos];
            const float score = scores[static_cast<std::size_t>(chapter)];
            if (score <= 0 || score < best_score * DescriptionChapters::kFitShare)
                continue;
            const auto picked = result.best.begin() + result.best_count;
            if (std::find(result.best.begin(), picked, chapter) != picked)
                continue;
            const float pick_score = pick == 0 ? 0 : scores[static_cast<std::size_t>(pick)];
            if (pick == 0 || score > pick_score || (score == pick_score && chapter < pick))
                pick = chapter;
        }
        if (pick == 0)
            break;
        result.best[static_cast<std::size_t>(result.best_count++)] = pick;
    }
    return result;
}

// ---------------------------------------------------------------------------------------------
// Mass norms.

void MassNorm::add(double kg_per_package) {
    const double value = std::log(kg_per_package);
    count += 1;
    sum_log += value;
    sum_sq_log += value * value;
}

double MassNorm::mean_log() const {
    return count > 0 ? sum_log / count : kUnknown;
}

double MassNorm::sd_log() const {
    if (count < 2)
        return kUnknown;
    const double variance = (sum_sq_log - sum_log * sum_log / count) / (count - 1);
    return std::sqrt(std::max(0.0, variance)); // rounding can make it slightly negative
}

namespace {

std::optional<std::size_t> heading_index(std::string_view hs4) {
    if (hs4.size() != 4)
        return std::nullopt;
    std::size_t value = 0;
    for (const char c : hs4) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    return value;
}

constexpr std::size_t kHeadings = 10000;

} // namespace

void MassNorms::add(std::string_view hs4, double kg_per_package) {
    const auto index = heading_index(hs4);
    if (!index || !std::isfinite(kg_per_package) || kg_per_package <= 0)
        return;
    if (by_heading_.empty())
        by_heading_.resize(kHeadings);
    by_heading_[*index].add(kg_per_package);
}

void MassNorms::set(std::string_view hs4, const MassNorm& norm) {
    const auto index = heading_index(hs4);
    if (!index)
        return;
    if (by_heading_.empty())
        by_heading_.resize(kHeadings);
    by_heading_[*index] = norm;
}

const MassNorm* MassNorms::find(std::string_view hs4) const {
    const auto index = heading_index(hs4);
    if (!index || by_heading_.empty() || by_heading_[*index].count <= 0)
        return nullptr;
    return &by_heading_[*index];
}

std::size_t MassNorms::headings() const {
    return static_cast<std::size_t>(std::count_if(by_heading_.begin(), by_heading_.end(),
                                                  [](const MassNorm& n) { return n.count > 0; }));
}

namespace {

/// kg per package of an item, or NaN when it cannot be told.
double kg_per_package(const GoodsFacts& goods) {
    if (goods.packages <= 0 || !goods.gross_mass_kg || !(*goods.gross_mass_kg > 0) ||
        !std::isfinite(*goods.gross_mass_kg))
        return kUnknown;
    return *goods.gross_mass_kg / static_cast<double>(goods.packages);
}

} // namespace

std::vector<MassObservation> mass_observations(const ContainerFacts& facts) {
    std::vector<MassObservation> observations;
    for (const auto& consignment : facts.consignments)
        for (const auto& goods : consignment.goods) {
            const std::string_view digits = hs_digits(goods.hs_code);
            const double kg = kg_per_package(goods);
            if (digits.size() >= 4 && !std::isnan(kg))
                observations.push_back({std::string(digits.substr(0, 4)), kg});
        }
    return observations;
}

// ---------------------------------------------------------------------------------------------
// Deriving the features.

void derive_features(const ContainerFacts& facts, const FeatureContext& context,
                     FeatureValues& out) {
    out.numbers.assign(kCount, kUnknown);
    out.texts.resize(kCount);
    auto& numbers = out.numbers;
    TextLists texts(out);
    const auto set = [&numbers](Id id, double value) { numbers[idx(id)] = value; };

    const std::optional<TimePoint> eta = parse_time(facts.eta);
    const std::optional<std::int64_t> eta_days = parse_days(trim(facts.eta));

    // Route, parties and manifest history, B/L by B/L.
    double transshipments = kUnknown;
    bool shipper_abroad = false;
    bool shipper_abroad_known = false;
    double max_revision = kUnknown;
    double last_change = kUnknown;
    PartyAggregate consignees;
    PartyAggregate shippers;
    bool forwarder = false;
    bool person = false;
    bool notify_same = false;
    bool to_order = false;
    for (const auto& consignment : facts.consignments) {
        const auto add_port = [&](std::string_view port) {
            texts.add(Id::route_ports, port);
            texts.add_country(Id::route_countries, port);
        };
        add_port(consignment.place_of_receipt);
        add_port(consignment.port_of_loading);
        for (const auto& port : consignment.transshipment_ports) {
            add_port(port);
            texts.add(Id::route_transshipment_ports, port);
        }
        add_port(consignment.port_of_discharge);
        add_port(consignment.place_of_delivery);
        texts.add(Id::route_port_of_loading, consignment.port_of_loading);
        texts.add_country(Id::route_loading_countries, consignment.port_of_loading);
        const auto declared_hubs = std::count_if(
            consignment.transshipment_ports.begin(), consignment.transshipment_ports.end(),
            [](const std::string& port) { return !trim(port).empty(); });
        transshipments = PartyAggregate::max(transshipments, static_cast<double>(declared_hubs));

        const std::string_view loading = trim(consignment.port_of_loading);
        const std::string_view shipper_country = trim(consignment.shipper.country);
        if (loading.size() >= 2 && shipper_country.size() == 2) {
            shipper_abroad_known = true;
            shipper_abroad = shipper_abroad || upper(loading[0]) != upper(shipper_country[0]) ||
                             upper(loading[1]) != upper(shipper_country[1]);
        }

        max_revision = PartyAggregate::max(max_revision, consignment.revision);
        if (consignment.revision > 1)
            last_change =
                PartyAggregate::min(last_change, hours_between(consignment.last_changed_at, eta));

        if (!consignment.consignee.empty()) {
            const auto& party = consignment.consignee;
            texts.add(Id::consignee_names, party.name);
            texts.add(Id::consignee_countries, party.country);
            consignees.add(party.history, eta_days);
            if (party.history.times_seen == 0)
                texts.add(Id::consignee_new_names, party.name);
            const NameTraits traits = name_traits(party.name);
            if (traits.forwarder) {
                forwarder = true;
                texts.add(Id::consignee_forwarder_names, party.name);
            }
            if (traits.person) {
                person = true;
                texts.add(Id::consignee_person_names, party.name);
            }
            to_order = to_order || traits.to_order;
            notify_same =
                notify_same || names_same_party(party.name, consignment.notify_party.name);
        }
        if (!consignment.shipper.empty()) {
            const auto& party = consignment.shipper;
            texts.add(Id::shipper_names, party.name);
            texts.add(Id::shipper_countries, party.country);
            shippers.add(party.history, eta_days);
            if (party.history.times_seen == 0)
                texts.add(Id::shipper_new_names, party.name);
        }
    }
    set(Id::route_transshipments, transshipments);
    set(Id::route_shipper_outside_loading_country,
        flag_value(shipper_abroad_known, shipper_abroad));
    set(Id::manifest_amendments, std::isnan(max_revision) ? kUnknown : max_revision - 1);
    set(Id::manifest_last_change_hours_before_eta, last_change);
    set(Id::manifest_hours_before_eta, hours_between(facts.manifest_issued_at, eta));
    consignees.write(numbers, Id::consignee_times_seen, Id::consignee_days_known,
                     Id::consignee_inspections, Id::consignee_findings, Id::consignee_finding_rate,
                     Id::consignee_first_time);
    shippers.write(numbers, Id::shipper_times_seen, Id::shipper_days_known, Id::shipper_inspections,
                   Id::shipper_findings, Id::shipper_finding_rate, Id::shipper_first_time);
    set(Id::consignee_is_forwarder, flag_value(consignees.any, forwarder));
    set(Id::consignee_is_private_person, flag_value(consignees.any, person));
    set(Id::consignee_is_notify_party, flag_value(consignees.any, notify_same));
    set(Id::consignee_to_order, flag_value(consignees.any, to_order));
    set(Id::container_consignments, static_cast<double>(facts.consignments.size()));

    // Goods.
    double items = 0;
    double packages = 0;
    double total_mass = 0;
    bool total_mass_known = true;
    bool missing_hs = false;
    bool vague = false;
    bool mismatch = false;
    bool mismatch_known = false;
    double extreme_z = kUnknown;
    double extreme_kg = kUnknown;
    double extreme_usual = kUnknown;
    std::string_view extreme_heading;
    for (const auto& consignment : facts.consignments)
        for (const auto& goods : consignment.goods) {
            ++items;
            packages += static_cast<double>(std::max<std::int64_t>(0, goods.packages));
            if (goods.gross_mass_kg && std::isfinite(*goods.gross_mass_kg))
                total_mass += *goods.gross_mass_kg;
            else
                total_mass_known = false;

            const std::string_view digits = hs_digits(goods.hs_code);
            if (digits.empty()) {
                missing_hs = true;
            } else {
                texts.add(Id::goods_hs_codes, digits);
                if (digits.size() >= 2)
                    texts.add(Id::goods_hs_chapters, digits.substr(0, 2));
                if (digits.size() >= 4)
                    texts.add(Id::goods_hs_headings, digits.substr(0, 4));
            }

            const bool item_vague = is_vague_description(goods.description);
            if (item_vague) {
                vague = true;
                texts.add(Id::goods_vague_descriptions, goods.description);
            }

            // A vague description says nothing to compare, so it is not judged twice.
            if (context.commodities && !item_vague && digits.size() >= 2 &&
                context.commodities->has_chapter(two_digit(digits))) {
                const DescriptionChapters described =
                    context.commodities->chapters_for(goods.description);
                if (described.informative_words > 0) {
                    mismatch_known = true;
                    if (!described.fits(two_digit(digits))) {
                        mismatch = true;
                        texts.add(Id::goods_mismatched_hs_codes, digits);
                        for (int rank = 0; rank < described.best_count; ++rank) {
                            const int chapter = described.best[static_cast<std::size_t>(rank)];
                            const char text[2] = {static_cast<char>('0' + chapter / 10),
                                                  static_cast<char>('0' + chapter % 10)};
                            texts.add(Id::goods_described_chapters, std::string_view(text, 2));
                        }
                    }
                }
            }

            if (context.mass_norms && digits.size() >= 4) {
                const double kg = kg_per_package(goods);
                const MassNorm* norm = context.mass_norms->find(digits.substr(0, 4));
                if (!std::isnan(kg) && norm && norm->count >= kMinMassObservations) {
                    const double z =
                        (std::log(kg) - norm->mean_log()) / std::max(kMinSdLog, norm->sd_log());
                    if (std::isnan(extreme_z) || std::abs(z) > std::abs(extreme_z)) {
                        extreme_z = z;
                        extreme_kg = kg;
                        extreme_usual = std::exp(norm->mean_log());
                        extreme_heading = digits.substr(0, 4);
                    }
                }
            }
        }
    const bool has_goods = items > 0;
    set(Id::goods_items, items);
    set(Id::goods_packages, packages);
    set(Id::goods_total_mass_kg, total_mass_known ? total_mass : kUnknown);
    set(Id::goods_missing_hs_code, flag_value(has_goods, missing_hs));
    set(Id::goods_vague_description, flag_value(has_goods, vague));
    set(Id::goods_hs_description_mismatch, flag_value(mismatch_known, mismatch));
    set(Id::goods_mass_per_package_z, extreme_z);
    set(Id::goods_mass_per_package_kg, extreme_kg);
    set(Id::goods_usual_mass_per_package_kg, extreme_usual);
    if (!extreme_heading.empty())
        texts.add(Id::goods_mass_per_package_heading, extreme_heading);

    // The box.
    const double feet = length_feet(trim(facts.size_type));
    const double teu = feet / 20;
    const bool gross_known = facts.gross_mass_kg && std::isfinite(*facts.gross_mass_kg);
    const bool tare_known = facts.tare_mass_kg && std::isfinite(*facts.tare_mass_kg);
    const double cargo =
        gross_known && tare_known ? *facts.gross_mass_kg - *facts.tare_mass_kg : kUnknown;
    set(Id::container_declared_empty, facts.declared_empty ? 1 : 0);
    set(Id::container_gross_mass_kg, gross_known ? *facts.gross_mass_kg : kUnknown);
    set(Id::container_cargo_mass_kg, cargo);
    set(Id::container_teu, teu);
    set(Id::container_cargo_kg_per_teu, cargo / teu);
    set(Id::container_goods_mass_gap_kg, cargo - (total_mass_known ? total_mass : kUnknown));
    if (!facts.declared_empty) {
        set(Id::container_empty_with_cargo_mass, 0);
    } else if (gross_known) {
        const double tare = tare_known ? *facts.tare_mass_kg : heaviest_usual_tare(feet);
        set(Id::container_empty_with_cargo_mass,
            *facts.gross_mass_kg - tare > kEmptyCargoThresholdKg ? 1 : 0);
    }
    set(Id::container_seal_count, facts.seal_count);
    set(Id::container_full_without_seal, !facts.declared_empty && facts.seal_count <= 0 ? 1 : 0);

    set(Id::image_scanned, facts.image ? 1 : 0);
    if (facts.image) {
        const ImageFacts& image = *facts.image;
        set(Id::image_declared_empty_but_loaded, image.declared_empty_but_loaded ? 1 : 0);
        set(Id::image_density_inconsistent, image.density_inconsistent ? 1 : 0);
        if (image.mass_ratio)
            set(Id::image_mass_ratio, *image.mass_ratio);
        set(Id::image_anomaly_score, image.anomaly_score);
        set(Id::image_confidence, image.confidence);
    }

    texts.finish();
}

FeatureValues derive_features(const ContainerFacts& facts, const FeatureContext& context) {
    FeatureValues values;
    derive_features(facts, context, values);
    return values;
}

} // namespace portscreen::profiling
