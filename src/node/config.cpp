#include "node/config.hpp"

#include "reference/reference.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>
#include <vector>

namespace portscreen::node {
namespace {

using nlohmann::json;

/// Reads members of one JSON object, collecting every problem rather than stopping.
class Reader {
public:
    Reader(const json& object, std::string path, std::vector<std::string>& problems)
        : object_(object), path_(std::move(path)), problems_(problems) {
        for (const auto& [key, value] : object.items())
            unknown_.push_back(key);
    }

    ~Reader() {
        for (const auto& key : unknown_)
            problems_.push_back(path_ + "/" + key + ": unknown setting");
    }

    const json* member(const std::string& key, json::value_t type, const char* type_name) {
        std::erase(unknown_, key);
        const auto found = object_.find(key);
        if (found == object_.end())
            return nullptr;
        const bool number_ok =
            type == json::value_t::number_unsigned && found->is_number_unsigned();
        if (found->type() != type && !number_ok) {
            problems_.push_back(path_ + "/" + key + ": must be " + type_name);
            return nullptr;
        }
        return &*found;
    }

    void text(const std::string& key, std::string& out) {
        if (const json* value = member(key, json::value_t::string, "a string"))
            out = value->get<std::string>();
    }

    void path(const std::string& key, std::filesystem::path& out) {
        std::string value;
        text(key, value);
        if (!value.empty())
            out = value;
    }

    void count(const std::string& key, std::size_t& out, std::size_t min, std::size_t max) {
        const json* value = member(key, json::value_t::number_unsigned, "a whole number");
        if (!value)
            return;
        const auto number = value->get<std::uint64_t>();
        if (number < min || number > max) {
            problems_.push_back(path_ + "/" + key + ": " + std::to_string(number) + " is outside " +
                                std::to_string(min) + " to " + std::to_string(max));
            return;
        }
        out = number;
    }

    void real(const std::string& key, double& out) {
        const auto found = object_.find(key);
        std::erase(unknown_, key);
        if (found == object_.end())
            return;
        if (!found->is_number()) {
            problems_.push_back(path_ + "/" + key + ": must be a number");
            return;
        }
        out = found->get<double>();
    }

    void flag(const std::string& key, bool& out) {
        if (const json* value = member(key, json::value_t::boolean, "true or false"))
            out = value->get<bool>();
    }

    void texts(const std::string& key, std::vector<std::string>& out) {
        const json* list = member(key, json::value_t::array, "a list of text");
        if (!list)
            return;
        out.clear();
        for (std::size_t i = 0; i < list->size(); ++i) {
            if (!(*list)[i].is_string()) {
                problems_.push_back(path_ + "/" + key + "/" + std::to_string(i) + ": must be text");
                continue;
            }
            out.push_back((*list)[i].get<std::string>());
        }
    }

    const json* object(const std::string& key) {
        return member(key, json::value_t::object, "an object");
    }

    const std::string& where() const { return path_; }
    std::vector<std::string>& problems() { return problems_; }

private:
    const json& object_;
    std::string path_;
    std::vector<std::string>& problems_;
    std::vector<std::string> unknown_;
};

void read_sharing(const json& object, sharing::SharingOptions& out,
                  std::vector<std::string>& problems) {
    Reader reader(object, "/share", problems);
    reader.text("endpoint", out.endpoint);
    reader.texts("ports", out.ports);
    reader.real("alert_threshold", out.alert_threshold);
    reader.real("alert_points", out.alert_points);
    std::size_t days = static_cast<std::size_t>(out.alert_days);
    reader.count("alert_days", days, 1, 3650);
    out.alert_days = static_cast<int>(days);
    reader.flag("hub", out.hub);
    std::size_t max_bytes = static_cast<std::size_t>(out.max_message_bytes);
    reader.count("max_message_bytes", max_bytes, 1024, std::size_t{1} << 30);
    out.max_message_bytes = static_cast<std::int64_t>(max_bytes);
    std::size_t window = static_cast<std::size_t>(out.window);
    reader.count("window", window, 1, 100'000);
    out.window = static_cast<int>(window);
    const json* peers = reader.member("peers", json::value_t::array, "a list of peers");
    if (!peers)
        return;
    for (std::size_t i = 0; i < peers->size(); ++i) {
        const std::string where = "/share/peers/" + std::to_string(i);
        if (!(*peers)[i].is_object()) {
            problems.push_back(where + ": must be an object");
            continue;
        }
        Reader peer_reader((*peers)[i], where, problems);
        sharing::Peer peer;
        peer_reader.text("name", peer.identity.name);
        peer_reader.text("curve_public", peer.identity.curve_public);
        peer_reader.text("sign_public", peer.identity.sign_public);
        peer_reader.text("endpoint", peer.endpoint);
        peer_reader.texts("ports", peer.ports);
        std::vector<std::string> send{"alert", "outcome", "watchlist", "query", "answer"};
        peer_reader.texts("send", send);
        for (const auto& name : send) {
            if (const auto kind = sharing::parse_kind(name))
                peer.send.push_back(*kind);
            else
                problems.push_back(where + "/send: '" + name +
                                   "' is not alert, outcome, watchlist, query or answer");
        }
        peer_reader.flag("personal_data", peer.personal_data);
        peer_reader.flag("hub", peer.hub);
        out.peers.push_back(std::move(peer));
    }
    for (const auto& problem : sharing::validate(out))
        problems.push_back(problem);
}

} // namespace

Config default_config() {
    Config config;
    config.iso3166_json = reference::default_iso3166_path();
    config.hs_nomenclature_csv = reference::default_hs_nomenclature_path();
    return config;
}

Config load_config(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in)
        throw std::runtime_error("cannot open config file " + file.string());
    json doc;
    try {
        doc = json::parse(in);
    } catch (const json::exception& e) {
        throw std::runtime_error("config file " + file.string() + ": " + e.what());
    }
    if (!doc.is_object())
        throw std::runtime_error("config file " + file.string() + ": must hold a JSON object");

    Config config = default_config();
    std::vector<std::string> problems;
    {
        Reader top(doc, "", problems);
        if (const json* ingest = top.object("ingest")) {
            Reader reader(*ingest, "/ingest", problems);
            reader.text("endpoint", config.ingest.endpoint);
            reader.count("max_message_bytes", config.ingest.max_message_bytes, 1024,
                         std::size_t{1} << 30);
            reader.count("max_batch", config.ingest.max_batch, 1, 10'000);
            reader.count("max_queued", config.ingest.max_queued, 1, 10'000);
        }
        if (const json* scans = top.object("scans")) {
            Reader reader(*scans, "/scans", problems);
            reader.text("endpoint", config.scans.endpoint);
            reader.count("max_image_bytes", config.scans.max_image_bytes, 1024,
                         std::size_t{2} << 30);
            std::size_t pixels = static_cast<std::size_t>(config.scans.max_pixels);
            reader.count("max_pixels", pixels, 1, std::size_t{1} << 31);
            config.scans.max_pixels = static_cast<std::int64_t>(pixels);
            reader.count("max_in_flight", config.scans.max_in_flight, 1, 64);
            std::size_t workers = static_cast<std::size_t>(config.scans.workers);
            reader.count("workers", workers, 1, 64);
            config.scans.workers = static_cast<int>(workers);
        }
        if (const json* web = top.object("http")) {
            Reader reader(*web, "/http", problems);
            if (const json* enabled =
                    reader.member("enabled", json::value_t::boolean, "true or false"))
                config.web.enabled = enabled->get<bool>();
            reader.text("listen", config.web.listen);
            std::size_t threads = static_cast<std::size_t>(config.web.threads);
            reader.count("threads", threads, 1, 64);
            config.web.threads = static_cast<int>(threads);
            reader.count("max_body_bytes", config.web.max_body_bytes, 1024, std::size_t{1} << 30);
            reader.count("max_upload_bytes", config.web.max_upload_bytes, 1024,
                         std::size_t{2} << 30);
            reader.text("static_dir", config.web.static_dir);
            if (const json* secure =
                    reader.member("secure_cookies", json::value_t::boolean, "true or false"))
                config.web.secure_cookies = secure->get<bool>();
            std::size_t idle = static_cast<std::size_t>(config.web.session_idle_minutes);
            reader.count("session_idle_minutes", idle, 1, 24 * 60);
            config.web.session_idle_minutes = static_cast<int>(idle);
            std::size_t hours = static_cast<std::size_t>(config.web.session_hours);
            reader.count("session_hours", hours, 1, 24 * 7);
            config.web.session_hours = static_cast<int>(hours);
        }
        if (const json* share = top.object("share"))
            read_sharing(*share, config.share, problems);
        if (const json* reference = top.object("reference")) {
            Reader reader(*reference, "/reference", problems);
            reader.path("iso3166_json", config.iso3166_json);
            reader.path("hs_nomenclature_csv", config.hs_nomenclature_csv);
        }
        if (const json* logging = top.object("log")) {
            Reader reader(*logging, "/log", problems);
            std::string level;
            reader.text("level", level);
            if (!level.empty() && !log::parse_level(level, config.log_level))
                problems.push_back("/log/level: '" + level +
                                   "' is not one of debug, info, warn, error");
        }
    }
    if (!problems.empty()) {
        std::string text = "config file " + file.string() + ":";
        for (const auto& problem : problems)
            text += "\n  " + problem;
        throw std::runtime_error(text);
    }
    return config;
}

} // namespace portscreen::node
