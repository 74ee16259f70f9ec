// The EDIFACT tokenizer, the CUSCAR reader (envelope, structure check, mapper) and ingest's
// validation of what it maps. Property: a valid CUSCAR message that reads is written again, and
// what was written reads back, and from the second write on writes to the same bytes.

#include "core/validation.hpp"
#include "edifact/cuscar.hpp"
#include "edifact/tokenizer.hpp"
#include "fuzz_support.hpp"
#include "ingest/decode.hpp"
#include "reference/reference.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace {

using namespace portscreen;

std::unique_ptr<core::ReferenceData> reference_data;

/// Reads every component of every segment, so that the views' bounds are all exercised.
std::size_t walk(const edifact::SegmentList& segments, std::size_t input_size) {
    std::size_t bytes = 0;
    for (std::size_t index = 0; index < segments.size(); ++index) {
        const auto segment = segments[index];
        fuzz::require(segment.byte_offset() <= input_size, "segment offset inside the input");
        bytes += segment.tag().size();
        for (std::size_t element = 0; element < segment.element_count(); ++element)
            for (std::size_t component = 0; component < segment.component_count(element);
                 ++component)
                bytes += segment.component(element, component).size();
    }
    return bytes;
}

/// Writes `manifest` and reads it back; the read must succeed with one manifest.
core::Manifest write_and_read(const core::Manifest& manifest, const edifact::WriteOptions& options,
                              std::string& written) {
    written = edifact::write_cuscar(manifest, options);
    auto again = edifact::read_cuscar(written);
    if (!again) {
        for (const auto& problem : again.problems())
            std::fprintf(stderr, "%s: %s\n", problem.where().c_str(), problem.message.c_str());
    }
    fuzz::require(again.ok(), "a written CUSCAR reads back");
    fuzz::require(again->manifests.size() == 1, "a written CUSCAR holds one manifest");
    return std::move(again->manifests.front());
}

// The first write may normalise text: the reader joins the components of a long name with a
// space, so a word longer than a component or a run of spaces at a split comes back spaced
// differently. From the second write on, the bytes must not change.
void check_round_trip(const core::Manifest& manifest, edifact::Directory directory) {
    edifact::WriteOptions options;
    options.directory = directory;
    std::string first;
    std::string second;
    std::string third;
    const auto once = write_and_read(manifest, options, first);
    const auto twice = write_and_read(once, options, second);
    write_and_read(twice, options, third);
    if (third != second)
        fuzz::print_difference(second, third);
    fuzz::require(third == second, "a CUSCAR read back writes the same bytes");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    reference_data = std::make_unique<core::ReferenceData>(reference::load_reference_data(
        reference::default_iso3166_path(), reference::default_hs_nomenclature_path()));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto bytes = fuzz::as_text(data, size);
    Problems problems;
    const auto segments = edifact::tokenize(bytes, problems);
    walk(segments, bytes.size());

    const auto interchange = edifact::read_cuscar(bytes);
    if (interchange) {
        fuzz::require(interchange->manifests.size() == interchange->directories.size(),
                      "one directory per manifest");
        for (std::size_t index = 0; index < interchange->manifests.size(); ++index) {
            // The writer promises to keep valid manifests; invalid text (a control character
            // in an HS code) may be cleaned on the way, and ingest refuses it anyway.
            const auto& manifest = interchange->manifests[index];
            if (!has_errors(core::validate(manifest, *reference_data)))
                check_round_trip(manifest, interchange->directories[index]);
        }
    }
    const auto decoded = ingest::decode(ingest::ContentType::edifact, bytes, *reference_data);
    fuzz::require(decoded.ok() || !decoded.problems().empty(), "a refusal names its problems");
    return 0;
}
