#include "beast_request.hpp"

#include <cctype>

namespace portscreen::ui_web {

Request to_request(const boost::beast::http::request<boost::beast::http::string_body>& message,
                   std::string peer) {
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    const auto question = request.target.find('?');
    request.path = request.target.substr(0, question);
    if (question != std::string::npos)
        request.query = parse_query(std::string_view(request.target).substr(question + 1));
    for (const auto& field : message) {
        std::string name(field.name_string());
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = message.body();
    request.peer = std::move(peer);
    return request;
}

} // namespace portscreen::ui_web
