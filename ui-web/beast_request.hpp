#pragma once

#include "http.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace portscreen::ui_web {

/// The request the API sees, made from a message Beast parsed: the path and query split, the
/// query decoded, header names in lower case. The server and the HTTP fuzz target both use it,
/// so the fuzzer reaches the API with exactly what a client's bytes would become.
Request to_request(const boost::beast::http::request<boost::beast::http::string_body>& message,
                   std::string peer);

} // namespace portscreen::ui_web
