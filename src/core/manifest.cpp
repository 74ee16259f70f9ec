#include "core/manifest.hpp"

namespace portscreen::core {

std::string Consignment::reference() const {
    if (house_bl.empty())
        return master_bl;
    if (master_bl.empty())
        return house_bl;
    return master_bl + " / " + house_bl;
}

const char* to_string(MessageFunction function) {
    switch (function) {
    case MessageFunction::original: return "original";
    case MessageFunction::replace: return "replace";
    case MessageFunction::change: return "change";
    case MessageFunction::cancel: return "cancel";
    }
    return "?";
}

const char* to_string(LoadStatus load) {
    return load == LoadStatus::full ? "full" : "empty";
}

} // namespace portscreen::core
