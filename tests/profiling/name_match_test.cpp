#include "name_match.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace portscreen::profiling {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr double kThreshold = MatchOptions{}.threshold;

TEST(NormalizePartyName, FoldsCasePunctuationAndAccents) {
    EXPECT_EQ(normalize_party_name("  Société   Générale  "), "SOCIETE GENERALE");
    EXPECT_EQ(normalize_party_name("Straße Çelik Øresund Ñandú"), "STRASSE CELIK ORESUND NANDU");
    EXPECT_EQ(normalize_party_name("AL-NOOR (GENERAL) TRADING"), "AL NOOR GENERAL TRADING");
    EXPECT_EQ(normalize_party_name("O'NEIL BROTHERS"), "ONEIL BROTHERS");
    EXPECT_EQ(normalize_party_name("Ａｃｍｅ"), "ACME"); // full-width letters
    EXPECT_EQ(normalize_party_name(""), "");
    EXPECT_EQ(normalize_party_name(" ,.- "), "");
}

TEST(NormalizePartyName, JoinsAbbreviationsButSplitsAtOtherDots) {
    EXPECT_EQ(normalize_party_name("A.B.C. SHIPPING"), "ABC SHIPPING");
    EXPECT_EQ(normalize_party_name("J.SMITH"), "J SMITH");
    EXPECT_EQ(normalize_party_name("ACME CO.LTD"), "ACME");
}

TEST(NormalizePartyName, KeepsOtherScriptsAsTheyAre) {
    EXPECT_EQ(normalize_party_name("ООО Ромашка"), "ООО Ромашка");
}

TEST(ParsePartyName, SetsAsideLegalFormsAtEitherEnd) {
    const auto acme = parse_party_name("Acme Trading Co., Ltd.");
    EXPECT_EQ(acme.words, (std::vector<std::string>{"ACME", "TRADING"}));
    EXPECT_EQ(acme.legal_forms, (std::vector<std::string>{"CO", "LTD"}));

    const auto sinar = parse_party_name("PT. Sinar Mas Tbk");
    EXPECT_EQ(sinar.words, (std::vector<std::string>{"SINAR", "MAS"}));
    EXPECT_EQ(sinar.legal_forms, (std::vector<std::string>{"PT", "TBK"}));

    EXPECT_EQ(parse_party_name("Fiat S.p.A.").legal_forms, std::vector<std::string>{"SPA"});
    EXPECT_EQ(parse_party_name("Rotterdam Haven B. V.").legal_forms,
              std::vector<std::string>{"BV"});
    EXPECT_EQ(parse_party_name("Acme Limited").legal_forms, std::vector<std::string>{"LTD"});
    const auto gulf = parse_party_name("Gulf Star FZ-LLC");
    EXPECT_EQ(gulf.words, (std::vector<std::string>{"GULF", "STAR"}));
    EXPECT_EQ(gulf.legal_forms, (std::vector<std::string>{"FZ", "LLC"}));
}

TEST(ParsePartyName, KnowsLatinAmericanAndEuropeanLegalForms) {
    EXPECT_EQ(parse_party_name("Comercial Andina Ltda.").legal_forms,
              std::vector<std::string>{"LTDA"});
    EXPECT_EQ(parse_party_name("Frutas del Sur S.L.").legal_forms, std::vector<std::string>{"SL"});
    EXPECT_EQ(normalize_party_name("Polskie Meble Sp. z o.o."), "POLSKIE MEBLE");
    EXPECT_EQ(normalize_party_name("Aceros del Norte S.A. de C.V."), "ACEROS DEL NORTE");
    EXPECT_EQ(parse_party_name("Pesquera Inca S.A.C.").legal_forms,
              std::vector<std::string>{"SAC"});
    EXPECT_DOUBLE_EQ(name_similarity("COMERCIAL ANDINA LTDA", "Comercial Andina"), 1.0);
}

TEST(ParsePartyName, KeepsTradingWordsAndLegalFormsInsideTheName) {
    EXPECT_EQ(normalize_party_name("GENERAL TRADING CO LLC"), "GENERAL TRADING");
    // "AS" opening a name is the Arabic article, not the Norwegian or Turkish legal form.
    EXPECT_EQ(normalize_party_name("AS SALAM SHIPPING"), "AS SALAM SHIPPING");
    EXPECT_EQ(normalize_party_name("ACME CO SHIPPING"), "ACME CO SHIPPING");
}

TEST(ParsePartyName, NeverRemovesTheLastWord) {
    EXPECT_EQ(normalize_party_name("LIMITED"), "LIMITED");
    EXPECT_EQ(normalize_party_name("The"), "THE");
    EXPECT_EQ(parse_party_name("LIMITED").legal_forms.size(), 0U);
}

TEST(ParsePartyName, DropsStopWords) {
    const auto name = parse_party_name("The Bank of Sea & Sky");
    EXPECT_EQ(name.words, (std::vector<std::string>{"BANK", "SEA", "SKY"}));
    EXPECT_EQ(name.stop_words, (std::vector<std::string>{"THE", "OF", "&"}));
}

TEST(SpellingKey, GivesVariantsTheSameKey) {
    const std::vector<std::vector<const char*>> groups = {
        {"MOHAMMED", "MOHAMMAD", "MUHAMMAD", "MOHAMED", "MOHD"},
        {"NOOR", "NUR", "NOUR"},
        {"ABDUL", "ABDEL", "ABDOUL"},
        {"YOUSSEF", "YUSUF", "YOUSEF"},
        {"KHALID", "HALID"},
        {"SERGEY", "SERGEI"},
        {"IVANOV", "IWANOW", "IVANOFF"},
        {"FATIMA", "FATIMAH"},
        {"HSIAO", "XIAO"},
        {"PHILIP", "FILIP"},
    };
    for (const auto& group : groups) {
        for (const char* word : group)
            EXPECT_EQ(spelling_key(word), spelling_key(group.front())) << word;
    }
}

TEST(SpellingKey, KeepsShortWordsAndDifferentNamesApart) {
    EXPECT_NE(spelling_key("TOM"), spelling_key("TIM"));
    EXPECT_NE(spelling_key("JOHN"), spelling_key("JANE"));
    EXPECT_NE(spelling_key("NOOR"), spelling_key("NASR"));
    EXPECT_NE(spelling_key("MOHAMMED"), spelling_key("MAHMOUD"));
}

TEST(EditDistance, CountsEditsAndTranspositions) {
    EXPECT_EQ(edit_distance("", ""), 0);
    EXPECT_EQ(edit_distance("ACME", ""), 4);
    EXPECT_EQ(edit_distance("LOGISTICS", "LOGISTICS"), 0);
    EXPECT_EQ(edit_distance("LOGISTICS", "LOGISITCS"), 1); // transposition
    EXPECT_EQ(edit_distance("SHIPPING", "SHIPPNG"), 1);
    EXPECT_EQ(edit_distance("KITTEN", "SITTING"), 3);
    EXPECT_EQ(edit_distance("NOOR", "NASR"), 2);
}

struct NamePair {
    const char* first;
    const char* second;
};

TEST(NameSimilarity, MatchesTrueVariants) {
    const std::vector<NamePair> variants = {
        {"Société Générale", "SOCIETE GENERALE"},
        {"Müller Logistik GmbH", "MUELLER LOGISTIK GMBH"},
        {"Ørsted Shipping A/S", "ORSTED SHIPPING AS"},
        {"ACME TRADING CO., LTD.", "Acme Trading Company Limited"},
        {"Acme Trading Ltd", "ACME TRADING"},
        {"ACME TRADING", "TRADING ACME"},
        {"AL-NOOR GENERAL TRADING LLC", "NUR GENERAL TRADING AL"},
        {"MOHAMMED ABDUL RAHMAN", "MUHAMMAD ABD EL RAHMAN"},
        {"MOHAMED ABDELRAHMAN", "MOHAMMAD ABDUL RAHMAN"},
        {"YOUSSEF HUSSEIN", "YUSUF HUSSAIN"},
        {"KHALED AL MANSOURI", "HALED EL MANSURI"},
        {"SERGEY IVANOV", "SERGEI IWANOW"},
        {"DMITRIY KHODORKOVSKIY", "DMITRI HODORKOVSKY"},
        {"OOO ROMASHKA", "Romashka LLC"},
        {"HSIAO MING ELECTRONICS", "XIAO MING ELECTRONICS"},
        {"ZHANG WEI TRADING", "ZHANG WEI TRADING CO LTD"},
        {"SEA STAR SHIPPING", "SEASTAR SHIPPING"},
        {"MEDITERRANEAN SHIPPING", "MEDITERANEAN SHIPPNG"},
        {"INTERCONTINENTAL FREIGHT", "INTERCONTNENTAL FRIEGHT"},
        {"PANAGIOTOPOULOS MARITIME", "PANAGIOTOPOLOUS MARITIME"},
        {"THE BLUE OCEAN & PARTNERS", "BLUE OCEAN PARTNERS"},
        {"J SMITH", "JOHN SMITH"},
    };
    for (const auto& pair : variants)
        EXPECT_GE(name_similarity(pair.first, pair.second), kThreshold)
            << pair.first << " / " << pair.second;
}

TEST(NameSimilarity, RejectsNearMisses) {
    const std::vector<NamePair> near_misses = {
        {"GLOBAL LOGISTICS LTD", "GLOBAL FREIGHT LTD"},
        {"AL NOOR TRADING", "AL NASR TRADING"},
        {"JOHN SMITH", "JANE SMITH"},
        {"TOM SMITH", "TIM SMITH"},
        {"ABC LTD", "ABD LTD"},
        {"MOHAMMED TRADING", "MAHMOUD TRADING"},
        {"GOLDEN DRAGON IMPORT EXPORT", "GOLDEN PHOENIX IMPORT EXPORT"},
        {"SHENZHEN HUAWEI TECHNOLOGY", "SHENZHEN ZTE TECHNOLOGY"},
        {"ACME", "ACME GLOBAL LOGISTICS TRADING"},
        {"", ""},
    };
    for (const auto& pair : near_misses)
        EXPECT_LT(name_similarity(pair.first, pair.second), kThreshold)
            << pair.first << " / " << pair.second;
}

TEST(NameSimilarity, IsOneForEqualNormalisedNames) {
    EXPECT_DOUBLE_EQ(name_similarity("Acme Trading Co., Ltd.", "ACME TRADING LIMITED"), 1.0);
    EXPECT_DOUBLE_EQ(name_similarity("acme trading", "ACME  TRADING"), 1.0);
}

TEST(NameSimilarity, TreatsAnotherLegalFormAsAWeakerSignal) {
    const double same_form = name_similarity("ACME GMBH", "ACME GMBH");
    const double other_form = name_similarity("ACME GMBH", "ACME INC");
    const double one_form = name_similarity("ACME GMBH", "ACME");
    EXPECT_DOUBLE_EQ(same_form, 1.0);
    EXPECT_DOUBLE_EQ(one_form, 1.0);
    EXPECT_LT(other_form, 1.0);
    EXPECT_GE(other_form, kThreshold);
}

TEST(NameSimilarity, IsSymmetricAndDeterministic) {
    const std::vector<NamePair> pairs = {
        {"AL-NOOR GENERAL TRADING LLC", "NUR GENERAL TRADING AL"},
        {"SEA STAR SHIPPING", "SEASTAR SHIPPING"},
        {"ABD EL AZIZ ABD EL RAHMAN", "ABDELAZIZ ABDEL RAHMAN"},
        {"GLOBAL LOGISTICS LTD", "GLOBAL FREIGHT LTD"},
        {"A B C", "ABC"},
        {"JOHN JOHN SMITH", "SMITH JOHN"},
    };
    for (const auto& pair : pairs) {
        const double forward = name_similarity(pair.first, pair.second);
        EXPECT_DOUBLE_EQ(forward, name_similarity(pair.second, pair.first)) << pair.first;
        EXPECT_DOUBLE_EQ(forward, name_similarity(pair.first, pair.second)) << pair.first;
        EXPECT_EQ(describe(compare_party_names(pair.first, pair.second)),
                  describe(compare_party_names(pair.first, pair.second)));
    }
}

TEST(CompareParty, ExplainsSpellingVariantsOrderAndLegalForm) {
    const auto comparison =
        compare_party_names("NUR GENERAL TRADING AL", "AL-NOOR GENERAL TRADING LLC");
    ASSERT_EQ(comparison.matches.size(), 4U);
    EXPECT_TRUE(comparison.order_differs);
    EXPECT_EQ(comparison.legal_forms_second, std::vector<std::string>{"LLC"});
    const auto text = describe(comparison);
    EXPECT_THAT(text, HasSubstr("another order"));
    EXPECT_THAT(text, HasSubstr("'NUR' ~ 'NOOR' (spelling variant)"));
    EXPECT_THAT(text, HasSubstr("legal form LLC dropped"));
    EXPECT_THAT(text, Not(HasSubstr("missing")));
}

TEST(CompareParty, ExplainsTyposWithTheirDistance) {
    const auto comparison = compare_party_names("MEDITERRANEAN SHIPPING", "MEDITERANEAN SHIPPNG");
    const auto text = describe(comparison);
    EXPECT_THAT(text, HasSubstr("'MEDITERRANEAN' ~ 'MEDITERANEAN' (1 letter different)"));
    EXPECT_THAT(text, HasSubstr("'SHIPPING' ~ 'SHIPPNG' (1 letter different)"));
    EXPECT_FALSE(comparison.order_differs);
    EXPECT_THAT(describe(compare_party_names("KRONBERGSTRAND", "KRONBERGSTRAMP")),
                HasSubstr("(2 letters different)"));
}

TEST(CompareParty, ExplainsJoinedWordsStopWordsAndMisses) {
    EXPECT_THAT(describe(compare_party_names("SEA STAR SHIPPING", "SEASTAR SHIPPING")),
                HasSubstr("'SEA STAR' ~ 'SEASTAR' (written as one word)"));
    EXPECT_THAT(describe(compare_party_names("THE BLUE OCEAN", "BLUE OCEAN")),
                HasSubstr("ignored THE"));
    const auto miss = describe(compare_party_names("GLOBAL LOGISTICS LTD", "GLOBAL FREIGHT LTD"));
    EXPECT_THAT(miss, HasSubstr("'LOGISTICS' not matched"));
    EXPECT_THAT(miss, HasSubstr("'FREIGHT' missing"));
    EXPECT_EQ(describe(compare_party_names("ACME", "ACME")), "same words");
    EXPECT_THAT(describe(compare_party_names("ACME GMBH", "ACME INC")),
                HasSubstr("legal forms differ (GMBH vs INC)"));
}

std::vector<WatchlistEntry> small_watchlist() {
    return {
        {"W1", "AL-NOOR GENERAL TRADING LLC", "AE"}, {"W2", "AL NASR TRADING EST", "AE"},
        {"W3", "GLOBAL FREIGHT LTD", "GB"},          {"W4", "SEASTAR SHIPPING CO", ""},
        {"W5", "MUHAMMAD ABD EL RAHMAN", "EG"},
    };
}

TEST(PartyMatcher, FindsTheEntryAndExplainsWhy) {
    const PartyMatcher matcher(small_watchlist());
    const auto matches = matcher.match("Nur General Trading Al", "AE");
    ASSERT_EQ(matches.size(), 1U);
    EXPECT_EQ(matches[0].entry_index, 0U);
    EXPECT_DOUBLE_EQ(matches[0].score,
                     name_similarity("Nur General Trading Al", "AL-NOOR GENERAL TRADING LLC"));
    EXPECT_THAT(matches[0].explanation,
                HasSubstr("matches watchlist entry 'AL-NOOR GENERAL TRADING LLC' (score 0.9"));
    EXPECT_THAT(matches[0].explanation, HasSubstr("'NUR' ~ 'NOOR' (spelling variant)"));
    EXPECT_FALSE(matches[0].detail.country_differs);
}

TEST(PartyMatcher, MatchesJoinedWordsAndTransliterations) {
    const PartyMatcher matcher(small_watchlist());
    const auto sea_star = matcher.match("SEA STAR SHIPPING");
    ASSERT_FALSE(sea_star.empty());
    EXPECT_EQ(sea_star[0].entry_index, 3U);
    const auto mohamed = matcher.match("MOHAMED ABDEL RAHMAN");
    ASSERT_FALSE(mohamed.empty());
    EXPECT_EQ(mohamed[0].entry_index, 4U);
}

TEST(PartyMatcher, LowersTheScoreForAnotherCountryWithoutBlocking) {
    const PartyMatcher matcher(small_watchlist());
    const auto same = matcher.match("AL NOOR GENERAL TRADING", "AE");
    const auto other = matcher.match("AL NOOR GENERAL TRADING", "om");
    const auto unknown = matcher.match("AL NOOR GENERAL TRADING");
    ASSERT_EQ(same.size(), 1U);
    ASSERT_EQ(other.size(), 1U);
    ASSERT_EQ(unknown.size(), 1U);
    EXPECT_DOUBLE_EQ(same[0].score, unknown[0].score);
    EXPECT_DOUBLE_EQ(other[0].score, same[0].score - PartyMatcher::kCountryPenalty);
    EXPECT_TRUE(other[0].detail.country_differs);
    EXPECT_THAT(other[0].explanation, HasSubstr("country differs (om vs AE)"));
}

TEST(PartyMatcher, ReturnsNothingForNearMisses) {
    const PartyMatcher matcher(small_watchlist());
    EXPECT_TRUE(matcher.match("GLOBAL LOGISTICS LTD").empty());
    EXPECT_TRUE(matcher.match("AL NOOR TRADING EST").size() <= 1);
    for (const auto& match : matcher.match("AL NOOR TRADING EST"))
        EXPECT_NE(match.entry_index, 1U) << "NOOR must not match NASR";
    EXPECT_TRUE(matcher.match("").empty());
}

TEST(PartyMatcher, HonoursThresholdAndMaxResults) {
    const std::vector<WatchlistEntry> entries = {
        {"A", "ACME TRADING", ""}, {"B", "ACME TRADING LTD", ""}, {"C", "ACME TRADNG", ""}};
    const PartyMatcher all(entries);
    const auto matches = all.match("ACME TRADING");
    ASSERT_EQ(matches.size(), 3U);
    EXPECT_EQ(matches[0].entry_index, 0U); // ties by entry index
    EXPECT_EQ(matches[1].entry_index, 1U);
    EXPECT_EQ(matches[2].entry_index, 2U);
    EXPECT_GT(matches[1].score, matches[2].score);

    const PartyMatcher strict(entries, {.threshold = 0.999, .max_results = 10});
    EXPECT_EQ(strict.match("ACME TRADING").size(), 2U);
    const PartyMatcher first_only(entries, {.threshold = 0.5, .max_results = 1});
    EXPECT_EQ(first_only.match("ACME TRADING").size(), 1U);
}

TEST(PartyMatcher, FindsAnEntryMatchedOnlyThroughTradeWords) {
    // Trade words are not filed for entries that have a distinctive word, yet enough of them
    // can carry the score past the threshold without it.
    const std::vector<WatchlistEntry> entries = {
        {"A", "ACME GENERAL TRADING IMPORT EXPORT SHIPPING LOGISTICS FREIGHT HOLDINGS", ""},
        {"B", "ACME TRADING", ""}};
    const PartyMatcher matcher(entries);
    const auto* query = "GENERAL TRADING IMPORT EXPORT SHIPPING LOGISTICS FREIGHT HOLDINGS";
    ASSERT_GE(name_similarity(query, entries[0].name), kThreshold);
    const auto matches = matcher.match(query);
    ASSERT_EQ(matches.size(), 1U);
    EXPECT_EQ(matches[0].entry_index, 0U);
}

// Deterministic pseudo-random generator, so the generated watchlist is the same on every run.
class Generator {
public:
    std::size_t next(std::size_t bound) {
        state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::size_t>(state_ >> 33) % bound;
    }

private:
    std::uint64_t state_ = 42;
};

std::string made_up_word(Generator& generator) {
    static constexpr std::array<const char*, 24> kSyllables = {
        "KA", "RO",  "MI",  "TAN", "SU", "LEV", "NOR", "BA",  "ZI", "PER", "DO",  "GAL",
        "VI", "SHA", "MAR", "TE",  "QU", "LIN", "FO",  "HAR", "JE", "WU",  "DEN", "PY"};
    std::string word;
    const auto syllables = 2 + generator.next(3);
    for (std::size_t index = 0; index < syllables; ++index)
        word += kSyllables[generator.next(kSyllables.size())];
    return word;
}

std::vector<WatchlistEntry> generated_watchlist(std::size_t count) {
    static constexpr std::array<const char*, 8> kTrades = {
        "TRADING",       "LOGISTICS",  "SHIPPING", "GENERAL TRADING",
        "IMPORT EXPORT", "INDUSTRIES", "FREIGHT",  "HOLDINGS"};
    static constexpr std::array<const char*, 6> kForms = {"LTD", "LLC", "CO LTD", "GMBH", "", "SA"};
    Generator generator;
    std::vector<WatchlistEntry> entries;
    for (std::size_t index = 0; index < count; ++index) {
        std::string name = made_up_word(generator);
        if (generator.next(2) == 0)
            name += " " + made_up_word(generator);
        name += std::string(" ") + kTrades[generator.next(kTrades.size())];
        name += std::string(" ") + kForms[generator.next(kForms.size())];
        entries.push_back({"G" + std::to_string(index), name, ""});
    }
    return entries;
}

// Introduces a typo (a swap of two middle letters) in the longest word of the name.
std::string with_typo(const std::string& name) {
    auto words = parse_party_name(name).words;
    auto& longest = *std::max_element(words.begin(), words.end(), [](const auto& a, const auto& b) {
        return a.size() < b.size();
    });
    const auto middle = longest.size() / 2;
    std::swap(longest[middle - 1], longest[middle]);
    std::string text;
    for (const auto& word : words)
        text += word + " ";
    return text;
}

TEST(PartyMatcher, IndexFindsTheEntryAmongTenThousand) {
    const auto entries = generated_watchlist(10000);
    const PartyMatcher matcher(entries);
    for (std::size_t index = 0; index < entries.size(); index += 97) {
        const auto& entry = entries[index];
        const auto candidates = matcher.candidates(with_typo(entry.name));
        EXPECT_TRUE(std::binary_search(candidates.begin(), candidates.end(), index)) << entry.name;
        EXPECT_LT(candidates.size(), entries.size() / 10) << "the index must narrow the search";

        const auto matches = matcher.match(with_typo(entry.name));
        const bool found = std::any_of(matches.begin(), matches.end(), [&](const NameMatch& match) {
            return match.entry_index == index;
        });
        EXPECT_TRUE(found) << with_typo(entry.name) << " should find " << entry.name;
    }
}

TEST(PartyMatcher, IndexLosesNothingAScanWouldFind) {
    const auto entries = generated_watchlist(1000);
    const PartyMatcher matcher(entries, {.threshold = kThreshold, .max_results = entries.size()});
    Generator generator;
    for (int query_index = 0; query_index < 30; ++query_index) {
        const auto& source = entries[generator.next(entries.size())];
        const auto query = query_index % 2 == 0 ? with_typo(source.name) : source.name;
        std::vector<std::size_t> scanned;
        for (std::size_t index = 0; index < entries.size(); ++index) {
            if (name_similarity(query, entries[index].name) >= kThreshold)
                scanned.push_back(index);
        }
        std::vector<std::size_t> indexed;
        for (const auto& match : matcher.match(query))
            indexed.push_back(match.entry_index);
        std::sort(indexed.begin(), indexed.end());
        EXPECT_EQ(indexed, scanned) << query;
        EXPECT_FALSE(scanned.empty()) << query;
    }
}

// One letter of the name replaced, anywhere (trade words and legal forms included).
std::string with_letter_changed(const std::string& name, Generator& generator) {
    auto changed = name;
    std::size_t position = 0;
    do {
        position = generator.next(changed.size());
    } while (changed[position] == ' ');
    const char original = changed[position];
    while (changed[position] == original)
        changed[position] = static_cast<char>('A' + generator.next(26));
    return changed;
}

TEST(PartyMatcher, IndexLosesNothingAScanWouldFindAmongThousandsWithTypos) {
    const auto entries = generated_watchlist(2000);
    const PartyMatcher matcher(entries, {.threshold = kThreshold, .max_results = entries.size()});
    Generator generator;
    std::size_t found = 0;
    for (int query_index = 0; query_index < 16; ++query_index) {
        const auto& source = entries[generator.next(entries.size())];
        const auto query = query_index % 2 == 0 ? with_letter_changed(source.name, generator)
                                                : with_typo(source.name) + " X";
        std::vector<std::size_t> scanned;
        for (std::size_t index = 0; index < entries.size(); ++index) {
            if (name_similarity(query, entries[index].name) >= kThreshold)
                scanned.push_back(index);
        }
        std::vector<std::size_t> indexed;
        for (const auto& match : matcher.match(query))
            indexed.push_back(match.entry_index);
        std::sort(indexed.begin(), indexed.end());
        EXPECT_EQ(indexed, scanned) << query;
        found += scanned.size();
    }
    EXPECT_GE(found, 8U) << "the queries must be close enough to find entries";
}

// A list where many entries share words that are not trade words (as "HARDWARE" or "MILLERS"
// in real lists) and many persons carry initials: the index reads such long lists last and
// prunes by bounds, which must lose nothing a scan finds.
std::vector<WatchlistEntry> crowded_watchlist(std::size_t count) {
    static constexpr std::array<const char*, 4> kFrequent = {"HARDWARE", "MILLERS", "ABU",
                                                             "DISTRIBUIDORA"};
    static constexpr std::array<const char*, 5> kTrades = {"TRADING", "GENERAL TRADING",
                                                           "IMPORT EXPORT", "", "LOGISTICS"};
    Generator generator;
    std::vector<WatchlistEntry> entries;
    for (std::size_t index = 0; index < count; ++index) {
        std::string name;
        if (generator.next(3) == 0) { // a person: given name, maybe an initial, family name
            name = made_up_word(generator);
            if (generator.next(2) == 0)
                name += std::string(" ") + static_cast<char>('A' + generator.next(26)) + ".";
            name += " " + made_up_word(generator);
        } else {
            name = made_up_word(generator);
            if (generator.next(3) == 0)
                name = std::string(kFrequent[generator.next(kFrequent.size())]) + " " + name;
            name += std::string(" ") + kTrades[generator.next(kTrades.size())];
            if (generator.next(2) == 0)
                name += std::string(" ") + kFrequent[generator.next(kFrequent.size())];
        }
        entries.push_back({"C" + std::to_string(index), name, ""});
    }
    return entries;
}

TEST(PartyMatcher, IndexLosesNothingAScanWouldFindWithFrequentWordsAndInitials) {
    const auto entries = crowded_watchlist(800);
    Generator generator;
    for (const double threshold : {0.85, 0.9}) {
        const PartyMatcher matcher(entries,
                                   {.threshold = threshold, .max_results = entries.size()});
        std::size_t found = 0;
        for (int query_index = 0; query_index < 12; ++query_index) {
            const auto& source = entries[generator.next(entries.size())];
            std::string query;
            switch (query_index % 4) {
            case 0: query = with_letter_changed(source.name, generator); break;
            case 1: query = with_typo(source.name); break;
            case 2: query = source.name + " HARDWARE"; break;
            default: query = "J " + source.name; break;
            }
            std::vector<std::size_t> scanned;
            for (std::size_t index = 0; index < entries.size(); ++index) {
                if (name_similarity(query, entries[index].name) >= threshold)
                    scanned.push_back(index);
            }
            std::vector<std::size_t> indexed;
            for (const auto& match : matcher.match(query))
                indexed.push_back(match.entry_index);
            std::sort(indexed.begin(), indexed.end());
            EXPECT_EQ(indexed, scanned) << query << " at " << threshold;
            found += scanned.size();
        }
        EXPECT_GE(found, 8U) << "the queries must be close enough to find entries";
    }
}

TEST(PartyMatcher, ScoresFewEntriesForNamesThatMatchNothing) {
    const auto entries = crowded_watchlist(10000);
    const PartyMatcher matcher(entries);
    Generator generator;
    for (int skip = 0; skip < 1000; ++skip) // names the list was not built from
        made_up_word(generator);
    std::size_t candidates = 0;
    constexpr int kQueries = 200;
    for (int query_index = 0; query_index < kQueries; ++query_index) {
        const auto query = made_up_word(generator) + " HARDWARE GENERAL TRADING MILLERS";
        candidates += matcher.candidates(query).size();
    }
    // Every query shares two frequent words with hundreds of entries; the bounds leave few.
    EXPECT_LT(candidates, 3U * kQueries);
}

} // namespace
} // namespace portscreen::profiling
