#include "scans/scan_header.hpp"

#include <nlohmann/json.hpp>

#include <regex>

namespace portscreen::scans {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxContainers = 4;
constexpr std::size_t kMaxImages = 8;

class Checker {
public:
    void problem(std::string code, std::string path, std::string message) {
        Problem p;
        p.code = std::move(code);
        p.path = std::move(path);
        p.message = std::move(message);
        problems_.push_back(std::move(p));
    }

    const json* member(const json& object, const char* key, const std::string& path,
                       bool required = true) {
        const auto found = object.find(key);
        if (found == object.end()) {
            if (required)
                problem("missing", path + "/" + key, std::string(key) + " is required");
            return nullptr;
        }
        return &*found;
    }

    std::string text(const json& object, const char* key, const std::string& path,
                     std::size_t max_size = 128) {
        const json* value = member(object, key, path);
        if (!value)
            return {};
        if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
            problem("type", path + "/" + key, std::string(key) + " must be a non-empty string");
            return {};
        }
        const auto& result = value->get_ref<const std::string&>();
        if (result.size() > max_size) {
            problem("too-long", path + "/" + key,
                    std::string(key) + " is longer than " + std::to_string(max_size) +
                        " characters");
            return {};
        }
        return result;
    }

    double positive(const json& object, const char* key, const std::string& path, double max,
                    bool required = true) {
        const json* value = member(object, key, path, required);
        if (!value)
            return 0;
        if (!value->is_number() || value->get<double>() <= 0 || value->get<double>() > max) {
            problem("range", path + "/" + key,
                    std::string(key) + " must be a number above 0 and at most " + format(max));
            return 0;
        }
        return value->get<double>();
    }

    int integer(const json& object, const char* key, const std::string& path, int min, int max) {
        const json* value = member(object, key, path);
        if (!value)
            return 0;
        if (!value->is_number_integer() || value->get<std::int64_t>() < min ||
            value->get<std::int64_t>() > max) {
            problem("range", path + "/" + key,
                    std::string(key) + " must be a whole number from " + std::to_string(min) +
                        " to " + std::to_string(max));
            return 0;
        }
        return static_cast<int>(value->get<std::int64_t>());
    }

    Problems take() { return std::move(problems_); }
    bool ok() const { return problems_.empty(); }

private:
    static std::string format(double value) {
        std::string text = std::to_string(value);
        text.erase(text.find_last_not_of('0') + 1);
        if (text.back() == '.')
            text.pop_back();
        return text;
    }

    Problems problems_;
};

std::optional<Channel> parse_channel(std::string_view name) {
    if (name == "high")
        return Channel::high;
    if (name == "low")
        return Channel::low;
    if (name == "single")
        return Channel::single;
    return std::nullopt;
}

void check_images(Checker& check, const json& document, ScanHeader& header) {
    const json* images = check.member(document, "images", "");
    if (!images)
        return;
    if (!images->is_array() || images->empty() || images->size() > kMaxImages) {
        check.problem("type", "/images",
                      "images must list 1 to " + std::to_string(kMaxImages) +
                          " image frames, one object per frame after the header");
        return;
    }
    for (std::size_t idx = 0; idx < images->size(); ++idx) {
        const json& item = (*images)[idx];
        const std::string path = "/images/" + std::to_string(idx);
        if (!item.is_object()) {
            check.problem("type", path, "each image must be an object");
            continue;
        }
        ImageDescription image;
        const std::string channel = check.text(item, "channel", path);
        if (!channel.empty()) {
            if (const auto parsed = parse_channel(channel))
                image.channel = *parsed;
            else
                check.problem("value", path + "/channel",
                              "channel '" + channel + "' is not high, low or single");
        }
        const std::string format = check.text(item, "format", path);
        if (!format.empty()) {
            if (const auto parsed = scanner_io::parse_format(format))
                image.format = *parsed;
            else
                check.problem("value", path + "/format",
                              "format '" + format + "' is not png, tiff, raw or dicos");
        }
        image.width = check.integer(item, "width", path, 1, 100'000);
        image.height = check.integer(item, "height", path, 1, 100'000);
        header.images.push_back(image);
    }
    const auto count = [&](Channel channel) {
        return std::count_if(header.images.begin(), header.images.end(),
                             [&](const ImageDescription& i) { return i.channel == channel; });
    };
    const bool single = count(Channel::single) == 1 && header.images.size() == 1;
    const bool dual =
        count(Channel::high) == 1 && count(Channel::low) == 1 && header.images.size() == 2;
    if (header.images.size() == images->size() && !single && !dual)
        check.problem("value", "/images",
                      "images must be one 'single' image or one 'high' and one 'low' image");
    if (dual && header.images[0].width != header.images[1].width)
        check.problem("value", "/images/1/width", "high and low images differ in size");
    if (dual && header.images[0].height != header.images[1].height)
        check.problem("value", "/images/1/height", "high and low images differ in size");
}

} // namespace

std::string_view channel_name(Channel channel) {
    switch (channel) {
    case Channel::high: return "high";
    case Channel::low: return "low";
    case Channel::single: return "single";
    }
    return "single";
}

Result<ScanHeader> parse_scan_header(std::string_view text) {
    json document;
    try {
        document = json::parse(text);
    } catch (const json::exception& e) { // a syntax error, or a number too large (1e999)
        Problem problem;
        problem.code = "json";
        problem.message = std::string("header is not valid JSON: ") + e.what();
        return Problems{problem};
    }
    if (!document.is_object()) {
        Problem problem;
        problem.code = "json";
        problem.message = "header must be a JSON object";
        return Problems{problem};
    }
    Checker check;
    ScanHeader header;
    static const std::regex kScanId("[A-Za-z0-9._:-]{1,128}");
    header.scan_id = check.text(document, "scan_id", "");
    if (!header.scan_id.empty() && !std::regex_match(header.scan_id, kScanId))
        check.problem("value", "/scan_id",
                      "scan_id may hold only letters, digits and . _ : - (at most 128)");
    header.scanner_id = check.text(document, "scanner_id", "");
    header.view = check.text(document, "view", "", 32);

    header.scanned_at = check.text(document, "scanned_at", "", 32);
    static const std::regex kTime(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
    if (!header.scanned_at.empty() && !std::regex_match(header.scanned_at, kTime))
        check.problem("value", "/scanned_at",
                      "scanned_at '" + header.scanned_at + "' is not YYYY-MM-DDTHH:MM:SSZ (UTC)");

    if (const json* containers = check.member(document, "containers", "")) {
        if (!containers->is_array() || containers->empty() || containers->size() > kMaxContainers) {
            check.problem("type", "/containers",
                          "containers must list the 1 to " + std::to_string(kMaxContainers) +
                              " container numbers read at the gate");
        } else {
            for (std::size_t idx = 0; idx < containers->size(); ++idx) {
                const json& number = (*containers)[idx];
                if (!number.is_string() || number.get_ref<const std::string&>().empty() ||
                    number.get_ref<const std::string&>().size() > 32)
                    check.problem("type", "/containers/" + std::to_string(idx),
                                  "a container number must be a string of 1 to 32 characters");
                else
                    header.containers.push_back(number.get<std::string>());
            }
        }
    }

    if (const json* energies = check.member(document, "energies_mev", "")) {
        if (!energies->is_object()) {
            check.problem("type", "/energies_mev", "energies_mev must be an object");
        } else {
            header.energy_high_mev = check.positive(*energies, "high", "/energies_mev", 20);
            if (energies->contains("low"))
                header.energy_low_mev = check.positive(*energies, "low", "/energies_mev", 20);
        }
    }
    header.air_value = check.integer(document, "air_value", "", 1, 65535);
    if (const json* spacing = check.member(document, "pixel_spacing_mm", "")) {
        if (!spacing->is_object()) {
            check.problem("type", "/pixel_spacing_mm", "pixel_spacing_mm must be an object");
        } else {
            header.along_mm = check.positive(*spacing, "along_scan", "/pixel_spacing_mm", 100);
            header.detector_mm = check.positive(*spacing, "detector", "/pixel_spacing_mm", 100);
        }
    }
    if (const json* orientation = check.member(document, "orientation", "", false)) {
        // Not json::value(), which throws on a member of another type: empty is reported below.
        const auto text_or = [&](const char* key, const char* fallback) -> std::string {
            if (!orientation->is_object())
                return "";
            const auto found = orientation->find(key);
            if (found == orientation->end())
                return fallback;
            return found->is_string() ? found->get<std::string>() : "";
        };
        const std::string travel = text_or("travel", "left_to_right");
        const std::string detector = text_or("detector", "top_down");
        if (travel != "left_to_right" && travel != "right_to_left")
            check.problem("value", "/orientation/travel",
                          "orientation.travel must be left_to_right or right_to_left");
        if (detector != "top_down" && detector != "bottom_up")
            check.problem("value", "/orientation/detector",
                          "orientation.detector must be top_down or bottom_up");
        header.travel_left_to_right = travel != "right_to_left";
        header.detector_top_down = detector != "bottom_up";
    }
    check_images(check, document, header);
    if (!header.images.empty() && header.images.size() == 2 && !header.energy_low_mev)
        check.problem("missing", "/energies_mev/low", "a dual-energy scan needs energies_mev.low");
    if (!check.ok())
        return check.take();
    return header;
}

std::string to_json(const ScanHeader& header) {
    json document = {
        {"scan_id", header.scan_id},
        {"scanner_id", header.scanner_id},
        {"containers", header.containers},
        {"scanned_at", header.scanned_at},
        {"view", header.view},
        {"air_value", header.air_value},
        {"pixel_spacing_mm", {{"along_scan", header.along_mm}, {"detector", header.detector_mm}}},
        {"orientation",
         {{"travel", header.travel_left_to_right ? "left_to_right" : "right_to_left"},
          {"detector", header.detector_top_down ? "top_down" : "bottom_up"}}},
    };
    document["energies_mev"] = {{"high", header.energy_high_mev}};
    if (header.energy_low_mev)
        document["energies_mev"]["low"] = *header.energy_low_mev;
    json images = json::array();
    for (const auto& image : header.images)
        images.push_back({{"channel", channel_name(image.channel)},
                          {"format", scanner_io::format_name(image.format)},
                          {"width", image.width},
                          {"height", image.height}});
    document["images"] = std::move(images);
    return document.dump();
}

} // namespace portscreen::scans
