#include "manifest_json/manifest_json.hpp"

#include "core/codes.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <span>
#include <type_traits>
#include <variant>

namespace portscreen::manifest_json {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kFormatName = "portscreen.manifest";
constexpr std::int64_t kFormatVersion = 1;
constexpr std::size_t kMaxCodeLength = 512;
constexpr std::size_t kMaxTextLength = 4096;

/// How a member's value is checked beyond its JSON type, and how a string is normalised.
enum class Rule : std::uint8_t {
    code,             ///< identifiers and codes: at most kMaxCodeLength characters
    text,             ///< names, addresses, descriptions: at most kMaxTextLength characters
    date_time,        ///< ISO 8601 date, optionally with time and zone
    container_number, ///< code, then core::normalize_container_number
    hs_code,          ///< code, then core::normalize_hs_code
    format_name,      ///< must equal kFormatName
    format_version,   ///< must equal kFormatVersion
    positive,         ///< integer of at least 1
    non_negative,     ///< integer or number of at least 0
    none,
};

/// Where a member's value goes in the model object of type T. std::monostate marks a member that
/// is checked but not stored ("format", "format_version").
template <typename T>
using Field =
    std::variant<std::monostate, std::string T::*, std::vector<std::string> T::*, int T::*,
                 std::int64_t T::*, std::optional<std::int64_t> T::*, std::optional<double> T::*,
                 core::MessageFunction T::*, core::LoadStatus T::*, core::VesselCall T::*,
                 core::Party T::*, std::vector<core::Container> T::*, std::vector<core::Seal> T::*,
                 std::vector<core::Consignment> T::*, std::vector<core::GoodsItem> T::*,
                 std::vector<core::Placement> T::*>;

enum class Need : std::uint8_t { optional, required };

/// One member of a JSON object: its name, where it goes and how it is checked.
template <typename T> struct Member {
    std::string_view name;
    Field<T> field;
    Rule rule;
    Need need;
};

using core::Consignment;
using core::Container;
using core::GoodsItem;
using core::Manifest;
using core::Party;
using core::Placement;
using core::Seal;
using core::VesselCall;

constexpr auto req = Need::required;
constexpr auto opt = Need::optional;

// The member tables are the format; docs/manifest-json.md and docs/manifest.schema.json follow
// them, and the tests hold the three together.
const std::array kManifestMembers = std::to_array<Member<Manifest>>({
    {"format", std::monostate{}, Rule::format_name, req},
    {"format_version", std::monostate{}, Rule::format_version, req},
    {"function", &Manifest::function, Rule::none, opt},
    {"version", &Manifest::version, Rule::positive, opt},
    {"document_number", &Manifest::document_number, Rule::code, req},
    {"issued_at", &Manifest::issued_at, Rule::date_time, req},
    {"sender", &Manifest::sender, Rule::code, req},
    {"vessel_call", &Manifest::vessel_call, Rule::none, req},
    {"declared_container_count", &Manifest::declared_container_count, Rule::non_negative, opt},
    {"containers", &Manifest::containers, Rule::none, opt},
    {"consignments", &Manifest::consignments, Rule::none, opt},
});

const std::array kVesselCallMembers = std::to_array<Member<VesselCall>>({
    {"imo", &VesselCall::imo, Rule::code, req},
    {"vessel_name", &VesselCall::vessel_name, Rule::text, opt},
    {"voyage", &VesselCall::voyage, Rule::code, req},
    {"carrier", &VesselCall::carrier, Rule::text, opt},
    {"eta", &VesselCall::eta, Rule::date_time, opt},
    {"port_of_call", &VesselCall::port_of_call, Rule::code, req},
    {"last_port", &VesselCall::last_port, Rule::code, opt},
});

const std::array kContainerMembers = std::to_array<Member<Container>>({
    {"number", &Container::number, Rule::container_number, req},
    {"size_type", &Container::size_type, Rule::code, req},
    {"load", &Container::load, Rule::none, req},
    {"gross_mass_kg", &Container::gross_mass_kg, Rule::non_negative, opt},
    {"tare_mass_kg", &Container::tare_mass_kg, Rule::non_negative, opt},
    {"seals", &Container::seals, Rule::none, opt},
});

const std::array kSealMembers = std::to_array<Member<Seal>>({
    {"number", &Seal::number, Rule::code, req},
    {"sealing_party", &Seal::sealing_party, Rule::code, opt},
});

const std::array kConsignmentMembers = std::to_array<Member<Consignment>>({
    {"master_bl", &Consignment::master_bl, Rule::code, req},
    {"house_bl", &Consignment::house_bl, Rule::code, opt},
    {"shipper", &Consignment::shipper, Rule::none, opt},
    {"consignee", &Consignment::consignee, Rule::none, opt},
    {"notify_party", &Consignment::notify_party, Rule::none, opt},
    {"forwarder", &Consignment::forwarder, Rule::none, opt},
    {"place_of_receipt", &Consignment::place_of_receipt, Rule::code, opt},
    {"port_of_loading", &Consignment::port_of_loading, Rule::code, opt},
    {"transshipment_ports", &Consignment::transshipment_ports, Rule::code, opt},
    {"port_of_discharge", &Consignment::port_of_discharge, Rule::code, opt},
    {"place_of_delivery", &Consignment::place_of_delivery, Rule::code, opt},
    {"goods_items", &Consignment::goods_items, Rule::none, opt},
});

const std::array kPartyMembers = std::to_array<Member<Party>>({
    {"id", &Party::id, Rule::code, opt},
    {"name", &Party::name, Rule::text, req},
    {"address", &Party::address, Rule::text, opt},
    {"city", &Party::city, Rule::text, opt},
    {"postcode", &Party::postcode, Rule::code, opt},
    {"country", &Party::country, Rule::code, opt},
});

const std::array kGoodsItemMembers = std::to_array<Member<GoodsItem>>({
    {"item_number", &GoodsItem::item_number, Rule::positive, req},
    {"hs_code", &GoodsItem::hs_code, Rule::hs_code, opt},
    {"description", &GoodsItem::description, Rule::text, req},
    {"packages", &GoodsItem::packages, Rule::non_negative, req},
    {"package_type", &GoodsItem::package_type, Rule::code, opt},
    {"gross_mass_kg", &GoodsItem::gross_mass_kg, Rule::non_negative, opt},
    {"placements", &GoodsItem::placements, Rule::none, opt},
});

const std::array kPlacementMembers = std::to_array<Member<Placement>>({
    {"container_number", &Placement::container_number, Rule::container_number, req},
    {"packages", &Placement::packages, Rule::non_negative, opt},
});

std::span<const Member<Manifest>> members_of(const Manifest*) {
    return kManifestMembers;
}
std::span<const Member<VesselCall>> members_of(const VesselCall*) {
    return kVesselCallMembers;
}
std::span<const Member<Container>> members_of(const Container*) {
    return kContainerMembers;
}
std::span<const Member<Seal>> members_of(const Seal*) {
    return kSealMembers;
}
std::span<const Member<Consignment>> members_of(const Consignment*) {
    return kConsignmentMembers;
}
std::span<const Member<Party>> members_of(const Party*) {
    return kPartyMembers;
}
std::span<const Member<GoodsItem>> members_of(const GoodsItem*) {
    return kGoodsItemMembers;
}
std::span<const Member<Placement>> members_of(const Placement*) {
    return kPlacementMembers;
}

template <typename T> struct IsVector : std::false_type {};
template <typename E> struct IsVector<std::vector<E>> : std::true_type {};

template <typename T>
constexpr bool kIsObject =
    std::is_same_v<T, VesselCall> || std::is_same_v<T, Party> || std::is_same_v<T, Container> ||
    std::is_same_v<T, Seal> || std::is_same_v<T, Consignment> || std::is_same_v<T, GoodsItem> ||
    std::is_same_v<T, Placement> || std::is_same_v<T, Manifest>;

/// One JSON scalar as the tokenizer delivered it.
struct Scalar {
    enum class Type { null, boolean, integer, number, string } type = Type::null;
    std::int64_t integer = 0; ///< when type is integer
    double number = 0;        ///< when type is integer or number
    std::string* text = nullptr;
    bool boolean = false;
    std::string_view raw; ///< the number as written, for messages
};

const char* type_name(Scalar::Type type) {
    switch (type) {
    case Scalar::Type::null: return "null";
    case Scalar::Type::boolean: return "boolean";
    case Scalar::Type::integer: return "number";
    case Scalar::Type::number: return "number";
    case Scalar::Type::string: return "string";
    }
    return "?";
}

/// "a string", "an integer": what a member of model type V must be written as in JSON.
template <typename V> const char* expected_type(Rule rule) {
    if constexpr (std::is_same_v<V, std::monostate>)
        return rule == Rule::format_version ? "an integer" : "a string";
    else if constexpr (std::is_same_v<V, std::string> || std::is_enum_v<V>)
        return "a string";
    else if constexpr (std::is_same_v<V, int> || std::is_same_v<V, std::int64_t> ||
                       std::is_same_v<V, std::optional<std::int64_t>>)
        return "an integer";
    else if constexpr (std::is_same_v<V, std::optional<double>>)
        return "a number";
    else if constexpr (IsVector<V>::value)
        return "an array";
    else
        return "an object";
}

bool digits(std::string_view text, std::size_t at, std::size_t count) {
    if (at + count > text.size())
        return false;
    for (std::size_t idx = at; idx < at + count; ++idx)
        if (text[idx] < '0' || text[idx] > '9')
            return false;
    return true;
}

int two_digits(std::string_view text, std::size_t at) {
    return (text[at] - '0') * 10 + (text[at + 1] - '0');
}

/// YYYY-MM-DD, optionally followed by Thh:mm[:ss[.fraction]] and Z or ±hh:mm; the same shape
/// as the pattern in docs/manifest.schema.json.
bool is_date_time(std::string_view text) {
    if (!digits(text, 0, 4) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2) ||
        text[7] != '-' || !digits(text, 8, 2))
        return false;
    const int month = two_digits(text, 5);
    const int day = two_digits(text, 8);
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return false;
    if (text.size() == 10)
        return true;
    if (text[10] != 'T' || !digits(text, 11, 2) || text.size() < 16 || text[13] != ':' ||
        !digits(text, 14, 2) || two_digits(text, 11) > 23 || two_digits(text, 14) > 59)
        return false;
    std::size_t at = 16;
    if (at < text.size() && text[at] == ':') {
        if (!digits(text, at + 1, 2) || two_digits(text, at + 1) > 59)
            return false;
        at += 3;
        if (at < text.size() && text[at] == '.') {
            std::size_t fraction = 0;
            while (at + 1 + fraction < text.size() && digits(text, at + 1 + fraction, 1))
                ++fraction;
            if (fraction == 0 || fraction > 9)
                return false;
            at += 1 + fraction;
        }
    }
    if (at == text.size())
        return true;
    if (text[at] == 'Z')
        return at + 1 == text.size();
    if (text[at] != '+' && text[at] != '-')
        return false;
    return text.size() == at + 6 && digits(text, at + 1, 2) && text[at + 3] == ':' &&
           digits(text, at + 4, 2) && two_digits(text, at + 1) <= 23 &&
           two_digits(text, at + 4) <= 59;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t col = 0; col <= b.size(); ++col)
        row[col] = col;
    for (std::size_t a_idx = 1; a_idx <= a.size(); ++a_idx) {
        std::size_t diagonal = row[0];
        row[0] = a_idx;
        for (std::size_t b_idx = 1; b_idx <= b.size(); ++b_idx) {
            const std::size_t above = row[b_idx];
            const std::size_t change = diagonal + (a[a_idx - 1] == b[b_idx - 1] ? 0 : 1);
            row[b_idx] = std::min({above + 1, row[b_idx - 1] + 1, change});
            diagonal = above;
        }
    }
    return row[b.size()];
}

/// Unicode characters in valid UTF-8 text, as JSON Schema's maxLength counts them.
std::size_t character_count(std::string_view text) {
    std::size_t count = 0;
    for (char c : text)
        count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return count;
}

/// Escapes a member name for use in a JSON pointer (RFC 6901).
void append_pointer_token(std::string& path, std::string_view token) {
    path += '/';
    for (char c : token) {
        if (c == '~')
            path += "~0";
        else if (c == '/')
            path += "~1";
        else
            path += c;
    }
}

void append_index(std::string& path, std::size_t index) {
    char digits_text[24];
    const auto end = std::to_chars(digits_text, digits_text + sizeof digits_text, index).ptr;
    path += '/';
    path.append(digits_text, end);
}

/// Quotes a value the sender gave, shortened so that a huge value cannot flood a message.
std::string shown(std::string_view value) {
    constexpr std::size_t kShown = 40;
    if (value.size() <= kShown)
        return "'" + std::string(value) + "'";
    // Cut on a UTF-8 character boundary so that the message stays valid UTF-8.
    std::size_t cut = kShown;
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80)
        --cut;
    return "'" + std::string(value.substr(0, cut)) + "...'";
}

/// A problem found while reading, named at the end when the item's identifiers are known.
struct PendingProblem {
    std::string code;
    std::string path;
    std::size_t item_path_size; ///< the prefix of path that points at the item
    std::string detail;
    std::string position;
};

using Target =
    std::variant<Manifest*, VesselCall*, Container*, Seal*, Consignment*, Party*, GoodsItem*,
                 Placement*, std::vector<std::string>*, std::vector<Container>*, std::vector<Seal>*,
                 std::vector<Consignment>*, std::vector<GoodsItem>*, std::vector<Placement>*>;

/// An object or array being read, with the model value it fills.
struct Frame {
    Target target;
    std::size_t path_size = 0;      ///< length of the path to this value
    std::size_t item_path_size = 0; ///< length of the path to the nearest enclosing object
    std::uint64_t seen = 0;         ///< object: members met so far, one bit per table row
    int pending = -1;               ///< object: table row awaiting its value, -1 for none
    std::size_t count = 0;          ///< array: elements met so far
};

/// Reads the SAX events of one document straight into a Manifest, without building a DOM: a
/// 20,000-container manifest is read in one pass with one allocation per stored string.
class Reader final : public nlohmann::json_sax<Json> {
public:
    // The format nests at most seven levels and deeper values are skipped, so frames_ never
    // reallocates while a frame reference is held.
    Reader() { frames_.reserve(8); }

    bool null() override {
        Scalar value;
        return scalar(value);
    }

    bool boolean(bool flag) override {
        Scalar value;
        value.type = Scalar::Type::boolean;
        value.boolean = flag;
        return scalar(value);
    }

    bool number_integer(number_integer_t number) override {
        Scalar value;
        value.type = Scalar::Type::integer;
        value.integer = number;
        value.number = static_cast<double>(number);
        return scalar(value);
    }

    bool number_unsigned(number_unsigned_t number) override {
        Scalar value;
        if (number > static_cast<number_unsigned_t>(INT64_MAX)) {
            value.type = Scalar::Type::number;
        } else {
            value.type = Scalar::Type::integer;
            value.integer = static_cast<std::int64_t>(number);
        }
        value.number = static_cast<double>(number);
        return scalar(value);
    }

    bool number_float(number_float_t number, const string_t& raw) override {
        Scalar value;
        value.type = Scalar::Type::number;
        value.number = number;
        value.raw = raw;
        return scalar(value);
    }

    bool string(string_t& text) override {
        Scalar value;
        value.type = Scalar::Type::string;
        value.text = &text;
        return scalar(value);
    }

    bool binary(binary_t&) override { return true; } // never produced by the JSON tokenizer

    bool start_object(std::size_t) override { return start(true); }
    bool start_array(std::size_t) override { return start(false); }

    bool key(string_t& name) override {
        if (skip_depth_ > 0)
            return true;
        Frame& frame = frames_.back();
        path_.resize(frame.path_size);
        return std::visit(
            [&](auto* object) {
                using T = std::remove_pointer_t<decltype(object)>;
                if constexpr (kIsObject<T>)
                    member_key(frame, members_of(object), name);
                return true;
            },
            frame.target);
    }

    bool end_object() override { return end(); }
    bool end_array() override { return end(); }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& error) override {
        syntax_error(position, error);
        return false;
    }

    /// Every problem found, each named by its item.
    Problems take_problems(const Manifest& manifest) const;

    Manifest manifest;

private:
    /// A value starts where the top frame expects one: returns the frame's pending member or
    /// advances the array, and says whether the value is wanted at all.
    bool scalar(Scalar& value) {
        if (skip_depth_ > 0)
            return true;
        if (frames_.empty()) { // only the root can arrive with no frame open
            problem("type", 0,
                    "the manifest must be a JSON object, got " +
                        std::string(type_name(value.type)));
            return true;
        }
        Frame& frame = frames_.back();
        std::visit(
            [&](auto* target) {
                using T = std::remove_pointer_t<decltype(target)>;
                if constexpr (kIsObject<T>) {
                    if (frame.pending < 0)
                        return;
                    const auto& member = members_of(target)[frame.pending];
                    frame.pending = -1;
                    std::visit([&](auto field) { store(*target, field, member, value); },
                               member.field);
                } else {
                    element_path(frame);
                    using E = typename T::value_type;
                    if constexpr (std::is_same_v<E, std::string>) {
                        store_element(*target, value, frame.item_path_size);
                    } else {
                        target->emplace_back(); // keeps indices aligned with the document
                        problem("type", frame.item_path_size,
                                label(frame.item_path_size) + " must be an object, got " +
                                    type_name(value.type));
                    }
                }
            },
            frame.target);
        return true;
    }

    bool start(bool is_object) {
        if (skip_depth_ > 0) {
            ++skip_depth_;
            return true;
        }
        const char* got = is_object ? "object" : "array";
        if (frames_.empty()) {
            if (!is_object) {
                problem("type", 0, std::string("the manifest must be a JSON object, got ") + got);
                skip_depth_ = 1;
                return true;
            }
            frames_.push_back(Frame{&manifest, 0, 0});
            return true;
        }
        Frame& frame = frames_.back();
        std::visit(
            [&](auto* target) {
                using T = std::remove_pointer_t<decltype(target)>;
                if constexpr (kIsObject<T>) {
                    if (frame.pending < 0) {
                        skip_depth_ = 1;
                        return;
                    }
                    const auto& member = members_of(target)[frame.pending];
                    frame.pending = -1;
                    std::visit([&](auto field) { open(*target, field, member, is_object); },
                               member.field);
                } else {
                    element_path(frame);
                    using E = typename T::value_type;
                    const std::size_t item_path_size = frame.item_path_size;
                    if constexpr (kIsObject<E>) {
                        auto& element = target->emplace_back();
                        if (is_object) {
                            frames_.push_back(Frame{&element, path_.size(), path_.size()});
                            return;
                        }
                    }
                    problem("type", item_path_size,
                            label(item_path_size) + " must be " +
                                (kIsObject<E> ? "an object" : "a string") + ", got " + got);
                    skip_depth_ = 1;
                }
            },
            frame.target);
        return true;
    }

    bool end() {
        if (skip_depth_ > 0) {
            --skip_depth_;
            return true;
        }
        Frame& frame = frames_.back();
        std::visit(
            [&](auto* target) {
                using T = std::remove_pointer_t<decltype(target)>;
                if constexpr (kIsObject<T>)
                    check_required(frame, members_of(target));
            },
            frame.target);
        frames_.pop_back();
        return true;
    }

    template <typename T>
    void member_key(Frame& frame, std::span<const Member<T>> members, std::string_view name) {
        frame.pending = -1;
        append_pointer_token(path_, name);
        for (std::size_t row = 0; row < members.size(); ++row) {
            if (members[row].name != name)
                continue;
            const std::uint64_t bit = std::uint64_t{1} << row;
            if (frame.seen & bit) {
                problem("duplicate-member", frame.path_size,
                        "member '" + std::string(name) + "' appears twice");
                return;
            }
            frame.seen |= bit;
            frame.pending = static_cast<int>(row);
            return;
        }
        std::string detail = "unknown member " + shown(name);
        std::string_view closest;
        std::size_t closest_distance = 3; // suggest only names a typo away
        for (const auto& member : members) {
            const std::size_t distance = edit_distance(name, member.name);
            if (distance < closest_distance) {
                closest = member.name;
                closest_distance = distance;
            }
        }
        if (!closest.empty())
            detail += " (did you mean '" + std::string(closest) + "'?)";
        problem("unknown-member", frame.path_size, detail);
    }

    template <typename T>
    void check_required(const Frame& frame, std::span<const Member<T>> members) {
        for (std::size_t row = 0; row < members.size(); ++row) {
            if (members[row].need != Need::required || (frame.seen & (std::uint64_t{1} << row)))
                continue;
            path_.resize(frame.path_size);
            append_pointer_token(path_, members[row].name);
            problem("missing", frame.path_size,
                    "required member '" + std::string(members[row].name) + "' is missing");
        }
        path_.resize(frame.path_size);
    }

    void element_path(Frame& frame) {
        path_.resize(frame.path_size);
        append_index(path_, frame.count++);
    }

    /// The member or element being read, relative to its item: "gross_mass_kg",
    /// "transshipment_ports/1".
    std::string label(std::size_t item_path_size) const {
        return path_.substr(std::min(item_path_size + 1, path_.size()));
    }

    void problem(std::string code, std::size_t item_path_size, std::string detail,
                 std::string position = {}) {
        problems_.push_back(PendingProblem{std::move(code), path_, item_path_size,
                                           std::move(detail), std::move(position)});
    }

    void type_error(std::size_t item_path_size, const char* expected, const Scalar& value) {
        std::string detail =
            label(item_path_size) + " must be " + expected + ", got " + type_name(value.type);
        if (value.type == Scalar::Type::null)
            detail += " (leave an absent member out)";
        problem("type", item_path_size, std::move(detail));
    }

    /// Checks a string's length and rule; false when it was refused.
    bool check_text(std::size_t item_path_size, Rule rule, Need need, const std::string& text) {
        const std::size_t limit = rule == Rule::text ? kMaxTextLength : kMaxCodeLength;
        // Fewer bytes than the limit are fewer characters too: count only long strings.
        if (text.size() > limit) {
            const std::size_t characters = character_count(text);
            if (characters > limit) {
                problem("too-long", item_path_size,
                        label(item_path_size) + " has " + std::to_string(characters) +
                            " characters, more than the " + std::to_string(limit) + " allowed");
                return false;
            }
        }
        if (text.empty() && need == Need::required) {
            problem("missing", item_path_size, label(item_path_size) + " must not be empty");
            return false;
        }
        if (rule == Rule::date_time && !text.empty() && !is_date_time(text)) {
            problem("date-time", item_path_size,
                    label(item_path_size) + " " + shown(text) +
                        " is not an ISO 8601 date or date and time (2024-03-01T14:30Z)");
            return false;
        }
        return true;
    }

    /// Reads an integer, accepting a number without fraction as JSON Schema does.
    std::optional<std::int64_t> integer_of(std::size_t item_path_size, const Scalar& value,
                                           std::int64_t min, std::int64_t max) {
        if (value.type != Scalar::Type::integer && value.type != Scalar::Type::number) {
            type_error(item_path_size, "an integer", value);
            return std::nullopt;
        }
        // 2^63 as a double: anything at or above it does not fit an int64.
        constexpr double kInt64Limit = 9223372036854775808.0;
        if (value.type == Scalar::Type::number &&
            (value.number != std::floor(value.number) || value.number >= kInt64Limit ||
             value.number < -kInt64Limit)) {
            const std::string written =
                value.raw.empty() ? std::to_string(value.number) : std::string(value.raw);
            problem(value.number != std::floor(value.number) ? "type" : "range", item_path_size,
                    label(item_path_size) + " must be an integer, got " + written);
            return std::nullopt;
        }
        const std::int64_t number = value.type == Scalar::Type::integer
                                        ? value.integer
                                        : static_cast<std::int64_t>(value.number);
        if (number < min || number > max) {
            std::string range = max == INT64_MAX
                                    ? "at least " + std::to_string(min)
                                    : std::to_string(min) + " to " + std::to_string(max);
            problem("range", item_path_size,
                    label(item_path_size) + " must be " + range + ", got " +
                        std::to_string(number));
            return std::nullopt;
        }
        return number;
    }

    template <typename T, typename V>
    void store(T& object, V T::*field, const Member<T>& member, Scalar& value) {
        const std::size_t item_path_size = frames_.back().path_size;
        [[maybe_unused]] V& slot = object.*field;
        if constexpr (std::is_same_v<V, std::string>) {
            if (value.type != Scalar::Type::string)
                return type_error(item_path_size, "a string", value);
            if (!check_text(item_path_size, member.rule, member.need, *value.text))
                return;
            if (member.rule == Rule::container_number)
                slot = core::normalize_container_number(*value.text);
            else if (member.rule == Rule::hs_code)
                slot = core::normalize_hs_code(*value.text);
            else
                slot = std::move(*value.text);
        } else if constexpr (std::is_same_v<V, int>) {
            if (const auto number = integer_of(item_path_size, value, 1, INT_MAX))
                slot = static_cast<int>(*number);
        } else if constexpr (std::is_same_v<V, std::int64_t> ||
                             std::is_same_v<V, std::optional<std::int64_t>>) {
            if (const auto number = integer_of(item_path_size, value, 0, INT64_MAX))
                slot = *number;
        } else if constexpr (std::is_same_v<V, std::optional<double>>) {
            if (value.type != Scalar::Type::integer && value.type != Scalar::Type::number)
                return type_error(item_path_size, "a number", value);
            if (value.number < 0)
                return problem("range", item_path_size,
                               label(item_path_size) + " must not be negative, got " +
                                   (value.raw.empty() ? std::to_string(value.integer)
                                                      : std::string(value.raw)));
            slot = value.number;
        } else if constexpr (std::is_same_v<V, core::MessageFunction>) {
            if (value.type != Scalar::Type::string)
                return type_error(item_path_size, "a string", value);
            constexpr std::array kFunctions = {
                core::MessageFunction::original, core::MessageFunction::replace,
                core::MessageFunction::change, core::MessageFunction::cancel};
            for (const auto function : kFunctions)
                if (*value.text == core::to_string(function))
                    return void(slot = function);
            problem("enum", item_path_size,
                    "function must be one of original, replace, change, cancel, got " +
                        shown(*value.text));
        } else if constexpr (std::is_same_v<V, core::LoadStatus>) {
            if (value.type != Scalar::Type::string)
                return type_error(item_path_size, "a string", value);
            if (*value.text == "full")
                return void(slot = core::LoadStatus::full);
            if (*value.text == "empty")
                return void(slot = core::LoadStatus::empty);
            problem("enum", item_path_size,
                    "load must be 'full' or 'empty', got " + shown(*value.text));
        } else {
            type_error(item_path_size, expected_type<V>(member.rule), value);
        }
    }

    template <typename T> void store(T&, std::monostate, const Member<T>& member, Scalar& value) {
        const std::size_t item_path_size = frames_.back().path_size;
        if (member.rule == Rule::format_name) {
            if (value.type != Scalar::Type::string)
                return type_error(item_path_size, "a string", value);
            if (*value.text != kFormatName)
                problem("format", item_path_size,
                        "format must be '" + std::string(kFormatName) + "', got " +
                            shown(*value.text));
            return;
        }
        const auto version = integer_of(item_path_size, value, INT64_MIN, INT64_MAX);
        if (version && *version != kFormatVersion)
            problem("format", item_path_size,
                    "format_version " + std::to_string(*version) +
                        " is not supported: this reader knows format_version " +
                        std::to_string(kFormatVersion));
    }

    void store_element(std::vector<std::string>& list, Scalar& value, std::size_t item_path_size) {
        if (value.type != Scalar::Type::string) {
            list.emplace_back();
            return type_error(item_path_size, "a string", value);
        }
        if (!check_text(item_path_size, Rule::code, Need::required, *value.text)) {
            list.emplace_back();
            return;
        }
        list.push_back(std::move(*value.text));
    }

    template <typename T, typename V>
    void open(T& object, V T::*field, const Member<T>& member, bool is_object) {
        const std::size_t item_path_size = frames_.back().path_size;
        [[maybe_unused]] V& slot = object.*field;
        if constexpr (kIsObject<V>) {
            if (is_object) {
                frames_.push_back(Frame{&slot, path_.size(), path_.size()});
                return;
            }
        } else if constexpr (IsVector<V>::value) {
            if (!is_object) {
                frames_.push_back(Frame{&slot, path_.size(), item_path_size});
                return;
            }
        }
        problem("type", item_path_size,
                label(item_path_size) + " must be " + expected_type<V>(member.rule) + ", got " +
                    (is_object ? "object" : "array"));
        skip_depth_ = 1;
    }

    template <typename T> void open(T&, std::monostate, const Member<T>& member, bool is_object) {
        const std::size_t item_path_size = frames_.back().path_size;
        problem("type", item_path_size,
                label(item_path_size) + " must be " + expected_type<std::monostate>(member.rule) +
                    ", got " + (is_object ? "object" : "array"));
        skip_depth_ = 1;
    }

    void syntax_error(std::size_t position, const nlohmann::detail::exception& error) {
        // nlohmann's text reads "[json.exception.parse_error.101] parse error at line 3,
        // column 6: syntax error while parsing value - unexpected '}'; last read: '1,}'".
        std::string_view what = error.what();
        if (const auto bracket = what.find("] "); bracket != std::string_view::npos)
            what.remove_prefix(bracket + 2);
        std::string where;
        if (what.starts_with("parse error at ")) {
            what.remove_prefix(std::string_view("parse error at ").size());
            const auto colon = what.find(": ");
            if (colon != std::string_view::npos) {
                where = std::string(what.substr(0, colon)) + ", ";
                what.remove_prefix(colon + 2);
            }
        }
        if (const auto dash = what.find(" - "); dash != std::string_view::npos)
            what.remove_prefix(dash + 3);
        const std::string at = "byte " + std::to_string(position);
        path_.clear();
        if (what.find("UTF-8") != std::string_view::npos) {
            // The bytes nlohmann quotes are the invalid ones: keep them out of the message.
            problem("encoding", 0,
                    "invalid UTF-8 at " + where + at + ": the manifest must be encoded in UTF-8",
                    at);
            return;
        }
        if (error.id == 406) {
            problem("range", 0, "number out of range at " + at + ": " + std::string(what), at);
            return;
        }
        problem("syntax", 0, "malformed JSON at " + where + at + ": " + std::string(what), at);
    }

    std::vector<Frame> frames_;
    std::vector<PendingProblem> problems_;
    std::string path_;
    std::size_t skip_depth_ = 0; ///< nesting depth inside a value being skipped
};

std::optional<std::size_t> index_of(std::string_view token) {
    std::size_t index = 0;
    const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), index);
    if (error != std::errc() || end != token.data() + token.size())
        return std::nullopt;
    return index;
}

std::vector<std::string_view> split_pointer(std::string_view pointer) {
    std::vector<std::string_view> tokens;
    while (!pointer.empty()) {
        pointer.remove_prefix(1);
        const auto slash = pointer.find('/');
        tokens.push_back(pointer.substr(0, slash));
        pointer.remove_prefix(slash == std::string_view::npos ? pointer.size() : slash);
    }
    return tokens;
}

/// Names the item at a JSON pointer, using the identifiers read so far:
/// "consignment MAEU123 goods item 2", or "consignments/4 goods_items/0" when they are unknown.
std::string describe(std::string_view item_path, const Manifest& manifest) {
    const auto tokens = split_pointer(item_path);
    std::string name;
    // Appends the pointer tokens [from, to) as they stand: "containers/3".
    const auto add_position = [&](std::size_t from, std::size_t to) {
        if (!name.empty())
            name += ' ';
        for (std::size_t idx = from; idx < std::min(to, tokens.size()); ++idx) {
            if (idx > from)
                name += '/';
            name += tokens[idx];
        }
        return name;
    };
    if (tokens.empty())
        return name;
    if (tokens[0] == "vessel_call")
        return "vessel call";
    const std::optional<std::size_t> first =
        index_of(tokens.size() > 1 ? tokens[1] : std::string_view());
    if (tokens[0] == "containers" && first && *first < manifest.containers.size()) {
        const Container& box = manifest.containers[*first];
        if (box.number.empty())
            add_position(0, 2);
        else
            name = "container " + box.number;
        if (tokens.size() < 4)
            return name;
        const auto seal_idx = index_of(tokens[3]);
        if (seal_idx && *seal_idx < box.seals.size() && !box.seals[*seal_idx].number.empty())
            return name + " seal " + box.seals[*seal_idx].number;
        return add_position(2, 4);
    }
    if (tokens[0] != "consignments" || !first || *first >= manifest.consignments.size())
        return add_position(0, tokens.size());
    const Consignment& con = manifest.consignments[*first];
    const std::string reference = con.reference();
    if (reference.empty())
        add_position(0, 2);
    else
        name = "consignment " + reference;
    if (tokens.size() < 3)
        return name;
    if (tokens[2] == "notify_party")
        return name + " notify party";
    if (tokens[2] != "goods_items")
        return name + " " + std::string(tokens[2]);
    const auto item_idx = tokens.size() > 3 ? index_of(tokens[3]) : std::nullopt;
    if (!item_idx || *item_idx >= con.goods_items.size())
        return add_position(2, tokens.size());
    const GoodsItem& item = con.goods_items[*item_idx];
    if (item.item_number > 0)
        name += " goods item " + std::to_string(item.item_number);
    else
        add_position(2, 4);
    if (tokens.size() < 6)
        return name;
    const auto placement_idx = index_of(tokens[5]);
    if (placement_idx && *placement_idx < item.placements.size() &&
        !item.placements[*placement_idx].container_number.empty())
        return name + " placement in " + item.placements[*placement_idx].container_number;
    return add_position(4, 6);
}

Problems Reader::take_problems(const Manifest& model) const {
    Problems problems;
    problems.reserve(problems_.size());
    for (const auto& pending : problems_) {
        Problem problem;
        problem.code = pending.code;
        problem.path = pending.path;
        problem.position = pending.position;
        const std::string item =
            describe(std::string_view(pending.path).substr(0, pending.item_path_size), model);
        problem.message = item.empty() ? pending.detail : item + ": " + pending.detail;
        problems.push_back(std::move(problem));
    }
    return problems;
}

} // namespace

Result<core::Manifest> parse(std::string_view text) {
    Reader reader;
    // Pointers, not the string_view, so that nlohmann reads the bytes without an adapter copy.
    Json::sax_parse(text.data(), text.data() + text.size(), &reader);
    Problems problems = reader.take_problems(reader.manifest);
    if (!problems.empty())
        return problems;
    return std::move(reader.manifest);
}

} // namespace portscreen::manifest_json
