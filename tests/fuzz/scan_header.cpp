// The header frame of the scan protocol as the scan endpoint parses it. Property: a header that
// parses is written as JSON, which parses again and writes the same text.

#include "scans/scan_header.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>

using namespace portscreen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto header = scans::parse_scan_header(fuzz::as_text(data, size));
    if (!header) {
        fuzz::require(!header.problems().empty(), "a refusal names its problems");
        return 0;
    }
    const std::string written = scans::to_json(*header);
    const auto again = scans::parse_scan_header(written);
    fuzz::require(again.ok(), "a written header parses");
    const std::string rewritten = scans::to_json(*again);
    if (rewritten != written)
        fuzz::print_difference(written, rewritten);
    fuzz::require(rewritten == written, "a header read back writes the same text");
    fuzz::require(again->images.size() == header->images.size(), "the same image descriptions");
    return 0;
}
