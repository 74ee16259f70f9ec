#include "event_hub.hpp"

namespace portscreen::ui_web {

std::string format_event(std::string_view name, std::string_view data) {
    std::string text = "event: ";
    text.append(name).append("\n");
    while (true) {
        const auto end = data.find('\n');
        text.append("data: ").append(data.substr(0, end)).append("\n");
        if (end == std::string_view::npos)
            break;
        data.remove_prefix(end + 1);
    }
    text.append("\n");
    return text;
}

bool EventHub::subscribe(std::shared_ptr<Sink> sink) {
    std::lock_guard lock(mutex_);
    std::erase_if(sinks_, [](const auto& weak) { return weak.expired(); });
    if (sinks_.size() >= max_subscribers_)
        return false;
    sinks_.push_back(sink);
    return true;
}

void EventHub::publish(std::string_view name, std::string_view data) {
    send(format_event(name, data));
}

void EventHub::heartbeat() {
    send(": keep-alive\n\n");
}

std::size_t EventHub::subscribers() {
    std::lock_guard lock(mutex_);
    std::erase_if(sinks_, [](const auto& weak) { return weak.expired(); });
    return sinks_.size();
}

void EventHub::send(const std::string& formatted) {
    std::vector<std::shared_ptr<Sink>> live;
    {
        std::lock_guard lock(mutex_);
        for (const auto& weak : sinks_) {
            if (auto sink = weak.lock())
                live.push_back(std::move(sink));
        }
    }
    // Called outside the lock: a sink only queues the text on its connection's strand.
    std::vector<Sink*> gone;
    for (const auto& sink : live) {
        if (!(*sink)(formatted))
            gone.push_back(sink.get());
    }
    if (gone.empty())
        return;
    std::lock_guard lock(mutex_);
    std::erase_if(sinks_, [&](const auto& weak) {
        const auto sink = weak.lock();
        return !sink || std::find(gone.begin(), gone.end(), sink.get()) != gone.end();
    });
}

} // namespace portscreen::ui_web
