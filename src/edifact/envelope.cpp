#include "edifact/envelope.hpp"

#include "edifact/diagnostics.hpp"

#include <optional>

namespace portscreen::edifact {

namespace {

using detail::element_position;
using detail::parse_count;
using detail::report_error;

/// Walks the segments once, keeping the open group and message.
class EnvelopeChecker {
public:
    EnvelopeChecker(const SegmentList& segments, Problems& problems)
        : segments_(segments), problems_(problems) {}

    Envelope run() {
        if (segments_.empty()) {
            Problem problem;
            problem.code = "envelope";
            problem.message = "interchange has no segments";
            problem.contrl = 13;
            problems_.push_back(std::move(problem));
            return std::move(envelope_);
        }
        const SegmentView first = segments_[0];
        if (first.tag() == "UNB")
            read_header(first);
        else
            report_error(problems_, "envelope", first, "",
                         "interchange starts with " + std::string(first.tag()) + ", not UNB", 13);

        for (std::size_t idx = first.tag() == "UNB" ? 1 : 0; idx < segments_.size(); ++idx) {
            const SegmentView segment = segments_[idx];
            const std::string_view tag = segment.tag();
            if (envelope_.complete) {
                report_error(problems_, "envelope", segment, "",
                             std::string(tag) + " follows the interchange trailer UNZ", 33);
                break;
            }
            if (tag == "UNH")
                open_message(segment);
            else if (tag == "UNT")
                close_message(segment);
            else if (tag == "UNG")
                open_group(segment);
            else if (tag == "UNE")
                close_group(segment);
            else if (tag == "UNZ")
                close_interchange(segment);
            else if (!message_)
                report_error(problems_, "envelope", segment, "",
                             std::string(tag) + " is outside any message (UNH to UNT)", 33);
        }

        if (!envelope_.complete) {
            const SegmentView last = segments_[segments_.size() - 1];
            end_open_message(last);
            end_open_group(last);
            Problem problem;
            problem.code = "incomplete-interchange";
            problem.segment = static_cast<unsigned>(segments_.size() + 1);
            problem.segment_tag = "UNZ";
            problem.position = "byte " + std::to_string(last.byte_offset());
            problem.message = "incomplete interchange: no UNZ trailer after segment " +
                              std::to_string(last.number()) + " (" + std::string(last.tag()) + ")";
            problem.contrl = 13;
            problems_.push_back(std::move(problem));
        }
        return std::move(envelope_);
    }

private:
    struct OpenGroup {
        std::size_t header = 0;
        std::string reference;
        std::int64_t messages = 0;
    };

    void read_header(const SegmentView& unb) {
        envelope_.syntax_identifier = std::string(unb.component(0, 0));
        envelope_.sender = std::string(unb.component(1, 0));
        envelope_.recipient = std::string(unb.component(2, 0));
        envelope_.prepared = std::string(unb.component(3, 0));
        if (!unb.component(3, 1).empty())
            envelope_.prepared.append(":").append(unb.component(3, 1));
        envelope_.control_reference = std::string(unb.element(4));
        envelope_.test = unb.element(10) == "1";
        if (envelope_.syntax_identifier.empty())
            report_error(problems_, "missing", unb, element_position(0),
                         "UNB has no syntax identifier", 13);
        if (envelope_.control_reference.empty())
            report_error(problems_, "missing", unb, element_position(4),
                         "UNB has no interchange control reference", 13);
    }

    /// Compares a declared control count with the one found.
    void check_count(const SegmentView& trailer, std::string_view what, std::int64_t actual) {
        const std::string_view text = trailer.element(0);
        const auto declared = parse_count(text);
        if (!declared) {
            report_error(problems_, "control-count", trailer, element_position(0),
                         std::string(trailer.tag()) + " control count '" + std::string(text) +
                             "' is not a number",
                         text.empty() ? 13 : 12);
            return;
        }
        if (*declared != actual)
            report_error(problems_, "control-count", trailer, element_position(0),
                         std::string(what) + ": " + std::string(trailer.tag()) + " declares " +
                             std::to_string(*declared) + " but there are " + std::to_string(actual),
                         29);
    }

    void check_reference(const SegmentView& trailer, std::size_t element, std::string_view what,
                         std::string_view expected, std::string_view header_tag) {
        const std::string_view found = trailer.element(element);
        if (found != expected)
            report_error(problems_, "control-reference", trailer, element_position(element),
                         std::string(what) + ": " + std::string(trailer.tag()) + " reference '" +
                             std::string(found) + "' does not match " + std::string(header_tag) +
                             " reference '" + std::string(expected) + "'",
                         28);
    }

    void open_message(const SegmentView& unh) {
        end_open_message(unh);
        if (envelope_.group_count > 0 && !group_)
            report_error(problems_, "envelope", unh, "",
                         "message outside a functional group in an interchange that uses "
                         "groups",
                         30);
        MessageSpan span;
        span.header = unh.index();
        span.trailer = unh.index();
        span.reference = std::string(unh.element(0));
        span.type = std::string(unh.component(1, 0));
        span.version = std::string(unh.component(1, 1));
        span.release = std::string(unh.component(1, 2));
        span.agency = std::string(unh.component(1, 3));
        span.association = std::string(unh.component(1, 4));
        span.common_access_reference = std::string(unh.element(2));
        span.transfer_sequence = std::string(unh.component(3, 0));
        span.transfer_position = std::string(unh.component(3, 1));
        if (span.reference.empty())
            report_error(problems_, "missing", unh, element_position(0),
                         "UNH has no message reference", 13);
        if (span.type.empty())
            report_error(problems_, "missing", unh, element_position(1), "UNH has no message type",
                         13);
        message_ = std::move(span);
        if (group_)
            ++group_->messages;
        else
            ++ungrouped_messages_;
    }

    void close_message(const SegmentView& unt) {
        if (!message_) {
            report_error(problems_, "envelope", unt, "", "UNT without a preceding UNH", 33);
            return;
        }
        const std::string name = "message " + message_->reference;
        check_count(unt, name, static_cast<std::int64_t>(unt.index() - message_->header + 1));
        check_reference(unt, 1, name, message_->reference, "UNH");
        message_->trailer = unt.index();
        message_->has_trailer = true;
        envelope_.messages.push_back(std::move(*message_));
        message_.reset();
    }

    /// A message still open when something else starts has lost its UNT.
    void end_open_message(const SegmentView& at) {
        if (!message_)
            return;
        report_error(problems_, "envelope", at, "",
                     "message " + message_->reference + " (UNH segment " +
                         std::to_string(message_->header + 1) + ") has no UNT trailer before " +
                         std::string(at.tag()),
                     13);
        message_->trailer =
            at.tag() == "UNH" || at.tag() == "UNZ" || at.tag() == "UNE" || at.tag() == "UNG"
                ? at.index() - 1
                : at.index();
        envelope_.messages.push_back(std::move(*message_));
        message_.reset();
    }

    void open_group(const SegmentView& ung) {
        end_open_message(ung);
        end_open_group(ung);
        if (ungrouped_messages_ > 0)
            report_error(problems_, "envelope", ung, "",
                         "functional group after messages outside any group", 30);
        group_ = OpenGroup{ung.index(), std::string(ung.element(4)), 0};
        ++envelope_.group_count;
    }

    void close_group(const SegmentView& une) {
        end_open_message(une);
        if (!group_) {
            report_error(problems_, "envelope", une, "", "UNE without a preceding UNG", 33);
            return;
        }
        const std::string name = "group " + group_->reference;
        check_count(une, name, group_->messages);
        check_reference(une, 1, name, group_->reference, "UNG");
        group_.reset();
    }

    void end_open_group(const SegmentView& at) {
        if (!group_)
            return;
        report_error(problems_, "envelope", at, "",
                     "group " + group_->reference + " (UNG segment " +
                         std::to_string(group_->header + 1) + ") has no UNE trailer before " +
                         std::string(at.tag()),
                     13);
        group_.reset();
    }

    void close_interchange(const SegmentView& unz) {
        end_open_message(unz);
        end_open_group(unz);
        envelope_.complete = true;
        if (envelope_.group_count > 0)
            check_count(unz, "interchange groups",
                        static_cast<std::int64_t>(envelope_.group_count));
        else
            check_count(unz, "interchange messages", ungrouped_messages_);
        check_reference(unz, 1, "interchange " + envelope_.control_reference,
                        envelope_.control_reference, "UNB");
    }

    const SegmentList& segments_;
    Problems& problems_;
    Envelope envelope_;
    std::optional<MessageSpan> message_;
    std::optional<OpenGroup> group_;
    std::int64_t ungrouped_messages_ = 0;
};

} // namespace

Envelope check_envelope(const SegmentList& segments, Problems& problems) {
    return EnvelopeChecker(segments, problems).run();
}

} // namespace portscreen::edifact
