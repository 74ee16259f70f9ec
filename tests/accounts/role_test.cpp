// The role and permission table, checked cell by cell against the design's table.

#include "accounts/role.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace portscreen::accounts {
namespace {

constexpr std::array kRoles{Role::officer, Role::operator_, Role::manager, Role::admin};

struct Row {
    Permission permission;
    std::array<bool, 4> by_role; // officer, operator, manager, admin
};

// The table of the issue 5 design, transcribed row by row.
constexpr std::array<Row, 8> kTable{{
    {Permission::view_arrivals, {true, false, true, false}},
    {Permission::view_container, {true, true, true, false}},
    {Permission::decide, {true, false, false, false}},
    {Permission::scan_work, {false, true, false, false}},
    {Permission::view_stats, {false, false, true, true}},
    {Permission::export_data, {false, false, true, false}},
    {Permission::manage_users, {false, false, false, true}},
    {Permission::view_audit, {false, false, true, true}},
}};

TEST(Role, EveryRoleAndPermissionAsDesigned) {
    for (const Row& row : kTable)
        for (std::size_t role_idx = 0; role_idx < kRoles.size(); ++role_idx)
            EXPECT_EQ(allowed(kRoles[role_idx], row.permission), row.by_role[role_idx])
                << to_string(kRoles[role_idx]) << " / " << to_string(row.permission);
}

TEST(Role, TableIsUsableAtCompileTime) {
    static_assert(allowed(Role::officer, Permission::decide));
    static_assert(!allowed(Role::admin, Permission::decide));
    SUCCEED();
}

TEST(Role, NamesRoundTrip) {
    for (const Role role : kRoles)
        EXPECT_EQ(parse_role(to_string(role)), role);
    EXPECT_EQ(to_string(Role::operator_), "operator");
    EXPECT_EQ(parse_role("operator"), Role::operator_);
    EXPECT_FALSE(parse_role("operator_"));
    EXPECT_FALSE(parse_role("Admin"));
    EXPECT_FALSE(parse_role(""));
}

TEST(Role, PermissionNames) {
    EXPECT_EQ(to_string(Permission::export_data), "export");
    EXPECT_EQ(to_string(Permission::view_audit), "view_audit");
    EXPECT_EQ(to_string(Permission::manage_users), "manage_users");
}

} // namespace
} // namespace portscreen::accounts
