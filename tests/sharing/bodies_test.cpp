#include "sharing/bodies.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace portscreen::sharing {
namespace {

using Json = nlohmann::json;

// MSCU1234566 and MSKU5705452 carry valid ISO 6346 check digits; 9074729 is a valid IMO number.
constexpr const char* kContainer = "MSCU1234566";

AlertBody sample_alert() {
    AlertBody body;
    body.container = kContainer;
    body.bls = {"MEDU123456", "MEDU654321"};
    body.vessel_imo = "9074729";
    body.vessel_name = "MSC EXAMPLE";
    body.voyage = "FA123A";
    body.port_of_call = "BEANR";
    body.eta = "2026-11-28T06:00:00Z";
    body.route = {"ECGYE", "BEANR", "NLRTM"};
    body.score = 82.5;
    body.reason = "consignee Acme Trading Ltd on the watchlist";
    body.factors = {{"watchlist", "W-7", "party Acme Trading Ltd is listed", 50},
                    {"rule", "R-12", "cocaine source route", 25.5}};
    body.shippers = {"Banana Export SA"};
    body.consignees = {"Acme Trading Ltd"};
    return body;
}

OutcomeBody sample_seizure() {
    OutcomeBody body;
    body.container = kContainer;
    body.bls = {"MEDU123456"};
    body.port_of_call = "BEANR";
    body.inspected_on = "2026-11-27";
    body.method = "physical";
    body.seizure = true;
    body.category = "drugs";
    body.description = "cocaine in banana boxes";
    body.quantity = 120.5;
    body.unit = "kg";
    body.concealment = "in_goods";
    body.detection = "scan_image";
    body.place = "BEANR";
    body.recorded_by = "J. Peeters";
    body.notes = "driver cooperative";
    return body;
}

OutcomeBody sample_no_find() {
    OutcomeBody body;
    body.container = "MSKU5705452";
    body.port_of_call = "NLRTM";
    body.inspected_on = "2028-02-29"; // a leap day
    body.method = "scan";
    body.description = "bananas as declared";
    return body;
}

WatchlistBody sample_watchlist() {
    WatchlistBody body;
    body.entry_id = "W-9";
    body.kind = "container";
    body.value = kContainer;
    body.country = "";
    body.reason = "seized twice in 2025";
    body.source = "BEANR-PCU intelligence";
    body.expires = "2027-01-31";
    body.points = 60;
    return body;
}

AnswerBody sample_answer() {
    AnswerBody body;
    body.query_id = "NLRTM-PCU:17";
    body.container = kContainer;
    Sighting sighting;
    sighting.port_of_call = "BEANR";
    sighting.vessel_name = "MSC EXAMPLE";
    sighting.voyage = "FA123A";
    sighting.eta = "2026-11-28";
    sighting.bls = {"MEDU123456"};
    sighting.score = 82.5;
    body.sightings = {sighting, Sighting{"BEANR", "", "", "", {}, std::nullopt}};
    body.outcomes = {sample_seizure()};
    return body;
}

/// The message of the std::invalid_argument thrown by `parse`, or "" when none was thrown.
template <typename Parse> std::string error_of(Parse parse, const std::string& text) {
    try {
        parse(text);
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    return {};
}

/// `json` with one member replaced (or added).
std::string with(const std::string& json, const std::string& name, const Json& value) {
    Json object = Json::parse(json);
    object[name] = value;
    return object.dump();
}

std::string without(const std::string& json, const std::string& name) {
    Json object = Json::parse(json);
    object.erase(name);
    return object.dump();
}

void expect_same_outcome(const OutcomeBody& a, const OutcomeBody& b, bool personal) {
    EXPECT_EQ(a.container, b.container);
    EXPECT_EQ(a.bls, b.bls);
    EXPECT_EQ(a.port_of_call, b.port_of_call);
    EXPECT_EQ(a.inspected_on, b.inspected_on);
    EXPECT_EQ(a.method, b.method);
    EXPECT_EQ(a.seizure, b.seizure);
    EXPECT_EQ(a.category, b.category);
    EXPECT_EQ(a.description, b.description);
    EXPECT_EQ(a.quantity, b.quantity);
    EXPECT_EQ(a.unit, b.unit);
    EXPECT_EQ(a.concealment, b.concealment);
    EXPECT_EQ(a.detection, b.detection);
    EXPECT_EQ(a.place, b.place);
    EXPECT_EQ(b.recorded_by, personal ? a.recorded_by : "");
    EXPECT_EQ(b.notes, personal ? a.notes : "");
}

TEST(AlertBody, RoundTripsWithPersonalData) {
    const AlertBody body = sample_alert();
    const AlertBody back = parse_alert(to_json(body, true));
    EXPECT_EQ(back.container, body.container);
    EXPECT_EQ(back.bls, body.bls);
    EXPECT_EQ(back.vessel_imo, body.vessel_imo);
    EXPECT_EQ(back.vessel_name, body.vessel_name);
    EXPECT_EQ(back.voyage, body.voyage);
    EXPECT_EQ(back.port_of_call, body.port_of_call);
    EXPECT_EQ(back.eta, body.eta);
    EXPECT_EQ(back.route, body.route);
    EXPECT_DOUBLE_EQ(back.score, body.score);
    EXPECT_EQ(back.reason, body.reason);
    ASSERT_EQ(back.factors.size(), 2U);
    EXPECT_EQ(back.factors[0].kind, "watchlist");
    EXPECT_EQ(back.factors[0].id, "W-7");
    EXPECT_EQ(back.factors[0].text, "party Acme Trading Ltd is listed");
    EXPECT_DOUBLE_EQ(back.factors[1].points, 25.5);
    EXPECT_EQ(back.shippers, body.shippers);
    EXPECT_EQ(back.consignees, body.consignees);
}

TEST(AlertBody, WithoutPersonalDataLeavesOutPartiesAndWithholdsTheirNames) {
    const std::string json = to_json(sample_alert(), false);
    const Json object = Json::parse(json);
    EXPECT_FALSE(object.contains("shippers"));
    EXPECT_FALSE(object.contains("consignees"));
    EXPECT_EQ(json.find("Acme"), std::string::npos) << json;
    EXPECT_EQ(json.find("Banana Export"), std::string::npos) << json;

    const AlertBody back = parse_alert(json);
    EXPECT_TRUE(back.shippers.empty());
    EXPECT_TRUE(back.consignees.empty());
    EXPECT_EQ(back.reason, "consignee [name withheld] on the watchlist");
    EXPECT_EQ(back.factors[0].text, "party [name withheld] is listed");
    EXPECT_EQ(back.factors[1].text, "cocaine source route");
    EXPECT_EQ(back.container, kContainer);
}

TEST(AlertBody, OptionalFieldsMayBeLeftOut) {
    const AlertBody back =
        parse_alert(R"({"container":"MSCU1234566","port_of_call":"BEANR","score":70})");
    EXPECT_EQ(back.container, kContainer);
    EXPECT_TRUE(back.bls.empty());
    EXPECT_TRUE(back.factors.empty());
    EXPECT_DOUBLE_EQ(back.score, 70);
}

TEST(AlertBody, RefusesBadFieldsNamingThem) {
    const std::string good = to_json(sample_alert(), true);
    const auto parse = [](const std::string& text) { return parse_alert(text); };
    EXPECT_EQ(error_of(parse, good), "");

    EXPECT_EQ(error_of(parse, with(good, "container", "MSCU1234567")),
              "body.container: 'MSCU1234567' is not an ISO 6346 number with a valid check digit");
    EXPECT_EQ(error_of(parse, with(good, "container", "MSKU1")),
              "body.container: 'MSKU1' is not an ISO 6346 number with a valid check digit");
    EXPECT_EQ(error_of(parse, without(good, "container")), "body.container: missing");
    EXPECT_EQ(error_of(parse, with(good, "bls", Json::array({"A1", "B2", 7}))),
              "body.bls[2]: not a string");
    EXPECT_EQ(error_of(parse, with(good, "bls", "A1")), "body.bls: not an array");
    EXPECT_EQ(error_of(parse, with(good, "route", Json::array({"BEANR", "Antwerp"}))),
              "body.route[1]: 'Antwerp' is not a UN/LOCODE");
    EXPECT_EQ(error_of(parse, with(good, "vessel_imo", "9074720")),
              "body.vessel_imo: '9074720' is not an IMO number");
    EXPECT_EQ(error_of(parse, with(good, "eta", "2026-13-01")),
              "body.eta: '2026-13-01' is not a date or date and time (ISO 8601)");
    EXPECT_EQ(error_of(parse, with(good, "score", "high")), "body.score: not a number");
    EXPECT_EQ(error_of(parse, with(good, "score", 101)).rfind("body.score: ", 0), 0U);
    EXPECT_EQ(error_of(parse, with(good, "colour", "red")), "body.colour: unknown field");

    Json factors = Json::parse(good)["factors"];
    factors[1]["kind"] = "hunch";
    EXPECT_EQ(error_of(parse, with(good, "factors", factors)),
              "body.factors[1].kind: 'hunch' is not a factor kind");
    factors[1]["kind"] = "rule";
    factors[1].erase("points");
    EXPECT_EQ(error_of(parse, with(good, "factors", factors)), "body.factors[1].points: missing");
}

TEST(AlertBody, RefusesNumbersTooLargeForADouble) {
    // JSON has no literal for infinity; 1e999 would overflow to it, and is refused instead.
    const auto parse = [](const std::string& text) { return parse_alert(text); };
    const std::string error =
        error_of(parse, R"({"container":"MSCU1234566","port_of_call":"BEANR","score":1e999})");
    EXPECT_EQ(error.rfind("body: not JSON: ", 0), 0U) << error;
}

TEST(Bodies, BoundStringsAndArrays) {
    const std::string good = to_json(sample_alert(), true);
    const auto parse = [](const std::string& text) { return parse_alert(text); };
    EXPECT_EQ(error_of(parse, with(good, "reason", std::string(2000, 'x'))), "");
    EXPECT_EQ(error_of(parse, with(good, "reason", std::string(2001, 'x'))),
              "body.reason: longer than 2000 characters");
    EXPECT_EQ(error_of(parse, with(good, "bls", Json(std::vector<std::string>(200, "B1")))), "");
    EXPECT_EQ(error_of(parse, with(good, "bls", Json(std::vector<std::string>(201, "B1")))),
              "body.bls: more than 200 items");
}

TEST(Bodies, RefusesTextThatIsNotAnObject) {
    const auto parse = [](const std::string& text) { return parse_query(text); };
    EXPECT_EQ(error_of(parse, "[1,2]"), "body: not a JSON object");
    EXPECT_EQ(error_of(parse, "{\"container\":").rfind("body: not JSON: ", 0), 0U);
    EXPECT_EQ(error_of(parse, "").rfind("body: not JSON: ", 0), 0U);
    std::string deep = std::string(50, '[') + std::string(50, ']');
    EXPECT_EQ(error_of(parse, deep), "body: nested deeper than 8 levels");
}

TEST(OutcomeBody, SeizureRoundTripsWithAndWithoutPersonalData) {
    const OutcomeBody body = sample_seizure();
    expect_same_outcome(body, parse_outcome(to_json(body, true)), true);

    const std::string withheld = to_json(body, false);
    const Json object = Json::parse(withheld);
    EXPECT_FALSE(object.contains("recorded_by"));
    EXPECT_FALSE(object.contains("notes"));
    EXPECT_EQ(withheld.find("Peeters"), std::string::npos);
    expect_same_outcome(body, parse_outcome(withheld), false);
}

TEST(OutcomeBody, NoFindRoundTrips) {
    const OutcomeBody body = sample_no_find();
    const OutcomeBody back = parse_outcome(to_json(body, true));
    expect_same_outcome(body, back, true);
    EXPECT_FALSE(back.seizure);
    EXPECT_FALSE(back.quantity.has_value());
    EXPECT_EQ(back.inspected_on, "2028-02-29");
}

TEST(OutcomeBody, RefusesBadFieldsNamingThem) {
    const std::string good = to_json(sample_seizure(), true);
    const auto parse = [](const std::string& text) { return parse_outcome(text); };
    EXPECT_EQ(error_of(parse, good), "");
    EXPECT_EQ(error_of(parse, with(good, "method", "sniffer dog")),
              "body.method: 'sniffer dog' is not scan or physical");
    EXPECT_EQ(error_of(parse, with(good, "inspected_on", "2026-02-29")),
              "body.inspected_on: '2026-02-29' is not a date YYYY-MM-DD");
    EXPECT_EQ(error_of(parse, with(good, "inspected_on", "27/11/2026")),
              "body.inspected_on: '27/11/2026' is not a date YYYY-MM-DD");
    EXPECT_EQ(error_of(parse, with(good, "seizure", "yes")), "body.seizure: not true or false");
    EXPECT_EQ(error_of(parse, with(good, "category", "")), "body.category: empty for a seizure");
    EXPECT_EQ(error_of(parse, with(good, "quantity", -1)), "body.quantity: negative");
    EXPECT_EQ(error_of(parse, with(good, "port_of_call", "")), "body.port_of_call: empty");

    const std::string no_find = to_json(sample_no_find(), true);
    EXPECT_EQ(error_of(parse, with(no_find, "category", "drugs")),
              "body.category: given for a no-find");
    EXPECT_EQ(error_of(parse, with(no_find, "quantity", 3)), "body.quantity: given for a no-find");
}

TEST(WatchlistBody, RoundTrips) {
    const WatchlistBody body = sample_watchlist();
    const WatchlistBody back = parse_watchlist(to_json(body));
    EXPECT_FALSE(back.removed);
    EXPECT_EQ(back.entry_id, "W-9");
    EXPECT_EQ(back.kind, "container");
    EXPECT_EQ(back.value, kContainer);
    EXPECT_EQ(back.reason, body.reason);
    EXPECT_EQ(back.source, body.source);
    EXPECT_EQ(back.expires, "2027-01-31");
    EXPECT_EQ(back.points, 60);

    WatchlistBody party;
    party.entry_id = "P-1";
    party.kind = "party";
    party.value = "Acme Trading Ltd";
    party.country = "NL";
    party.reason = "front company";
    party.source = "NLRTM-PCU";
    const WatchlistBody party_back = parse_watchlist(to_json(party));
    EXPECT_EQ(party_back.value, "Acme Trading Ltd");
    EXPECT_EQ(party_back.country, "NL");
    EXPECT_FALSE(party_back.points.has_value());
    EXPECT_EQ(party_back.expires, "");
}

TEST(WatchlistBody, RemovalNeedsOnlyTheId) {
    const WatchlistBody back = parse_watchlist(R"({"removed":true,"entry_id":"W-9"})");
    EXPECT_TRUE(back.removed);
    EXPECT_EQ(back.entry_id, "W-9");
    EXPECT_EQ(back.kind, "");
}

TEST(WatchlistBody, RefusesBadFieldsNamingThem) {
    const std::string good = to_json(sample_watchlist());
    const auto parse = [](const std::string& text) { return parse_watchlist(text); };
    EXPECT_EQ(error_of(parse, good), "");
    EXPECT_EQ(error_of(parse, with(good, "kind", "ship")),
              "body.kind: 'ship' is not a watchlist kind");
    EXPECT_EQ(error_of(parse, without(good, "value")), "body.value: missing");
    EXPECT_EQ(error_of(parse, with(good, "value", "MSCU1234565")),
              "body.value: 'MSCU1234565' is not an ISO 6346 number with a valid check digit");
    EXPECT_EQ(error_of(parse, with(good, "expires", "soon")),
              "body.expires: 'soon' is not a date YYYY-MM-DD");
    EXPECT_EQ(error_of(parse, with(good, "points", 150)).rfind("body.points: ", 0), 0U);
    EXPECT_EQ(error_of(parse, without(good, "entry_id")), "body.entry_id: missing");
}

TEST(QueryBody, RoundTripsAndChecksTheContainer) {
    EXPECT_EQ(parse_query(to_json(QueryBody{kContainer})).container, kContainer);
    const auto parse = [](const std::string& text) { return parse_query(text); };
    EXPECT_EQ(error_of(parse, R"({"container":"mscu1234566"})"),
              "body.container: 'mscu1234566' is not an ISO 6346 number with a valid check digit");
    EXPECT_EQ(error_of(parse, R"({"container":12})"), "body.container: not a string");
    EXPECT_EQ(error_of(parse, "{}"), "body.container: missing");
}

TEST(AnswerBody, RoundTripsWithAndWithoutPersonalData) {
    const AnswerBody body = sample_answer();
    for (const bool personal : {true, false}) {
        const std::string json = to_json(body, personal);
        EXPECT_EQ(json.find("Peeters") != std::string::npos, personal) << json;
        const AnswerBody back = parse_answer(json);
        EXPECT_EQ(back.query_id, body.query_id);
        EXPECT_EQ(back.container, body.container);
        ASSERT_EQ(back.sightings.size(), 2U);
        EXPECT_EQ(back.sightings[0].port_of_call, "BEANR");
        EXPECT_EQ(back.sightings[0].vessel_name, "MSC EXAMPLE");
        EXPECT_EQ(back.sightings[0].voyage, "FA123A");
        EXPECT_EQ(back.sightings[0].eta, "2026-11-28");
        EXPECT_EQ(back.sightings[0].bls, body.sightings[0].bls);
        EXPECT_EQ(back.sightings[0].score, 82.5);
        EXPECT_FALSE(back.sightings[1].score.has_value());
        ASSERT_EQ(back.outcomes.size(), 1U);
        expect_same_outcome(body.outcomes[0], back.outcomes[0], personal);
    }
}

TEST(AnswerBody, NamesTheBadItem) {
    Json json = Json::parse(to_json(sample_answer(), true));
    json["outcomes"][0]["method"] = "x-ray";
    const auto parse = [](const std::string& text) { return parse_answer(text); };
    EXPECT_EQ(error_of(parse, json.dump()),
              "body.outcomes[0].method: 'x-ray' is not scan or physical");
    json = Json::parse(to_json(sample_answer(), true));
    json["sightings"][1]["port_of_call"] = "B";
    EXPECT_EQ(error_of(parse, json.dump()),
              "body.sightings[1].port_of_call: 'B' is not a UN/LOCODE");
}

TEST(WithholdNames, ReplacesEveryOccurrenceCaseInsensitively) {
    EXPECT_EQ(withhold_names("ACME trading ltd ships to acme Trading Ltd", {"Acme Trading Ltd"}),
              "[name withheld] ships to [name withheld]");
}

TEST(WithholdNames, PrefersTheLongestNameAndIgnoresShortOnes) {
    EXPECT_EQ(withhold_names("Acme Trading and Acme", {"Acme", "Acme Trading", "AB", " "}),
              "[name withheld] and [name withheld]");
    EXPECT_EQ(withhold_names("AB Foods via AB", {"AB"}), "AB Foods via AB");
}

TEST(WithholdNames, DoesNotSearchItsOwnReplacement) {
    EXPECT_EQ(withhold_names("Acme Co", {"Acme Co", "name", "withheld"}), "[name withheld]");
    EXPECT_EQ(withhold_names("text without names", {}), "text without names");
}

} // namespace
} // namespace portscreen::sharing
