#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

/// Character repertoires of UN/EDIFACT syntax identifiers (UNB S001/0001, ISO 9735) and the
/// conversions between them and UTF-8, which is what the rest of the system sees.
namespace portscreen::edifact {

/// How the bytes of an interchange are to be read.
enum class Repertoire {
    level_a, ///< UNOA: upper case, digits, space and level-A punctuation
    level_b, ///< UNOB: level A plus lower case
    latin1,  ///< UNOC: ISO 8859-1, converted to UTF-8 without iconv
    iso8859, ///< UNOD to UNOK: another ISO 8859 part, converted with iconv
    utf8,    ///< UNOW, UNOY: already UTF-8, only validated
};

/// One supported syntax identifier.
struct SyntaxIdentifier {
    std::string_view code; ///< "UNOC"
    Repertoire repertoire;
    const char* iconv_name; ///< source encoding for iconv; nullptr when not needed
};

/// The syntax identifier with this code, or nothing when it is not one we know.
std::optional<SyntaxIdentifier> find_syntax_identifier(std::string_view code);

/// True when `c` belongs to UNOA (level A). `syntax_version` 4 adds `! " % & * ; < >`.
bool in_level_a(unsigned char c, int syntax_version);

/// True when `c` belongs to UNOB (level B): level A plus lower-case letters.
bool in_level_b(unsigned char c, int syntax_version);

/// Length of the valid UTF-8 prefix of `text`; equal to `text.size()` when all of it is valid.
/// Overlong forms, surrogates and code points above U+10FFFF count as invalid.
std::size_t valid_utf8_prefix(std::string_view text);

/// True when `text` is valid UTF-8 and has at least one multibyte sequence.
bool is_multibyte_utf8(std::string_view text);

/// Appends ISO 8859-1 `text` to `out` as UTF-8.
void append_latin1_as_utf8(std::string& out, std::string_view text);

/// Appends UTF-8 `text` to `out` as ISO 8859-1. Code points above U+00FF, and bytes that are not
/// valid UTF-8, become `replacement`.
void append_utf8_as_latin1(std::string& out, std::string_view text, char replacement);

/// Converts text from one single-byte ISO 8859 part to UTF-8 with glibc iconv. Owns its
/// conversion descriptor; move-only. Not thread-safe: iconv keeps shift state per descriptor.
class Iconv {
public:
    /// Opens a conversion from `from` (an iconv name such as "ISO-8859-2") to UTF-8; check
    /// `valid()` afterwards, because the C library may not know the name.
    explicit Iconv(const char* from);

    bool valid() const { return handle_ != nullptr; }

    /// Appends `text` converted to UTF-8. A byte the source charset does not define becomes
    /// U+FFFD; returns the offset of the first such byte in `text`, or nothing when all were
    /// defined.
    std::optional<std::size_t> append(std::string& out, std::string_view text);

private:
    struct Closer {
        void operator()(void* handle) const noexcept;
    };
    std::unique_ptr<void, Closer> handle_;
};

} // namespace portscreen::edifact
