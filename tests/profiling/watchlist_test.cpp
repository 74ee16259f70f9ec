#include "watchlist.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace portscreen::profiling {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kData = PORTSCREEN_TEST_DATA;

std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    EXPECT_TRUE(file.good()) << path;
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// The problems of a failed parse; empty when it did not fail.
std::vector<std::string> problems_of(const std::function<void()>& parse) {
    try {
        parse();
    } catch (const WatchlistError& error) {
        EXPECT_THAT(error.what(), HasSubstr(error.problems().front()));
        return error.problems();
    }
    return {};
}

std::vector<std::string> csv_problems(std::string_view text) {
    return problems_of([&] { parse_watchlist_csv(text, "list.csv"); });
}

std::vector<std::string> json_problems(std::string_view text) {
    return problems_of([&] { parse_watchlist_json(text, "list.json"); });
}

// ---------------------------------------------------------------------------------------------
// Check digits.

TEST(WatchKind, HasNamesAndDefaultPoints) {
    EXPECT_EQ(to_string(WatchKind::bill_of_lading), "bill_of_lading");
    EXPECT_EQ(parse_watch_kind("Container"), WatchKind::container);
    EXPECT_EQ(parse_watch_kind("BL"), WatchKind::bill_of_lading);
    EXPECT_EQ(parse_watch_kind("ship"), std::nullopt);
    EXPECT_GT(default_points(WatchKind::container), default_points(WatchKind::vessel));
    EXPECT_GT(default_points(WatchKind::party), default_points(WatchKind::route));
    WatchEntry route;
    route.kind = WatchKind::route;
    EXPECT_EQ(route.points_or_default(), default_points(WatchKind::route));
    route.points = 0.0;
    EXPECT_EQ(route.points_or_default(), 0.0);
}

// ---------------------------------------------------------------------------------------------
// CSV.

TEST(ParseWatchlistCsv, ReadsColumnsInAnyOrderAndCanonicalisesValues) {
    const auto entries = parse_watchlist_csv(read_file(kData + "/watchlists/good.csv"), "good.csv");
    ASSERT_EQ(entries.size(), 7U);

    EXPECT_EQ(entries[0].id, "P-1");
    EXPECT_EQ(entries[0].kind, WatchKind::party);
    EXPECT_EQ(entries[0].value, "NUR TRADING");
    EXPECT_EQ(entries[0].country, "AE");
    EXPECT_EQ(entries[0].reason, "Front company named in seizure 2023-114, Mombasa");
    EXPECT_EQ(entries[0].source, "PCU Mombasa");
    EXPECT_EQ(entries[0].expires, "");
    EXPECT_EQ(entries[0].points, std::nullopt);

    EXPECT_EQ(entries[1].value, "MOHAMMED \"ABU ALI\" AL-RASHID"); // doubled quotes
    EXPECT_EQ(entries[1].expires, "2030-12-31");
    EXPECT_EQ(entries[1].points, 80.0);

    EXPECT_EQ(entries[2].kind, WatchKind::container);
    EXPECT_EQ(entries[2].value, "MSKU5705452");
    EXPECT_EQ(entries[3].kind, WatchKind::vessel);
    EXPECT_EQ(entries[3].value, "9074729");
    EXPECT_EQ(entries[4].kind, WatchKind::bill_of_lading);
    EXPECT_EQ(entries[4].value, "MAEU123456789");
    EXPECT_EQ(entries[5].kind, WatchKind::route);
    EXPECT_EQ(entries[5].value, "PKKHI > * > AEJEA > KE");
    EXPECT_EQ(entries[6].value, "IR > KE");
    EXPECT_EQ(entries[6].points, 15.5);
}

TEST(ParseWatchlistCsv, AcceptsCrlfByteOrderMarkBlankRowsAndLineBreaksInQuotes) {
    const std::string text = "\xEF\xBB\xBFID,Kind,Value,Reason,Source\r\n"
                             "P-1,party,ACME TRADING,\"Named in \"\"Operation\r\nTide\"\"\",PCU\r\n"
                             "\r\n"
                             ",,,,\r\n"
                             "  C-1 , container , CSQU3054383 ,  Reused seals  , PCU\r\n"
                             "C-2,container,OOLU4293959,\"bad, \"  ,PCU";
    const auto entries = parse_watchlist_csv(text, "list.csv");
    ASSERT_EQ(entries.size(), 3U);
    EXPECT_EQ(entries[0].reason, "Named in \"Operation\r\nTide\"");
    EXPECT_EQ(entries[1].id, "C-1");
    EXPECT_EQ(entries[1].reason, "Reused seals");
    EXPECT_EQ(entries[2].reason, "bad,");

    // Lines are counted through the line break inside the quoted field.
    const auto problems = csv_problems("id,kind,value,reason,source\n"
                                       "P-1,party,ACME,\"two\nlines\",PCU\n"
                                       "P-2,party,ACME,,PCU\n");
    EXPECT_THAT(problems, ElementsAre("list.csv:4: column 'reason': missing; say in plain words "
                                      "why the entry is listed"));
}

TEST(ParseWatchlistCsv, NamesLineAndColumnOfEveryProblem) {
    const auto problems = problems_of(
        [] { parse_watchlist_csv(read_file(kData + "/watchlists/errors.csv"), "errors.csv"); });
    EXPECT_THAT(
        problems,
        ElementsAre(
            "errors.csv:2: column 'expires': '2024-13-01' is not a date (YYYY-MM-DD)",
            "errors.csv:3: column 'kind': 'ship' is not a kind (party, container, vessel, "
            "bill_of_lading, route)",
            "errors.csv:4: column 'reason': missing; say in plain words why the entry is listed",
            "errors.csv:5: column 'source': missing; say who listed the entry",
            "errors.csv:6: column 'value': 'MSKU5705453' has check digit 3, expected 2",
            "errors.csv:7: column 'value': IMO number 'IMO 9074728' has check digit 8, expected 9",
            "errors.csv:8: column 'id': id 'P-1' is already used by line 2",
            "errors.csv:9: column 'value': route pattern 'PKKHI >> AEJEA': step 2 is empty "
            "(write steps as 'PKKHI > AEJEA > KE')",
            "errors.csv:10: column 'value': route pattern 'PKKHI > JEBEL ALI': step 2 "
            "'JEBELALI' is not a UN/LOCODE (5 characters), a country (2 letters) or *",
            "errors.csv:11: column 'country': only party entries have a country",
            "errors.csv:12: column 'points': 'lots' is not a number",
            "errors.csv:12: column 'country': 'UAE' is not an ISO 3166 alpha-2 code (2 letters)",
            "errors.csv:12: column 'expires': '2023-02-29' is not a date (YYYY-MM-DD)",
            "errors.csv:13: column 'points': 150 is not within 0..100",
            "errors.csv:14: 5 fields, but the header has 8"));
}

TEST(ParseWatchlistCsv, ChecksEachKindOfValue) {
    const auto problem = [](std::string_view kind, std::string_view value) {
        const auto text = "id,kind,value,reason,source\nX-1," + std::string(kind) + ",\"" +
                          std::string(value) + "\",why,who\n";
        const auto problems = csv_problems(text);
        return problems.empty() ? std::string() : problems.front();
    };
    EXPECT_EQ(problem("container", "MSKU570545"),
              "list.csv:2: column 'value': 'MSKU570545' is not a container number (3 owner "
              "letters, U, J or Z, 6 digits and a check digit)");
    EXPECT_THAT(problem("container", "CSQX3054383"), HasSubstr("is not a container number"));
    EXPECT_EQ(problem("container", "csqu 305438-3"), "");
    EXPECT_EQ(problem("vessel", "907472"), "list.csv:2: column 'value': '907472' is not an IMO "
                                           "number (7 digits, optionally after 'IMO')");
    EXPECT_EQ(problem("vessel", "IMO9074729"), "");
    EXPECT_EQ(problem("bill_of_lading", "--/--"),
              "list.csv:2: column 'value': '--/--' has no letters or digits");
    EXPECT_THAT(problem("bill_of_lading", std::string(36, 'A')),
                HasSubstr("is longer than 35 letters and digits"));
    EXPECT_EQ(problem("route", "* > *"),
              "list.csv:2: column 'value': route pattern '* > *' names no place or country");
    EXPECT_THAT(problem("route", "PKKHI > A1JEA"), HasSubstr("step 2 'A1JEA' is not a UN/LOCODE"));
    EXPECT_EQ(problem("route", "ir>ke"), "");
    EXPECT_EQ(problem("party", "-- & --"),
              "list.csv:2: column 'value': '-- & --' has no letters or digits to match");
    EXPECT_EQ(problem("party", ""),
              "list.csv:2: column 'value': missing; give the party to watch for");
    EXPECT_EQ(problem("party", "Société Générale"), "");
}

TEST(ParseWatchlistCsv, RejectsBadHeaders) {
    EXPECT_THAT(csv_problems("id,kind,value,reason,source,colour\n"),
                ElementsAre("list.csv:1: unknown column 'colour' (columns: id, kind, value, "
                            "country, reason, source, expires, points)"));
    EXPECT_THAT(csv_problems("id,kind,value,reason\n"),
                ElementsAre("list.csv:1: missing column 'source'"));
    EXPECT_THAT(csv_problems("id,kind,value,reason,source,Kind\n"),
                ElementsAre("list.csv:1: column 'kind' appears twice"));
    EXPECT_THAT(csv_problems(""), ElementsAre(HasSubstr("list.csv:1: no header row")));
}

TEST(ParseWatchlistCsv, RejectsBrokenQuoting) {
    EXPECT_THAT(csv_problems("id,kind,value,reason,source\nP-1,party,\"ACME,why,who\n"),
                ElementsAre("list.csv:2: field 3 opens a quote that is never closed"));
    EXPECT_THAT(csv_problems("id,kind,value,reason,source\nP-1,party,\"ACME\" LTD,why,who\n"),
                ElementsAre("list.csv:2: field 3 has text after its closing quote"));
}

TEST(ParseWatchlistCsv, AcceptsAHeaderWithoutRows) {
    EXPECT_TRUE(parse_watchlist_csv("id,kind,value,reason,source\n", "empty.csv").empty());
}

// ---------------------------------------------------------------------------------------------
// JSON.

TEST(ParseWatchlistJson, ReadsEntries) {
    const auto entries =
        parse_watchlist_json(read_file(kData + "/watchlists/good.json"), "good.json");
    ASSERT_EQ(entries.size(), 5U);
    EXPECT_EQ(entries[0].value, "NUR TRADING");
    EXPECT_EQ(entries[0].country, "AE");
    EXPECT_EQ(entries[1].kind, WatchKind::container);
    EXPECT_EQ(entries[1].expires, "2030-06-30");
    EXPECT_EQ(entries[1].points, std::nullopt); // null is absent
    EXPECT_EQ(entries[2].points, 30.0);
    EXPECT_EQ(entries[3].kind, WatchKind::bill_of_lading);
    EXPECT_EQ(entries[4].value, "IR > * > KE");
    EXPECT_EQ(entries[4].points, 15.5);

    // The same list as CSV and as JSON gives the same entries.
    const auto csv = parse_watchlist_csv(read_file(kData + "/watchlists/good.csv"), "good.csv");
    EXPECT_EQ(entries[1].value, csv[2].value);
    EXPECT_EQ(entries[2].value, csv[3].value);
    EXPECT_EQ(entries[3].value, csv[4].value);
}

TEST(ParseWatchlistJson, NamesEntryLineAndFieldOfEveryProblem) {
    const auto problems = problems_of(
        [] { parse_watchlist_json(read_file(kData + "/watchlists/errors.json"), "errors.json"); });
    EXPECT_THAT(
        problems,
        ElementsAre(
            "errors.json:4: entry 2: field 'expires': '2024-13-01' is not a date (YYYY-MM-DD)",
            "errors.json:6: entry 3: is string, expected an object",
            "errors.json:7: entry 4: unknown field 'colour' (fields: id, kind, value, country, "
            "reason, source, expires, points)",
            "errors.json:7: entry 4: field 'points': is string, expected a number",
            "errors.json:7: entry 4: field 'value': 'MSKU5705453' has check digit 3, expected 2",
            "errors.json:16: entry 5: field 'value': is number, expected a string",
            "errors.json:16: entry 5: field 'value': missing; give the party to watch for",
            "errors.json:16: entry 5: field 'id': id 'P-1' is already used by entry 1"));
}

TEST(ParseWatchlistJson, ReportsSyntaxErrorsWithTheirLine) {
    const auto problems = json_problems("{\n  \"entries\": [\n    {\"id\": \"P-1\",}\n  ]\n}\n");
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_THAT(problems[0], HasSubstr("list.json:3: not valid JSON:"));
}

TEST(ParseWatchlistJson, RejectsOtherShapes) {
    EXPECT_THAT(json_problems("[]"), ElementsAre("list.json: expected an object {\"entries\": "
                                                 "[...]}"));
    EXPECT_THAT(json_problems("{\"entries\": {}}"),
                ElementsAre("list.json: \"entries\" is object, expected an array"));
    EXPECT_THAT(json_problems("{\"entries\": [], \"name\": \"x\"}"),
                ElementsAre("list.json: unknown member 'name' (only \"entries\")"));
    EXPECT_TRUE(parse_watchlist_json("{\"entries\": []}", "empty.json").empty());
}

// ---------------------------------------------------------------------------------------------
// The Watchlist constructor.

WatchEntry entry(std::string id, WatchKind kind, std::string value, std::string country = {}) {
    return {.id = std::move(id),
            .kind = kind,
            .value = std::move(value),
            .country = std::move(country),
            .reason = "reason of the test",
            .source = "test source",
            .expires = {},
            .points = std::nullopt};
}

TEST(Watchlist, ValidatesAndCanonicalisesEntries) {
    const Watchlist list({entry("C-1", WatchKind::container, "msku 570545 2"),
                          entry("P-1", WatchKind::party, " ACME ", "ae")});
    EXPECT_EQ(list.entries()[0].value, "MSKU5705452");
    EXPECT_EQ(list.entries()[1].value, "ACME");
    EXPECT_EQ(list.entries()[1].country, "AE");

    auto bad = entry("", WatchKind::vessel, "1234560");
    bad.reason.clear();
    const auto problems = problems_of([&] { Watchlist{{bad}}; });
    EXPECT_THAT(problems,
                ElementsAre("entry 1 (id ''): field 'id': missing; give each entry an id unique "
                            "within the list",
                            "entry 1 (id ''): field 'value': IMO number '1234560' has check digit "
                            "0, expected 7",
                            "entry 1 (id ''): field 'reason': missing; say in plain words why the "
                            "entry is listed"));
    EXPECT_THAT(validate_watch_entry(bad), ::testing::Contains(HasSubstr("field 'reason'")));
    EXPECT_TRUE(validate_watch_entry(entry("P-1", WatchKind::party, "ACME")).empty());
}

// ---------------------------------------------------------------------------------------------
// Matching.

constexpr std::string_view kToday = "2025-03-14";

ConsignmentFacts consignment(std::string bill) {
    ConsignmentFacts facts;
    facts.master_bl = std::move(bill);
    return facts;
}

ContainerFacts container_with(std::vector<ConsignmentFacts> consignments) {
    ContainerFacts facts;
    facts.number = "TEMU7359214";
    facts.imo = "9321483";
    facts.vessel_name = "SEA BREEZE";
    facts.consignments = std::move(consignments);
    return facts;
}

ContainerFacts container_of_consignee(std::string consignee, std::string country = {}) {
    auto bill = consignment("BL1");
    bill.consignee = {std::move(consignee), std::move(country), {}};
    return container_with({bill});
}

std::vector<WatchHit> hits_of(const Watchlist& list, const ContainerFacts& facts,
                              std::string_view today = kToday) {
    std::vector<WatchHit> hits;
    list.match(facts, today, hits);
    return hits;
}

std::vector<std::string> hit_ids(const Watchlist& list, const std::vector<WatchHit>& hits) {
    std::vector<std::string> ids;
    for (const auto& hit : hits)
        ids.push_back(list.entries()[hit.entry].id);
    return ids;
}

struct Variant {
    const char* listed;
    const char* declared;
};

TEST(WatchlistParties, FlagsTrueVariantsOfListedNames) {
    const std::vector<Variant> variants = {
        {"NUR TRADING", "NOOR TRADING LLC"},                          // spelling, legal form
        {"MOHAMMED ABDUL RAHMAN", "MUHAMMAD ABD EL RAHMAN"},          // transliteration
        {"YOUSSEF HUSSEIN", "Yusuf Hussain"},                         // transliteration, case
        {"KHALED AL MANSOURI", "HALED EL MANSURI"},                   // KH/H, AL/EL, OU/U
        {"SERGEY IVANOV", "Sergei Iwanow"},                           // Cyrillic romanisations
        {"GOLDEN CRESCENT IMPEX", "CRESCENT GOLDEN IMPEX"},           // word order
        {"Société Générale d'Import", "SOCIETE GENERALE DIMPORT SA"}, // accents, apostrophe
        {"SEA STAR SHIPPING", "SEASTAR SHIPPING CO"},                 // joined words
        {"ACME TRADING CO., LTD.", "Acme Trading Company Limited"},   // legal forms written out
        {"MEDITERRANEAN FRUIT EXPORTERS", "MEDITERANEAN FRUIT EXPORTERS"}, // typo
        {"HSIAO MING ELECTRONICS", "XIAO MING ELECTRONICS CO LTD"},        // Chinese romanisations
        {"OOO ROMASHKA", "Romashka LLC"}, // legal form before the name
    };
    std::vector<WatchEntry> entries;
    for (std::size_t index = 0; index < variants.size(); ++index)
        entries.push_back(
            entry("P-" + std::to_string(index), WatchKind::party, variants[index].listed));
    const Watchlist list(entries);
    for (std::size_t index = 0; index < variants.size(); ++index) {
        const auto hits = hits_of(list, container_of_consignee(variants[index].declared));
        ASSERT_EQ(hits.size(), 1U) << variants[index].declared;
        EXPECT_EQ(hits[0].entry, index) << variants[index].declared;
        EXPECT_EQ(hits[0].kind, WatchKind::party);
        EXPECT_EQ(hits[0].matched, variants[index].declared);
        EXPECT_GE(hits[0].similarity, MatchOptions{}.threshold);
        EXPECT_DOUBLE_EQ(hits[0].points, default_points(WatchKind::party) * hits[0].similarity);
    }
}

TEST(WatchlistParties, DoesNotFlagNearMisses) {
    const std::vector<Variant> near_misses = {
        {"GLOBAL TRADING LLC", "GLOBAL LOGISTICS LLC"}, // only trade words in common
        {"ACME", "ACNE"},                               // one letter in a short word
        {"AL NOOR TRADING", "AL NASR TRADING"},
        {"JOHN SMITH", "JANE SMITH"},
        {"TOM KRAUSE", "TIM KRAUSE"},
        {"GOLDEN DRAGON IMPORT EXPORT", "GOLDEN PHOENIX IMPORT EXPORT"},
        {"MOHAMMED TRADING", "MAHMOUD TRADING"},
        {"SHENZHEN HUAWEI TECHNOLOGY", "SHENZHEN ZTE TECHNOLOGY"},
        {"BLUE OCEAN SHIPPING", "RED OCEAN SHIPPING"},
        {"ABC LTD", "ABD LTD"},
    };
    std::vector<WatchEntry> entries;
    for (std::size_t index = 0; index < near_misses.size(); ++index)
        entries.push_back(
            entry("P-" + std::to_string(index), WatchKind::party, near_misses[index].listed));
    const Watchlist list(entries);
    for (const auto& near_miss : near_misses) {
        const auto hits = hits_of(list, container_of_consignee(near_miss.declared));
        EXPECT_TRUE(hits.empty()) << near_miss.declared << " matched "
                                  << (hits.empty() ? "" : hits[0].explanation);
    }
}

TEST(WatchlistParties, ChecksEveryRoleOfEveryConsignment) {
    const Watchlist list({entry("P-S", WatchKind::party, "ALPHA KAPPA EXPORTS"),
                          entry("P-C", WatchKind::party, "BRAVO LIMA IMPORTS"),
                          entry("P-N", WatchKind::party, "CHARLIE MIKE"),
                          entry("P-F", WatchKind::party, "DELTA NOVEMBER FREIGHT")});
    auto first = consignment("MB1");
    first.shipper = {"ALPHA KAPPA EXPORTS", "", {}};
    first.consignee = {"UNRELATED NAME", "", {}};
    auto second = consignment("MB2");
    second.house_bl = "HB2";
    second.notify_party = {"CHARLIE MIKE", "", {}};
    second.forwarder = {"DELTA NOVEMBER FREIGHT", "", {}};
    second.consignee = {"BRAVO LIMA IMPORTS", "", {}};
    const auto hits = hits_of(list, container_with({first, second}));
    ASSERT_EQ(hits.size(), 4U);
    std::vector<std::string> wheres;
    for (const auto& hit : hits)
        wheres.push_back(hit.where);
    EXPECT_THAT(wheres,
                ::testing::UnorderedElementsAre("shipper of B/L MB1", "consignee of B/L HB2",
                                                "notify party of B/L HB2", "forwarder of B/L HB2"));
}

TEST(WatchlistParties, ExplainsTheMatch) {
    auto listed = entry("P-7", WatchKind::party, "NUR TRADING", "AE");
    listed.reason = "front company for heroin shipments";
    listed.source = "PCU Karachi";
    const Watchlist list({listed});
    const auto hits = hits_of(list, container_of_consignee("NOOR TRADING LLC", "AE"));
    ASSERT_EQ(hits.size(), 1U);
    EXPECT_EQ(hits[0].where, "consignee of B/L BL1");
    EXPECT_EQ(
        hits[0].explanation,
        "consignee 'NOOR TRADING LLC' of B/L BL1 matches watchlist entry P-7 'NUR TRADING' "
        "(" +
            [&] {
                char text[8];
                std::snprintf(text, sizeof text, "%.2f", hits[0].similarity);
                return std::string(text);
            }() +
            "): 'NOOR' ~ 'NUR' (spelling variant); legal form LLC dropped — listed by PCU "
            "Karachi: front company for heroin shipments");

    // Another country lowers the score and says so.
    const auto abroad = hits_of(list, container_of_consignee("NUR TRADING", "om"));
    ASSERT_EQ(abroad.size(), 1U);
    EXPECT_LT(abroad[0].similarity, 1.0);
    EXPECT_THAT(abroad[0].explanation, HasSubstr("country differs (OM vs AE)"));
}

TEST(WatchlistParties, KeepsOneHitPerEntryTheBest) {
    const Watchlist list({entry("P-1", WatchKind::party, "NUR TRADING")});
    auto first = consignment("MB1");
    first.shipper = {"NOOR TRADING", "", {}}; // a spelling variant
    auto second = consignment("MB2");
    second.consignee = {"NUR TRADING", "", {}}; // exact
    second.notify_party = {"NUR TRADING", "", {}};
    const auto hits = hits_of(list, container_with({first, second}));
    ASSERT_EQ(hits.size(), 1U);
    EXPECT_DOUBLE_EQ(hits[0].similarity, 1.0);
    EXPECT_EQ(hits[0].where, "consignee of B/L MB2"); // the first of the two exact matches
}

TEST(WatchlistParties, SeveralEntriesForOneNameAllHit) {
    auto own = entry("OWN-1", WatchKind::party, "NUR TRADING");
    auto partner = entry("WCO-9", WatchKind::party, "AL NUR TRADING");
    partner.points = 90;
    const Watchlist list({own, partner});
    const auto hits = hits_of(list, container_of_consignee("AL-NUR TRADING"));
    EXPECT_THAT(hit_ids(list, hits), ElementsAre("WCO-9", "OWN-1")); // best points first
}

// ---------------------------------------------------------------------------------------------
// Other kinds.

TEST(WatchlistContainers, MatchNormalisedNumbers) {
    const Watchlist list({entry("C-1", WatchKind::container, "MSKU5705452")});
    auto facts = container_with({consignment("BL1")});
    for (const auto* number : {"MSKU5705452", "msku 570545-2", "MSKU 570545 2"}) {
        facts.number = number;
        const auto hits = hits_of(list, facts);
        ASSERT_EQ(hits.size(), 1U) << number;
        EXPECT_EQ(hits[0].kind, WatchKind::container);
        EXPECT_EQ(hits[0].where, "container");
        EXPECT_EQ(hits[0].matched, number);
        EXPECT_EQ(hits[0].points, default_points(WatchKind::container));
    }
    facts.number = "MSKU5705452";
    EXPECT_EQ(hits_of(list, facts)[0].explanation,
              "container MSKU5705452 is watchlist entry C-1 — listed by test source: reason of "
              "the test");

    // The same box with the check digit missing or wrong in the manifest is still the box.
    facts.number = "MSKU570545";
    EXPECT_THAT(hits_of(list, facts).at(0).explanation, HasSubstr("(no check digit)"));
    facts.number = "MSKU5705453";
    EXPECT_THAT(hits_of(list, facts).at(0).explanation, HasSubstr("check digit, which is wrong"));

    for (const auto* other : {"MSKU5705460", "MSKU57054521", "MSKJ5705452", ""}) {
        facts.number = other;
        EXPECT_TRUE(hits_of(list, facts).empty()) << other;
    }
}

TEST(WatchlistContainers, AnAlertFromAnotherPortNamesItsOrigin) {
    auto alert = entry("alert:BEANR-PCU:7", WatchKind::container, "MSKU5705452");
    alert.shared_alert = true;
    alert.source = "BEANR-PCU";
    alert.reason = "cocaine in a sister container";
    alert.points = 40;
    alert.expires = "2026-12-27";
    const Watchlist list({alert});
    auto facts = container_with({consignment("BL1")});
    facts.number = "MSKU 570545 2";
    const auto hits = hits_of(list, facts);
    ASSERT_EQ(hits.size(), 1U);
    EXPECT_EQ(hits[0].kind, WatchKind::container);
    EXPECT_EQ(hits[0].points, 40);
    EXPECT_EQ(hits[0].explanation, "Alert from BEANR-PCU: cocaine in a sister container");
    EXPECT_TRUE(hits_of(list, facts, "2026-12-28").empty()); // past its last day
}

TEST(WatchlistVessels, MatchByImoNumber) {
    const Watchlist list({entry("V-1", WatchKind::vessel, "IMO 9321483")});
    auto facts = container_with({consignment("BL1")});
    for (const auto* imo : {"9321483", "IMO9321483", "imo 9321483"}) {
        facts.imo = imo;
        const auto hits = hits_of(list, facts);
        ASSERT_EQ(hits.size(), 1U) << imo;
        EXPECT_EQ(hits[0].where, "vessel");
        EXPECT_THAT(hits[0].explanation,
                    HasSubstr("vessel 'SEA BREEZE' (IMO 9321483) is watchlist entry V-1"));
    }
    facts.imo = "9074729";
    EXPECT_TRUE(hits_of(list, facts).empty());
    facts.imo.clear();
    EXPECT_TRUE(hits_of(list, facts).empty());
}

TEST(WatchlistBills, MatchMasterAndHouseNumbers) {
    const Watchlist list({entry("B-1", WatchKind::bill_of_lading, "MAEU123456789"),
                          entry("B-2", WatchKind::bill_of_lading, "HBL-77")});
    auto first = consignment("maeu 123456789");
    auto second = consignment("OTHER");
    second.house_bl = "HBL77";
    const auto hits = hits_of(list, container_with({first, second}));
    ASSERT_EQ(hits.size(), 2U);
    EXPECT_EQ(hits[0].where, "master B/L");
    EXPECT_EQ(hits[0].matched, "maeu 123456789");
    EXPECT_EQ(hits[1].where, "house B/L");
    EXPECT_THAT(hits[1].explanation, HasSubstr("house B/L HBL77 is watchlist entry B-2"));
    EXPECT_TRUE(hits_of(list, container_with({consignment("MAEU12345678")})).empty());
}

ConsignmentFacts routed(std::vector<std::string> places) {
    auto facts = consignment("BL9");
    facts.place_of_receipt = places.at(0);
    facts.port_of_loading = places.at(1);
    facts.transshipment_ports.assign(places.begin() + 2, places.end() - 2);
    facts.port_of_discharge = places.at(places.size() - 2);
    facts.place_of_delivery = places.back();
    return facts;
}

TEST(WatchlistRoutes, MatchPlacesAndCountriesInOrderWithGaps) {
    const Watchlist list({entry("R-1", WatchKind::route, "PKKHI > AEJEA > KE"),
                          entry("R-2", WatchKind::route, "IR > * > KE"),
                          entry("R-3", WatchKind::route, "AEJEA")});
    const auto ids = [&](std::vector<std::string> places) {
        return hit_ids(list, hits_of(list, container_with({routed(std::move(places))})));
    };
    // Gaps: receipt inland, a transshipment between Karachi and Jebel Ali.
    EXPECT_THAT(ids({"PKLHE", "PKKHI", "OMSLL", "AEJEA", "KEMBA", "UGKLA"}),
                ElementsAre("R-1", "R-3"));
    EXPECT_THAT(ids({"PKKHI", "PKKHI", "AEJEA", "KEMBA", "KEMBA"}), ElementsAre("R-1", "R-3"));
    // Order matters: Jebel Ali before Karachi is another route.
    EXPECT_THAT(ids({"AEJEA", "AEJEA", "PKKHI", "KEMBA", "KEMBA"}), ElementsAre("R-3"));
    // Countries and wildcards; a place name instead of a code is ignored.
    EXPECT_THAT(ids({"IRBND", "IRBND", "OMSLL", "KEMBA", "NAIROBI"}), ElementsAre("R-2"));
    EXPECT_THAT(ids({"IRBND", "IRBND", "KEMBA", "KEMBA"}), ElementsAre("R-2"));
    EXPECT_THAT(ids({"ir bnd", "", "ke mba", ""}), ElementsAre("R-2"));
    EXPECT_THAT(ids({"KEMBA", "KEMBA", "IRBND", "IRBND"}), ElementsAre());
    EXPECT_THAT(ids({"CNSHA", "CNSHA", "KEMBA", "KEMBA"}), ElementsAre());

    const auto hits = hits_of(list, container_with({routed({"IRBND", "IRBND", "KEMBA", "KEMBA"})}));
    ASSERT_EQ(hits.size(), 1U);
    EXPECT_EQ(hits[0].where, "route of B/L BL9");
    EXPECT_EQ(hits[0].matched, "IRBND > KEMBA");
    EXPECT_THAT(hits[0].explanation,
                HasSubstr("route IRBND > KEMBA of B/L BL9 follows watchlist entry R-2 'IR > * > "
                          "KE'"));
}

TEST(WatchlistRoutes, OnePlaceServesOneStep) {
    const Watchlist list({entry("R-1", WatchKind::route, "AE > AEJEA")});
    const auto ids = [&](std::vector<std::string> places) {
        return hit_ids(list, hits_of(list, container_with({routed(std::move(places))})));
    };
    EXPECT_THAT(ids({"AEJEA", "AEJEA", "KEMBA", "KEMBA"}), ElementsAre());
    EXPECT_THAT(ids({"AEAUH", "AEAUH", "AEJEA", "KEMBA"}), ElementsAre("R-1"));
}

// ---------------------------------------------------------------------------------------------
// Expiry, ordering and the cache.

TEST(Watchlist, EntriesExpireAtTheEndOfTheirDay) {
    auto listed = entry("C-1", WatchKind::container, "MSKU5705452");
    listed.expires = "2025-03-14";
    auto party = entry("P-1", WatchKind::party, "NUR TRADING");
    party.expires = "2025-03-14";
    const Watchlist list({listed, party});
    auto facts = container_of_consignee("NUR TRADING");
    facts.number = "MSKU5705452";
    EXPECT_EQ(hits_of(list, facts, "2025-03-13").size(), 2U);
    EXPECT_EQ(hits_of(list, facts, "2025-03-14").size(), 2U);
    EXPECT_TRUE(hits_of(list, facts, "2025-03-15").empty());
    EXPECT_TRUE(hits_of(list, facts, "2026-01-01").empty());

    PartyMatchCache cache;
    std::vector<WatchHit> hits;
    list.match(facts, "2025-03-14", hits, &cache);
    EXPECT_EQ(hits.size(), 2U);
    list.match(facts, "2025-03-15", hits, &cache); // the cache holds matches, not the day
    EXPECT_TRUE(hits.empty());
}

TEST(Watchlist, OrdersHitsByPointsAndReplacesWhatWasThere) {
    auto vessel = entry("V-1", WatchKind::vessel, "9321483");
    auto container = entry("C-1", WatchKind::container, "TEMU7359214");
    auto bill = entry("B-1", WatchKind::bill_of_lading, "BL1");
    bill.points = 99;
    const Watchlist list({vessel, container, bill});
    std::vector<WatchHit> hits(1); // like a buffer kept from an earlier container
    list.match(container_with({consignment("BL1")}), kToday, hits);
    ASSERT_EQ(hits.size(), 3U);
    EXPECT_THAT(hit_ids(list, hits), ElementsAre("B-1", "C-1", "V-1"));
    EXPECT_EQ(hits[0].points, 99.0);
}

std::vector<ContainerFacts> traffic() {
    const std::vector<std::string> names = {
        "NOOR TRADING LLC",      "BLUE WHALE LOGISTICS", "MUHAMMAD ABD EL RAHMAN", "ACME TRADING",
        "ZENITH GLOBAL FREIGHT", "SEASTAR SHIPPING CO",  "GLOBAL LOGISTICS LLC",   "NUR TRADING"};
    std::vector<ContainerFacts> containers;
    for (std::size_t index = 0; index < 40; ++index) {
        auto bill = consignment("BL" + std::to_string(index % 7));
        bill.shipper = {names[index % names.size()], index % 3 == 0 ? "AE" : "", {}};
        bill.consignee = {names[(index * 3 + 1) % names.size()], "", {}};
        bill.notify_party = {names[(index * 5 + 2) % names.size()], "KE", {}};
        containers.push_back(container_with({bill}));
    }
    return containers;
}

Watchlist traffic_watchlist() {
    return Watchlist({entry("P-1", WatchKind::party, "NUR TRADING", "AE"),
                      entry("P-2", WatchKind::party, "MOHAMMED ABDUL RAHMAN"),
                      entry("P-3", WatchKind::party, "SEA STAR SHIPPING"),
                      entry("P-4", WatchKind::party, "GLOBAL TRADING LLC"),
                      entry("B-1", WatchKind::bill_of_lading, "BL3")});
}

bool same_hits(const std::vector<WatchHit>& a, const std::vector<WatchHit>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
        return x.entry == y.entry && x.kind == y.kind && x.where == y.where &&
               x.matched == y.matched && x.similarity == y.similarity && x.points == y.points &&
               x.explanation == y.explanation;
    });
}

TEST(PartyMatchCache, GivesTheSameHitsAsNoCache) {
    const auto list = traffic_watchlist();
    PartyMatchCache cache;
    std::set<std::pair<std::string, std::string>> names;
    for (const auto& facts : traffic()) {
        for (const auto* party : {&facts.consignments[0].shipper, &facts.consignments[0].consignee,
                                  &facts.consignments[0].notify_party})
            names.emplace(party->name, party->country);
    }
    std::size_t total = 0;
    for (int round = 0; round < 2; ++round) {
        for (const auto& facts : traffic()) {
            std::vector<WatchHit> cached;
            list.match(facts, kToday, cached, &cache);
            const auto uncached = hits_of(list, facts);
            EXPECT_TRUE(same_hits(cached, uncached));
            total += cached.size();
        }
    }
    EXPECT_GT(total, 40U) << "the traffic must hit the list";
    EXPECT_EQ(cache.size(), names.size()); // each name and country matched once
    EXPECT_EQ(cache.misses(), names.size());
    EXPECT_EQ(cache.hits() + cache.misses(), 2U * 40U * 3U);
}

TEST(PartyMatchCache, StaysWithinItsBoundAndFollowsItsWatchlist) {
    const auto list = traffic_watchlist();
    PartyMatchCache small(4);
    for (const auto& facts : traffic()) {
        std::vector<WatchHit> cached;
        list.match(facts, kToday, cached, &small);
        EXPECT_LE(small.size(), 4U);
        EXPECT_TRUE(same_hits(cached, hits_of(list, facts)));
    }

    // A cache filled for one list is not read for another.
    PartyMatchCache cache;
    const auto facts = container_of_consignee("NUR TRADING");
    std::vector<WatchHit> hits;
    list.match(facts, kToday, hits, &cache);
    ASSERT_EQ(hits.size(), 1U);
    const Watchlist other({entry("X-1", WatchKind::container, "MSKU5705452"),
                           entry("X-2", WatchKind::party, "ZEBRA CROSSING")});
    hits.clear();
    other.match(facts, kToday, hits, &cache);
    EXPECT_TRUE(hits.empty());
    EXPECT_EQ(cache.size(), 1U);
}

TEST(Watchlist, AnEmptyListMatchesNothing) {
    const Watchlist list({});
    PartyMatchCache cache;
    std::vector<WatchHit> hits;
    for (const auto& facts : traffic())
        list.match(facts, kToday, hits, &cache);
    EXPECT_TRUE(hits.empty());
}

} // namespace
} // namespace portscreen::profiling
