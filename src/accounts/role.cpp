#include "accounts/role.hpp"

#include <array>
#include <utility>

namespace portscreen::accounts {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 4> kRoleNames{{
    {Role::officer, "officer"},
    {Role::operator_, "operator"},
    {Role::manager, "manager"},
    {Role::admin, "admin"},
}};

} // namespace

std::string_view to_string(Role role) {
    for (const auto& [value, name] : kRoleNames)
        if (value == role)
            return name;
    return "unknown";
}

std::optional<Role> parse_role(std::string_view name) {
    for (const auto& [value, role_name] : kRoleNames)
        if (role_name == name)
            return value;
    return std::nullopt;
}

std::string_view to_string(Permission permission) {
    switch (permission) {
    case Permission::view_arrivals: return "view_arrivals";
    case Permission::view_container: return "view_container";
    case Permission::decide: return "decide";
    case Permission::scan_work: return "scan_work";
    case Permission::view_stats: return "view_stats";
    case Permission::export_data: return "export";
    case Permission::manage_users: return "manage_users";
    case Permission::view_audit: return "view_audit";
    }
    return "unknown";
}

} // namespace portscreen::accounts
