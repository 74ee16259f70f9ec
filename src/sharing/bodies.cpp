#include "sharing/bodies.hpp"

#include "core/codes.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <span>
#include <stdexcept>

namespace portscreen::sharing {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

/// Bounds that keep one message small whatever a peer sends: a body is stored and shown as it
/// came, so a field may not grow without limit.
constexpr std::size_t kMaxText = 2000;
constexpr std::size_t kMaxItems = 200;
constexpr int kMaxDepth = 8;
constexpr std::size_t kMinNameLength = 3;
constexpr std::string_view kWithheld = "[name withheld]";

constexpr std::array<std::string_view, 5> kWatchKinds = {"party", "container", "vessel",
                                                         "bill_of_lading", "route"};
constexpr std::array<std::string_view, 6> kFactorKinds = {"rule",  "watchlist", "model",
                                                          "alert", "other",     "limit"};

enum class Need : std::uint8_t { optional, required };

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw std::invalid_argument(std::string(path).append(": ").append(problem));
}

std::string member_path(const std::string& path, std::string_view name) {
    return std::string(path).append(".").append(name);
}

std::string item_path(const std::string& path, std::size_t index) {
    return std::string(path).append("[").append(std::to_string(index)).append("]");
}

std::string shown_value(std::string_view text) {
    constexpr std::size_t kShown = 40;
    std::string out = "'";
    out.append(text.substr(0, kShown));
    if (text.size() > kShown)
        out.append("...");
    return out.append("'");
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/// A real calendar date written YYYY-MM-DD.
bool is_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return false;
    constexpr std::array<std::size_t, 8> kDigits = {0, 1, 2, 3, 5, 6, 8, 9};
    if (!std::all_of(kDigits.begin(), kDigits.end(),
                     [&](std::size_t pos) { return is_digit(text[pos]); }))
        return false;
    const int year = std::stoi(std::string(text.substr(0, 4)));
    const int month = std::stoi(std::string(text.substr(5, 2)));
    const int day = std::stoi(std::string(text.substr(8, 2)));
    if (month < 1 || month > 12 || day < 1)
        return false;
    constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int last = month == 2 && leap ? 29 : kDays[static_cast<std::size_t>(month - 1)];
    return day <= last;
}

/// A date, or a date followed by 'T' and a time of the day (an ETA as manifests give it).
bool is_date_or_date_time(std::string_view text) {
    if (!is_date(text.substr(0, 10)))
        return false;
    if (text.size() == 10)
        return true;
    if (text[10] != 'T' || text.size() > 40)
        return false;
    return std::all_of(text.begin() + 11, text.end(), [](char c) {
        return is_digit(c) || c == ':' || c == '.' || c == 'Z' || c == '+' || c == '-';
    });
}

bool one_of(std::string_view value, std::span<const std::string_view> names) {
    return std::find(names.begin(), names.end(), value) != names.end();
}

/// Parses the text of a body, refusing nesting deeper than any body has.
Json parse_object(std::string_view text) {
    Json json;
    try {
        json = Json::parse(text, [](int depth, Json::parse_event_t, Json&) {
            if (depth > kMaxDepth)
                throw std::invalid_argument("body: nested deeper than " +
                                            std::to_string(kMaxDepth) + " levels");
            return true;
        });
    } catch (const Json::exception& error) {
        // Syntax errors, and numbers too large for a double (out_of_range).
        fail("body", std::string("not JSON: ").append(error.what()));
    }
    if (!json.is_object())
        fail("body", "not a JSON object");
    return json;
}

/// Reads the members of one JSON object, checking each as it is taken; `finish()` refuses
/// members that no reader asked for, so a misspelt field is an error, not a silent default.
class ObjectReader {
public:
    ObjectReader(const Json& json, std::string path) : json_(json), path_(std::move(path)) {
        if (!json_.is_object())
            fail(path_, "not a JSON object");
    }

    const std::string& path() const { return path_; }

    /// The member, or nullptr when it is absent or null.
    const Json* find(std::string_view name) {
        known_.emplace_back(name);
        const auto it = json_.find(name);
        if (it == json_.end() || it->is_null())
            return nullptr;
        return &*it;
    }

    const Json& require(std::string_view name) {
        const Json* value = find(name);
        if (value == nullptr)
            fail(member_path(path_, name), "missing");
        return *value;
    }

    std::string text(std::string_view name, Need need = Need::optional) {
        const Json* value = need == Need::required ? &require(name) : find(name);
        if (value == nullptr)
            return {};
        return checked_text(*value, member_path(path_, name), need);
    }

    std::vector<std::string> texts(std::string_view name) {
        std::vector<std::string> out;
        const Json* value = find(name);
        if (value == nullptr)
            return out;
        const std::string path = member_path(path_, name);
        check_array(*value, path);
        for (std::size_t index = 0; index < value->size(); ++index)
            out.push_back(checked_text((*value)[index], item_path(path, index), Need::required));
        return out;
    }

    std::optional<double> number(std::string_view name, Need need = Need::optional) {
        const Json* value = need == Need::required ? &require(name) : find(name);
        if (value == nullptr)
            return std::nullopt;
        const std::string path = member_path(path_, name);
        if (!value->is_number())
            fail(path, "not a number");
        const double number = value->get<double>();
        if (!std::isfinite(number))
            fail(path, "not a finite number");
        return number;
    }

    bool flag(std::string_view name, Need need = Need::optional) {
        const Json* value = need == Need::required ? &require(name) : find(name);
        if (value == nullptr)
            return false;
        if (!value->is_boolean())
            fail(member_path(path_, name), "not true or false");
        return value->get<bool>();
    }

    /// The member as an array of objects, each read by `read_one(item, path)`.
    template <typename T, typename ReadOne>
    std::vector<T> objects(std::string_view name, ReadOne read_one) {
        std::vector<T> out;
        const Json* value = find(name);
        if (value == nullptr)
            return out;
        const std::string path = member_path(path_, name);
        check_array(*value, path);
        for (std::size_t index = 0; index < value->size(); ++index)
            out.push_back(read_one((*value)[index], item_path(path, index)));
        return out;
    }

    void finish() const {
        for (const auto& [name, value] : json_.items())
            if (std::find(known_.begin(), known_.end(), name) == known_.end())
                fail(member_path(path_, name), "unknown field");
    }

private:
    static std::string checked_text(const Json& value, const std::string& path, Need need) {
        if (!value.is_string())
            fail(path, "not a string");
        auto text = value.get<std::string>();
        if (text.size() > kMaxText)
            fail(path, "longer than " + std::to_string(kMaxText) + " characters");
        if (need == Need::required && text.empty())
            fail(path, "empty");
        return text;
    }

    static void check_array(const Json& value, const std::string& path) {
        if (!value.is_array())
            fail(path, "not an array");
        if (value.size() > kMaxItems)
            fail(path, "more than " + std::to_string(kMaxItems) + " items");
    }

    const Json& json_;
    std::string path_;
    std::vector<std::string> known_;
};

// Checks of single values, named by the path of the value.

void check_container(const std::string& value, const std::string& path) {
    if (!core::is_valid_container_number(value))
        fail(path, shown_value(value) + " is not an ISO 6346 number with a valid check digit");
}

void check_locode(const std::string& value, const std::string& path) {
    if (!core::has_locode_shape(value))
        fail(path, shown_value(value) + " is not a UN/LOCODE");
}

void check_locodes(const std::vector<std::string>& values, const std::string& path) {
    for (std::size_t index = 0; index < values.size(); ++index)
        check_locode(values[index], item_path(path, index));
}

void check_date(const std::string& value, const std::string& path, Need need) {
    if (value.empty() && need == Need::optional)
        return;
    if (!is_date(value))
        fail(path, shown_value(value) + " is not a date YYYY-MM-DD");
}

void check_date_time(const std::string& value, const std::string& path) {
    if (!value.empty() && !is_date_or_date_time(value))
        fail(path, shown_value(value) + " is not a date or date and time (ISO 8601)");
}

void check_range(std::optional<double> value, double low, double high, const std::string& path) {
    if (value && (*value < low || *value > high))
        fail(path, std::to_string(*value) + " is outside " + std::to_string(low) + ".." +
                       std::to_string(high));
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

// Writers. Optional numbers are written as null so that every non-personal field is present.

OrderedJson optional_number(const std::optional<double>& value) {
    return value ? OrderedJson(*value) : OrderedJson(nullptr);
}

OrderedJson outcome_json(const OutcomeBody& body, bool keep_personal) {
    OrderedJson json;
    json["container"] = body.container;
    json["bls"] = body.bls;
    json["port_of_call"] = body.port_of_call;
    json["inspected_on"] = body.inspected_on;
    json["method"] = body.method;
    json["seizure"] = body.seizure;
    json["category"] = body.category;
    json["description"] = body.description;
    json["quantity"] = optional_number(body.quantity);
    json["unit"] = body.unit;
    json["concealment"] = body.concealment;
    json["detection"] = body.detection;
    json["place"] = body.place;
    if (keep_personal) {
        json["recorded_by"] = body.recorded_by;
        json["notes"] = body.notes;
    }
    return json;
}

// Readers, one per object type; each ends with finish() so unknown members are refused.

SharedFactor read_factor(const Json& json, const std::string& path) {
    ObjectReader reader(json, path);
    SharedFactor factor;
    factor.kind = reader.text("kind", Need::required);
    if (!one_of(factor.kind, kFactorKinds))
        fail(member_path(path, "kind"), shown_value(factor.kind) + " is not a factor kind");
    factor.id = reader.text("id");
    factor.text = reader.text("text");
    factor.points = *reader.number("points", Need::required);
    reader.finish();
    return factor;
}

OutcomeBody read_outcome(const Json& json, const std::string& path) {
    ObjectReader reader(json, path);
    OutcomeBody body;
    body.container = reader.text("container", Need::required);
    check_container(body.container, member_path(path, "container"));
    body.bls = reader.texts("bls");
    body.port_of_call = reader.text("port_of_call", Need::required);
    check_locode(body.port_of_call, member_path(path, "port_of_call"));
    body.inspected_on = reader.text("inspected_on", Need::required);
    check_date(body.inspected_on, member_path(path, "inspected_on"), Need::required);
    body.method = reader.text("method", Need::required);
    if (body.method != "scan" && body.method != "physical")
        fail(member_path(path, "method"), shown_value(body.method) + " is not scan or physical");
    body.seizure = reader.flag("seizure", Need::required);
    body.category = reader.text("category");
    body.description = reader.text("description");
    body.quantity = reader.number("quantity");
    body.unit = reader.text("unit");
    body.concealment = reader.text("concealment");
    body.detection = reader.text("detection");
    body.place = reader.text("place");
    body.recorded_by = reader.text("recorded_by");
    body.notes = reader.text("notes");
    reader.finish();
    // The same rule as workflow::outcome_problems: a no-find names no seized goods.
    if (body.seizure && body.category.empty())
        fail(member_path(path, "category"), "empty for a seizure");
    if (!body.seizure && !body.category.empty())
        fail(member_path(path, "category"), "given for a no-find");
    if (!body.seizure && body.quantity)
        fail(member_path(path, "quantity"), "given for a no-find");
    if (body.quantity && *body.quantity < 0)
        fail(member_path(path, "quantity"), "negative");
    return body;
}

Sighting read_sighting(const Json& json, const std::string& path) {
    ObjectReader reader(json, path);
    Sighting sighting;
    sighting.port_of_call = reader.text("port_of_call", Need::required);
    check_locode(sighting.port_of_call, member_path(path, "port_of_call"));
    sighting.vessel_name = reader.text("vessel_name");
    sighting.voyage = reader.text("voyage");
    sighting.eta = reader.text("eta");
    check_date_time(sighting.eta, member_path(path, "eta"));
    sighting.bls = reader.texts("bls");
    sighting.score = reader.number("score");
    check_range(sighting.score, 0, 100, member_path(path, "score"));
    reader.finish();
    return sighting;
}

} // namespace

std::string to_json(const AlertBody& body, bool keep_personal) {
    // Factor texts and the reason may quote the parties; without personal data they go with
    // the parties' names withheld.
    std::vector<std::string> names = body.shippers;
    names.insert(names.end(), body.consignees.begin(), body.consignees.end());
    const auto shown = [&](const std::string& text) {
        return keep_personal ? text : withhold_names(text, names);
    };

    OrderedJson json;
    json["container"] = body.container;
    json["bls"] = body.bls;
    json["vessel_imo"] = body.vessel_imo;
    json["vessel_name"] = body.vessel_name;
    json["voyage"] = body.voyage;
    json["port_of_call"] = body.port_of_call;
    json["eta"] = body.eta;
    json["route"] = body.route;
    json["score"] = body.score;
    json["reason"] = shown(body.reason);
    json["factors"] = OrderedJson::array();
    for (const auto& factor : body.factors) {
        OrderedJson item;
        item["kind"] = factor.kind;
        item["id"] = factor.id;
        item["text"] = shown(factor.text);
        item["points"] = factor.points;
        json["factors"].push_back(std::move(item));
    }
    if (keep_personal) {
        json["shippers"] = body.shippers;
        json["consignees"] = body.consignees;
    }
    return json.dump();
}

std::string to_json(const OutcomeBody& body, bool keep_personal) {
    return outcome_json(body, keep_personal).dump();
}

std::string to_json(const WatchlistBody& body) {
    OrderedJson json;
    json["removed"] = body.removed;
    json["entry_id"] = body.entry_id;
    json["kind"] = body.kind;
    json["value"] = body.value;
    json["country"] = body.country;
    json["reason"] = body.reason;
    json["source"] = body.source;
    json["expires"] = body.expires;
    json["points"] = optional_number(body.points);
    return json.dump();
}

std::string to_json(const QueryBody& body) {
    OrderedJson json;
    json["container"] = body.container;
    return json.dump();
}

std::string to_json(const AnswerBody& body, bool keep_personal) {
    OrderedJson json;
    json["query_id"] = body.query_id;
    json["container"] = body.container;
    json["sightings"] = OrderedJson::array();
    for (const auto& sighting : body.sightings) {
        OrderedJson item;
        item["port_of_call"] = sighting.port_of_call;
        item["vessel_name"] = sighting.vessel_name;
        item["voyage"] = sighting.voyage;
        item["eta"] = sighting.eta;
        item["bls"] = sighting.bls;
        item["score"] = optional_number(sighting.score);
        json["sightings"].push_back(std::move(item));
    }
    json["outcomes"] = OrderedJson::array();
    for (const auto& outcome : body.outcomes)
        json["outcomes"].push_back(outcome_json(outcome, keep_personal));
    return json.dump();
}

AlertBody parse_alert(std::string_view text) {
    const Json json = parse_object(text);
    ObjectReader reader(json, "body");
    AlertBody body;
    body.container = reader.text("container", Need::required);
    check_container(body.container, "body.container");
    body.bls = reader.texts("bls");
    body.vessel_imo = reader.text("vessel_imo");
    if (!body.vessel_imo.empty() && !core::is_valid_imo_number(body.vessel_imo))
        fail("body.vessel_imo", shown_value(body.vessel_imo) + " is not an IMO number");
    body.vessel_name = reader.text("vessel_name");
    body.voyage = reader.text("voyage");
    body.port_of_call = reader.text("port_of_call", Need::required);
    check_locode(body.port_of_call, "body.port_of_call");
    body.eta = reader.text("eta");
    check_date_time(body.eta, "body.eta");
    body.route = reader.texts("route");
    check_locodes(body.route, "body.route");
    body.score = *reader.number("score", Need::required);
    check_range(body.score, 0, 100, "body.score");
    body.reason = reader.text("reason");
    body.factors = reader.objects<SharedFactor>("factors", read_factor);
    body.shippers = reader.texts("shippers");
    body.consignees = reader.texts("consignees");
    reader.finish();
    return body;
}

OutcomeBody parse_outcome(std::string_view text) {
    return read_outcome(parse_object(text), "body");
}

WatchlistBody parse_watchlist(std::string_view text) {
    const Json json = parse_object(text);
    ObjectReader reader(json, "body");
    WatchlistBody body;
    body.removed = reader.flag("removed");
    body.entry_id = reader.text("entry_id", Need::required);
    // A removal needs only the id; an entry added or changed is checked in full.
    const Need need = body.removed ? Need::optional : Need::required;
    body.kind = reader.text("kind", need);
    if (!body.kind.empty() && !one_of(body.kind, kWatchKinds))
        fail("body.kind", shown_value(body.kind) + " is not a watchlist kind");
    body.value = reader.text("value", need);
    if (body.kind == "container" && !body.value.empty())
        check_container(body.value, "body.value");
    body.country = reader.text("country");
    body.reason = reader.text("reason");
    body.source = reader.text("source");
    body.expires = reader.text("expires");
    check_date(body.expires, "body.expires", Need::optional);
    body.points = reader.number("points");
    check_range(body.points, 0, 100, "body.points");
    reader.finish();
    return body;
}

QueryBody parse_query(std::string_view text) {
    const Json json = parse_object(text);
    ObjectReader reader(json, "body");
    QueryBody body;
    body.container = reader.text("container", Need::required);
    check_container(body.container, "body.container");
    reader.finish();
    return body;
}

AnswerBody parse_answer(std::string_view text) {
    const Json json = parse_object(text);
    ObjectReader reader(json, "body");
    AnswerBody body;
    body.query_id = reader.text("query_id", Need::required);
    body.container = reader.text("container", Need::required);
    check_container(body.container, "body.container");
    body.sightings = reader.objects<Sighting>("sightings", read_sighting);
    body.outcomes = reader.objects<OutcomeBody>("outcomes", read_outcome);
    reader.finish();
    return body;
}

std::string withhold_names(std::string_view text, const std::vector<std::string>& names) {
    // Longest first, so that "ACME TRADING LTD" is withheld whole rather than as "ACME".
    std::vector<std::string> patterns;
    for (const auto& name : names) {
        auto pattern = lower(trimmed(name));
        if (pattern.size() >= kMinNameLength)
            patterns.push_back(std::move(pattern));
    }
    std::sort(patterns.begin(), patterns.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    if (patterns.empty())
        return std::string(text);

    // One pass over the text, so a replacement is never searched again.
    const std::string folded = lower(text);
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto match = std::find_if(patterns.begin(), patterns.end(), [&](const auto& p) {
            return folded.compare(pos, p.size(), p) == 0;
        });
        if (match == patterns.end()) {
            out.push_back(text[pos]);
            ++pos;
            continue;
        }
        out.append(kWithheld);
        pos += match->size();
    }
    return out;
}

} // namespace portscreen::sharing
