// The JSON manifest reader and ingest's validation of what it reads. Property: a manifest that
// parses is written, the text written parses again, and writing that gives the same text.

#include "manifest_json/manifest_json.hpp"
#include "fuzz_support.hpp"
#include "ingest/decode.hpp"
#include "reference/reference.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace {

using namespace portscreen;

std::unique_ptr<core::ReferenceData> reference_data;

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    reference_data = std::make_unique<core::ReferenceData>(reference::load_reference_data(
        reference::default_iso3166_path(), reference::default_hs_nomenclature_path()));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);
    const auto manifest = manifest_json::parse(text);
    if (manifest) {
        const std::string written = manifest_json::write(*manifest);
        const auto again = manifest_json::parse(written);
        if (!again) {
            for (const auto& problem : again.problems())
                std::fprintf(stderr, "%s: %s\n", problem.where().c_str(), problem.message.c_str());
        }
        fuzz::require(again.ok(), "a written manifest parses");
        const std::string rewritten = manifest_json::write(*again);
        if (rewritten != written)
            fuzz::print_difference(written, rewritten);
        fuzz::require(rewritten == written, "a manifest read back writes the same text");
    } else {
        fuzz::require(!manifest.problems().empty(), "a refusal names its problems");
    }
    const auto decoded = ingest::decode(ingest::ContentType::json, text, *reference_data);
    fuzz::require(decoded.ok() || !decoded.problems().empty(), "a refusal names its problems");
    fuzz::require(!decoded.ok() || manifest.ok(), "ingest accepts only what the reader accepts");
    return 0;
}
