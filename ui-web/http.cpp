#include "http.hpp"

#include <nlohmann/json.hpp>

namespace portscreen::ui_web {

std::string_view Request::header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_name)
            return value;
    }
    return {};
}

std::string Request::cookie(std::string_view name) const {
    std::string_view rest = header("cookie");
    while (!rest.empty()) {
        const auto end = rest.find(';');
        std::string_view pair = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        while (!pair.empty() && pair.front() == ' ')
            pair.remove_prefix(1);
        const auto equals = pair.find('=');
        if (equals != std::string_view::npos && pair.substr(0, equals) == name)
            return std::string(pair.substr(equals + 1));
    }
    return {};
}

std::string Request::param(const std::string& name, std::string fallback) const {
    const auto found = query.find(name);
    return found == query.end() ? std::move(fallback) : found->second;
}

bool percent_decode(std::string_view in, std::string& out) {
    out.clear();
    out.reserve(in.size());
    const auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        if (i + 2 >= in.size())
            return false;
        const int high = hex(in[i + 1]);
        const int low = hex(in[i + 2]);
        if (high < 0 || low < 0)
            return false;
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return true;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
    std::map<std::string, std::string> result;
    while (!query.empty()) {
        const auto end = query.find('&');
        std::string_view pair = query.substr(0, end);
        query = end == std::string_view::npos ? std::string_view{} : query.substr(end + 1);
        if (pair.empty())
            continue;
        const auto equals = pair.find('=');
        std::string key(pair.substr(0, equals));
        std::string value(equals == std::string_view::npos ? std::string_view{}
                                                           : pair.substr(equals + 1));
        for (auto* text : {&key, &value}) {
            for (auto& c : *text) {
                if (c == '+')
                    c = ' ';
            }
            std::string decoded;
            if (percent_decode(*text, decoded))
                *text = std::move(decoded);
        }
        result[std::move(key)] = std::move(value);
    }
    return result;
}

Response error_response(int status, std::string_view message,
                        const std::vector<std::string>& problems) {
    nlohmann::json body = {{"error", message}, {"problems", problems}};
    // A message may quote what the client sent, which need not be UTF-8.
    return json_response(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                         status);
}

Response json_response(std::string body, int status) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

} // namespace portscreen::ui_web
