#include "ingest/decode.hpp"

#include "edifact/cuscar.hpp"
#include "manifest_json/manifest_json.hpp"

#include <algorithm>
#include <cctype>

namespace portscreen::ingest {
namespace {

std::string lower_trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    const auto last = text.find_last_not_of(" \t");
    if (first == std::string_view::npos)
        return {};
    std::string out(text.substr(first, last - first + 1));
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

/// Runs the validator over each manifest; paths of later messages in an interchange get a
/// "/messages/N" prefix so that the location stays unambiguous.
Problems validate_all(const std::vector<core::Manifest>& manifests,
                      const core::ReferenceData& reference) {
    Problems all;
    for (std::size_t idx = 0; idx < manifests.size(); ++idx) {
        Problems found = core::validate(manifests[idx], reference);
        for (auto& problem : found) {
            if (manifests.size() > 1)
                problem.path = "/messages/" + std::to_string(idx) + problem.path;
            all.push_back(std::move(problem));
        }
    }
    return all;
}

} // namespace

std::optional<ContentType> parse_content_type(std::string_view text) {
    const std::string type = lower_trimmed(text.substr(0, text.find(';')));
    if (type == "application/json")
        return ContentType::json;
    if (type == "application/edifact")
        return ContentType::edifact;
    return std::nullopt;
}

const char* to_string(ContentType type) {
    return type == ContentType::json ? "application/json" : "application/edifact";
}

std::optional<ContentType> detect_content_type(std::string_view bytes) {
    if (bytes.starts_with("\xEF\xBB\xBF"))
        bytes.remove_prefix(3);
    const auto first = bytes.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        return std::nullopt;
    bytes.remove_prefix(first);
    if (bytes.starts_with("{"))
        return ContentType::json;
    if (bytes.starts_with("UNA") || bytes.starts_with("UNB"))
        return ContentType::edifact;
    return std::nullopt;
}

Result<Decoded> decode(ContentType type, std::string_view payload,
                       const core::ReferenceData& reference) {
    Decoded decoded;
    if (type == ContentType::json) {
        auto parsed = manifest_json::parse(payload);
        if (!parsed)
            return std::move(parsed.problems());
        decoded.manifests.push_back(std::move(*parsed));
    } else {
        auto parsed = edifact::read_cuscar(payload);
        if (!parsed)
            return std::move(parsed.problems());
        decoded.interchange_key = parsed->sender + "/" + parsed->control_reference;
        decoded.manifests = std::move(parsed->manifests);
        decoded.warnings = std::move(parsed->warnings);
    }
    Problems found = validate_all(decoded.manifests, reference);
    if (type == ContentType::edifact && !found.empty())
        edifact::name_segments(payload, found);
    if (has_errors(found)) {
        found.insert(found.end(), decoded.warnings.begin(), decoded.warnings.end());
        return found;
    }
    decoded.warnings.insert(decoded.warnings.end(), found.begin(), found.end());
    return decoded;
}

} // namespace portscreen::ingest
