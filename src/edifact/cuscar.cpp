#include "edifact/cuscar.hpp"

#include "edifact/diagnostics.hpp"
#include "edifact/envelope.hpp"
#include "edifact/mapper.hpp"
#include "edifact/structure.hpp"
#include "edifact/tokenizer.hpp"

#include <iterator>
#include <optional>

namespace portscreen::edifact {

namespace {

std::optional<Directory> find_directory(std::string_view version, std::string_view release) {
    if (version != "D")
        return std::nullopt;
    if (release == "95B")
        return Directory::d95b;
    if (release == "96B")
        return Directory::d96b;
    if (release == "03B")
        return Directory::d03b;
    if (release == "11A")
        return Directory::d11a;
    if (release == "16A")
        return Directory::d16a;
    if (release == "21B")
        return Directory::d21b;
    return std::nullopt;
}

CuscarFamily family_of(Directory directory) {
    switch (directory) {
    case Directory::d95b: return CuscarFamily::d95b;
    case Directory::d96b: return CuscarFamily::d96b;
    default: return CuscarFamily::d03b;
    }
}

/// True when the message's BGM says 1225 = 1 (cancellation); read before the structure check,
/// which relaxes the goods-item group for it.
bool is_cancellation(const SegmentList& segments, const MessageSpan& message) {
    for (std::size_t idx = message.header; idx <= message.trailer; ++idx)
        if (segments[idx].tag() == "BGM")
            return segments[idx].element(2) == "1";
    return false;
}

/// True when `message` is the next part of the split message read just before it: same
/// common access reference (0068) and directory, S010 sequence one higher, not a new first part.
bool continues_chain(const MessageSpan* previous, const MessageSpan& message, Directory directory,
                     const CuscarInterchange& interchange) {
    if (previous == nullptr || interchange.manifests.empty() ||
        interchange.directories.back() != directory)
        return false;
    if (message.transfer_sequence.empty() || message.transfer_position == "C" ||
        previous->transfer_position == "F" || message.common_access_reference.empty() ||
        message.common_access_reference != previous->common_access_reference)
        return false;
    const auto sequence = detail::parse_count(message.transfer_sequence);
    const auto before = detail::parse_count(previous->transfer_sequence);
    return sequence && before && *sequence == *before + 1;
}

/// Appends a later part of a split message; the header comes from the first part.
void merge_part(core::Manifest& into, core::Manifest&& part) {
    into.containers.insert(into.containers.end(), std::make_move_iterator(part.containers.begin()),
                           std::make_move_iterator(part.containers.end()));
    into.consignments.insert(into.consignments.end(),
                             std::make_move_iterator(part.consignments.begin()),
                             std::make_move_iterator(part.consignments.end()));
    if (part.declared_container_count)
        into.declared_container_count =
            into.declared_container_count.value_or(0) + *part.declared_container_count;
}

} // namespace

const char* to_string(Directory directory) {
    switch (directory) {
    case Directory::d95b: return "D95B";
    case Directory::d96b: return "D96B";
    case Directory::d03b: return "D03B";
    case Directory::d11a: return "D11A";
    case Directory::d16a: return "D16A";
    case Directory::d21b: return "D21B";
    }
    return "?";
}

Result<CuscarInterchange> read_cuscar(std::string_view bytes) {
    Problems problems;
    const SegmentList segments = tokenize(bytes, problems);
    const Envelope envelope = check_envelope(segments, problems);

    CuscarInterchange interchange;
    interchange.syntax_identifier = envelope.syntax_identifier;
    interchange.sender = envelope.sender;
    interchange.recipient = envelope.recipient;
    interchange.control_reference = envelope.control_reference;

    const MessageSpan* previous = nullptr;
    for (const MessageSpan& message : envelope.messages) {
        if (!message.has_trailer)
            continue; // the envelope check has said so; its extent is unknown
        const SegmentView unh = segments[message.header];
        if (message.type != "CUSCAR") {
            detail::report_error(
                problems, "unsupported-message", unh, detail::element_position(1, 0),
                "message " + message.reference + " is " + message.type + ", not CUSCAR", 12);
            continue;
        }
        const auto directory = find_directory(message.version, message.release);
        if (!directory) {
            detail::report_error(problems, "unsupported-directory", unh,
                                 detail::element_position(1, 1),
                                 "CUSCAR directory " + message.version + ":" + message.release +
                                     " of message " + message.reference +
                                     " is not supported (D:95B, D:96B, D:03B, D:11A, D:16A, "
                                     "D:21B)",
                                 12);
            continue;
        }
        StructureOptions options;
        options.goods_optional = is_cancellation(segments, message);
        const auto roles = check_structure(segments, message.header, message.trailer,
                                           family_of(*directory), options, problems);
        core::Manifest manifest = map_cuscar(segments, message, roles, problems);
        if (continues_chain(previous, message, *directory, interchange)) {
            merge_part(interchange.manifests.back(), std::move(manifest));
        } else {
            if (!message.transfer_sequence.empty() && message.transfer_sequence != "1")
                detail::report_warning(
                    problems, "message-chain", unh, detail::element_position(3, 0),
                    "message " + message.reference + " is part " + message.transfer_sequence +
                        " of a chain whose previous part is missing");
            interchange.manifests.push_back(std::move(manifest));
            interchange.directories.push_back(*directory);
        }
        previous = &message;
    }

    if (!has_errors(problems) && interchange.manifests.empty()) {
        Problem problem;
        problem.code = "missing";
        problem.message = "interchange carries no CUSCAR message";
        problem.contrl = 13;
        problems.push_back(std::move(problem));
    }
    if (has_errors(problems))
        return problems;
    interchange.warnings = std::move(problems);
    return interchange;
}

void name_segments(std::string_view bytes, Problems& problems) {
    Problems ignored;
    const SegmentList segments = tokenize(bytes, ignored);
    for (auto& problem : problems) {
        if (problem.segment != 0 && problem.segment_tag.empty() &&
            problem.segment <= segments.size())
            problem.segment_tag = std::string(segments[problem.segment - 1].tag());
    }
}

} // namespace portscreen::edifact
