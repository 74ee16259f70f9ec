#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace portscreen::ui_web {

/// Fans live updates out to the browsers holding an event stream open. Thread-safe: the node's
/// threads publish, the server's connections subscribe.
class EventHub {
public:
    /// Receives one formatted event (text/event-stream lines); false when the receiver is gone.
    using Sink = std::function<bool(const std::string& formatted)>;

    explicit EventHub(std::size_t max_subscribers = 256) : max_subscribers_(max_subscribers) {}

    /// Adds a subscriber; false when there are already `max_subscribers`.
    bool subscribe(std::shared_ptr<Sink> sink);
    /// Sends `data` (one line of JSON) as event `name` to every subscriber, dropping those that
    /// are gone.
    void publish(std::string_view name, std::string_view data);
    /// A comment line that keeps idle streams open through proxies and finds dead ones.
    void heartbeat();
    std::size_t subscribers();

private:
    void send(const std::string& formatted);

    std::mutex mutex_;
    std::vector<std::weak_ptr<Sink>> sinks_;
    std::size_t max_subscribers_;
};

/// "event: NAME\ndata: DATA\n\n"; newlines in data are split into data lines.
std::string format_event(std::string_view name, std::string_view data);

} // namespace portscreen::ui_web
