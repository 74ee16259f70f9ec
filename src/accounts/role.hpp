#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

/// Who may do what in the web interface: four roles and the permissions each holds. Officers
/// decide, scanner operators work the scans, programme managers oversee and export, admins
/// manage accounts. Pure: a constexpr table.
namespace portscreen::accounts {

enum class Role : std::uint8_t { officer, operator_, manager, admin };

/// "officer", "operator", "manager", "admin": the names stored in `users.role`.
std::string_view to_string(Role role);
/// The role named exactly by `name`, or nothing.
std::optional<Role> parse_role(std::string_view name);

enum class Permission : std::uint8_t {
    view_arrivals,  ///< arrivals board and queue
    view_container, ///< a container's page and its images
    decide,         ///< select, release, order scan or examination, record an outcome
    scan_work,      ///< worklist, attach images, link unmatched scans, draw regions, clear/refer
    view_stats,     ///< the programme dashboard
    export_data,    ///< CSV/XLSX exports
    manage_users,   ///< list, create and disable users
    view_audit,     ///< the audit log and its verification
};

/// "view_arrivals", ..., "export" (for export_data), ...: for messages such as
/// "officer may not export".
std::string_view to_string(Permission permission);

/// Whether `role` holds `permission`.
constexpr bool allowed(Role role, Permission permission) {
    switch (permission) {
    case Permission::view_arrivals: return role == Role::officer || role == Role::manager;
    case Permission::view_container:
        return role == Role::officer || role == Role::operator_ || role == Role::manager;
    case Permission::decide: return role == Role::officer;
    case Permission::scan_work: return role == Role::operator_;
    case Permission::view_stats: return role == Role::manager || role == Role::admin;
    case Permission::export_data: return role == Role::manager;
    case Permission::manage_users: return role == Role::admin;
    case Permission::view_audit: return role == Role::manager || role == Role::admin;
    }
    return false;
}

} // namespace portscreen::accounts
