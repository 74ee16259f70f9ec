#include "edifact/tokenizer.hpp"

#include "edifact/charset.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <optional>

namespace portscreen::edifact {

namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
// Control-character separators of ISO 9735 levels B to F: IS1, IS3, IS4.
constexpr char kIs1 = '\x1F';
constexpr char kIs3 = '\x1D';
constexpr char kIs4 = '\x1C';
// Past this many, repertoire errors are summarised: one bad declaration should not flood a reply.
constexpr unsigned kMaxCharacterErrors = 20;

/// What a byte means to the splitter.
enum class ByteClass : std::uint8_t {
    plain,
    component,
    element,
    release,
    terminator,
    line_break,
    high,    ///< a byte >= 0x80 that needs conversion to UTF-8
    foreign, ///< outside the declared repertoire (UNOA, UNOB)
};

/// How component text becomes UTF-8.
enum class Decoding { ascii_or_latin1, iconv, utf8_checked, utf8_trusted };

// Per-component flags, set while scanning, that send a component down the slow path.
constexpr unsigned kReleased = 1;
constexpr unsigned kLineBreak = 2;
constexpr unsigned kHigh = 4;

bool is_between_segments(char c) {
    return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

std::string describe_byte(unsigned char c) {
    char text[32];
    if (c >= 0x20 && c < 0x7F)
        std::snprintf(text, sizeof text, "character '%c'", c);
    else
        std::snprintf(text, sizeof text, "byte 0x%02X", c);
    return text;
}

std::string position_text(std::size_t element, std::size_t component, std::size_t byte) {
    if (element == 0)
        return "tag, byte " + std::to_string(byte);
    return "element " + std::to_string(element) + " component " + std::to_string(component + 1) +
           ", byte " + std::to_string(byte);
}

} // namespace

/// Builds one SegmentList; lives for one call of tokenize().
class Tokenizer {
public:
    Tokenizer(std::string_view bytes, Problems& problems) : problems_(problems) {
        if (bytes.starts_with(kByteOrderMark))
            bytes.remove_prefix(kByteOrderMark.size());
        list_.input_ = bytes;
    }

    SegmentList run() {
        const std::string_view input = list_.input_;
        // Offsets are 32-bit with the top bit marking the arena.
        if (input.size() >= SegmentList::kArenaBit) {
            error("too-large", 0, "", "",
                  "interchange of " + std::to_string(input.size()) + " bytes is larger than 2 GiB",
                  0);
            return std::move(list_);
        }
        std::size_t pos = read_service_string_advice();
        read_syntax_identifier(pos);
        choose_decoding();
        build_byte_classes();
        split(pos);
        return std::move(list_);
    }

private:
    void error(std::string code, unsigned segment, std::string tag, std::string position,
               std::string message, int contrl) {
        add(Severity::error, std::move(code), segment, std::move(tag), std::move(position),
            std::move(message), contrl);
    }

    void add(Severity severity, std::string code, unsigned segment, std::string tag,
             std::string position, std::string message, int contrl) {
        Problem problem;
        problem.severity = severity;
        problem.code = std::move(code);
        problem.segment = segment;
        problem.segment_tag = std::move(tag);
        problem.position = std::move(position);
        problem.message = std::move(message);
        problem.contrl = contrl;
        problems_.push_back(std::move(problem));
    }

    /// Reads UNA when present, else guesses the separators from the UNB prefix (ISO 9735).
    /// Returns where the first segment starts.
    std::size_t read_service_string_advice() {
        const std::string_view input = list_.input_;
        ServiceCharacters& service = list_.service_;
        if (input.starts_with("UNA")) {
            list_.has_una_ = true;
            if (input.size() < 9) {
                error("una", 0, "UNA", "byte 0",
                      "service string advice UNA is shorter than 9 "
                      "characters",
                      13);
                return input.size();
            }
            service.component_separator = input[3];
            service.element_separator = input[4];
            service.decimal_mark = input[5];
            service.release_character = input[6] == ' ' ? '\0' : input[6];
            service.repetition_separator = input[7];
            service.segment_terminator = input[8];
            check_service_characters();
            return 9;
        }

        std::size_t unb = 0;
        while (unb < input.size() && is_between_segments(input[unb]))
            ++unb;
        if (input.substr(unb, 3) != "UNB" || unb + 3 >= input.size())
            return unb;
        service.element_separator = input[unb + 3];
        if (service.element_separator == kIs3) {
            service.component_separator = kIs1;
            service.segment_terminator = kIs4;
            service.release_character = '\0';
            return unb;
        }
        const std::size_t after_identifier = unb + 8;
        if (after_identifier < input.size() && input[after_identifier] != service.element_separator)
            service.component_separator = input[after_identifier];
        // The first terminator candidate that occurs wins; a newline is the last resort.
        const std::size_t apostrophe = input.find('\'', unb);
        const std::size_t is4 = input.find(kIs4, unb);
        if (apostrophe == std::string_view::npos && is4 == std::string_view::npos)
            service.segment_terminator = '\n';
        else
            service.segment_terminator = apostrophe < is4 ? '\'' : kIs4;
        return unb;
    }

    void check_service_characters() {
        const ServiceCharacters& service = list_.service_;
        const std::array<char, 4> chars = {service.component_separator, service.element_separator,
                                           service.release_character, service.segment_terminator};
        for (std::size_t idx = 0; idx < chars.size(); ++idx) {
            const auto c = static_cast<unsigned char>(chars[idx]);
            if (idx == 2 && c == 0)
                continue;
            if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80 || c == ' ')
                error("una", 0, "UNA", "byte " + std::to_string(idx + 3),
                      "service character " + describe_byte(c) + " in UNA cannot be a separator",
                      20);
            for (std::size_t other = idx + 1; other < chars.size(); ++other)
                if (chars[idx] == chars[other] && c != 0)
                    error("una", 0, "UNA", "byte " + std::to_string(other + 3),
                          "UNA declares " + describe_byte(c) + " for two service characters", 20);
        }
        if (service.decimal_mark != '.' && service.decimal_mark != ',')
            error("una", 0, "UNA", "byte 5",
                  "UNA decimal mark " +
                      describe_byte(static_cast<unsigned char>(service.decimal_mark)) +
                      " must be '.' or ','",
                  20);
    }

    /// Reads UNB S001 (0001:0002) straight from the bytes: it comes before any text that needs
    /// decoding, and its letters are the same in every repertoire.
    void read_syntax_identifier(std::size_t pos) {
        const std::string_view input = list_.input_;
        while (pos < input.size() && is_between_segments(input[pos]))
            ++pos;
        if (input.substr(pos, 3) != "UNB" || pos + 4 > input.size())
            return;
        const ServiceCharacters& service = list_.service_;
        std::size_t at = pos + 4;
        const auto is_stop = [&](char c) {
            return c == service.component_separator || c == service.element_separator ||
                   c == service.segment_terminator || c == service.release_character;
        };
        while (at < input.size() && !is_stop(input[at]) && list_.syntax_identifier_.size() < 8)
            list_.syntax_identifier_.push_back(input[at++]);
        if (at >= input.size() || input[at] != service.component_separator)
            return;
        // The syntax version is one digit; more digits are kept only up to where the value
        // stops being meaningful, so a hostile run of digits cannot overflow it.
        int version = 0;
        for (++at; at < input.size() && input[at] >= '0' && input[at] <= '9'; ++at)
            version = std::min(version * 10 + (input[at] - '0'), 1000);
        list_.syntax_version_ = version;
    }

    void choose_decoding() {
        const std::string& code = list_.syntax_identifier_;
        auto identifier = find_syntax_identifier(code);
        if (!identifier) {
            // Without UNB the envelope check reports the interchange; no second problem here.
            if (!code.empty())
                add(Severity::warning, "charset", 1, "UNB", "element 1 component 1",
                    "unknown syntax identifier '" + code + "', read as UNOC (ISO 8859-1)", 0);
            identifier = find_syntax_identifier("UNOC");
        }
        repertoire_ = identifier->repertoire;
        switch (repertoire_) {
        case Repertoire::level_a:
        case Repertoire::level_b:
        case Repertoire::latin1: decoding_ = Decoding::ascii_or_latin1; break;
        case Repertoire::iso8859:
            iconv_.emplace(identifier->iconv_name);
            decoding_ = Decoding::iconv;
            if (!iconv_->valid()) {
                add(Severity::warning, "charset", 1, "UNB", "element 1 component 1",
                    "the C library cannot convert " + std::string(identifier->iconv_name) + " (" +
                        code + "), read as ISO 8859-1",
                    0);
                decoding_ = Decoding::ascii_or_latin1;
            }
            break;
        case Repertoire::utf8: decoding_ = Decoding::utf8_checked; break;
        }
        // UTF-8 sent under UNOC is common; valid multibyte sequences are very unlikely to be
        // Latin-1 text by accident, so take them as UTF-8 and say so.
        if (repertoire_ == Repertoire::latin1 && is_multibyte_utf8(list_.input_)) {
            decoding_ = Decoding::utf8_trusted;
            add(Severity::warning, "charset", 1, "UNB", "element 1 component 1",
                "interchange declares " + code +
                    " (ISO 8859-1) but its text is UTF-8; read as "
                    "UTF-8",
                0);
        }
    }

    void build_byte_classes() {
        const ServiceCharacters& service = list_.service_;
        const bool checks_repertoire =
            repertoire_ == Repertoire::level_a || repertoire_ == Repertoire::level_b;
        for (unsigned c = 0; c < 256; ++c) {
            ByteClass byte_class = ByteClass::plain;
            const auto byte = static_cast<unsigned char>(c);
            if (checks_repertoire) {
                const bool allowed = repertoire_ == Repertoire::level_a
                                         ? in_level_a(byte, list_.syntax_version_)
                                         : in_level_b(byte, list_.syntax_version_);
                if (!allowed)
                    byte_class = ByteClass::foreign;
            } else if (c >= 0x80) {
                byte_class = ByteClass::high;
            }
            classes_[c] = byte_class;
        }
        classes_['\r'] = ByteClass::line_break;
        classes_['\n'] = ByteClass::line_break;
        classes_[static_cast<unsigned char>(service.component_separator)] = ByteClass::component;
        classes_[static_cast<unsigned char>(service.element_separator)] = ByteClass::element;
        if (service.release_character != '\0')
            classes_[static_cast<unsigned char>(service.release_character)] = ByteClass::release;
        classes_[static_cast<unsigned char>(service.segment_terminator)] = ByteClass::terminator;

        released_.fill(false);
        for (const char c :
             {service.component_separator, service.element_separator, service.release_character,
              service.segment_terminator, service.repetition_separator})
            released_[static_cast<unsigned char>(c)] = c != '\0' && c != ' ';
    }

    void split(std::size_t pos) {
        const std::string_view input = list_.input_;
        const std::size_t size = input.size();
        list_.segments_.reserve(size / 24 + 4);
        list_.elements_.reserve(size / 6 + 8);
        list_.components_.reserve(size / 5 + 8);

        while (true) {
            while (pos < size && is_between_segments(input[pos]) &&
                   classes_[static_cast<unsigned char>(input[pos])] != ByteClass::terminator)
                ++pos;
            if (pos >= size)
                return;
            pos = split_segment(pos);
        }
    }

    /// Splits the segment starting at `pos`; returns where the next one may start.
    std::size_t split_segment(std::size_t pos) {
        const std::string_view input = list_.input_;
        const std::size_t size = input.size();
        SegmentList::Segment segment;
        segment.first_element = static_cast<std::uint32_t>(list_.elements_.size());
        segment.byte_offset = static_cast<std::uint32_t>(pos);
        list_.segments_.push_back(segment);
        segment_number_ = static_cast<unsigned>(list_.segments_.size());
        in_tag_ = true;
        element_ = 0;
        component_ = 0;
        bool reported_character = false;
        bool reported_line_break = false;

        std::size_t start = pos;
        unsigned flags = 0;
        for (; pos < size; ++pos) {
            // Most bytes are plain text; skip them in a tight loop before dispatching.
            while (classes_[static_cast<unsigned char>(input[pos])] == ByteClass::plain &&
                   ++pos < size) {
            }
            if (pos >= size)
                break;
            const auto byte = static_cast<unsigned char>(input[pos]);
            switch (classes_[byte]) {
            case ByteClass::plain: break;
            case ByteClass::high: flags |= kHigh; break;
            case ByteClass::foreign:
                if (byte >= 0x80)
                    flags |= kHigh;
                if (!reported_character)
                    report_foreign(byte, pos);
                reported_character = true;
                break;
            case ByteClass::line_break:
                flags |= kLineBreak;
                if (!reported_line_break)
                    add(Severity::warning, "line-break", segment_number_, current_tag(),
                        position_text(element_, component_, pos),
                        "raw line break inside the segment was ignored", 0);
                reported_line_break = true;
                break;
            case ByteClass::release:
                if (pos + 1 < size && released_[static_cast<unsigned char>(input[pos + 1])]) {
                    flags |= kReleased;
                    ++pos;
                    break;
                }
                error("release-character", segment_number_, current_tag(),
                      position_text(element_, component_, pos),
                      pos + 1 < size
                          ? "release character is followed by " +
                                describe_byte(static_cast<unsigned char>(input[pos + 1])) +
                                ", which is not a service character"
                          : "release character at the end of the interchange",
                      22);
                break;
            case ByteClass::component:
                if (in_tag_)
                    break;
                close_component(start, pos, flags);
                start = pos + 1;
                flags = 0;
                break;
            case ByteClass::element:
                close_component(start, pos, flags);
                start = pos + 1;
                flags = 0;
                open_element();
                break;
            case ByteClass::terminator: close_component(start, pos, flags); return pos + 1;
            }
        }
        close_component(start, pos, flags);
        error("unterminated", segment_number_, current_tag(), "byte " + std::to_string(pos),
              "segment " + std::string(current_tag()) + " ends without a segment terminator", 13);
        return pos;
    }

    std::string current_tag() const {
        if (in_tag_)
            return "";
        return std::string(list_.text(list_.segments_.back().tag));
    }

    void report_foreign(unsigned char byte, std::size_t pos) {
        ++character_errors_;
        if (character_errors_ > kMaxCharacterErrors) {
            if (character_errors_ == kMaxCharacterErrors + 1)
                error("charset", segment_number_, current_tag(), "",
                      "more segments have characters outside " + list_.syntax_identifier_ +
                          "; only the first " + std::to_string(kMaxCharacterErrors) + " are listed",
                      21);
            return;
        }
        error("charset", segment_number_, current_tag(), position_text(element_, component_, pos),
              describe_byte(byte) + " is outside the " + list_.syntax_identifier_ + " repertoire",
              21);
    }

    void open_element() {
        list_.elements_.push_back(static_cast<std::uint32_t>(list_.components_.size()));
        ++element_;
        component_ = 0;
    }

    void close_component(std::size_t start, std::size_t end, unsigned flags) {
        SegmentList::Span span;
        if (flags == 0) {
            span.offset = static_cast<std::uint32_t>(start);
            span.length = static_cast<std::uint32_t>(end - start);
        } else {
            span = decode(list_.input_.substr(start, end - start), flags, start);
        }
        if (in_tag_) {
            in_tag_ = false;
            list_.segments_.back().tag = span;
            const std::string_view tag = list_.text(span);
            if (!is_tag(tag)) {
                const std::string shown(tag.substr(0, 40));
                error("invalid-tag", segment_number_, shown,
                      "byte " + std::to_string(list_.segments_.back().byte_offset),
                      std::string("'").append(shown).append("' is not a segment tag"), 12);
            }
            return;
        }
        list_.components_.push_back(span);
        ++component_;
    }

    /// The slow path: un-escapes, drops raw line breaks, converts to UTF-8 into the arena.
    SegmentList::Span decode(std::string_view raw, unsigned flags, std::size_t raw_offset) {
        std::string_view text = raw;
        if (flags & (kReleased | kLineBreak)) {
            scratch_.clear();
            const char release = list_.service_.release_character;
            for (std::size_t idx = 0; idx < raw.size(); ++idx) {
                const char c = raw[idx];
                if (release != '\0' && c == release && idx + 1 < raw.size() &&
                    released_[static_cast<unsigned char>(raw[idx + 1])]) {
                    scratch_.push_back(raw[++idx]);
                    continue;
                }
                if (c == '\r' || c == '\n')
                    continue;
                scratch_.push_back(c);
            }
            text = scratch_;
        }

        const std::size_t offset = list_.arena_.size();
        if (!(flags & kHigh)) {
            list_.arena_.append(text);
        } else {
            switch (decoding_) {
            case Decoding::ascii_or_latin1: append_latin1_as_utf8(list_.arena_, text); break;
            case Decoding::iconv:
                if (const auto undefined = iconv_->append(list_.arena_, text))
                    add(Severity::warning, "charset", segment_number_, current_tag(),
                        position_text(element_, component_, raw_offset),
                        describe_byte(static_cast<unsigned char>(text[*undefined])) +
                            " is not a character of " + list_.syntax_identifier_ +
                            "; replaced by U+FFFD",
                        0);
                break;
            case Decoding::utf8_trusted: list_.arena_.append(text); break;
            case Decoding::utf8_checked: append_checked_utf8(text, raw_offset); break;
            }
        }
        return SegmentList::Span{static_cast<std::uint32_t>(offset) | SegmentList::kArenaBit,
                                 static_cast<std::uint32_t>(list_.arena_.size() - offset)};
    }

    void append_checked_utf8(std::string_view text, std::size_t raw_offset) {
        bool reported = false;
        while (!text.empty()) {
            const std::size_t valid = valid_utf8_prefix(text);
            list_.arena_.append(text.substr(0, valid));
            if (valid == text.size())
                return;
            if (!reported)
                error("charset", segment_number_, current_tag(),
                      position_text(element_, component_, raw_offset),
                      describe_byte(static_cast<unsigned char>(text[valid])) +
                          " starts an invalid UTF-8 sequence in " + list_.syntax_identifier_ +
                          " text",
                      21);
            reported = true;
            list_.arena_ += "\xEF\xBF\xBD";
            text.remove_prefix(valid + 1);
        }
    }

    Problems& problems_;
    SegmentList list_;
    Repertoire repertoire_ = Repertoire::latin1;
    Decoding decoding_ = Decoding::ascii_or_latin1;
    std::optional<Iconv> iconv_;
    std::array<ByteClass, 256> classes_{};
    std::array<bool, 256> released_{};
    std::string scratch_;
    unsigned segment_number_ = 0;
    bool in_tag_ = true;
    std::size_t element_ = 0;   ///< 1-based element being read; 0 while in the tag
    std::size_t component_ = 0; ///< 0-based component within it
    unsigned character_errors_ = 0;
};

SegmentList tokenize(std::string_view bytes, Problems& problems) {
    return Tokenizer(bytes, problems).run();
}

bool is_tag(std::string_view tag) {
    if (tag.size() != 3)
        return false;
    for (const char c : tag)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    return true;
}

} // namespace portscreen::edifact
