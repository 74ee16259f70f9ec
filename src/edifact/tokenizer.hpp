#pragma once

#include "common/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace portscreen::edifact {

/// The service characters of an interchange: from UNA when present, else detected from the UNB
/// prefix (ISO 9735).
struct ServiceCharacters {
    char component_separator = ':';
    char element_separator = '+';
    char decimal_mark = '.';
    char release_character = '?';    ///< '\0' when the interchange has none
    char repetition_separator = ' '; ///< ' ' (reserved) before syntax version 4
    char segment_terminator = '\'';
};

class SegmentList;

/// One segment of a tokenized interchange. A cheap view: it refers to its SegmentList, which
/// must outlive it. Element and component indices are 0-based and count after the tag, so
/// `component(1, 0)` of `EQD+CN+CSQU3054383` is "CSQU3054383"; absent ones read as empty.
class SegmentView {
public:
    SegmentView(const SegmentList& list, std::size_t index) : list_(&list), index_(index) {}

    std::string_view tag() const;
    /// 1-based position in the interchange: UNB is 1; UNA is not a segment.
    unsigned number() const { return static_cast<unsigned>(index_ + 1); }
    std::size_t index() const { return index_; }
    /// Offset of the segment's first byte in the input (after any byte-order mark).
    std::size_t byte_offset() const;

    std::size_t element_count() const;
    std::size_t component_count(std::size_t element) const;
    /// Un-escaped, UTF-8 text of one component; empty when absent.
    std::string_view component(std::size_t element, std::size_t component) const;
    /// First component of an element: the whole value of a simple data element.
    std::string_view element(std::size_t element) const { return component(element, 0); }

private:
    const SegmentList* list_;
    std::size_t index_;
};

/// The segments of one interchange in flat arrays. Components are views into the input bytes,
/// except those that needed un-escaping or charset conversion, which live in an arena the list
/// owns. The input passed to tokenize() must outlive the list. Immutable once built, so it may
/// be read from several threads.
class SegmentList {
public:
    std::size_t size() const { return segments_.size(); }
    bool empty() const { return segments_.empty(); }
    SegmentView operator[](std::size_t index) const { return SegmentView(*this, index); }

    const ServiceCharacters& service() const { return service_; }
    bool has_una() const { return has_una_; }
    /// UNB S001 0001 as written, e.g. "UNOC"; empty when there is no UNB.
    const std::string& syntax_identifier() const { return syntax_identifier_; }
    /// UNB S001 0002, or 0 when absent or not a number.
    int syntax_version() const { return syntax_version_; }

private:
    friend class SegmentView;
    friend class Tokenizer;

    /// Where a piece of text is: in the input, or in the arena when the top bit of `offset` is
    /// set. Offsets rather than pointers keep the list valid when it is moved.
    struct Span {
        std::uint32_t offset = 0;
        std::uint32_t length = 0;
    };
    struct Segment {
        Span tag;
        std::uint32_t first_element = 0;
        std::uint32_t byte_offset = 0;
    };
    static constexpr std::uint32_t kArenaBit = 0x8000'0000u;

    std::string_view text(Span span) const {
        if (span.offset & kArenaBit)
            return std::string_view(arena_).substr(span.offset & ~kArenaBit, span.length);
        return input_.substr(span.offset, span.length);
    }

    std::string_view input_;
    std::string arena_;
    std::vector<Span> components_;
    std::vector<std::uint32_t> elements_; ///< index of each element's first component
    std::vector<Segment> segments_;
    ServiceCharacters service_;
    bool has_una_ = false;
    std::string syntax_identifier_;
    int syntax_version_ = 0;
};

/// True for a well-formed segment tag: three upper-case letters or digits.
bool is_tag(std::string_view tag);

/// Splits an interchange into segments, elements and components, and decodes its text to UTF-8
/// according to UNB S001. Tolerates a UTF-8 byte-order mark, CR/LF and blanks between segments,
/// and raw line breaks inside a segment (dropped, with a warning). Appends every problem found:
/// bad release sequences (CONTRL 22), characters outside the declared repertoire (21), invalid
/// encodings, unterminated segments and malformed tags. Never stops early.
SegmentList tokenize(std::string_view bytes, Problems& problems);

/// The list would point into a temporary that dies at the end of the statement.
SegmentList tokenize(std::string&& bytes, Problems& problems) = delete;

/// For literals, which would otherwise match both overloads above.
inline SegmentList tokenize(const char* bytes, Problems& problems) {
    return tokenize(std::string_view(bytes), problems);
}

inline std::string_view SegmentView::tag() const {
    return list_->text(list_->segments_[index_].tag);
}

inline std::size_t SegmentView::byte_offset() const {
    return list_->segments_[index_].byte_offset;
}

inline std::size_t SegmentView::element_count() const {
    const auto& segments = list_->segments_;
    const std::size_t end =
        index_ + 1 < segments.size() ? segments[index_ + 1].first_element : list_->elements_.size();
    return end - segments[index_].first_element;
}

inline std::size_t SegmentView::component_count(std::size_t element) const {
    if (element >= element_count())
        return 0;
    const std::size_t at = list_->segments_[index_].first_element + element;
    const std::size_t end =
        at + 1 < list_->elements_.size() ? list_->elements_[at + 1] : list_->components_.size();
    return end - list_->elements_[at];
}

inline std::string_view SegmentView::component(std::size_t element, std::size_t component) const {
    if (component >= component_count(element))
        return {};
    const std::size_t at = list_->segments_[index_].first_element + element;
    return list_->text(list_->components_[list_->elements_[at] + component]);
}

} // namespace portscreen::edifact
