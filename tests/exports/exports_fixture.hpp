#pragma once

#include "storage/database.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace portscreen::exports::testing {

using portscreen::test_support::TempDir;

} // namespace portscreen::exports::testing
