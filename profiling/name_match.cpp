#include "name_match.hpp"

#include "utf8.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace portscreen::profiling {
namespace {

// ---------------------------------------------------------------------------------------------
// Folding UTF-8 text to upper-case ASCII.

// Latin letters with diacritics and their ASCII spelling, by code point range.
struct Fold {
    char32_t first;
    char32_t last;
    std::string_view ascii;
};

constexpr std::array kFolds = std::to_array<Fold>({
    {0xC0, 0xC5, "A"},   {0xC6, 0xC6, "AE"},   {0xC7, 0xC7, "C"},   {0xC8, 0xCB, "E"},
    {0xCC, 0xCF, "I"},   {0xD0, 0xD0, "D"},    {0xD1, 0xD1, "N"},   {0xD2, 0xD6, "O"},
    {0xD8, 0xD8, "O"},   {0xD9, 0xDC, "U"},    {0xDD, 0xDD, "Y"},   {0xDE, 0xDE, "TH"},
    {0xDF, 0xDF, "SS"},  {0xE0, 0xE5, "A"},    {0xE6, 0xE6, "AE"},  {0xE7, 0xE7, "C"},
    {0xE8, 0xEB, "E"},   {0xEC, 0xEF, "I"},    {0xF0, 0xF0, "D"},   {0xF1, 0xF1, "N"},
    {0xF2, 0xF6, "O"},   {0xF8, 0xF8, "O"},    {0xF9, 0xFC, "U"},   {0xFD, 0xFD, "Y"},
    {0xFE, 0xFE, "TH"},  {0xFF, 0xFF, "Y"},    {0x100, 0x105, "A"}, {0x106, 0x10D, "C"},
    {0x10E, 0x111, "D"}, {0x112, 0x11B, "E"},  {0x11C, 0x123, "G"}, {0x124, 0x127, "H"},
    {0x128, 0x131, "I"}, {0x132, 0x133, "IJ"}, {0x134, 0x135, "J"}, {0x136, 0x138, "K"},
    {0x139, 0x142, "L"}, {0x143, 0x14B, "N"},  {0x14C, 0x151, "O"}, {0x152, 0x153, "OE"},
    {0x154, 0x159, "R"}, {0x15A, 0x161, "S"},  {0x162, 0x167, "T"}, {0x168, 0x173, "U"},
    {0x174, 0x175, "W"}, {0x176, 0x178, "Y"},  {0x179, 0x17E, "Z"}, {0x17F, 0x17F, "S"},
    {0x1A0, 0x1A1, "O"}, {0x1AF, 0x1B0, "U"},  {0x218, 0x219, "S"}, {0x21A, 0x21B, "T"},
});

enum class UnitKind { letter, dot, apostrophe, ampersand, separator };

// One character of the input after folding; `text` holds its letters for UnitKind::letter: at
// most two ASCII letters or one UTF-8 sequence, kept inline so that splitting allocates nothing
// per character.
struct Unit {
    UnitKind kind = UnitKind::separator;
    std::uint8_t size = 0;
    std::array<char, 4> text{};

    static Unit letters(std::string_view letters) {
        Unit unit{UnitKind::letter, static_cast<std::uint8_t>(letters.size()), {}};
        std::copy(letters.begin(), letters.end(), unit.text.begin());
        return unit;
    }
    std::string_view view() const { return {text.data(), size}; }
};

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes the code point starting at `pos` and advances `pos`; kInvalid for malformed input.
char32_t decode_utf8(std::string_view text, std::size_t& pos) {
    const auto lead = static_cast<unsigned char>(text[pos++]);
    if (lead < 0x80)
        return lead;
    int length = 0;
    char32_t code = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 1;
        code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 2;
        code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 3;
        code = lead & 0x07;
    } else {
        return kInvalid;
    }
    for (int i = 0; i < length; ++i) {
        if (pos >= text.size())
            return kInvalid;
        const auto next = static_cast<unsigned char>(text[pos]);
        if ((next & 0xC0) != 0x80)
            return kInvalid;
        code = (code << 6) | (next & 0x3F);
        ++pos;
    }
    return code;
}

bool is_ascii_alnum(char32_t code) {
    return (code >= '0' && code <= '9') || (code >= 'A' && code <= 'Z') ||
           (code >= 'a' && code <= 'z');
}

bool is_separator_code(char32_t code) {
    return code == kInvalid || code == 0xA0 || (code >= 0xA1 && code <= 0xBF) || code == 0xD7 ||
           code == 0xF7 || (code >= 0x2000 && code <= 0x206F) || (code >= 0x3000 && code <= 0x303F);
}

bool is_apostrophe_code(char32_t code) {
    return code == '\'' || code == '`' || code == 0x2018 || code == 0x2019 || code == 0x02BC ||
           code == 0x02BE || code == 0x02BF;
}

Unit classify(char32_t code) {
    if (code >= 0xFF01 && code <= 0xFF5E)
        code -= 0xFEE0; // full-width ASCII, common in East Asian documents
    if (is_ascii_alnum(code)) {
        const char ascii = static_cast<char>(code);
        const char letter = static_cast<char>(ascii >= 'a' ? ascii - ('a' - 'A') : ascii);
        return Unit::letters({&letter, 1});
    }
    if (code == '.')
        return {UnitKind::dot, 0, {}};
    if (code == '&')
        return {UnitKind::ampersand, 0, {}};
    if (is_apostrophe_code(code))
        return {UnitKind::apostrophe, 0, {}};
    if (code < 0x80 || is_separator_code(code))
        return {UnitKind::separator, 0, {}};
    for (const auto& fold : kFolds) {
        if (code >= fold.first && code <= fold.last)
            return Unit::letters(fold.ascii);
    }
    // Other scripts (Cyrillic, Arabic, Han ...) stay as they are: they still compare equal to
    // themselves, and transliterating them is beyond this matcher.
    std::string raw;
    append_utf8(raw, code);
    return Unit::letters(raw);
}

std::vector<Unit> to_units(std::string_view text) {
    std::vector<Unit> units;
    units.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size())
        units.push_back(classify(decode_utf8(text, pos)));
    return units;
}

bool is_letter(const std::vector<Unit>& units, std::size_t index) {
    return index < units.size() && units[index].kind == UnitKind::letter;
}

// A dot between two single letters ("S.A.", "F.A.K.") belongs to an abbreviation and is dropped;
// any other dot separates words ("CO.LTD").
bool is_abbreviation_dot(const std::vector<Unit>& units, std::size_t index) {
    const bool single_before =
        index >= 1 && is_letter(units, index - 1) && (index < 2 || !is_letter(units, index - 2));
    const bool single_after = is_letter(units, index + 1) && !is_letter(units, index + 2);
    return single_before && single_after;
}

std::vector<std::string> split_words(std::string_view text) {
    const auto units = to_units(text);
    std::vector<std::string> words;
    std::string word;
    const auto finish = [&] {
        if (!word.empty())
            words.push_back(std::move(word));
        word.clear();
    };
    for (std::size_t index = 0; index < units.size(); ++index) {
        switch (units[index].kind) {
        case UnitKind::letter: word += units[index].view(); break;
        case UnitKind::apostrophe: break; // "O'NEIL" is "ONEIL"
        case UnitKind::dot:
            if (!is_abbreviation_dot(units, index))
                finish();
            break;
        case UnitKind::ampersand:
            finish();
            words.emplace_back("&");
            break;
        case UnitKind::separator: finish(); break;
        }
    }
    finish();
    return words;
}

// ---------------------------------------------------------------------------------------------
// Legal forms, stop words and generic words.

// A legal form as it may be written (words separated by spaces) and its canonical spelling.
// `leading` marks forms that are also written before the name ("PT", "OOO").
struct LegalForm {
    std::string_view written;
    std::string_view canonical;
    bool leading;
};

constexpr std::array kLegalForms = std::to_array<LegalForm>({
    {"LTD", "LTD", false},
    {"LIMITED", "LTD", false},
    {"CO", "CO", false},
    {"COMPANY", "CO", false},
    {"CORP", "CORP", false},
    {"CORPORATION", "CORP", false},
    {"INC", "INC", false},
    {"INCORPORATED", "INC", false},
    {"LLC", "LLC", false},
    {"L L C", "LLC", false},
    {"GMBH", "GMBH", false},
    {"AG", "AG", false},
    {"SA", "SA", false},
    {"S A", "SA", false},
    {"SARL", "SARL", false},
    {"SAS", "SAS", false},
    {"SRL", "SRL", false},
    {"SPA", "SPA", false},
    {"S P A", "SPA", false},
    {"BV", "BV", false},
    {"B V", "BV", false},
    {"A S", "AS", false},
    {"NV", "NV", false},
    {"N V", "NV", false},
    {"PTE", "PTE", false},
    {"PVT", "PVT", false},
    {"PRIVATE", "PVT", false},
    {"PLC", "PLC", false},
    {"PUBLIC LIMITED COMPANY", "PLC", false},
    {"LLP", "LLP", false},
    {"KG", "KG", false},
    {"OY", "OY", false},
    {"AB", "AB", true},
    {"AS", "AS", false},
    {"PT", "PT", true},
    {"CV", "CV", true},
    {"TBK", "TBK", false},
    {"JSC", "JSC", true},
    {"OJSC", "OJSC", true},
    {"CJSC", "CJSC", true},
    {"PJSC", "PJSC", true},
    {"OAO", "OAO", true},
    {"ZAO", "ZAO", true},
    {"OOO", "OOO", true},
    {"PAO", "PAO", true},
    {"TOO", "TOO", true},
    {"FZE", "FZE", false},
    {"FZCO", "FZCO", false},
    {"FZC", "FZC", false},
    {"FZ", "FZ", false},
    {"DMCC", "DMCC", false},
    {"EST", "EST", false},
    {"ESTABLISHMENT", "EST", false},
    {"WLL", "WLL", false},
    {"SDN", "SDN", false},
    {"BHD", "BHD", false},
    {"BERHAD", "BHD", false},
    {"PTY", "PTY", false},
    {"SAE", "SAE", false},
    {"SAL", "SAL", false},
    {"LTDA", "LTDA", false},
    {"LDA", "LDA", false},
    {"SL", "SL", false},
    {"SLU", "SLU", false},
    {"SAC", "SAC", false},
    {"SA DE CV", "SA DE CV", false},
    {"S DE RL", "S DE RL", false},
    {"EIRELI", "EIRELI", false},
    {"SP Z OO", "SP Z OO", false},
    {"SRO", "SRO", false},
    {"DOO", "DOO", false},
    {"KFT", "KFT", false},
    {"ZRT", "ZRT", false},
});

constexpr std::array<std::string_view, 6> kStopWords = {"THE", "AND", "OF", "&", "ET", "UND"};

// Words so common in company names that sharing them says little: they count, with a weight of
// kGenericWeight instead of 1, and the index does not look entries up by them.
constexpr auto kGenericWords = std::to_array<std::string_view>({
    "AGENCIES",
    "AGENCY",
    "AL",
    "ASSOCIATES",
    "AUTO",
    "BEN",
    "BIN",
    "BROS",
    "BROTHERS",
    "CARGO",
    "CHEMICAL",
    "CHEMICALS",
    "COMMERCE",
    "COMMERCIAL",
    "CONSTRUCTION",
    "DA",
    "DAS",
    "DE",
    "DEL",
    "DEN",
    "DER",
    "DEVELOPMENT",
    "DI",
    "DOS",
    "DU",
    "EL",
    "ELECTRONICS",
    "ENERGY",
    "ENTERPRISE",
    "ENTERPRISES",
    "EQUIPMENT",
    "EXP",
    "EXPORT",
    "EXPORTS",
    "EXPRESS",
    "FOOD",
    "FOODS",
    "FORWARDERS",
    "FORWARDING",
    "FREIGHT",
    "GENERAL",
    "GLOBAL",
    "GROUP",
    "HOLDING",
    "HOLDINGS",
    "IBN",
    "IMP",
    "IMPEX",
    "IMPORT",
    "IMPORTS",
    "INDUSTRIAL",
    "INDUSTRIES",
    "INDUSTRY",
    "INTERNATIONAL",
    "INTL",
    "INVESTMENT",
    "INVESTMENTS",
    "LA",
    "LE",
    "LINE",
    "LINES",
    "LOGISTIC",
    "LOGISTICS",
    "MACHINERY",
    "MANUFACTURING",
    "MARINE",
    "MARITIME",
    "METALS",
    "MOTORS",
    "OVERSEAS",
    "PARTNERS",
    "PRODUCTS",
    "SERVICE",
    "SERVICES",
    "SHIPPING",
    "SOLUTIONS",
    "SONS",
    "SUPPLIES",
    "SUPPLY",
    "TECHNOLOGIES",
    "TECHNOLOGY",
    "TEXTILES",
    "TRADE",
    "TRADERS",
    "TRADING",
    "TRANSPORT",
    "VAN",
});
static_assert(std::is_sorted(kGenericWords.begin(), kGenericWords.end()),
              "is_generic searches kGenericWords by bisection");

constexpr double kGenericWeight = 0.4;
constexpr double kInitialWeight = 0.5;

constexpr double kSpellingVariantSimilarity = 0.92;
constexpr double kJoinedSimilarity = 0.97;
constexpr double kJoinedVariantSimilarity = 0.9;
constexpr double kInitialSimilarity = 0.75;
constexpr double kOrderPenalty = 0.02;
constexpr double kLegalFormPenalty = 0.03;

bool is_generic(std::string_view word) {
    return std::binary_search(kGenericWords.begin(), kGenericWords.end(), word);
}

bool is_stop_word(std::string_view word) {
    return std::find(kStopWords.begin(), kStopWords.end(), word) != kStopWords.end();
}

// A legal form split into its words once, at compile time: parsing compares them for every
// form on every name.
struct FormWords {
    std::array<std::string_view, 4> words{};
    std::size_t count = 0;
};

constexpr FormWords split_form(std::string_view written) {
    FormWords form;
    std::size_t start = 0;
    while (start <= written.size()) {
        const auto end = std::min(written.find(' ', start), written.size());
        form.words.at(form.count++) = written.substr(start, end - start);
        start = end + 1;
    }
    return form;
}

constexpr auto kFormWords = [] {
    std::array<FormWords, kLegalForms.size()> forms{};
    for (std::size_t index = 0; index < kLegalForms.size(); ++index)
        forms[index] = split_form(kLegalForms[index].written);
    return forms;
}();

// Whether the words of `form` stand at `words[at...]`.
bool legal_form_at(const std::vector<std::string>& words, std::size_t at, const FormWords& form) {
    if (at + form.count > words.size())
        return false;
    for (std::size_t index = 0; index < form.count; ++index) {
        if (words[at + index] != form.words[index])
            return false;
    }
    return true;
}

// The longest legal form ending the words (an index into kLegalForms), or nullopt.
std::optional<std::size_t> trailing_legal_form(const std::vector<std::string>& words) {
    std::optional<std::size_t> best;
    std::size_t best_length = 0;
    for (std::size_t index = 0; index < kLegalForms.size(); ++index) {
        const auto length = kFormWords[index].count;
        if (length >= words.size() || length <= best_length)
            continue;
        if (legal_form_at(words, words.size() - length, kFormWords[index])) {
            best = index;
            best_length = length;
        }
    }
    return best;
}

// The longest leading-capable legal form opening the words, or nullopt.
std::optional<std::size_t> leading_legal_form(const std::vector<std::string>& words) {
    std::optional<std::size_t> best;
    std::size_t best_length = 0;
    for (std::size_t index = 0; index < kLegalForms.size(); ++index) {
        const auto length = kFormWords[index].count;
        if (!kLegalForms[index].leading || length >= words.size() || length <= best_length)
            continue;
        if (legal_form_at(words, 0, kFormWords[index])) {
            best = index;
            best_length = length;
        }
    }
    return best;
}

// ---------------------------------------------------------------------------------------------
// Spelling keys and edit distance.

bool is_vowel(char c) {
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

// Whole-word spellings that no letter rule turns into each other.
struct Alias {
    std::string_view word;
    std::string_view same_as;
};

constexpr std::array kAliases = std::to_array<Alias>({
    {"EL", "AL"},
    {"UL", "AL"},
    {"MOHD", "MUHAMMAD"},
    {"MHD", "MUHAMMAD"},
    {"MD", "MUHAMMAD"},
    {"BEN", "BIN"},
    {"IBN", "BIN"},
});

// Letter groups rewritten before comparing, longest first at each position.
struct Rewrite {
    std::string_view from;
    std::string_view to;
};

constexpr std::array kRewrites = std::to_array<Rewrite>({
    {"TSCH", "CH"}, {"DZH", "J"}, {"TCH", "CH"}, {"SCH", "SH"}, {"KH", "H"},
    {"PH", "F"},    {"GH", "G"},  {"TH", "T"},   {"CK", "K"},   {"DJ", "J"},
    {"ZH", "J"},    {"OU", "U"},  {"OO", "U"},   {"EE", "I"},   {"CH", "CH"},
    {"C", "K"},     {"Q", "K"},   {"W", "V"},    {"Y", "I"},    {"X", "KS"},
});

// The rules opening with each byte, in kRewrites order (so longest first), up to four: this
// runs for every letter of every parsed word, and most letters open no rule.
struct RulesOpening {
    std::array<std::uint8_t, 4> rules{};
    std::size_t count = 0;
};

constexpr auto kRulesOpening = [] {
    std::array<RulesOpening, 256> table{};
    for (std::size_t index = 0; index < kRewrites.size(); ++index) {
        auto& entry = table[static_cast<unsigned char>(kRewrites[index].from[0])];
        entry.rules.at(entry.count++) = static_cast<std::uint8_t>(index);
    }
    return table;
}();

std::string rewrite_letters(std::string_view word) {
    std::string out;
    out.reserve(word.size() + 2);
    std::size_t pos = 0;
    // Chinese romanisations: Wade-Giles "HS" and pinyin "X" open the same syllables.
    if (word.starts_with("HS") || word.starts_with("X")) {
        out.push_back('S');
        pos = word.starts_with("HS") ? 2 : 1;
    }
    while (pos < word.size()) {
        const auto& opening = kRulesOpening[static_cast<unsigned char>(word[pos])];
        const Rewrite* rule = nullptr;
        for (std::size_t index = 0; index < opening.count && rule == nullptr; ++index) {
            const auto& candidate = kRewrites[opening.rules[index]];
            if (word.substr(pos).starts_with(candidate.from))
                rule = &candidate;
        }
        if (rule == nullptr) {
            out.push_back(word[pos++]);
            continue;
        }
        out += rule->to;
        pos += rule->from.size();
    }
    return out;
}

void collapse_doubles(std::string& word) {
    word.erase(std::unique(word.begin(), word.end()), word.end());
}

// "FATIMAH" and "FATIMA", "SERGEI" and "SERGE": a final H after a vowel and a final vowel run
// vary between transliterations, so they are dropped while three letters remain.
void trim_ending(std::string& word) {
    if (word.size() > 2 && word.back() == 'H' && is_vowel(word[word.size() - 2]))
        word.pop_back();
    auto end = word.size();
    while (end > 0 && is_vowel(word[end - 1]))
        --end;
    if (end >= 3)
        word.resize(end);
    if (word.size() > 3 && word.ends_with("OF")) // "IVANOFF" and "IVANOV"
        word.back() = 'V';
}

// From four letters on, each run of vowels becomes one '*': vowels are what transliterations
// disagree on most ("MOHAMMED", "MUHAMMAD"). Shorter words keep their vowels, so that "TOM"
// and "TIM" stay apart.
void to_vowel_skeleton(std::string& word) {
    if (word.size() < 4)
        return;
    std::size_t size = 0; // the skeleton is never longer than the word: built in place
    for (const char c : word) {
        if (!is_vowel(c))
            word[size++] = c;
        else if (size == 0 || word[size - 1] != '*')
            word[size++] = '*';
    }
    word.resize(size);
}

bool is_plain_ascii_word(std::string_view word) {
    return std::all_of(word.begin(), word.end(),
                       [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

constexpr int kMaxWordForStack = 48;

// Bounded optimal-string-alignment distance; returns bound + 1 when the distance exceeds bound.
int bounded_distance(std::string_view a, std::string_view b, int bound) {
    const auto size_a = static_cast<int>(a.size());
    const auto size_b = static_cast<int>(b.size());
    if (std::abs(size_a - size_b) > bound)
        return bound + 1;
    if (size_a == 0 || size_b == 0)
        return std::max(size_a, size_b);
    std::array<int, 3 * (kMaxWordForStack + 1)> stack_rows{};
    std::vector<int> heap_rows;
    int* rows = stack_rows.data();
    if (size_b > kMaxWordForStack) {
        heap_rows.resize(3 * static_cast<std::size_t>(size_b + 1));
        rows = heap_rows.data();
    }
    const auto width = size_b + 1;
    int* before = rows;           // row i - 2
    int* previous = rows + width; // row i - 1
    int* current = rows + 2 * width;
    for (int j = 0; j <= size_b; ++j)
        previous[j] = j;
    for (int i = 1; i <= size_a; ++i) {
        current[0] = i;
        int row_min = i;
        for (int j = 1; j <= size_b; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int value = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                value = std::min(value, before[j - 2] + 1);
            current[j] = value;
            row_min = std::min(row_min, value);
        }
        if (row_min > bound)
            return bound + 1;
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return std::min(previous[size_b], bound + 1);
}

// Typos tolerated in a pair of words, by the length of the shorter: none below four letters
// ("ABC" and "ABD" are different companies), one up to seven, two from eight.
int tolerated_typos(std::size_t shorter) {
    if (shorter < 4)
        return 0;
    return shorter < 8 ? 1 : 2;
}

// ---------------------------------------------------------------------------------------------
// Parsed names and their comparison.

struct Word {
    std::string text;
    std::string key;
    double weight = 1.0;
    std::uint64_t letters = 0; ///< see letter_set
};

// One bit per byte value modulo 64. An edit changes at most two bits of the set, so words whose
// sets differ in more than 2 * n bits are more than n edits apart: a cheap test that spares most
// distance computations while scoring candidates.
std::uint64_t letter_set(std::string_view text) {
    std::uint64_t letters = 0;
    for (const char c : text)
        letters |= std::uint64_t{1} << (static_cast<unsigned char>(c) & 63U);
    return letters;
}

struct ParsedName {
    PartyName name;
    std::vector<Word> words;
    std::vector<Word> joined; ///< joined[i]: words i and i + 1 written as one
    double total_weight = 0.0;
};

ParsedName parse(std::string_view text) {
    ParsedName parsed;
    parsed.name = parse_party_name(text);
    for (const auto& word : parsed.name.words) {
        double weight = 1.0;
        if (is_generic(word))
            weight = kGenericWeight;
        else if (word.size() == 1)
            weight = kInitialWeight;
        parsed.words.push_back({word, spelling_key(word), weight, letter_set(word)});
        parsed.total_weight += weight;
    }
    for (std::size_t index = 0; index + 1 < parsed.words.size(); ++index) {
        auto text_joined = parsed.words[index].text + parsed.words[index + 1].text;
        auto key = spelling_key(text_joined);
        const auto letters = parsed.words[index].letters | parsed.words[index + 1].letters;
        parsed.joined.push_back({std::move(text_joined), std::move(key), 0.0, letters});
    }
    return parsed;
}

struct WordSimilarity {
    double similarity = 0.0;
    WordMatchKind kind = WordMatchKind::exact;
    int distance = 0;
};

WordSimilarity word_similarity(const Word& a, const Word& b) {
    if (a.text == b.text)
        return {1.0, WordMatchKind::exact, 0};
    WordSimilarity best;
    const auto shorter = std::min(a.text.size(), b.text.size());
    if (shorter >= 2 && a.key == b.key)
        best = {kSpellingVariantSimilarity, WordMatchKind::spelling_variant, 0};
    const int tolerated = tolerated_typos(shorter);
    if (tolerated > 0 && std::popcount(a.letters ^ b.letters) <= 2 * tolerated) {
        const int distance = bounded_distance(a.text, b.text, tolerated);
        const auto longer = static_cast<double>(std::max(a.text.size(), b.text.size()));
        const double similarity = 1.0 - distance / longer;
        if (distance <= tolerated && similarity > best.similarity)
            best = {similarity, WordMatchKind::typo, distance};
    }
    if (best.similarity == 0.0 && shorter == 1 && a.text[0] == b.text[0])
        best = {kInitialSimilarity, WordMatchKind::initial, 0};
    return best;
}

// A possible pairing: words [first, first + first_count) of one name with words
// [second, second + second_count) of the other.
struct Pairing {
    std::size_t first;
    std::size_t first_count;
    std::size_t second;
    std::size_t second_count;
    WordSimilarity similarity;
    double weight; ///< sum of the weights of the words covered on both sides
};

struct Assignment {
    std::vector<Pairing> chosen; ///< by position in the first name
    double score = 0.0;
    bool order_differs = false;
    bool legal_forms_differ = false;
};

double weight_of(const ParsedName& name, std::size_t first, std::size_t count) {
    double weight = 0.0;
    for (std::size_t index = first; index < first + count; ++index)
        weight += name.words[index].weight;
    return weight;
}

void add_joined_pairings(const ParsedName& joined_side, const ParsedName& single_side,
                         bool joined_is_first, std::vector<Pairing>& pairings) {
    for (std::size_t pair = 0; pair < joined_side.joined.size(); ++pair) {
        const auto& joined = joined_side.joined[pair];
        for (std::size_t index = 0; index < single_side.words.size(); ++index) {
            const auto& single = single_side.words[index];
            WordSimilarity similarity;
            if (joined.text == single.text)
                similarity = {kJoinedSimilarity, WordMatchKind::joined, 0};
            else if (single.text.size() >= 4 && joined.key == single.key)
                similarity = {kJoinedVariantSimilarity, WordMatchKind::joined, 0};
            else
                continue;
            const double weight =
                weight_of(joined_side, pair, 2) + weight_of(single_side, index, 1);
            if (joined_is_first)
                pairings.push_back({pair, 2, index, 1, similarity, weight});
            else
                pairings.push_back({index, 1, pair, 2, similarity, weight});
        }
    }
}

bool shares_a_legal_form(const PartyName& a, const PartyName& b) {
    return std::any_of(a.legal_forms.begin(), a.legal_forms.end(), [&](const std::string& form) {
        return std::find(b.legal_forms.begin(), b.legal_forms.end(), form) != b.legal_forms.end();
    });
}

bool in_increasing_order(const std::vector<Pairing>& chosen) {
    for (std::size_t index = 1; index < chosen.size(); ++index) {
        if (chosen[index].second < chosen[index - 1].second)
            return false;
    }
    return true;
}

// Greedy best-first assignment of words; `first` must be the canonical side (see compare).
Assignment assign(const ParsedName& first, const ParsedName& second) {
    Assignment result;
    if (first.words.empty() || second.words.empty())
        return result;
    std::vector<Pairing> pairings;
    pairings.reserve(first.words.size() * second.words.size() + 4);
    for (std::size_t a = 0; a < first.words.size(); ++a) {
        for (std::size_t b = 0; b < second.words.size(); ++b) {
            const auto similarity = word_similarity(first.words[a], second.words[b]);
            if (similarity.similarity > 0.0)
                pairings.push_back(
                    {a, 1, b, 1, similarity, first.words[a].weight + second.words[b].weight});
        }
    }
    add_joined_pairings(first, second, true, pairings);
    add_joined_pairings(second, first, false, pairings);
    std::sort(pairings.begin(), pairings.end(), [](const Pairing& x, const Pairing& y) {
        if (x.similarity.similarity != y.similarity.similarity)
            return x.similarity.similarity > y.similarity.similarity;
        if (x.weight != y.weight)
            return x.weight > y.weight;
        return std::tie(x.first, x.second, x.first_count) <
               std::tie(y.first, y.second, y.first_count);
    });

    std::vector<bool> used_first(first.words.size());
    std::vector<bool> used_second(second.words.size());
    const auto is_free = [](const std::vector<bool>& used, std::size_t from, std::size_t count) {
        return std::none_of(used.begin() + static_cast<std::ptrdiff_t>(from),
                            used.begin() + static_cast<std::ptrdiff_t>(from + count),
                            [](bool taken) { return taken; });
    };
    double matched = 0.0;
    bool all_exact = true;
    for (const auto& pairing : pairings) {
        if (!is_free(used_first, pairing.first, pairing.first_count) ||
            !is_free(used_second, pairing.second, pairing.second_count))
            continue;
        std::fill_n(used_first.begin() + static_cast<std::ptrdiff_t>(pairing.first),
                    pairing.first_count, true);
        std::fill_n(used_second.begin() + static_cast<std::ptrdiff_t>(pairing.second),
                    pairing.second_count, true);
        matched += pairing.similarity.similarity * pairing.weight;
        all_exact = all_exact && pairing.similarity.kind == WordMatchKind::exact;
        result.chosen.push_back(pairing);
    }
    std::sort(result.chosen.begin(), result.chosen.end(),
              [](const Pairing& x, const Pairing& y) { return x.first < y.first; });

    const bool all_used = std::all_of(used_first.begin(), used_first.end(), std::identity{}) &&
                          std::all_of(used_second.begin(), used_second.end(), std::identity{});
    double score =
        all_used && all_exact ? 1.0 : matched / (first.total_weight + second.total_weight);
    result.order_differs = !in_increasing_order(result.chosen);
    if (result.order_differs)
        score -= kOrderPenalty;
    result.legal_forms_differ = !first.name.legal_forms.empty() &&
                                !second.name.legal_forms.empty() &&
                                !shares_a_legal_form(first.name, second.name);
    if (result.legal_forms_differ)
        score -= kLegalFormPenalty;
    result.score = std::clamp(score, 0.0, 1.0);
    return result;
}

std::string words_text(const ParsedName& name, std::size_t first, std::size_t count) {
    std::string text;
    for (std::size_t index = first; index < first + count; ++index) {
        if (!text.empty())
            text.push_back(' ');
        text += name.words[index].text;
    }
    return text;
}

// The orientation used for the assignment: by normalised words, so that the greedy tie-breaks,
// and hence the score, do not depend on argument order.
bool is_canonical_order(const ParsedName& a, const ParsedName& b) {
    return a.name.words <= b.name.words;
}

NameComparison compare_parsed(const ParsedName& a, const ParsedName& b) {
    const bool canonical = is_canonical_order(a, b);
    const auto& first = canonical ? a : b;
    const auto& second = canonical ? b : a;
    const auto assignment = assign(first, second);

    NameComparison comparison;
    comparison.score = assignment.score;
    comparison.order_differs = assignment.order_differs;
    comparison.legal_forms_differ = assignment.legal_forms_differ;
    std::vector<bool> used_first(first.words.size());
    std::vector<bool> used_second(second.words.size());
    for (const auto& pairing : assignment.chosen) {
        WordMatch match{words_text(first, pairing.first, pairing.first_count),
                        words_text(second, pairing.second, pairing.second_count),
                        pairing.similarity.kind, pairing.similarity.distance,
                        pairing.similarity.similarity};
        if (!canonical)
            std::swap(match.first, match.second);
        comparison.matches.push_back(std::move(match));
        std::fill_n(used_first.begin() + static_cast<std::ptrdiff_t>(pairing.first),
                    pairing.first_count, true);
        std::fill_n(used_second.begin() + static_cast<std::ptrdiff_t>(pairing.second),
                    pairing.second_count, true);
    }
    std::vector<std::string> unmatched_first;
    std::vector<std::string> unmatched_second;
    for (std::size_t index = 0; index < first.words.size(); ++index) {
        if (!used_first[index])
            unmatched_first.push_back(first.words[index].text);
    }
    for (std::size_t index = 0; index < second.words.size(); ++index) {
        if (!used_second[index])
            unmatched_second.push_back(second.words[index].text);
    }
    if (!canonical)
        std::swap(unmatched_first, unmatched_second);
    comparison.unmatched_first = std::move(unmatched_first);
    comparison.unmatched_second = std::move(unmatched_second);
    comparison.legal_forms_first = a.name.legal_forms;
    comparison.legal_forms_second = b.name.legal_forms;
    comparison.stop_words = a.name.stop_words;
    comparison.stop_words.insert(comparison.stop_words.end(), b.name.stop_words.begin(),
                                 b.name.stop_words.end());
    return comparison;
}

// Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, wrongly) on "'" + std::string.
std::string quoted(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '\'';
    out += text;
    out += '\'';
    return out;
}

std::string joined_with(const std::vector<std::string>& items, std::string_view separator) {
    std::string text;
    for (const auto& item : items) {
        if (!text.empty())
            text += separator;
        text += item;
    }
    return text;
}

std::string format_score(double score) {
    std::array<char, 16> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.2f", score);
    return buffer.data();
}

// ---------------------------------------------------------------------------------------------
// Index features.

enum class Feature : std::uint64_t {
    word = 1,          ///< a normalised word, or two adjacent words joined
    key = 2,           ///< a spelling key, of a word or of two adjacent words joined
    one_deletion = 3,  ///< a word of four letters or more, or it minus one letter
    two_deletions = 4, ///< a word of eight letters or more, or it minus one or two letters
    initial = 5,       ///< a single-letter word, or the first letter of a word
    joined_word = 6,   ///< two adjacent words of an entry joined, kept apart from `word`
    joined_key = 7,    ///< the spelling key of two adjacent words of an entry joined
};

// Features hash a polynomial sum of the letters, Σ (byte + 1) × kBase^position, so that the
// sum of a word without one or two letters comes from prefix sums in constant time: a word of
// twelve letters has 79 deletion variants, each hashed afresh took a pass over the word.
constexpr std::uint64_t kBase = 0x100000001b3ULL; // odd, so invertible modulo 2^64

constexpr std::uint64_t inverse_of(std::uint64_t odd) {
    std::uint64_t inverse = odd; // Newton's iteration doubles the correct low bits each step
    for (int step = 0; step < 6; ++step)
        inverse *= 2 - odd * inverse;
    return inverse;
}

constexpr std::uint64_t kBaseInverse = inverse_of(kBase);
static_assert(kBase * kBaseInverse == 1);

std::uint64_t letter_value(char c) {
    return static_cast<std::uint64_t>(static_cast<unsigned char>(c)) + 1;
}

// The hash of a feature from the polynomial sum and length of its text.
std::uint64_t finish_hash(Feature feature, std::uint64_t sum, std::size_t length) {
    std::uint64_t hash = sum + static_cast<std::uint64_t>(length) * 0xC2B2AE3D27D4EB4FULL +
                         static_cast<std::uint64_t>(feature) * 0x9E3779B97F4A7C15ULL;
    hash ^= hash >> 33;
    hash *= 0xFF51AFD7ED558CCDULL;
    hash ^= hash >> 33;
    hash *= 0xC4CEB9FE1A85EC53ULL;
    hash ^= hash >> 33;
    return hash == 0 ? 1 : hash; // 0 marks an empty slot
}

std::uint64_t feature_hash(Feature feature, std::string_view text) {
    std::uint64_t sum = 0;
    std::uint64_t power = 1;
    for (const char c : text) {
        sum += letter_value(c) * power;
        power *= kBase;
    }
    return finish_hash(feature, sum, text.size());
}

template <typename Sink> void deletion_features(std::string_view word, Sink&& sink) {
    const auto size = word.size();
    if (size < 4)
        return;
    // prefix[i]: the sum over the first i letters.
    std::array<std::uint64_t, kMaxWordForStack + 1> stack_prefix{};
    std::vector<std::uint64_t> heap_prefix;
    auto* prefix = stack_prefix.data();
    if (size > kMaxWordForStack) {
        heap_prefix.resize(size + 1);
        prefix = heap_prefix.data();
    }
    std::uint64_t power = 1;
    for (std::size_t index = 0; index < size; ++index) {
        prefix[index + 1] = prefix[index] + letter_value(word[index]) * power;
        power *= kBase;
    }
    const auto total = prefix[size];
    // Letters after a deleted one move down one position.
    const auto without = [&](std::size_t skip) {
        return prefix[skip] + (total - prefix[skip + 1]) * kBaseInverse;
    };
    sink(finish_hash(Feature::one_deletion, total, size));
    for (std::size_t skip = 0; skip < size; ++skip)
        sink(finish_hash(Feature::one_deletion, without(skip), size - 1));
    if (size < 8)
        return;
    constexpr auto kInverseSquared = kBaseInverse * kBaseInverse;
    sink(finish_hash(Feature::two_deletions, total, size));
    for (std::size_t skip_a = 0; skip_a < size; ++skip_a) {
        sink(finish_hash(Feature::two_deletions, without(skip_a), size - 1));
        for (std::size_t skip_b = skip_a + 1; skip_b < size; ++skip_b) {
            const auto sum = prefix[skip_a] + (prefix[skip_b] - prefix[skip_a + 1]) * kBaseInverse +
                             (total - prefix[skip_b + 1]) * kInverseSquared;
            sink(finish_hash(Feature::two_deletions, sum, size - 2));
        }
    }
}

// Features a term is filed under: a word's text, spelling key and deletion variants, and for a
// single letter the initial; a joined pair's text and key, kept apart from words.
template <typename Sink> void term_features(const Word& word, bool joined, Sink&& sink) {
    if (joined) {
        sink(feature_hash(Feature::joined_word, word.text));
        sink(feature_hash(Feature::joined_key, word.key));
        return;
    }
    sink(feature_hash(Feature::word, word.text));
    sink(feature_hash(Feature::key, word.key));
    deletion_features(word.text, sink);
    if (word.text.size() == 1)
        sink(feature_hash(Feature::initial, word.text));
}

constexpr std::size_t kMaxTrackedWords = 64;

std::uint64_t word_bit(std::size_t index) {
    return std::uint64_t{1} << std::min(index, kMaxTrackedWords - 1);
}

// Features one query word is looked up by: the word the way entries file theirs, against
// entries' words and joined pairs, and its first letter against entries' initials.
template <typename Sink>
void word_query_features(std::string_view text, std::string_view key, Sink&& sink) {
    sink(feature_hash(Feature::word, text));
    sink(feature_hash(Feature::key, key));
    sink(feature_hash(Feature::joined_word, text));
    sink(feature_hash(Feature::joined_key, key));
    deletion_features(text, sink);
    if (text.size() > 1)
        sink(feature_hash(Feature::initial, text.substr(0, 1)));
}

bool same_country(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto upper = [](char c) { return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c; };
               return upper(x) == upper(y);
           });
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Public functions.

PartyName parse_party_name(std::string_view name) {
    PartyName result;
    auto words = split_words(name);

    std::vector<std::string> kept;
    for (auto& word : words) {
        if (is_stop_word(word))
            result.stop_words.push_back(word);
        else
            kept.push_back(std::move(word));
    }
    if (kept.empty()) { // a name made only of stop words keeps them
        kept = split_words(name);
        result.stop_words.clear();
    }

    std::vector<std::string> trailing_forms;
    while (const auto form = trailing_legal_form(kept)) {
        trailing_forms.emplace_back(kLegalForms[*form].canonical);
        kept.resize(kept.size() - kFormWords[*form].count);
    }
    while (const auto form = leading_legal_form(kept)) {
        result.legal_forms.emplace_back(kLegalForms[*form].canonical);
        kept.erase(kept.begin(),
                   kept.begin() + static_cast<std::ptrdiff_t>(kFormWords[*form].count));
    }
    // Reported in the order they were written.
    result.legal_forms.insert(result.legal_forms.end(), trailing_forms.rbegin(),
                              trailing_forms.rend());
    result.words = std::move(kept);
    return result;
}

std::string normalize_party_name(std::string_view name) {
    return joined_with(parse_party_name(name).words, " ");
}

std::string spelling_key(std::string_view word) {
    if (!is_plain_ascii_word(word))
        return std::string(word);
    for (const auto& alias : kAliases) {
        if (word == alias.word) {
            word = alias.same_as;
            break;
        }
    }
    auto key = rewrite_letters(word);
    collapse_doubles(key);
    trim_ending(key);
    to_vowel_skeleton(key);
    return key;
}

int edit_distance(std::string_view a, std::string_view b) {
    const auto bound = static_cast<int>(std::max(a.size(), b.size()));
    return bounded_distance(a, b, bound);
}

NameComparison compare_party_names(std::string_view first, std::string_view second) {
    return compare_parsed(parse(first), parse(second));
}

double name_similarity(std::string_view a, std::string_view b) {
    return compare_party_names(a, b).score;
}

std::string describe(const NameComparison& comparison) {
    std::vector<std::string> reasons;
    const bool all_exact =
        std::all_of(comparison.matches.begin(), comparison.matches.end(),
                    [](const WordMatch& match) { return match.kind == WordMatchKind::exact; });
    const bool complete = comparison.unmatched_first.empty() && comparison.unmatched_second.empty();
    if (comparison.matches.empty())
        reasons.emplace_back("no words in common");
    else if (all_exact && complete)
        reasons.emplace_back(comparison.order_differs ? "same words in another order"
                                                      : "same words");
    else if (comparison.order_differs)
        reasons.emplace_back("words in another order");

    for (const auto& match : comparison.matches) {
        const auto pair = quoted(match.first) + " ~ " + quoted(match.second);
        switch (match.kind) {
        case WordMatchKind::exact: break;
        case WordMatchKind::spelling_variant:
            reasons.push_back(pair + " (spelling variant)");
            break;
        case WordMatchKind::typo:
            reasons.push_back(pair + " (" + std::to_string(match.distance) +
                              (match.distance == 1 ? " letter" : " letters") + " different)");
            break;
        case WordMatchKind::joined: reasons.push_back(pair + " (written as one word)"); break;
        case WordMatchKind::initial: reasons.push_back(pair + " (initial)"); break;
        }
    }
    for (const auto& word : comparison.unmatched_first)
        reasons.push_back(quoted(word) + " not matched");
    for (const auto& word : comparison.unmatched_second)
        reasons.push_back(quoted(word) + " missing");

    if (comparison.legal_forms_differ) {
        reasons.push_back("legal forms differ (" + joined_with(comparison.legal_forms_first, " ") +
                          " vs " + joined_with(comparison.legal_forms_second, " ") + ")");
    } else {
        auto forms = comparison.legal_forms_first;
        for (const auto& form : comparison.legal_forms_second) {
            if (std::find(forms.begin(), forms.end(), form) == forms.end())
                forms.push_back(form);
        }
        if (!forms.empty())
            reasons.push_back((forms.size() == 1 ? "legal form " : "legal forms ") +
                              joined_with(forms, " ") + " dropped");
    }
    if (!comparison.stop_words.empty()) {
        auto words = comparison.stop_words;
        std::sort(words.begin(), words.end());
        words.erase(std::unique(words.begin(), words.end()), words.end());
        reasons.push_back("ignored " + joined_with(words, " "));
    }
    if (comparison.country_differs)
        reasons.emplace_back("country differs");
    return joined_with(reasons, "; ");
}

// ---------------------------------------------------------------------------------------------
// PartyMatcher.

struct PartyMatcher::Index {
    /// A word filed by entries, two adjacent words of entries joined, or a generic word (filed by
    /// no entry that has a distinctive word, but still paired by `assign`).
    struct Term {
        Word word;
        bool joined = false;
        bool generic = false;
        /// The weight of the entry's word, or the most two joined words weigh in an entry: a
        /// word written twice is paired with two query words, each counting it once.
        double cover = 0.0;
        std::uint32_t offset = 0; ///< into `term_entries`
        std::uint32_t count = 0;
    };

    /// A term a query word (or pair) can pair with, and the most that pairing adds to the
    /// numerator of the score: similarity × (weight of the query side + term.cover).
    struct Pairable {
        std::uint32_t term;
        double gain;
    };

    struct Slot {
        std::uint64_t hash = 0;
        std::uint32_t offset = 0; ///< into `postings`, or the term itself when count is 1
        std::uint32_t count = 0;
    };

    std::vector<ParsedName> parsed;
    std::vector<double> entry_weights;   ///< parsed[i].total_weight, packed for the bounds
    std::vector<double> unfiled_weights; ///< weight of the words entry i does not file
    /// Features point at terms, not entries: a frequent word ("LTDA", "HARDWARE") has dozens of
    /// deletion variants, and a query reaching it through all of them then checks the word once
    /// and reads its entries once, instead of once per variant.
    std::vector<Term> terms;
    std::vector<std::uint32_t> term_entries; ///< per term, heaviest entries first
    /// The terms each entry files, sorted: entry i's are [entry_term_offsets[i],
    /// entry_term_offsets[i + 1]).
    std::vector<std::uint32_t> entry_terms;
    std::vector<std::uint32_t> entry_term_offsets;
    std::vector<Slot> slots; ///< open addressing, linear probing, size a power of two
    /// fingerprint(slots[i].hash), 0 for an empty slot: probes read this array, an eighth of
    /// the size of `slots`, and touch `slots` only on a likely hit.
    std::vector<std::uint16_t> fingerprints;
    std::vector<std::uint32_t> postings; ///< term indices
    /// A Bloom filter of the features in the table, two bits per feature in one 64-bit word,
    /// small enough to stay in a core's cache: most features of a query are in no entry, and
    /// the filter answers them without touching the table.
    std::vector<std::uint64_t> filter;
    /// The terms each generic word pairs with, by position in kGenericWords (gains for a query
    /// word of weight kGenericWeight): queries are full of trade words, whose many features
    /// are then not looked up one by one.
    std::vector<std::vector<Pairable>> generic_pairs;

    /// Terms filed by more entries are read last (see `candidates`).
    static constexpr std::uint32_t kShortList = 8;

    explicit Index(const std::vector<WatchlistEntry>& entries) {
        assert(entries.size() < (std::size_t{1} << 31) && "entry indices are stored in 31 bits");
        parsed.reserve(entries.size());
        for (const auto& entry : entries) {
            parsed.push_back(parse(entry.name));
            entry_weights.push_back(parsed.back().total_weight);
        }
        build_terms();
        build_table();
        std::vector<std::uint32_t> reached;
        for (const auto word : kGenericWords) {
            const Word generic{std::string(word), spelling_key(word), kGenericWeight,
                               letter_set(word)};
            reached.clear();
            word_query_features(generic.text, generic.key, [&](std::uint64_t hash) {
                for_each_term(hash, [&](std::uint32_t term) { reached.push_back(term); });
            });
            std::sort(reached.begin(), reached.end());
            reached.erase(std::unique(reached.begin(), reached.end()), reached.end());
            std::vector<Pairable> pairs;
            for (const auto term : reached) {
                const double gain = word_gain(generic, terms[term]);
                if (gain > 0.0)
                    pairs.push_back({term, gain});
            }
            generic_pairs.push_back(std::move(pairs));
        }
    }

    // What query word `word` can add to the score's numerator through `term`; 0 when it cannot
    // pair with it in `assign`, which makes the same tests.
    static double word_gain(const Word& word, const Term& term) {
        double similarity = 0.0;
        if (term.joined) {
            if (term.word.text == word.text)
                similarity = kJoinedSimilarity;
            else if (word.text.size() >= 4 && term.word.key == word.key)
                similarity = kJoinedVariantSimilarity;
        } else {
            similarity = word_similarity(word, term.word).similarity;
        }
        return similarity * (word.weight + term.cover);
    }

    // The same for two adjacent query words written as one (`joined`, of weight `weight`).
    static double pair_gain(const Word& joined, double weight, const Term& term) {
        if (term.joined)
            return 0.0; // a joined pair is never paired with another
        double similarity = 0.0;
        if (joined.text == term.word.text)
            similarity = kJoinedSimilarity;
        else if (term.word.text.size() >= 4 && joined.key == term.word.key)
            similarity = kJoinedVariantSimilarity;
        return similarity * (weight + term.cover);
    }

    // Terms: the distinctive words of each entry (all its words when it has none), its adjacent
    // pairs joined, and the generic words.
    void build_terms() {
        std::unordered_map<std::string, std::uint32_t> word_terms;
        std::unordered_map<std::string, std::uint32_t> joined_terms;
        std::vector<std::vector<std::uint32_t>> filed_by;
        const auto term_of = [&](const Word& word, bool joined) {
            auto& table = joined ? joined_terms : word_terms;
            const auto [position, inserted] =
                table.emplace(word.text, static_cast<std::uint32_t>(terms.size()));
            if (inserted) {
                // A word weighs the same in every entry; a joined pair takes the most it weighs.
                terms.push_back({word, joined, false, joined ? 0.0 : word.weight, 0, 0});
                filed_by.emplace_back();
            }
            return position->second;
        };
        for (const auto word : kGenericWords) {
            const auto index = term_of(
                {std::string(word), spelling_key(word), kGenericWeight, letter_set(word)}, false);
            terms[index].generic = true;
        }
        std::vector<std::uint32_t> filed;
        for (std::size_t index = 0; index < parsed.size(); ++index) {
            const auto& name = parsed[index];
            const auto entry = static_cast<std::uint32_t>(index);
            const bool has_distinctive =
                std::any_of(name.words.begin(), name.words.end(),
                            [](const Word& word) { return word.weight != kGenericWeight; });
            double unfiled = 0.0;
            filed.clear();
            for (const auto& word : name.words) {
                if (has_distinctive && word.weight == kGenericWeight) {
                    unfiled += word.weight;
                    continue;
                }
                filed.push_back(term_of(word, false));
            }
            for (std::size_t pair = 0; pair < name.joined.size(); ++pair) {
                const auto term = term_of(name.joined[pair], true);
                filed.push_back(term);
                terms[term].cover = std::max(terms[term].cover,
                                             name.words[pair].weight + name.words[pair + 1].weight);
            }
            std::sort(filed.begin(), filed.end());
            filed.erase(std::unique(filed.begin(), filed.end()), filed.end());
            for (const auto term : filed)
                filed_by[term].push_back(entry);
            entry_term_offsets.push_back(static_cast<std::uint32_t>(entry_terms.size()));
            entry_terms.insert(entry_terms.end(), filed.begin(), filed.end());
            unfiled_weights.push_back(unfiled);
        }
        entry_term_offsets.push_back(static_cast<std::uint32_t>(entry_terms.size()));
        for (std::size_t index = 0; index < terms.size(); ++index) {
            auto& entries = filed_by[index];
            // Heaviest first, for the early stop in `candidates`.
            std::stable_sort(entries.begin(), entries.end(), [&](std::uint32_t x, std::uint32_t y) {
                return entry_weights[x] > entry_weights[y];
            });
            terms[index].offset = static_cast<std::uint32_t>(term_entries.size());
            terms[index].count = static_cast<std::uint32_t>(entries.size());
            term_entries.insert(term_entries.end(), entries.begin(), entries.end());
        }
    }

    void build_table() {
        std::vector<std::pair<std::uint64_t, std::uint32_t>> filed;
        for (std::size_t index = 0; index < terms.size(); ++index) {
            const auto term = static_cast<std::uint32_t>(index);
            term_features(terms[index].word, terms[index].joined,
                          [&](std::uint64_t hash) { filed.emplace_back(hash, term); });
        }
        std::sort(filed.begin(), filed.end());
        filed.erase(std::unique(filed.begin(), filed.end()), filed.end());
        std::size_t distinct = 0;
        for (std::size_t index = 0; index < filed.size(); ++index)
            distinct += index == 0 || filed[index].first != filed[index - 1].first ? 1 : 0;
        std::size_t capacity = 16;
        while (capacity < 2 * distinct)
            capacity *= 2;
        slots.resize(capacity);
        fingerprints.resize(capacity);
        // About 10 bits per feature: under 3% of absent features pass.
        std::size_t filter_words = 1;
        while (filter_words * 64 < 10 * distinct)
            filter_words *= 2;
        filter.assign(filter_words, 0);
        for (const auto& [hash, term] : filed)
            filter[filter_word(hash)] |= filter_bits(hash);
        for (std::size_t begin = 0; begin < filed.size();) {
            auto end = begin;
            while (end < filed.size() && filed[end].first == filed[begin].first)
                ++end;
            auto& slot = find_slot(filed[begin].first);
            slot.hash = filed[begin].first;
            slot.count = static_cast<std::uint32_t>(end - begin);
            // Most deletion variants belong to one term; keeping it in the slot saves a cache
            // miss per hit.
            if (slot.count == 1) {
                slot.offset = filed[begin].second;
            } else {
                slot.offset = static_cast<std::uint32_t>(postings.size());
                for (auto index = begin; index < end; ++index)
                    postings.push_back(filed[index].second);
            }
            begin = end;
        }
    }

    // Bits 24 to 51 of the hash choose the filter's word and bits; the low bits choose the
    // table's slot, the top 16 the fingerprint.
    std::size_t filter_word(std::uint64_t hash) const {
        return static_cast<std::size_t>(hash >> 24) & (filter.size() - 1);
    }
    static std::uint64_t filter_bits(std::uint64_t hash) {
        return std::uint64_t{1} << ((hash >> 40) & 63U) | std::uint64_t{1} << ((hash >> 46) & 63U);
    }
    bool may_hold(std::uint64_t hash) const {
        const auto bits = filter_bits(hash);
        return (filter[filter_word(hash)] & bits) == bits;
    }

    // The top 16 bits of the hash; the low bits choose the position.
    static std::uint16_t fingerprint(std::uint64_t hash) {
        const auto high = static_cast<std::uint16_t>(hash >> 48);
        return high == 0 ? 1 : high;
    }

    Slot& find_slot(std::uint64_t hash) {
        const auto mask = slots.size() - 1;
        auto position = static_cast<std::size_t>(hash) & mask;
        while (slots[position].hash != 0 && slots[position].hash != hash)
            position = (position + 1) & mask;
        fingerprints[position] = fingerprint(hash);
        return slots[position];
    }

    // Prefetches the slot `lookup` will most likely read for `hash`, if any.
    void prefetch_slot(std::uint64_t hash) const {
        const auto mask = slots.size() - 1;
        const auto wanted = fingerprint(hash);
        for (auto position = static_cast<std::size_t>(hash) & mask; fingerprints[position] != 0;
             position = (position + 1) & mask) {
            if (fingerprints[position] == wanted) {
                __builtin_prefetch(&slots[position]);
                return;
            }
        }
    }

    const Slot* lookup(std::uint64_t hash) const {
        const auto mask = slots.size() - 1;
        const auto wanted = fingerprint(hash);
        auto position = static_cast<std::size_t>(hash) & mask;
        while (fingerprints[position] != 0) {
            if (fingerprints[position] == wanted && slots[position].hash == hash)
                return &slots[position];
            position = (position + 1) & mask;
        }
        return nullptr;
    }

    template <typename Sink> void for_each_term(std::uint64_t hash, Sink&& sink) const {
        if (may_hold(hash))
            for_each_term_held(hash, sink);
    }

    // for_each_term for a feature that passed the filter.
    template <typename Sink> void for_each_term_held(std::uint64_t hash, Sink&& sink) const {
        const auto* slot = lookup(hash);
        if (slot == nullptr)
            return;
        const auto* posting = slot->count == 1 ? &slot->offset : postings.data() + slot->offset;
        for (const auto* const last = posting + slot->count; posting != last; ++posting)
            sink(*posting);
    }

    /// What a query knows of one entry while it runs.
    struct EntryReach {
        std::uint64_t bits = 0; ///< query words that can pair with a word of the entry
        double gain = 0.0;      ///< sum of the gains of the pairings found
        bool late = false;      ///< reached while reading the long lists
    };

    /// A pairable term with the query words it stands for and its gain.
    struct Found {
        std::uint32_t term;
        std::uint64_t bits;
        double gain;
    };

    // Per-thread state of a query, all clear between queries: sized by the largest watchlist
    // seen on the thread, so a query allocates nothing in proportion to the watchlist and the
    // matcher itself stays read-only.
    struct Reached {
        std::vector<EntryReach> entries;
        std::vector<std::uint32_t> touched;
        std::vector<std::pair<std::uint64_t, std::uint32_t>> features; ///< hash, query source
        std::vector<std::uint64_t> terms; ///< query source << 32 | term
        std::vector<Found> late;
    };

    // Clears what a query set, also when it ends by an exception.
    struct ReachedReset {
        Reached& reached;
        explicit ReachedReset(Reached& to_reset) : reached(to_reset) {}
        ReachedReset(const ReachedReset&) = delete;
        ReachedReset& operator=(const ReachedReset&) = delete;
        ~ReachedReset() {
            for (const auto entry : reached.touched)
                reached.entries[entry] = {};
            reached.touched.clear();
            reached.features.clear();
            reached.terms.clear();
            reached.late.clear();
        }
    };

    // Entries worth scoring. Scores are sums over pairings of similarity × the weights paired,
    // divided by the weights of both names; an entry is scored only when two upper bounds of
    // that both reach `threshold`: (1) every query word that can pair with one of its words
    // and all of its own words matched perfectly; (2) the gains of the pairings found, plus
    // what query words near a generic word or initials could add. A query word pairing with a
    // generic word may pair with generic words that entries do not file: it counts for every
    // entry (`always`).
    std::vector<std::uint32_t> candidates(const ParsedName& name, double threshold) const {
        std::vector<std::uint32_t> found;
        if (name.words.empty())
            return found;
        thread_local Reached reached;
        if (reached.entries.size() < parsed.size())
            reached.entries.resize(parsed.size());
        const ReachedReset reset{reached};
        auto* const states = reached.entries.data();
        std::uint64_t always = 0;
        const auto reach = [&](std::uint32_t entry, std::uint64_t bits, double gain) {
            auto& state = states[entry];
            if (state.bits == 0)
                reached.touched.push_back(entry);
            state.bits |= bits;
            state.gain += gain;
        };
        const auto take = [&](const Pairable& pairable, std::uint64_t bits) {
            const auto& term = terms[pairable.term];
            if (term.generic)
                always |= bits;
            if (term.count > kShortList) {
                reached.late.push_back({pairable.term, bits, pairable.gain});
                return;
            }
            const auto* entry = term_entries.data() + term.offset;
            for (const auto* const last = entry + term.count; entry != last; ++entry)
                reach(*entry, bits, pairable.gain);
        };

        // Sources: query words 0..n-1, then adjacent pairs of query words n, n+1, ...
        const auto word_count = static_cast<std::uint32_t>(name.words.size());
        for (std::uint32_t index = 0; index < word_count; ++index) {
            const auto& word = name.words[index];
            const auto generic =
                std::lower_bound(kGenericWords.begin(), kGenericWords.end(), word.text);
            if (generic != kGenericWords.end() && *generic == word.text) {
                const auto position = static_cast<std::size_t>(generic - kGenericWords.begin());
                for (const auto& pairable : generic_pairs[position])
                    take(pairable, word_bit(index));
                continue;
            }
            word_query_features(word.text, word.key, [&](std::uint64_t hash) {
                if (may_hold(hash))
                    reached.features.emplace_back(hash, index);
            });
        }
        for (std::uint32_t pair = 0; pair < name.joined.size(); ++pair) {
            for (const auto hash : {feature_hash(Feature::word, name.joined[pair].text),
                                    feature_hash(Feature::key, name.joined[pair].key)}) {
                if (may_hold(hash))
                    reached.features.emplace_back(hash, word_count + pair);
            }
        }
        // The table is much larger than the caches and most features that pass the filter hit
        // distinct lines of it, so all are prefetched before the first probe.
        const auto mask = slots.size() - 1;
        for (const auto& feature : reached.features)
            __builtin_prefetch(&fingerprints[static_cast<std::size_t>(feature.first) & mask]);
        for (const auto& feature : reached.features)
            prefetch_slot(feature.first);
        // Not a structured binding: clang 14 cannot capture one in a lambda.
        for (const auto& feature : reached.features) {
            const auto source = feature.second;
            for_each_term_held(feature.first, [&](std::uint32_t term) {
                reached.terms.push_back(std::uint64_t{source} << 32 | term);
            });
        }
        // A term comes back through several features (its word, key and deletion variants):
        // checked once per source.
        std::sort(reached.terms.begin(), reached.terms.end());
        reached.terms.erase(std::unique(reached.terms.begin(), reached.terms.end()),
                            reached.terms.end());
        for (const auto item : reached.terms)
            __builtin_prefetch(&terms[static_cast<std::uint32_t>(item)]);
        for (const auto item : reached.terms) {
            const auto source = static_cast<std::uint32_t>(item >> 32);
            const auto term = static_cast<std::uint32_t>(item);
            if (source < word_count) {
                const auto gain = word_gain(name.words[source], terms[term]);
                if (gain > 0.0)
                    take({term, gain}, word_bit(source));
                continue;
            }
            const auto pair = source - word_count;
            const double weight = name.words[pair].weight + name.words[pair + 1].weight;
            const auto gain = pair_gain(name.joined[pair], weight, terms[term]);
            if (gain > 0.0)
                take({term, gain}, word_bit(pair) | word_bit(pair + 1));
        }
        // Adjacent query words against joined pairs of entries. Such a hit never scores (a joined
        // pair is not paired with another), but it makes an entry whose generic words could carry
        // the score a candidate ("GENERAL TRADING", filed by thousands of entries).
        for (std::size_t pair = 0; pair < name.joined.size(); ++pair) {
            const auto& joined = name.joined[pair];
            const auto bits = word_bit(pair) | word_bit(pair + 1);
            const auto read_term = [&](std::uint32_t index) {
                const auto& term = terms[index];
                if (term.joined && (term.word.text == joined.text || term.word.key == joined.key))
                    reached.late.push_back({index, bits, 0.0});
            };
            for_each_term(feature_hash(Feature::joined_word, joined.text), read_term);
            for_each_term(feature_hash(Feature::joined_key, joined.key), read_term);
        }
        double initials = 0.0; // what query initials can add on the entry's side
        for (std::size_t index = 0; index < name.words.size(); ++index) {
            if (name.words[index].text.size() == 1) { // an initial pairs with any word, unfiled
                always |= word_bit(index);
                initials += 1.0;
            }
        }
        const bool many_words = name.words.size() >= kMaxTrackedWords;
        if (many_words)
            always = ~std::uint64_t{0};

        std::array<double, kMaxTrackedWords> weights{};
        for (std::size_t index = 0; index < name.words.size(); ++index)
            weights[std::min(index, kMaxTrackedWords - 1)] += name.words[index].weight;
        const auto reachable_weight = [&](std::uint64_t bits) {
            double weight = 0.0;
            for (; bits != 0; bits &= bits - 1)
                weight += weights[static_cast<std::size_t>(std::countr_zero(bits))];
            return weight;
        };
        constexpr double kRounding = 1e-9;
        constexpr double kMargin = 1e-6;

        // Long term lists last, once `always` is complete. An entry already reached learns which
        // of them it files from its own short list of terms. Any other entry could at best be
        // reached by all of them together, a bound that grows with the entry's weight: each
        // list, heaviest entries first, is read until that bound is clearly below the threshold.
        if (!reached.late.empty()) {
            std::uint64_t late_bits = 0;
            for (const auto& item : reached.late)
                late_bits |= item.bits;
            for (const auto entry : reached.touched) {
                const auto* first = entry_terms.data() + entry_term_offsets[entry];
                const auto* last = entry_terms.data() + entry_term_offsets[entry + 1];
                for (const auto& item : reached.late) {
                    if (std::binary_search(first, last, item.term)) {
                        states[entry].bits |= item.bits;
                        states[entry].gain += item.gain;
                    }
                }
            }
            const double late_weight = reachable_weight(always | late_bits);
            for (const auto& item : reached.late) {
                const auto& term = terms[item.term];
                const auto* entry = term_entries.data() + term.offset;
                for (const auto* const last = entry + term.count; entry != last; ++entry) {
                    auto& state = states[*entry];
                    if (state.bits != 0) {
                        if (state.late) { // else counted from its list of terms above
                            state.bits |= item.bits;
                            state.gain += item.gain;
                        }
                        continue;
                    }
                    const double entry_weight = entry_weights[*entry];
                    const double bound =
                        (late_weight + entry_weight) / (name.total_weight + entry_weight);
                    if (bound + kRounding + kMargin < threshold)
                        break;
                    reach(*entry, item.bits, item.gain);
                    state.late = true;
                }
            }
        }

        const double always_weight = reachable_weight(always);
        for (const auto entry : reached.touched) {
            const auto& state = states[entry];
            const double entry_weight = entry_weights[entry];
            const double total = name.total_weight + entry_weight;
            const double reach_bound =
                (reachable_weight(state.bits | always) + entry_weight) / total;
            const double gain_bound =
                many_words
                    ? 1.0
                    : (state.gain + always_weight + unfiled_weights[entry] + initials) / total;
            if (std::min(reach_bound, gain_bound) + kRounding >= threshold)
                found.push_back(entry);
        }
        std::sort(found.begin(), found.end());
        return found;
    }
};

PartyMatcher::PartyMatcher(std::vector<WatchlistEntry> entries, MatchOptions options)
    : entries_(std::move(entries)), options_(options),
      index_(std::make_unique<const Index>(entries_)) {}

PartyMatcher::~PartyMatcher() = default;
PartyMatcher::PartyMatcher(PartyMatcher&&) noexcept = default;
PartyMatcher& PartyMatcher::operator=(PartyMatcher&&) noexcept = default;

std::vector<std::uint32_t> PartyMatcher::candidates(std::string_view name) const {
    return index_->candidates(parse(name), options_.threshold);
}

std::vector<NameMatch> PartyMatcher::match(std::string_view name, std::string_view country) const {
    const auto query = parse(name);
    struct Scored {
        std::size_t entry;
        Assignment assignment;
        bool country_differs;
    };
    std::vector<Scored> scored;
    for (const auto entry : index_->candidates(query, options_.threshold)) {
        const auto& parsed = index_->parsed[entry];
        const bool canonical = is_canonical_order(query, parsed);
        auto assignment = canonical ? assign(query, parsed) : assign(parsed, query);
        const auto& entry_country = entries_[entry].country;
        const bool country_differs =
            !country.empty() && !entry_country.empty() && !same_country(country, entry_country);
        if (country_differs)
            assignment.score = std::max(0.0, assignment.score - kCountryPenalty);
        if (assignment.score >= options_.threshold)
            scored.push_back({entry, std::move(assignment), country_differs});
    }
    std::sort(scored.begin(), scored.end(), [](const Scored& x, const Scored& y) {
        if (x.assignment.score != y.assignment.score)
            return x.assignment.score > y.assignment.score;
        return x.entry < y.entry;
    });
    if (scored.size() > options_.max_results)
        scored.resize(options_.max_results);

    std::vector<NameMatch> matches;
    for (const auto& item : scored) {
        auto detail = compare_parsed(query, index_->parsed[item.entry]);
        detail.score = item.assignment.score;
        detail.country_differs = item.country_differs;
        const auto& entry = entries_[item.entry];
        auto explanation = "matches watchlist entry " + quoted(entry.name) + " (score " +
                           format_score(detail.score) + "): " + describe(detail);
        if (item.country_differs)
            explanation += " (" + std::string(country) + " vs " + entry.country + ")";
        matches.push_back({item.entry, detail.score, std::move(detail), std::move(explanation)});
    }
    return matches;
}

} // namespace portscreen::profiling
